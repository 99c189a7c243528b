//! The queue of writes waiting to reach a hub: one file per operation under the hub's data
//! folder, written before any network is touched, removed only after a push that carried it
//! landed. A sync replays every queued operation on the hub's newest tip, so a rejected push is
//! fetched, replayed and retried without a merge.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{Hub, HubError};
use crate::fsutil::{Existing, write_atomic};

/// One file an operation puts into the hub.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Write {
    /// Where, relative to the hub's root (`/`-separated, inside it).
    pub path: String,
    /// The file's complete text (it replaces any file at `path`).
    pub content: String,
    /// A record id: other files of that record in the same folder are removed (a promoted
    /// record whose title, and so file name, changed replaces its old file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces_id: Option<String>,
}

/// One queued operation: what it is (the commit message) and the files it writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Op {
    pub message: String,
    pub writes: Vec<Write>,
}

/// An operation as found in the queue, with the queue file to remove once it landed.
pub(super) struct Queued {
    pub file: PathBuf,
    pub op: Op,
}

fn queue_dir(hub: &Hub) -> PathBuf {
    hub.dir.join("pending")
}

/// Adds `op` to the hub's queue (durably: it survives a crash or an offline laptop).
pub(super) fn enqueue(hub: &Hub, op: &Op) -> Result<(), HubError> {
    for write in &op.writes {
        check_path(&write.path)?;
    }
    let dir = queue_dir(hub);
    std::fs::create_dir_all(&dir).map_err(HubError::io(&dir))?;
    // Ids sort by time: the queue replays in the order the writes were made.
    let file = dir.join(format!("{}.toml", crate::id::RecordId::generate()));
    let text = toml::to_string(op).expect("a queued operation serializes");
    write_atomic(&file, text.as_bytes(), Existing::Keep).map_err(HubError::io(&file))
}

/// Every queued operation, oldest first.
pub(super) fn load(hub: &Hub) -> Result<Vec<Queued>, HubError> {
    let dir = queue_dir(hub);
    // Temp files of enqueues killed half-way (a complete write is renamed to `<id>.toml`).
    crate::fsutil::remove_stale_temps(&dir);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "toml")
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(HubError::io(&dir)(e)),
    };
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).map_err(HubError::io(&file))?;
            let op = toml::from_str(&text).map_err(|e| HubError::Config {
                line: crate::text::toml_error_line(&text, &e),
                message: format!("a queued hub write is unreadable ({})", e.message()),
                file: file.clone(),
            })?;
            Ok(Queued { file, op })
        })
        .collect()
}

/// How many operations wait for a push; 0 also when the queue cannot be read.
pub fn count(hub: &Hub) -> usize {
    load(hub).map_or(0, |q| q.len())
}

/// Removes the queue files of operations that landed (a failed removal is ignored).
pub(super) fn remove(queued: &[Queued]) {
    for q in queued {
        let _ = std::fs::remove_file(&q.file);
    }
}

/// A queued path must stay inside the hub and out of its `.git`.
pub(super) fn check_path(path: &str) -> Result<(), HubError> {
    let ok = !path.is_empty()
        && !path.starts_with('/')
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != ".." && !c.eq_ignore_ascii_case(".git"));
    if ok {
        Ok(())
    } else {
        Err(HubError::Io {
            path: PathBuf::from(path),
            source: std::io::Error::other("a hub write must stay inside the hub"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_cannot_leave_the_hub() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            ".git/config",
            "a//b",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        assert!(check_path("outcomes/01abc/01def.toml").is_ok());
    }
}
