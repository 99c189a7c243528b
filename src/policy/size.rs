//! The `file-size` rule kind.

use serde::Deserialize;

use super::paths::FileFilter;

/// The keys of a `file-size` rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    max_bytes: u64,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    except: Vec<String>,
}

impl Spec {
    /// Compiles the `files` and `except` globs; the error names the bad glob.
    pub fn compile(self) -> Result<FileSize, String> {
        Ok(FileSize {
            max_bytes: self.max_bytes,
            filter: FileFilter::new(&self.files, &self.except)?,
        })
    }
}

/// Files added or modified must not exceed `max_bytes`. Git LFS pointers are a few hundred bytes,
/// so a file tracked with LFS always passes.
#[derive(Debug)]
pub struct FileSize {
    /// The largest size allowed, in bytes.
    pub max_bytes: u64,
    /// The files the limit applies to (`files`, default every file, minus `except`).
    pub filter: FileFilter,
}

/// `1.5 MiB`-style size for reports.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
