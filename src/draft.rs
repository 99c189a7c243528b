//! Drafts: text being edited, kept in the git dir until it validates, so no edit is ever lost.

use std::fs;
use std::io;
use std::path::PathBuf;

use crate::fsutil::{Existing, write_atomic};
use crate::id::RecordId;
use crate::repo::Repo;

/// The per-worktree folder of drafts (`<git-dir>/datazentr/drafts`), never committed.
#[derive(Debug, Clone)]
pub struct Drafts {
    dir: PathBuf,
}

impl Drafts {
    /// The drafts of this repository's worktree.
    pub fn new(repo: &Repo) -> Self {
        Drafts {
            dir: repo.state_dir().join("drafts"),
        }
    }

    /// Where the draft of record `id` lives.
    pub fn path(&self, id: &RecordId) -> PathBuf {
        self.dir.join(format!("{id}.md"))
    }

    /// The draft of `id`, if one was kept.
    pub fn read(&self, id: &RecordId) -> Option<String> {
        fs::read_to_string(self.path(id)).ok()
    }

    /// Ids of every kept draft whose id starts with `prefix`.
    pub fn matching(&self, prefix: &str) -> Vec<RecordId> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut ids: Vec<RecordId> = entries
            .filter_map(|e| {
                e.ok()?
                    .file_name()
                    .to_str()?
                    .strip_suffix(".md")?
                    .parse()
                    .ok()
            })
            .filter(|id: &RecordId| id.as_str().starts_with(prefix))
            .collect();
        ids.sort();
        ids
    }

    /// Saves `text` as the draft of `id` and returns its path.
    pub fn save(&self, id: &RecordId, text: &str) -> io::Result<PathBuf> {
        fs::create_dir_all(&self.dir)?;
        let path = self.path(id);
        write_atomic(&path, text.as_bytes(), Existing::Replace)?;
        Ok(path)
    }

    /// Removes the draft of `id` (after it was written as a record).
    pub fn remove(&self, id: &RecordId) {
        let _ = fs::remove_file(self.path(id));
    }
}
