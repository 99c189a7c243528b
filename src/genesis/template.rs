//! Templates: a `template.toml` and a `files/` tree, built into the binary or read from a folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

use super::GenesisError;
use super::link::resolve_link;

static BUILT_IN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// One question a template asks.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// What to ask on a terminal.
    pub prompt: Option<String>,
    /// The answer when none is given; itself rendered, so it may use `{{name}}` and earlier answers.
    pub default: Option<String>,
    /// A regex the answer must match.
    pub pattern: Option<String>,
}

/// The `[template]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// The template's name (`--template NAME`).
    pub name: String,
    /// One line for `template list`.
    #[serde(default)]
    pub description: String,
    /// Its version, recorded in `genesis.toml`.
    #[serde(default = "first_version")]
    pub version: String,
    /// Skills included by default.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Tags used to pick memory from a hub.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Whether genesis installs git-zen's hooks in the new repository.
    #[serde(default)]
    pub hooks: bool,
}

fn first_version() -> String {
    "0.1.0".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateToml {
    template: Meta,
    #[serde(default)]
    variables: BTreeMap<String, Variable>,
}

/// A file under `files/`, path relative to it with `/` separators.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Path under `files/`, before rendering.
    pub path: String,
    /// The bytes.
    pub content: Vec<u8>,
    /// Whether it is executable (folders on disk only; built-in files are not).
    pub executable: bool,
    /// Whether it is a symbolic link (folders on disk only): `content` is then its target as
    /// written, a relative path checked to stay inside `files/`.
    pub symlink: bool,
}

/// A loaded template.
#[derive(Debug, Clone)]
pub struct Template {
    /// `[template]`.
    pub meta: Meta,
    /// Questions, by variable name (asked in name order).
    pub variables: BTreeMap<String, Variable>,
    /// Every file under `files/`, in path order.
    pub files: Vec<TemplateFile>,
    /// `built-in` or the folder it was read from.
    pub source: String,
}

impl Template {
    /// Every built-in template.
    pub fn built_ins() -> Result<Vec<Template>, GenesisError> {
        let mut all = Vec::new();
        for dir in BUILT_IN.dirs() {
            all.push(from_embedded(dir)?);
        }
        all.sort_by(|a, b| a.meta.name.cmp(&b.meta.name));
        Ok(all)
    }

    /// A template by built-in name, or from a folder when `spec` names one (`./x`, `/x`, or any
    /// existing folder).
    pub fn find(spec: &str, cwd: &Path) -> Result<Template, GenesisError> {
        let as_path = cwd.join(spec);
        if spec.contains('/') || spec.starts_with('.') || as_path.is_dir() {
            return from_folder(&as_path);
        }
        Template::built_ins()?
            .into_iter()
            .find(|t| t.meta.name == spec)
            .ok_or_else(|| GenesisError::UnknownTemplate(spec.to_owned()))
    }

    /// Like [`Template::find`], but a template of that name in a hub's `templates/` folder
    /// overrides the built-in one.
    pub fn find_with_hub(
        spec: &str,
        cwd: &Path,
        hub_templates: Option<&Path>,
    ) -> Result<Template, GenesisError> {
        let is_name = !spec.contains('/') && !spec.starts_with('.') && !cwd.join(spec).is_dir();
        if let Some(dir) = hub_templates.filter(|_| is_name) {
            let candidate = dir.join(spec);
            if candidate.join("template.toml").is_file() {
                return from_folder(&candidate);
            }
        }
        Template::find(spec, cwd)
    }

    /// The templates in a hub's `templates/` folder (one per sub-folder with a
    /// `template.toml`), by name.
    pub fn in_folder(dir: &Path) -> Result<Vec<Template>, GenesisError> {
        let mut all = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(all);
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.join("template.toml").is_file() {
                all.push(from_folder(&path)?);
            }
        }
        all.sort_by(|a, b| a.meta.name.cmp(&b.meta.name));
        Ok(all)
    }
}

fn parse_toml(text: &str, file: &Path) -> Result<TemplateToml, GenesisError> {
    toml::from_str(text).map_err(|e| GenesisError::Invalid {
        file: file.to_path_buf(),
        line: crate::text::toml_error_line(text, &e),
        message: e.message().to_owned(),
    })
}

fn from_embedded(dir: &Dir<'static>) -> Result<Template, GenesisError> {
    let toml_path = dir.path().join("template.toml");
    let file = PathBuf::from("<built-in>").join(&toml_path);
    let text = dir
        .get_file(&toml_path)
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| GenesisError::Invalid {
            file: file.clone(),
            line: 1,
            message: "missing or not UTF-8".into(),
        })?;
    let parsed = parse_toml(text, &file)?;
    let files_root = dir.path().join("files");
    let mut files = Vec::new();
    if let Some(root) = dir.get_dir(&files_root) {
        collect_embedded(root, &files_root, &mut files);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Template {
        meta: parsed.template,
        variables: parsed.variables,
        files,
        source: "built-in".into(),
    })
}

/// Every file under `dir`, paths relative to `root`.
pub(super) fn collect_embedded(dir: &Dir<'static>, root: &Path, out: &mut Vec<TemplateFile>) {
    for file in dir.files() {
        let rel = file.path().strip_prefix(root).unwrap_or(file.path());
        out.push(TemplateFile {
            path: rel.to_string_lossy().replace('\\', "/"),
            content: file.contents().to_vec(),
            executable: false,
            symlink: false,
        });
    }
    for sub in dir.dirs() {
        collect_embedded(sub, root, out);
    }
}

fn from_folder(dir: &Path) -> Result<Template, GenesisError> {
    let toml_path = dir.join("template.toml");
    let text = std::fs::read_to_string(&toml_path).map_err(GenesisError::io(&toml_path))?;
    let parsed = parse_toml(&text, &toml_path)?;
    let root = dir.join("files");
    let files = if root.is_dir() {
        folder_files(&root)?
    } else {
        Vec::new()
    };
    Ok(Template {
        meta: parsed.template,
        variables: parsed.variables,
        files,
        source: dir.display().to_string(),
    })
}

/// Every file and symbolic link under `root`, in path order. Links are kept as links when they
/// stay inside `root` (see [`folder_link`]); folders are not entries of their own.
fn folder_files(root: &Path) -> Result<Vec<TemplateFile>, GenesisError> {
    use std::os::unix::fs::PermissionsExt;
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.map_err(|e| GenesisError::Io {
            path: root.to_path_buf(),
            source: e.into(),
        })?;
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let shown = rel.to_string_lossy().replace('\\', "/");
        if entry.path_is_symlink() && entry.depth() > 0 {
            files.push(folder_link(root, entry.path(), shown)?);
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let meta = entry.metadata().map_err(|e| GenesisError::Io {
            path: entry.path().to_path_buf(),
            source: e.into(),
        })?;
        files.push(TemplateFile {
            path: shown,
            content: std::fs::read(entry.path()).map_err(GenesisError::io(entry.path()))?,
            executable: meta.permissions().mode() & 0o111 != 0,
            symlink: false,
        });
    }
    Ok(files)
}

/// The symbolic link at `path` (`rel` under `root`), kept when its target — resolved from the
/// link's folder, through any other link in the template on the way — stays inside `root`; an
/// error naming the link and its target when it is absolute or leads outside.
fn folder_link(root: &Path, path: &Path, rel: String) -> Result<TemplateFile, GenesisError> {
    let target = std::fs::read_link(path).map_err(GenesisError::io(path))?;
    let target = target.to_str().ok_or_else(|| GenesisError::Symlink {
        link: path.display().to_string(),
        target: target.display().to_string(),
        why: "its target is not UTF-8".into(),
    })?;
    let on_disk = |inside: &str| {
        std::fs::read_link(root.join(inside))
            .ok()
            .map(|t| t.to_string_lossy().into_owned())
    };
    resolve_link(&rel, target, &on_disk).map_err(|why| GenesisError::Symlink {
        link: path.display().to_string(),
        target: target.to_owned(),
        why,
    })?;
    Ok(TemplateFile {
        path: rel,
        content: target.as_bytes().to_vec(),
        executable: false,
        symlink: true,
    })
}
