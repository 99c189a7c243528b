//! The staged changes: the index git is about to commit against `HEAD`'s tree.
//!
//! Like `git diff --cached`, the walk uses the index's cache-tree extension: a directory whose
//! cached tree id equals `HEAD`'s is skipped without reading it, so the cost follows the size of
//! the change, not of the repository.

use gix::ObjectId;
use gix::index::State;
use gix::index::extension::Tree as CacheTree;

use super::{
    Change, ChangesError, EntryKind, Status, content_before, pair_exact_renames, path_string,
};

/// What committing the index now would change, compared with `HEAD` (everything is added when
/// there is no commit yet). Reads the index file git uses, `GIT_INDEX_FILE` included.
pub fn staged(repo: &gix::Repository) -> Result<Vec<Change>, ChangesError> {
    let file = open_index(repo)?;
    let empty;
    let state: &State = match &file {
        Some(file) => file,
        None => {
            empty = State::new(repo.object_hash());
            &empty
        }
    };
    let head = repo
        .head_tree_id_or_empty()
        .map_err(ChangesError::read("HEAD"))?
        .detach();
    let root = state.tree();
    if root.is_some_and(|t| t.num_entries.is_some() && t.id == head) {
        return Ok(Vec::new());
    }
    let mut walk = Walk {
        repo,
        state,
        out: Vec::new(),
    };
    walk.dir(head, &[], 0, state.entries().len(), root)?;
    pair_exact_renames(&mut walk.out);
    Ok(walk.out)
}

/// Every file in the index, each as an addition (for checking a whole tree).
pub fn all_files(repo: &gix::Repository) -> Result<Vec<Change>, ChangesError> {
    let Some(file) = open_index(repo)? else {
        return Ok(Vec::new());
    };
    let mut walk = Walk {
        repo,
        state: &file,
        out: Vec::new(),
    };
    for i in 0..file.entries().len() {
        walk.added(i)?;
    }
    Ok(walk.out)
}

/// The index git would commit (`GIT_INDEX_FILE` included), or `None` when there is none yet.
///
/// Its trailing checksum is not verified: hashing the whole file with collision-detecting SHA-1
/// was a third of a 1-file pre-commit hook, and git verifies the same file when it commits.
fn open_index(repo: &gix::Repository) -> Result<Option<gix::index::File>, ChangesError> {
    let path = repo.index_path();
    if !path.exists() {
        return Ok(None);
    }
    let skip_hash = true;
    gix::index::File::at(&path, repo.object_hash(), skip_hash, Default::default())
        .map(Some)
        .map_err(|e| ChangesError::Read {
            what: path.display().to_string(),
            message: e.to_string(),
        })
}

struct Walk<'a> {
    repo: &'a gix::Repository,
    state: &'a State,
    out: Vec<Change>,
}

struct TreeEntry {
    name: Vec<u8>,
    id: ObjectId,
    mode: gix::objs::tree::EntryMode,
}

impl Walk<'_> {
    fn path(&self, i: usize) -> &[u8] {
        self.state.entries()[i].path(self.state)
    }

    /// Compares the tree `tree` (at `prefix`, empty or ending in `/`) with index entries `i..end`,
    /// which are exactly those under `prefix`.
    fn dir(
        &mut self,
        tree: ObjectId,
        prefix: &[u8],
        mut i: usize,
        end: usize,
        cache: Option<&CacheTree>,
    ) -> Result<(), ChangesError> {
        let entries = self.tree_entries(tree, prefix)?;
        let mut full = Vec::with_capacity(prefix.len() + 64);
        for entry in entries {
            full.clear();
            full.extend_from_slice(prefix);
            full.extend_from_slice(&entry.name);
            if entry.mode.is_tree() {
                full.push(b'/');
            }
            while i < end && self.path(i) < full.as_slice() {
                self.added(i)?;
                i += 1;
            }
            if entry.mode.is_tree() {
                let j = i + self.state.entries()[i..end]
                    .partition_point(|e| e.path(self.state).starts_with(&full));
                let child = cache.and_then(|c| c.children.iter().find(|c| *c.name == *entry.name));
                let unchanged = child.is_some_and(|c| {
                    c.id == entry.id && c.num_entries.is_some_and(|n| n as usize == j - i)
                });
                let sparse = (j == i + 1 && self.state.entries()[i].mode.is_sparse())
                    .then(|| self.state.entries()[i].id);
                if let Some(id) = sparse {
                    // A sparse index keeps a directory outside the cone as one tree entry.
                    let mut prefix = full.clone();
                    super::commits::diff_trees(
                        self.repo,
                        Some(entry.id),
                        Some(id),
                        &mut prefix,
                        &mut self.out,
                    )?;
                } else if !unchanged {
                    self.dir(entry.id, &full, i, j, child)?;
                }
                i = j;
            } else if i < end && self.path(i) == full.as_slice() {
                let e = &self.state.entries()[i];
                let new_mode = e.mode.to_tree_entry_mode();
                if e.stage_raw() == 0 && (e.id != entry.id || new_mode != Some(entry.mode)) {
                    self.out.push(Change {
                        path: path_string(&full),
                        status: Status::Modified,
                        old: content_before(entry.mode, entry.id),
                        new: Some(e.id),
                        kind: new_mode.map_or(EntryKind::File, EntryKind::from_tree_mode),
                        size_hint: Some(u64::from(e.stat.size)),
                    });
                }
                // Conflicted paths have several stages; git refuses to commit them anyway.
                while i < end && self.path(i) == full.as_slice() {
                    i += 1;
                }
            } else {
                self.out.push(Change {
                    path: path_string(&full),
                    status: Status::Deleted,
                    old: Some(entry.id),
                    new: None,
                    kind: EntryKind::from_tree_mode(entry.mode),
                    size_hint: None,
                });
            }
        }
        while i < end {
            self.added(i)?;
            i += 1;
        }
        Ok(())
    }

    fn added(&mut self, i: usize) -> Result<(), ChangesError> {
        let e = &self.state.entries()[i];
        let intent_to_add = e.flags.contains(gix::index::entry::Flags::INTENT_TO_ADD);
        if e.stage_raw() != 0 || intent_to_add {
            return Ok(());
        }
        if e.mode.is_sparse() {
            let mut prefix = e.path(self.state).to_vec();
            if !prefix.ends_with(b"/") {
                prefix.push(b'/');
            }
            return super::commits::diff_trees(
                self.repo,
                None,
                Some(e.id),
                &mut prefix,
                &mut self.out,
            );
        }
        self.out.push(Change {
            path: path_string(e.path(self.state)),
            status: Status::Added,
            old: None,
            new: Some(e.id),
            kind: e
                .mode
                .to_tree_entry_mode()
                .map_or(EntryKind::File, EntryKind::from_tree_mode),
            size_hint: Some(u64::from(e.stat.size)),
        });
        Ok(())
    }

    fn tree_entries(&self, id: ObjectId, prefix: &[u8]) -> Result<Vec<TreeEntry>, ChangesError> {
        let what = || format!("tree {id} ({})", String::from_utf8_lossy(prefix));
        let tree = self
            .repo
            .find_tree(id)
            .map_err(|e| ChangesError::read(what())(e))?;
        let decoded = tree.decode().map_err(|e| ChangesError::read(what())(e))?;
        Ok(decoded
            .entries
            .iter()
            .map(|e| TreeEntry {
                name: e.filename.to_vec(),
                id: e.oid.to_owned(),
                mode: e.mode,
            })
            .collect())
    }
}
