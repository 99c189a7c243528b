//! `git zen ci github|gitlab`: a CI workflow that checks each pull (merge) request with the
//! project's policies, uploads the findings as SARIF and posts the review as one comment.
//!
//! The workflows are files under `ci/` embedded in the binary, with one placeholder: where the
//! CI machine installs git-zen from (`cargo install --git <source>`; git-zen has no released
//! binaries to download). Writing is refused when a different file is already there, unless
//! forced: a team's edited workflow is theirs.

use std::path::Path;

use crate::error::UserError;
use crate::fsutil::{FileAction, write_if_changed};
use crate::repo::Repo;

const GITHUB: &str = include_str!("../../ci/github.yml");
const GITLAB: &str = include_str!("../../ci/gitlab.yml");

/// What the workflow installs from when no `--source` is given: a placeholder the file's
/// comments explain and [`Written::placeholder`] reports, since git-zen cannot know where a team
/// gets it (a public repository, an internal mirror, a fork).
pub const PLACEHOLDER_SOURCE: &str = "https://example.com/your-org/git-zen.git";

/// The CI service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// GitHub Actions: `.github/workflows/git-zen.yml`.
    Github,
    /// GitLab CI: a job in `.gitlab/git-zen.yml`, for `.gitlab-ci.yml` to include.
    Gitlab,
}

impl Provider {
    /// The name on the command line: `github` or `gitlab`.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Github => "github",
            Provider::Gitlab => "gitlab",
        }
    }

    /// The file written, relative to the work tree.
    pub fn file(self) -> &'static str {
        match self {
            Provider::Github => ".github/workflows/git-zen.yml",
            Provider::Gitlab => ".gitlab/git-zen.yml",
        }
    }
}

/// What [`write`](fn@write) is asked.
#[derive(Debug, Clone)]
pub struct CiRequest {
    /// Which service.
    pub provider: Provider,
    /// The git URL CI installs git-zen from; `None` writes [`PLACEHOLDER_SOURCE`].
    pub source: Option<String>,
    /// Replace an existing file that differs.
    pub force: bool,
}

/// What [`write`](fn@write) did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Written {
    /// The file, relative to the work tree.
    pub file: &'static str,
    /// Created, updated (forced), or already exactly this.
    pub action: FileAction,
    /// Whether the install source is still the placeholder, to be edited before the first run.
    pub placeholder: bool,
    /// What the user must still do for the file to run (GitLab: include it).
    pub next: Option<String>,
}

/// The workflow text for `provider`, installing git-zen from `source`.
pub fn render(provider: Provider, source: &str) -> String {
    let template = match provider {
        Provider::Github => GITHUB,
        Provider::Gitlab => GITLAB,
    };
    template.replace("{{source}}", source)
}

/// Writes the workflow for the request into the work tree.
pub fn write(repo: &Repo, request: &CiRequest) -> Result<Written, UserError> {
    let source = request.source.as_deref().unwrap_or(PLACEHOLDER_SOURCE);
    check_source(source)?;
    let text = render(request.provider, source);
    let file = request.provider.file();
    let path = repo.workdir().join(file);
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink()) {
        return Err(
            UserError::failed(format!("{file} is a symbolic link")).hint(format!(
                "replace {file} with a regular file, then run this again"
            )),
        );
    }
    if !request.force && differs(&path, &text) {
        return Err(UserError::failed(format!(
            "{file} exists and differs from what git-zen writes"
        ))
        .hint(format!(
            "keep yours, or replace it with `git zen ci {} --force` (commit yours first to keep a copy)",
            request.provider.name()
        )));
    }
    let temps = repo.state_dir().join("tmp");
    let action = write_if_changed(&path, text.as_bytes(), Some(&temps))
        .map_err(|e| UserError::failed(format!("cannot write {file}: {e}")))?;
    let next = (request.provider == Provider::Gitlab).then(|| {
        let included = std::fs::read_to_string(repo.workdir().join(".gitlab-ci.yml"))
            .is_ok_and(|ci| ci.contains(file));
        if included {
            String::new()
        } else {
            format!("include it from .gitlab-ci.yml:  include: [{{local: {file}}}]")
        }
    });
    Ok(Written {
        file,
        action,
        placeholder: request.source.is_none(),
        next: next.filter(|n| !n.is_empty()),
    })
}

/// Whether a file other than `text` is at `path`.
fn differs(path: &Path, text: &str) -> bool {
    std::fs::read(path).is_ok_and(|old| old != text.as_bytes())
}

/// A source is pasted into a quoted YAML string and a shell argument: refuse what could break
/// out of either.
fn check_source(source: &str) -> Result<(), UserError> {
    let bad = source
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "\"'`$\\{}".contains(*c));
    match bad {
        Some(c) => Err(UserError::usage(format!(
            "--source {source:?}: {c:?} is not allowed in the URL CI installs git-zen from"
        ))
        .hint("give the git URL of the repository to install git-zen from, e.g. https://host/org/git-zen.git")),
        None if source.is_empty() => Err(UserError::usage("--source is empty")),
        None => Ok(()),
    }
}
