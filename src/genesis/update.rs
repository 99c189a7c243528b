//! `git zen update`: re-render the template a project was made from (perhaps a newer version)
//! with the recorded answers, and merge the difference into the project three ways — base = what
//! the template rendered last time, theirs = what it renders now, ours = the project.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{GenesisError, Skill, Template, git, render, skill};
use crate::repo::{Repo, run_captured};
use crate::store::DIR;

/// The ref that keeps the last render: a commit whose tree is exactly what the template wrote.
pub const BASE_REF: &str = "refs/zen/template-base";

#[derive(Deserialize)]
struct GenesisToml {
    template: TemplateEntry,
    #[serde(default)]
    answers: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct TemplateEntry {
    name: String,
    version: String,
    source: String,
    #[serde(default)]
    skills: Vec<String>,
}

/// What an update did.
#[derive(Debug, Default, Serialize)]
pub struct Updated {
    /// Template version before and after.
    pub from: String,
    /// The version applied.
    pub to: String,
    /// Files the project had not changed, now the template's new text (or new files).
    pub updated: Vec<PathBuf>,
    /// Files both changed, merged cleanly.
    pub merged: Vec<PathBuf>,
    /// Files both changed in the same place: git-style conflict markers were written.
    pub conflicts: Vec<PathBuf>,
    /// Files the template dropped, removed because the project had not changed them.
    pub removed: Vec<PathBuf>,
    /// Symbolic links both sides changed (or that one side turned into a file or back): the
    /// project's is kept as it is, since link targets do not merge.
    pub kept: Vec<PathBuf>,
}

/// What a path holds, for the merge: a file's bytes, or a symbolic link's target text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    bytes: Vec<u8>,
    link: bool,
}

impl Entry {
    /// What the project has at `path` now: the link itself (never what it points at), else
    /// the file's bytes; `None` when there is nothing (or a folder).
    fn read(path: &Path) -> Option<Entry> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        if meta.is_symlink() {
            let target = std::fs::read_link(path).ok()?;
            return Some(Entry {
                bytes: target.into_os_string().into_encoded_bytes(),
                link: true,
            });
        }
        let bytes = std::fs::read(path).ok()?;
        Some(Entry { bytes, link: false })
    }

    /// Puts it at `path`, replacing what is there; never writes through a link.
    fn place(&self, path: &Path) -> Result<(), GenesisError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(GenesisError::io(dir))?;
        }
        let present = std::fs::symlink_metadata(path).ok();
        if present.is_some_and(|m| m.is_symlink() || (self.link && m.is_file())) {
            std::fs::remove_file(path).map_err(GenesisError::io(path))?;
        }
        if self.link {
            use std::os::unix::ffi::OsStrExt;
            let target = std::ffi::OsStr::from_bytes(&self.bytes);
            return std::os::unix::fs::symlink(target, path).map_err(GenesisError::io(path));
        }
        std::fs::write(path, &self.bytes).map_err(GenesisError::io(path))
    }
}

/// Re-renders and merges. Refuses while a file still holds conflict markers from a previous
/// update. Writes only files the template renders (and `genesis.toml`); commits nothing.
pub fn update(
    repo: &Repo,
    template_spec: Option<&str>,
    cwd: &Path,
) -> Result<Updated, GenesisError> {
    let root = repo.workdir();
    let genesis_path = root.join(DIR).join("genesis.toml");
    let text = std::fs::read_to_string(&genesis_path).map_err(GenesisError::io(&genesis_path))?;
    let recorded: GenesisToml = toml::from_str(&text).map_err(|e| GenesisError::Invalid {
        file: genesis_path.clone(),
        line: crate::text::toml_error_line(&text, &e),
        message: e.message().to_owned(),
    })?;
    let spec = template_spec.map(str::to_owned).unwrap_or_else(|| {
        if recorded.template.source == "built-in" {
            recorded.template.name.clone()
        } else {
            recorded.template.source.clone()
        }
    });
    let template = Template::find(&spec, cwd)?;
    let skills = skill::compose(&recorded.template.skills, &Skill::built_ins()?)?;
    // Recorded answers stand; a variable the new version added takes its default.
    let builtins = ["name", "year", "author", "email"];
    let given: BTreeMap<String, String> = recorded
        .answers
        .iter()
        .filter(|(k, _)| template.variables.contains_key(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let get = |k: &str| recorded.answers.get(k).cloned().unwrap_or_default();
    let mut answers = super::answers(
        &template,
        &get("name"),
        (&get("author"), &get("email")),
        &given,
        None,
    )?
    .values;
    for k in builtins {
        if let Some(v) = recorded.answers.get(k) {
            answers.insert(k.to_owned(), v.clone());
        }
    }
    let rendered = render::render_project(&template, &skills, &answers)?;

    let leftover: Vec<String> = rendered
        .iter()
        .filter(|r| {
            Entry::read(&root.join(&r.path)).is_some_and(|e| !e.link && has_markers(&e.bytes))
        })
        .map(|r| r.path.display().to_string())
        .collect();
    if !leftover.is_empty() {
        return Err(GenesisError::Conflicts(leftover));
    }

    let base = base_commit(root)?;
    let base_files = base_files(repo, &base)?;
    let mut report = Updated {
        from: recorded.template.version.clone(),
        to: template.meta.version.clone(),
        ..Updated::default()
    };
    let new: BTreeMap<&Path, Entry> = rendered
        .iter()
        .map(|r| {
            let entry = Entry {
                bytes: r.content.clone(),
                link: r.symlink,
            };
            (r.path.as_path(), entry)
        })
        .collect();
    let mut paths: Vec<PathBuf> = base_files.keys().cloned().collect();
    paths.extend(rendered.iter().map(|r| r.path.clone()));
    paths.sort();
    paths.dedup();
    for path in paths {
        let full = root.join(&path);
        let base = base_files.get(&path);
        let theirs = new.get(path.as_path());
        let ours = Entry::read(&full);
        if theirs == base {
            continue;
        }
        match (ours.as_ref(), base, theirs) {
            // The project deleted it: leave it deleted.
            (None, Some(_), _) => {}
            (None, None, Some(t)) => {
                t.place(&full)?;
                report.updated.push(path);
            }
            (Some(o), b, t) if Some(o) == b => match t {
                Some(t) => {
                    t.place(&full)?;
                    report.updated.push(path);
                }
                None => {
                    std::fs::remove_file(&full).map_err(GenesisError::io(&full))?;
                    report.removed.push(path);
                }
            },
            (Some(o), b, Some(t)) => {
                if o == t {
                    continue;
                }
                if o.link || t.link || b.is_some_and(|b| b.link) {
                    report.kept.push(path);
                    continue;
                }
                let base_bytes = b.map(|b| b.bytes.as_slice()).unwrap_or_default();
                let (merged, conflicts) = merge_file(root, &path, &o.bytes, base_bytes, &t.bytes)?;
                let merged = Entry {
                    bytes: merged,
                    link: false,
                };
                merged.place(&full)?;
                if conflicts {
                    report.conflicts.push(path);
                } else {
                    report.merged.push(path);
                }
            }
            // The template dropped a file the project changed: keep the project's.
            (Some(_), _, None) => {}
            (None, None, None) => {}
        }
    }
    save_base(root, &rendered, &base, &template)?;
    let edited = {
        let mut doc: toml_edit::DocumentMut =
            text.parse()
                .map_err(|e: toml_edit::TomlError| GenesisError::Invalid {
                    file: genesis_path.clone(),
                    line: 1,
                    message: e.to_string(),
                })?;
        doc["template"]["version"] = toml_edit::value(template.meta.version.clone());
        doc.to_string()
    };
    std::fs::write(&genesis_path, edited).map_err(GenesisError::io(&genesis_path))?;
    Ok(report)
}

fn has_markers(bytes: &[u8]) -> bool {
    bytes.starts_with(b"<<<<<<< ") || memchr::memmem::find(bytes, b"\n<<<<<<< ").is_some()
}

/// The last render: [`BASE_REF`], or the project's first commit (a clone does not fetch the ref).
fn base_commit(root: &Path) -> Result<String, GenesisError> {
    if let Ok(id) = run_captured(git(root).args(["rev-parse", "--verify", "-q", BASE_REF])) {
        return Ok(id.trim().to_owned());
    }
    let roots = run_captured(git(root).args(["rev-list", "--max-parents=0", "HEAD"]))?;
    Ok(roots.lines().last().unwrap_or_default().trim().to_owned())
}

/// The rendered files and links of commit `base` (everything outside `.datazentr/`).
fn base_files(repo: &Repo, base: &str) -> Result<BTreeMap<PathBuf, Entry>, GenesisError> {
    let gix = repo.gix();
    let read = |e: gix::Error| GenesisError::Invalid {
        file: PathBuf::from(BASE_REF),
        line: 1,
        message: e.to_string(),
    };
    let id = gix::ObjectId::from_hex(base.as_bytes()).map_err(|e| GenesisError::Invalid {
        file: PathBuf::from(BASE_REF),
        line: 1,
        message: e.to_string(),
    })?;
    let tree = gix
        .find_commit(id)
        .and_then(|c| c.tree_id())
        .map_err(read)?
        .detach();
    let files = crate::changes::tree_files(gix, tree).map_err(|e| GenesisError::Invalid {
        file: PathBuf::from(BASE_REF),
        line: 1,
        message: e.to_string(),
    })?;
    let mut out = BTreeMap::new();
    for f in files {
        if f.path.starts_with(&format!("{DIR}/")) {
            continue;
        }
        let Some(blob) = f.new else { continue };
        let bytes = gix.find_blob(blob).map_err(read)?.detach().data;
        let link = f.kind == crate::changes::EntryKind::Symlink;
        out.insert(PathBuf::from(f.path), Entry { bytes, link });
    }
    Ok(out)
}

/// `git merge-file`: the merged text and whether it has conflicts.
fn merge_file(
    root: &Path,
    path: &Path,
    ours: &[u8],
    base: &[u8],
    theirs: &[u8],
) -> Result<(Vec<u8>, bool), GenesisError> {
    let dir = tempfile::tempdir().map_err(GenesisError::io(&std::env::temp_dir()))?;
    let file = |name: &str, bytes: &[u8]| -> Result<PathBuf, GenesisError> {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).map_err(GenesisError::io(&p))?;
        Ok(p)
    };
    let (o, b, t) = (
        file("ours", ours)?,
        file("base", base)?,
        file("theirs", theirs)?,
    );
    let shown = path.display().to_string();
    let out = git(root)
        .args([
            "merge-file",
            "-p",
            "-L",
            &shown,
            "-L",
            "template (last update)",
            "-L",
            "template (now)",
        ])
        .args([&o, &b, &t])
        .output()
        .map_err(GenesisError::io(path))?;
    match out.status.code() {
        Some(0) => Ok((out.stdout, false)),
        Some(n) if n > 0 => Ok((out.stdout, true)),
        _ => Err(GenesisError::Invalid {
            file: path.to_path_buf(),
            line: 1,
            message: format!(
                "git merge-file failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }),
    }
}

/// Records this render as the new base: a commit (child of the old base) under [`BASE_REF`].
fn save_base(
    root: &Path,
    rendered: &[render::Rendered],
    old: &str,
    template: &Template,
) -> Result<(), GenesisError> {
    let stage = tempfile::tempdir().map_err(GenesisError::io(&std::env::temp_dir()))?;
    for r in rendered {
        r.write_under(stage.path())?;
    }
    let index_dir = tempfile::tempdir().map_err(GenesisError::io(&std::env::temp_dir()))?;
    let index = index_dir.path().join("index");
    let with_index = |args: &[&str]| {
        let mut cmd = git(root);
        cmd.env("GIT_INDEX_FILE", &index)
            .arg("--work-tree")
            .arg(stage.path())
            .args(args);
        cmd
    };
    run_captured(&mut with_index(&["add", "-A", "-f", "--", "."]))?;
    let tree = run_captured(&mut with_index(&["write-tree"]))?;
    let message = format!(
        "Template {} {} as rendered",
        template.meta.name, template.meta.version
    );
    let commit =
        run_captured(git(root).args(["commit-tree", tree.trim(), "-p", old, "-m", &message]))?;
    run_captured(git(root).args(["update-ref", BASE_REF, commit.trim()]))?;
    Ok(())
}
