//! What a commit or a push would change — paths, blob ids, modes and added lines — read in-process
//! with gix, never from the working tree.
//!
//! [`staged`](fn@staged) compares the index git is about to commit (honouring `GIT_INDEX_FILE`,
//! which `git commit -a` and `git commit <paths>` use) with `HEAD`; [`commit_changes`] lists what
//! each commit of a range changed against its first parent.

mod commits;
mod lines;
mod staged;

use crate::error::Hint;
use gix::ObjectId;

pub use commits::{CommitChanges, commit_changes, rev_list};
pub use lines::{AddedLines, added_lines, is_binary};
pub use staged::{all_files, staged};

/// Every file of tree `tree`, each as an addition.
pub fn tree_files(repo: &gix::Repository, tree: ObjectId) -> Result<Vec<Change>, ChangesError> {
    let mut out = Vec::new();
    commits::diff_trees(repo, None, Some(tree), &mut Vec::new(), &mut out)?;
    Ok(out)
}

/// What differs between trees `old` and `new` (`None`: the empty tree); subtrees with equal ids
/// are skipped unread.
pub fn diff(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
) -> Result<Vec<Change>, ChangesError> {
    let mut out = Vec::new();
    commits::diff_trees(repo, old, new, &mut Vec::new(), &mut out)?;
    Ok(out)
}

/// Why changes could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ChangesError {
    /// gix could not read the index, a tree, a commit or a blob.
    #[error("cannot read {what}: {message}")]
    Read {
        /// What was being read.
        what: String,
        /// gix's explanation.
        message: String,
    },
    /// A `git` process failed.
    #[error(transparent)]
    Git(#[from] crate::repo::RepoError),
}

impl ChangesError {
    pub(crate) fn read(what: impl Into<String>) -> impl FnOnce(gix::Error) -> ChangesError {
        let what = what.into();
        move |e| ChangesError::Read {
            what,
            message: e.to_string(),
        }
    }
}

/// How a path changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// A new path.
    Added,
    /// Same path, new content or mode.
    Modified,
    /// The path is gone.
    Deleted,
    /// Moved without a change of content (an added path whose blob a deleted path had).
    Renamed {
        /// The old path.
        from: String,
    },
}

/// What a path holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A regular file with the executable bit.
    Executable,
    /// A symbolic link (the blob is the link's target).
    Symlink,
    /// A submodule's commit.
    Submodule,
}

impl EntryKind {
    fn from_tree_mode(mode: gix::objs::tree::EntryMode) -> Self {
        use gix::objs::tree::EntryKind as K;
        match mode.kind() {
            K::BlobExecutable => EntryKind::Executable,
            K::Link => EntryKind::Symlink,
            K::Commit | K::Tree => EntryKind::Submodule,
            K::Blob => EntryKind::File,
        }
    }

    /// Whether the entry's blob is file content (not a link target or a submodule commit).
    pub fn is_content(self) -> bool {
        matches!(self, EntryKind::File | EntryKind::Executable)
    }
}

/// One changed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The path, relative to the work tree root, `/`-separated (lossily UTF-8).
    pub path: String,
    /// How it changed.
    pub status: Status,
    /// The blob before: for a deletion, what was deleted; for a modification, the old file
    /// content (`None` when the path held a submodule or a link, so every line counts as new).
    pub old: Option<ObjectId>,
    /// The blob after, unless deleted.
    pub new: Option<ObjectId>,
    /// What the path holds after the change (before it, for a deletion).
    pub kind: EntryKind,
    /// The work-tree file's size when it was staged, as the index records it: a hint of the new
    /// blob's size (a clean filter such as Git LFS can make the blob far smaller).
    pub size_hint: Option<u64>,
}

impl Change {
    /// Whether the change puts file content at its path: an added, modified or renamed regular
    /// file. (A rename counts: a rule may exempt the old path but not the new one.)
    pub fn adds_content(&self) -> bool {
        self.new.is_some() && self.kind.is_content()
    }

    /// The content to diff against for added lines: the old blob of a modification; nothing for
    /// an addition or a rename, whose every line is new at this path.
    pub fn diff_base(&self) -> Option<ObjectId> {
        match self.status {
            Status::Modified => self.old,
            _ => None,
        }
    }

    /// Whether the path itself is new to the tree (added or renamed here).
    pub fn is_new_path(&self) -> bool {
        matches!(self.status, Status::Added | Status::Renamed { .. })
    }
}

/// The old id of an entry of `mode`, if it held file content worth diffing against.
fn content_before(mode: gix::objs::tree::EntryMode, id: ObjectId) -> Option<ObjectId> {
    EntryKind::from_tree_mode(mode).is_content().then_some(id)
}

/// Turns each added path whose blob a deleted path of the same kind had into a rename, and drops
/// that deletion.
fn pair_exact_renames(changes: &mut Vec<Change>) {
    let mut deleted: std::collections::HashMap<ObjectId, Vec<usize>> = Default::default();
    for (i, c) in changes.iter().enumerate() {
        if let (Status::Deleted, Some(old)) = (&c.status, c.old) {
            deleted.entry(old).or_default().push(i);
        }
    }
    if deleted.is_empty() {
        return;
    }
    let mut gone = vec![false; changes.len()];
    for i in 0..changes.len() {
        if changes[i].status != Status::Added {
            continue;
        }
        let kind = changes[i].kind;
        let Some(from) = changes[i].new.and_then(|id| {
            let candidates = deleted.get_mut(&id)?;
            let at = candidates.iter().rposition(|&d| changes[d].kind == kind)?;
            Some(candidates.remove(at))
        }) else {
            continue;
        };
        gone[from] = true;
        changes[i].status = Status::Renamed {
            from: changes[from].path.clone(),
        };
        changes[i].old = changes[from].old;
    }
    let mut i = 0;
    changes.retain(|_| {
        i += 1;
        !gone[i - 1]
    });
}

fn path_string(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Hint for ChangesError {
    fn hint(&self) -> Option<String> {
        match self {
            ChangesError::Git(e) => e.hint(),
            _ => None,
        }
    }
}
