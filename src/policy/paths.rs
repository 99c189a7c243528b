//! The `forbidden-paths` rule kind, and the glob sets every path-matching kind uses.
//!
//! Globs are globset's: `*` and `**` both cross `/`, so `*.pem` matches at any depth and `src/**`
//! matches everything under `src/` — the same dialect as a record's `paths`.

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

/// Compiles `patterns` into one matcher; the error names the bad pattern.
pub fn glob_set(key: &str, patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|e| format!("`{key}`: bad glob `{pattern}`: {e}"))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| format!("`{key}`: cannot compile the globs: {e}"))
}

/// Which files a rule applies to: `files` (default every file) minus `except`.
#[derive(Debug)]
pub struct FileFilter {
    files: Option<GlobSet>,
    except: GlobSet,
}

impl FileFilter {
    /// Compiles the two lists (`files` empty means every file).
    pub fn new(files: &[String], except: &[String]) -> Result<Self, String> {
        Ok(FileFilter {
            files: if files.is_empty() {
                None
            } else {
                Some(glob_set("files", files)?)
            },
            except: glob_set("except", except)?,
        })
    }

    /// Whether the rule applies to `path` (relative to the work tree, with `/`).
    pub fn matches(&self, path: &str) -> bool {
        self.files.as_ref().is_none_or(|f| f.is_match(path)) && !self.except.is_match(path)
    }
}

/// The keys of a rule about paths (`forbidden-paths`, `requires-decision`): the `paths` globs,
/// minus the `except` globs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    paths: Vec<String>,
    #[serde(default)]
    except: Vec<String>,
}

impl Spec {
    /// Compiles the globs; `purpose` ends the message for an empty list ("that must not be
    /// added").
    pub fn compile(self, purpose: &str) -> Result<PathRule, String> {
        if self.paths.is_empty() {
            return Err(format!("`paths` is empty; list the globs {purpose}"));
        }
        Ok(PathRule {
            matched: glob_set("paths", &self.paths)?,
            except: glob_set("except", &self.except)?,
            paths: self.paths,
        })
    }
}

/// Compiled `paths` minus `except`; `paths` is never empty.
#[derive(Debug)]
pub struct PathRule {
    /// The `paths` globs as written, for messages.
    pub paths: Vec<String>,
    matched: GlobSet,
    except: GlobSet,
}

impl PathRule {
    /// Whether the rule covers `path` (relative to the work tree, with `/`).
    pub fn matches(&self, path: &str) -> bool {
        self.matched.is_match(path) && !self.except.is_match(path)
    }
}

/// Paths that must not be added (or renamed into place).
pub type ForbiddenPaths = PathRule;
