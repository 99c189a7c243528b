//! When and by whom a file first came into git: the fallback for records whose file names no
//! date or author.
//!
//! One `git log --follow --diff-filter=A` per file, so a record moved from `doc/adr` to
//! `docs/decisions` still gets the commit that first added it, not the move. Files are spread
//! over the cores ([`crate::par`]); a folder outside any repository, or a file never committed,
//! gives nothing and the import time is used instead.

use std::path::Path;

use crate::repo::{git_at, git_command};

/// The commit that added a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FirstCommit {
    /// Its author date in UTC, RFC 3339 (`2017-06-20T09:12:00Z`).
    pub(super) date: String,
    /// `Name <email>` of its author.
    pub(super) author: String,
}

/// The first commit of each file (`None` where git knows none). `workdir` is the work tree of
/// the repository being imported into: a folder inside it is asked through the caller's git
/// environment (`GIT_DIR` and friends apply), one outside it through its own repository.
pub(super) fn first_commits(workdir: &Path, files: &[&Path]) -> Vec<Option<FirstCommit>> {
    crate::par::map(files, 8, |file| first_commit(workdir, file))
}

fn first_commit(workdir: &Path, file: &Path) -> Option<FirstCommit> {
    let dir = file.parent()?;
    let name = file.file_name()?;
    let mut cmd = if file.starts_with(workdir) {
        git_command(dir)
    } else {
        git_at(dir)
    };
    let out = cmd
        .args([
            "log",
            "--follow",
            "--diff-filter=A",
            "--format=%aI%x09%an <%ae>",
            "--",
        ])
        .arg(name)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    // Newest first: the last line is the first time the file was added.
    let text = String::from_utf8_lossy(&out.stdout);
    let (date, author) = text
        .lines()
        .rfind(|l| !l.trim().is_empty())?
        .split_once('\t')?;
    let stamp: jiff::Timestamp = date.trim().parse().ok()?;
    Some(FirstCommit {
        date: stamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        author: author.trim().to_owned(),
    })
}
