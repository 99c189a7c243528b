//! What each commit of a range changed against its first parent (for `pre-push` and `check --range`).

use gix::ObjectId;

use super::{
    Change, ChangesError, EntryKind, Status, content_before, pair_exact_renames, path_string,
};
use crate::repo::{Repo, run_captured};

/// One commit and what it changed.
#[derive(Debug, Clone)]
pub struct CommitChanges {
    /// The commit.
    pub id: ObjectId,
    /// Its full message.
    pub message: String,
    /// How many parents it has.
    pub parents: usize,
    /// Changes against the first parent (against the empty tree for a root commit); for a merge,
    /// only the paths that differ from every parent, with lines counted as added against the
    /// first parent.
    pub changes: Vec<Change>,
}

/// The commits `git rev-list` gives for `args` (ranges, `--not`, …), oldest first.
pub fn rev_list(repo: &Repo, args: &[&str]) -> Result<Vec<ObjectId>, ChangesError> {
    let out = run_captured(
        repo.git()
            .args(["rev-list", "--reverse"])
            .args(args)
            .arg("--"),
    )?;
    out.lines()
        .map(|line| {
            ObjectId::from_hex(line.trim().as_bytes()).map_err(|e| ChangesError::Read {
                what: format!("`git rev-list` output {line:?}"),
                message: e.to_string(),
            })
        })
        .collect()
}

/// Reads commit `id` and diffs its tree against its parents' (see [`CommitChanges::changes`]).
pub fn commit_changes(repo: &gix::Repository, id: ObjectId) -> Result<CommitChanges, ChangesError> {
    let what = || format!("commit {id}");
    let commit = repo.find_commit(id).map_err(ChangesError::read(what()))?;
    let message = commit
        .message_raw()
        .map_err(ChangesError::read(what()))?
        .to_string();
    let parents: Vec<ObjectId> = commit.parent_ids().map(|p| p.detach()).collect();
    let tree = commit
        .tree_id()
        .map_err(ChangesError::read(what()))?
        .detach();
    let tree_of = |commit: ObjectId| -> Result<ObjectId, ChangesError> {
        Ok(repo
            .find_commit(commit)
            .and_then(|c| c.tree_id())
            .map_err(ChangesError::read(format!("commit {commit}")))?
            .detach())
    };
    let base = match parents.first() {
        Some(parent) => tree_of(*parent)?,
        None => repo.empty_tree().id,
    };
    let mut changes = Vec::new();
    diff_trees(repo, Some(base), Some(tree), &mut Vec::new(), &mut changes)?;
    // A merge's own content is what differs from every parent — a conflict resolution, or an
    // "evil" edit; the rest arrived with commits that are judged on their own.
    for parent in parents.iter().skip(1) {
        let mut against = Vec::new();
        diff_trees(
            repo,
            Some(tree_of(*parent)?),
            Some(tree),
            &mut Vec::new(),
            &mut against,
        )?;
        let differs: std::collections::HashSet<&str> =
            against.iter().map(|c| c.path.as_str()).collect();
        changes.retain(|c| differs.contains(c.path.as_str()));
    }
    pair_exact_renames(&mut changes);
    Ok(CommitChanges {
        id,
        message,
        parents: parents.len(),
        changes,
    })
}

type Entries = Vec<(Vec<u8>, ObjectId, gix::objs::tree::EntryMode)>;

fn entries(repo: &gix::Repository, id: Option<ObjectId>) -> Result<Entries, ChangesError> {
    let Some(id) = id else {
        return Ok(Vec::new());
    };
    let tree = repo
        .find_tree(id)
        .map_err(ChangesError::read(format!("tree {id}")))?;
    let decoded = tree
        .decode()
        .map_err(ChangesError::read(format!("tree {id}")))?;
    Ok(decoded
        .entries
        .iter()
        .map(|e| (e.filename.to_vec(), e.oid.to_owned(), e.mode))
        .collect())
}

/// Recursive tree diff; subtrees with equal ids are skipped unread.
pub(super) fn diff_trees(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    prefix: &mut Vec<u8>,
    out: &mut Vec<Change>,
) -> Result<(), ChangesError> {
    if old == new {
        return Ok(());
    }
    let (old, new) = (entries(repo, old)?, entries(repo, new)?);
    let (mut a, mut b) = (old.into_iter().peekable(), new.into_iter().peekable());
    loop {
        // Tree order: directories sort as if their name ended in `/`.
        let key = |e: &(Vec<u8>, ObjectId, gix::objs::tree::EntryMode)| {
            let mut k = e.0.clone();
            if e.2.is_tree() {
                k.push(b'/');
            }
            k
        };
        let order = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => key(x).cmp(&key(y)),
        };
        let (left, right) = match order {
            std::cmp::Ordering::Less => (a.next(), None),
            std::cmp::Ordering::Greater => (None, b.next()),
            std::cmp::Ordering::Equal => (a.next(), b.next()),
        };
        let name = left
            .as_ref()
            .or(right.as_ref())
            .map(|e| e.0.clone())
            .unwrap_or_default();
        let len = prefix.len();
        prefix.extend_from_slice(&name);
        let is_tree = |e: &Option<(Vec<u8>, ObjectId, gix::objs::tree::EntryMode)>| {
            e.as_ref().is_some_and(|e| e.2.is_tree())
        };
        if is_tree(&left) || is_tree(&right) {
            prefix.push(b'/');
            let id = |e: &Option<(Vec<u8>, ObjectId, gix::objs::tree::EntryMode)>| {
                e.as_ref().filter(|e| e.2.is_tree()).map(|e| e.1)
            };
            diff_trees(repo, id(&left), id(&right), prefix, out)?;
            prefix.truncate(len + name.len());
        }
        let blob = |e: Option<(Vec<u8>, ObjectId, gix::objs::tree::EntryMode)>| {
            e.filter(|e| !e.2.is_tree())
        };
        match (blob(left), blob(right)) {
            (Some(l), Some(r)) if l.1 != r.1 || l.2 != r.2 => out.push(Change {
                path: path_string(prefix),
                status: Status::Modified,
                old: content_before(l.2, l.1),
                new: Some(r.1),
                kind: EntryKind::from_tree_mode(r.2),
                size_hint: None,
            }),
            (Some(l), None) => out.push(Change {
                path: path_string(prefix),
                status: Status::Deleted,
                old: Some(l.1),
                new: None,
                kind: EntryKind::from_tree_mode(l.2),
                size_hint: None,
            }),
            (None, Some(r)) => out.push(Change {
                path: path_string(prefix),
                status: Status::Added,
                old: None,
                new: Some(r.1),
                kind: EntryKind::from_tree_mode(r.2),
                size_hint: None,
            }),
            _ => {}
        }
        prefix.truncate(len);
    }
    Ok(())
}
