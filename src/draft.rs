//! Drafts: text being edited, kept in the git dir until it validates, so no edit is ever lost.
//!
//! Beside each draft of an existing record lives its base: the record's text when the draft was
//! started. If the record changes underneath (a pull, another edit), the draft is not written over
//! it.

use std::fs;
use std::io;
use std::path::PathBuf;

use crate::fsutil::{Existing, write_atomic};
use crate::id::RecordId;
use crate::record::{self, RecordError};
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

    fn base_path(&self, id: &RecordId) -> PathBuf {
        self.dir.join(format!("{id}.base"))
    }

    /// The kept draft of `id`, if any. A draft that is not UTF-8 is an error naming its line,
    /// never treated as missing (that would lose it).
    pub fn read(&self, id: &RecordId) -> Result<Option<String>, RecordError> {
        let path = self.path(id);
        match fs::read(&path) {
            Ok(bytes) => record::decode(&path, bytes).map(Some),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(RecordError::new(
                &path,
                1,
                format!("cannot read the draft: {e}"),
            )),
        }
    }

    /// The record text the draft of `id` started from, if it was recorded.
    pub fn base(&self, id: &RecordId) -> Option<String> {
        fs::read_to_string(self.base_path(id)).ok()
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

    /// Records the text a new draft of an existing record starts from.
    pub fn save_base(&self, id: &RecordId, text: &str) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        write_atomic(&self.base_path(id), text.as_bytes(), Existing::Replace)
    }

    /// Removes the draft of `id` and its base (after it was written, or on request).
    pub fn remove(&self, id: &RecordId) {
        let _ = fs::remove_file(self.path(id));
        let _ = fs::remove_file(self.base_path(id));
    }
}
