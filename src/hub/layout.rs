//! `hub init`: laying out a repository (new or empty, or an existing hub missing folders) as a
//! memory hub.

use std::path::{Path, PathBuf};

use super::sync::git;
use super::{Hub, HubError, objects};
use crate::fsutil::{Existing, write_atomic};
use crate::repo::run_captured;
use crate::store::{DIR, Store};

/// What `hub init` did.
#[derive(Debug, Default, serde::Serialize)]
pub struct InitReport {
    /// The hub's remote, normalized (a local path made absolute).
    pub url: String,
    /// A bare repository was created at a local path that did not exist.
    pub created_repository: bool,
    /// Files added to the hub (empty: it already was a complete hub).
    pub added: Vec<String>,
}

const READMES: [(&str, &str); 4] = [
    (
        "README.md",
        "# Team memory hub\n\nThis repository is a [git-zen](https://example.invalid/git-zen) memory hub: the decisions, \
patterns and lessons projects promoted (`.datazentr/`), the templates new projects start from \
(`templates/`), the projects born from it (`projects/`) and what each project said about the \
records it used (`outcomes/`).\n\nEvery write is a new file or one record's own file, so \
projects writing at the same time never conflict. Use it with `git zen hub add <name> <url>`.\n",
    ),
    (
        "templates/README.md",
        "# Templates\n\nOne folder per template (`template.toml` and `files/`); a template here \
overrides a built-in one of the same name for `git zen genesis --hub`.\n",
    ),
    (
        "projects/README.md",
        "# Projects\n\nOne folder per project born by `git zen genesis`: `project.toml` (template, \
skills, inherited records) and `stages/` (one file per move along planning → active → \
graduated). Written by git-zen.\n",
    ),
    (
        "outcomes/README.md",
        "# Outcomes\n\n`outcomes/<record-id>/<event>.toml`: one file per verdict a project gave a \
record (`git zen outcome`). A record's score is aggregated from them. Written by git-zen.\n",
    ),
];

/// Lays out the repository at `spec` (a URL, or a path — created as a bare repository if it
/// does not exist) as a hub, and pushes the layout.
pub fn init(spec: &str) -> Result<InitReport, HubError> {
    let mut report = InitReport::default();
    let path = Path::new(spec);
    if !super::config::is_url(spec) && !path.exists() {
        let abs = std::path::absolute(path).map_err(HubError::io(path))?;
        if let Some(dir) = abs.parent() {
            std::fs::create_dir_all(dir).map_err(HubError::io(dir))?;
        }
        let cwd = std::env::current_dir().map_err(HubError::io(Path::new(".")))?;
        run_captured(git(&cwd).args(["init", "-q", "--bare"]).arg(&abs))?;
        report.created_repository = true;
    }
    report.url = super::config::normalize_url(spec).unwrap_or_else(|| spec.to_owned());
    let work = tempfile::Builder::new()
        .prefix("git-zen-hub-init-")
        .tempdir()
        .map_err(HubError::io(&std::env::temp_dir()))?;
    let clone = work.path().join("hub");
    let cloned = run_captured(
        git(work.path())
            .args(["clone", "-q", "--", &report.url])
            .arg(&clone),
    );
    if let Err(e) = cloned {
        return Err(HubError::Unreachable {
            url: report.url.clone(),
            message: e.to_string(),
        });
    }
    let (_, init) = Store::init_at(&clone)?;
    report
        .added
        .extend(init.created.iter().map(|p| p.display().to_string()));
    for (file, text) in READMES {
        let target = clone.join(file);
        if !target.exists() {
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir).map_err(HubError::io(dir))?;
            }
            write_atomic(&target, text.as_bytes(), Existing::Keep)
                .map_err(HubError::io(&target))?;
            report.added.push(file.to_owned());
        }
    }
    run_captured(git(&clone).args(["add", "-A"]))?;
    if run_captured(git(&clone).args(["diff", "--cached", "--quiet"])).is_ok() {
        return Ok(report);
    }
    let mut commit = git(&clone);
    if run_captured(git(&clone).args(["config", "user.email"])).is_err() {
        commit
            .env("GIT_AUTHOR_NAME", "git-zen")
            .env("GIT_AUTHOR_EMAIL", "git-zen@localhost")
            .env("GIT_COMMITTER_NAME", "git-zen")
            .env("GIT_COMMITTER_EMAIL", "git-zen@localhost");
    }
    run_captured(commit.args([
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "Lay out a git-zen memory hub",
    ]))?;
    let branch = run_captured(git(&clone).args(["symbolic-ref", "--short", "HEAD"]))?;
    run_captured(git(&clone).args([
        "push",
        "-q",
        "origin",
        &format!("HEAD:refs/heads/{}", branch.trim()),
    ]))?;
    Ok(report)
}

/// The hub's `templates/` as a folder on disk (exported from the clone's tree, again only when
/// that subtree changed), if it has one.
pub fn templates_dir(hub: &Hub) -> Result<Option<PathBuf>, HubError> {
    let repo = objects::open(&hub.clone_dir())?;
    let tree = objects::head_tree(&repo)?;
    let Some(templates) = objects::subtree(&repo, tree, "templates")? else {
        return Ok(None);
    };
    let dir = hub.dir.join("templates").join(templates.to_string());
    if !dir.is_dir() {
        let _lock = hub.lock()?;
        let parent = hub.dir.join("templates");
        // Older exports are of trees no longer current.
        let _ = std::fs::remove_dir_all(&parent);
        std::fs::create_dir_all(&parent).map_err(HubError::io(&parent))?;
        let temp = tempfile::Builder::new()
            .prefix(".export-")
            .tempdir_in(&parent)
            .map_err(HubError::io(&parent))?;
        objects::export(&repo, templates, temp.path())?;
        std::fs::rename(temp.keep(), &dir).map_err(HubError::io(&dir))?;
    }
    Ok(Some(dir))
}

/// Whether the clone's tip looks like a hub (it has `.datazentr/`; an empty hub counts).
pub fn is_hub(hub: &Hub) -> Result<bool, HubError> {
    let repo = objects::open(&hub.clone_dir())?;
    let tree = objects::head_tree(&repo)?;
    Ok(tree == repo.empty_tree().id || objects::subtree(&repo, tree, DIR)?.is_some())
}
