//! Reading and writing the hub clone's objects with gix: the clone is bare, so a write never
//! touches a work tree of the whole hub (at 100k records, checking one out or resetting it
//! cost seconds per write).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use gix::ObjectId;

use super::HubError;
use super::pending::Queued;
use crate::changes::{Change, EntryKind};

fn gix_err(what: &str) -> impl FnOnce(gix::Error) -> HubError + '_ {
    move |e| HubError::Io {
        path: what.into(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Opens the bare clone with the user's configuration (for the committer's identity).
pub(super) fn open(dir: &Path) -> Result<gix::Repository, HubError> {
    gix::open(dir).map_err(|e| HubError::Io {
        path: dir.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })
}

/// The tree of `commit`; `None` (a hub with no commit yet) gives the empty tree.
pub(super) fn tree_of(
    repo: &gix::Repository,
    commit: Option<ObjectId>,
) -> Result<ObjectId, HubError> {
    match commit {
        Some(id) => Ok(repo
            .find_commit(id)
            .and_then(|c| c.tree_id())
            .map_err(gix_err("the hub's tip commit"))?
            .detach()),
        None => Ok(repo.empty_tree().id),
    }
}

/// The tree the clone's local branch (`HEAD`) points at.
pub(super) fn head_tree(repo: &gix::Repository) -> Result<ObjectId, HubError> {
    crate::index::head_tree(repo).map_err(gix_err("the hub clone's HEAD"))
}

/// The object reference `name` points at, if it exists.
pub(super) fn ref_id(repo: &gix::Repository, name: &str) -> Option<ObjectId> {
    let mut reference = repo.try_find_reference(name).ok()??;
    Some(reference.peel_to_id().ok()?.detach())
}

/// The id of the subtree at `path` (`projects`, `templates`) of `tree`, if there is one.
pub(super) fn subtree(
    repo: &gix::Repository,
    tree: ObjectId,
    path: &str,
) -> Result<Option<ObjectId>, HubError> {
    let tree = repo.find_tree(tree).map_err(gix_err(path))?;
    let entry = tree.lookup_entry_by_path(path).map_err(gix_err(path))?;
    Ok(entry.filter(|e| e.mode().is_tree()).map(|e| e.object_id()))
}

/// Every file under `tree`, as additions, paths relative to it with `/`.
pub(super) fn files(repo: &gix::Repository, tree: ObjectId) -> Result<Vec<Change>, HubError> {
    crate::changes::tree_files(repo, tree).map_err(|e| HubError::Io {
        path: "the hub's tree".into(),
        source: std::io::Error::other(e.to_string()),
    })
}

pub(super) fn blob(repo: &gix::Repository, id: ObjectId) -> Result<Vec<u8>, HubError> {
    Ok(repo
        .find_object(id)
        .map_err(gix_err("a hub file"))?
        .detach()
        .data)
}

/// `base` with every queued write applied: each file upserted, and for a write replacing a
/// record id, the record's other files in that folder removed.
pub(super) fn apply(
    repo: &gix::Repository,
    base: ObjectId,
    queued: &[Queued],
) -> Result<ObjectId, HubError> {
    let mut editor = repo.edit_tree(base).map_err(gix_err("the hub's tree"))?;
    // Names written earlier in this batch, by folder: a record promoted twice offline under
    // two titles keeps only its last file.
    let mut written: HashMap<String, HashSet<String>> = HashMap::new();
    for write in queued.iter().flat_map(|q| &q.op.writes) {
        super::pending::check_path(&write.path)?;
        let (folder, name) = write.path.rsplit_once('/').unwrap_or(("", &write.path));
        if let Some(id) = &write.replaces_id {
            let mut siblings: HashSet<String> = written.get(folder).cloned().unwrap_or_default();
            if let Some(sub) = subtree(repo, base, folder)? {
                let tree = repo.find_tree(sub).map_err(gix_err(folder))?;
                let decoded = tree.decode().map_err(gix_err(folder))?;
                siblings.extend(decoded.entries.iter().map(|e| e.filename.to_string()));
            }
            for other in siblings {
                let same = other == format!("{id}.md") || other.starts_with(&format!("{id}-"));
                if same && other != name {
                    editor
                        .remove(format!("{folder}/{other}"))
                        .map_err(gix_err(folder))?;
                }
            }
        }
        let blob = repo
            .write_blob(write.content.as_bytes())
            .map_err(gix_err(&write.path))?;
        editor
            .upsert(
                write.path.as_str(),
                gix::object::tree::EntryKind::Blob,
                blob.detach(),
            )
            .map_err(gix_err(&write.path))?;
        written
            .entry(folder.to_owned())
            .or_default()
            .insert(name.to_owned());
    }
    Ok(editor.write().map_err(gix_err("the hub's tree"))?.detach())
}

/// Writes a commit of `tree` on `parent`, as the user git would commit as (else `git-zen`).
pub(super) fn commit(
    repo: &gix::Repository,
    tree: ObjectId,
    parent: Option<ObjectId>,
    message: &str,
) -> Result<ObjectId, HubError> {
    let (name, email) = match repo.committer().and_then(Result::ok) {
        Some(sig) => (sig.name.to_owned(), sig.email.to_owned()),
        None => ("git-zen".into(), "git-zen@localhost".into()),
    };
    let signature = gix::actor::Signature {
        name,
        email,
        time: gix::date::Time::now_local_or_utc(),
    };
    let commit = gix::objs::Commit {
        tree,
        parents: parent.into_iter().collect(),
        author: signature.clone(),
        committer: signature,
        encoding: None,
        message: message.into(),
        extra_headers: Vec::new(),
    };
    Ok(repo
        .write_object(&commit)
        .map_err(gix_err("a hub commit"))?
        .detach())
}

/// Writes the files of `tree` into the new folder `dest` (executable bits and links kept).
pub(super) fn export(repo: &gix::Repository, tree: ObjectId, dest: &Path) -> Result<(), HubError> {
    for file in files(repo, tree)? {
        let Some(id) = file.new else { continue };
        let path = dest.join(&file.path);
        let dir = path.parent().unwrap_or(dest);
        std::fs::create_dir_all(dir).map_err(HubError::io(dir))?;
        let bytes = blob(repo, id)?;
        match file.kind {
            EntryKind::Symlink => {
                let target = String::from_utf8_lossy(&bytes).into_owned();
                std::os::unix::fs::symlink(target, &path).map_err(HubError::io(&path))?;
            }
            EntryKind::Submodule => {}
            EntryKind::File | EntryKind::Executable => {
                std::fs::write(&path, bytes).map_err(HubError::io(&path))?;
                if file.kind == EntryKind::Executable {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                        .map_err(HubError::io(&path))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::pending::{Op, Write};

    fn queued(writes: &[(&str, Option<&str>)]) -> Vec<Queued> {
        vec![Queued {
            file: "op.toml".into(),
            op: Op {
                message: "test".into(),
                writes: writes
                    .iter()
                    .map(|(path, id)| Write {
                        path: (*path).into(),
                        content: format!("{path}\n"),
                        replaces_id: id.map(str::to_owned),
                    })
                    .collect(),
            },
        }]
    }

    fn names(repo: &gix::Repository, tree: ObjectId) -> Vec<String> {
        files(repo, tree)
            .unwrap()
            .into_iter()
            .map(|c| c.path)
            .collect()
    }

    #[test]
    fn a_replacing_write_removes_the_records_other_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let repo = gix::init_bare(dir.path()).unwrap();
        let empty = repo.empty_tree().id;
        let base = apply(
            &repo,
            empty,
            &queued(&[
                (".datazentr/patterns/01abc-old-title.md", None),
                (".datazentr/patterns/01abd-other.md", None),
            ]),
        )
        .unwrap();
        // Promoted twice in one batch (offline) under two titles: only the last file stays.
        let tree = apply(
            &repo,
            base,
            &queued(&[
                (".datazentr/patterns/01abc-middle.md", Some("01abc")),
                (".datazentr/patterns/01abc-new-title.md", Some("01abc")),
            ]),
        )
        .unwrap();
        assert_eq!(
            names(&repo, tree),
            [
                ".datazentr/patterns/01abc-new-title.md",
                ".datazentr/patterns/01abd-other.md"
            ]
        );
        let commit = commit(&repo, tree, None, "first").unwrap();
        assert_eq!(tree_of(&repo, Some(commit)).unwrap(), tree);
    }
}
