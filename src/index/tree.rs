//! Refreshing a cache from a committed tree (a hub's clone): the `HEAD` tree id is compared with
//! the one last indexed — equal costs no parsing — and otherwise only the blobs that differ
//! between the two trees are read.

use std::path::Path;

use gix::ObjectId;
use rusqlite::{OptionalExtension, TransactionBehavior};

use super::Index;
use super::refresh::{RefreshReport, UPSERT, set_meta, write_broken, write_record};
use crate::changes::{Change, EntryKind};
use crate::record::{Kind, Outcome, Record, RecordError};
use crate::store::DIR;

/// The `meta` key holding the tree id last indexed.
const TREE_KEY: &str = "tree";

/// What a changed path of the tree is to the cache.
pub(crate) enum Entry {
    /// A record file under `.datazentr/<kind>/`.
    Record,
    /// An outcome event under `outcomes/`.
    Outcome,
}

/// Where the cache keeps an outcome event's fields.
#[derive(serde::Deserialize)]
struct OutcomeFile {
    record: String,
    project: String,
    /// The project's stable key (older events have only the name).
    #[serde(default)]
    project_id: Option<String>,
    verdict: String,
    time: String,
    #[serde(default)]
    message: String,
}

fn boxed(e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

/// The tree `HEAD` points at; the empty tree in a repository with no commit yet.
pub(crate) fn head_tree(repo: &gix::Repository) -> Result<ObjectId, gix::Error> {
    let Ok(head) = repo.head_id() else {
        return Ok(repo.empty_tree().id);
    };
    Ok(repo.find_commit(head.detach())?.tree_id()?.detach())
}

pub(crate) fn classify(path: &str) -> Option<Entry> {
    if path.split('/').any(|c| c.starts_with('.') && c != DIR) {
        return None;
    }
    if let Some(rest) = path.strip_prefix("outcomes/") {
        return (rest.ends_with(".toml") && rest.contains('/')).then_some(Entry::Outcome);
    }
    let rest = path.strip_prefix(DIR)?.strip_prefix('/')?;
    let (folder, name) = rest.split_once('/')?;
    (Kind::ALL.iter().any(|k| k.folder() == folder) && name.ends_with(".md"))
        .then_some(Entry::Record)
}

pub(crate) fn read_record(repo: &gix::Repository, change: &Change) -> Result<Record, RecordError> {
    let file = Path::new(&change.path);
    if change.kind == EntryKind::Symlink {
        return Err(RecordError::new(
            file,
            1,
            "is a symbolic link: records must be real files inside .datazentr/; replace the link with the file",
        ));
    }
    let id = change.new.expect("only added or modified paths are read");
    let bytes = repo
        .find_object(id)
        .map(|o| o.detach().data)
        .map_err(|e| RecordError::new(file, 1, format!("cannot read blob {id}: {e}")))?;
    let text = crate::record::decode(file, bytes)?;
    crate::record::parse(file, &text)
}

fn read_outcome(repo: &gix::Repository, change: &Change) -> Option<OutcomeFile> {
    let bytes = repo.find_object(change.new?).ok()?.detach().data;
    let event: OutcomeFile = toml::from_str(std::str::from_utf8(&bytes).ok()?).ok()?;
    let verdict: Outcome = event.verdict.parse().ok()?;
    (verdict != Outcome::Unknown && crate::id::is_id_prefix(&event.record)).then_some(event)
}

impl Index {
    pub(super) fn refresh_tree(
        &mut self,
        dir: &Path,
        progress: Option<&indicatif::ProgressBar>,
    ) -> Result<RefreshReport, rusqlite::Error> {
        let repo = gix::open_opts(dir, gix::open::Options::isolated()).map_err(boxed)?;
        let tree = head_tree(&repo).map_err(boxed)?;
        let known: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [TREE_KEY], |r| {
                r.get(0)
            })
            .optional()?;
        let hex = tree.to_string();
        if known.as_deref() == Some(hex.as_str()) {
            return Ok(RefreshReport::default());
        }
        // The tree indexed last, if this clone still has it (a forced update and a gc may have
        // dropped it: then everything is read again).
        let old = known
            .and_then(|k| ObjectId::from_hex(k.as_bytes()).ok())
            .filter(|id| repo.has_object(id));
        let changes = crate::changes::diff(&repo, old, Some(tree)).map_err(boxed)?;
        let mut report = RefreshReport {
            scanned: changes.len(),
            ..RefreshReport::default()
        };
        let (mut records, mut outcomes) = (Vec::new(), Vec::new());
        for change in changes {
            match classify(&change.path) {
                Some(Entry::Record) => records.push(change),
                Some(Entry::Outcome) => outcomes.push(change),
                None => {}
            }
        }
        if let Some(bar) = progress {
            bar.set_length(records.len() as u64);
        }
        let shared = repo.clone().into_sync();
        let parsed = crate::par::map_with(
            &records,
            256,
            || shared.to_thread_local(),
            |repo, change| change.new.map(|_| read_record(repo, change)),
        );
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            if old.is_none() {
                tx.execute_batch("DELETE FROM records; DELETE FROM outcomes;")?;
            }
            let mut delete = tx.prepare_cached("DELETE FROM records WHERE path = ?1")?;
            let mut upsert = tx.prepare_cached(UPSERT)?;
            for (change, parsed) in records.iter().zip(parsed) {
                match parsed {
                    None => report.removed += delete.execute([&change.path])?,
                    Some(Ok(record)) => write_record(&mut upsert, &change.path, &record)?,
                    Some(Err(e)) => write_broken(&mut upsert, &change.path, &e)?,
                }
                report.parsed += 1;
                if let Some(bar) = progress {
                    bar.inc(1);
                }
            }
            let mut forget = tx.prepare_cached("DELETE FROM outcomes WHERE path = ?1")?;
            let mut remember = tx.prepare_cached(
                "INSERT INTO outcomes(path, record_id, project, verdict, time, message)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(path) DO UPDATE SET record_id = excluded.record_id,
                 project = excluded.project, verdict = excluded.verdict, time = excluded.time,
                 message = excluded.message",
            )?;
            for change in &outcomes {
                // A malformed event counts for nothing; the records stay usable.
                match read_outcome(&repo, change) {
                    Some(e) => {
                        remember.execute([
                            &change.path,
                            &e.record,
                            e.project_id.as_ref().unwrap_or(&e.project),
                            &e.verdict,
                            &e.time,
                            &e.message,
                        ])?;
                    }
                    None => {
                        forget.execute([&change.path])?;
                    }
                }
            }
            set_meta(&tx, TREE_KEY, &hex)?;
            set_meta(&tx, "last_refresh", &crate::record::now_rfc3339())?;
            super::refresh::store_counts(&tx)?;
        }
        tx.commit()?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_outcome_events_are_told_apart() {
        assert!(matches!(
            classify(".datazentr/patterns/01abc-x.md"),
            Some(Entry::Record)
        ));
        assert!(matches!(
            classify("outcomes/01abc/01def.toml"),
            Some(Entry::Outcome)
        ));
        for other in [
            ".datazentr/patterns/.gitkeep",
            ".datazentr/config.toml",
            ".datazentr/policies/x.md",
            "templates/rust-cli/files/README.md",
            "projects/a/project.toml",
            "outcomes/stray.toml",
            ".datazentr/patterns/.tmp/x.md",
        ] {
            assert!(classify(other).is_none(), "{other}");
        }
    }
}
