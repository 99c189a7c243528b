//! Seeding a new project's memory from a hub: the patterns that worked and the lessons from
//! failures whose tags meet the template's and the skills' tags, copied with their provenance.

use std::path::Path;

use serde::Serialize;

use super::GenesisError;
use crate::record::{Kind, Outcome, Record, RecordError};
use crate::repo::run_captured;
use crate::store::Store;

/// A hub's records, read from a fresh clone.
pub struct Hub {
    /// Where the hub was read from, as given.
    pub source: String,
    /// Its records that parsed.
    pub records: Vec<Record>,
    /// Its records that did not (reported; the rest is usable).
    pub errors: Vec<RecordError>,
    _clone: tempfile::TempDir,
}

/// A record a new project inherited.
#[derive(Debug, Clone, Serialize)]
pub struct Inherited {
    /// The record's id (kept, so links to it still resolve).
    pub id: String,
    /// Pattern or lesson.
    pub kind: String,
    /// Its title.
    pub title: String,
}

/// Clones the hub at `source` (a path or any URL git can clone) into a temporary folder and
/// reads its `.datazentr/` records.
pub fn read_hub(source: &str, cwd: &Path) -> Result<Hub, GenesisError> {
    let clone = tempfile::Builder::new()
        .prefix("git-zen-hub-")
        .tempdir()
        .map_err(GenesisError::io(&std::env::temp_dir()))?;
    let local = cwd.join(source);
    let mut cmd = super::git(cwd);
    cmd.args(["clone", "-q"]);
    if !local.exists() {
        cmd.args(["--depth", "1"]);
    }
    cmd.arg(source).arg(clone.path());
    run_captured(&mut cmd).map_err(|e| GenesisError::Hub {
        hub: source.to_owned(),
        message: e.to_string(),
    })?;
    let store = Store::open_at(clone.path()).map_err(|e| GenesisError::Hub {
        hub: source.to_owned(),
        message: format!("it is not a memory hub: {e}"),
    })?;
    let loaded = store.load_all()?;
    Ok(Hub {
        source: source.to_owned(),
        records: loaded.records,
        errors: loaded.errors,
        _clone: clone,
    })
}

/// The hub's proven patterns (outcome success) and lessons from failures (outcome failure),
/// still current, sharing a tag with `tags` (case-insensitive).
pub fn select<'h>(hub: &'h Hub, tags: &[String]) -> Vec<&'h Record> {
    hub.records
        .iter()
        .filter(|r| r.status.is_current())
        .filter(|r| {
            matches!(
                (r.kind, r.outcome),
                (Kind::Pattern, Some(Outcome::Success)) | (Kind::Lesson, Some(Outcome::Failure))
            )
        })
        .filter(|r| {
            r.tags
                .iter()
                .any(|t| tags.iter().any(|w| w.eq_ignore_ascii_case(t)))
        })
        .collect()
}

/// Writes `records` into the `.datazentr/` at `root`, each with `origin = "<hub> <id>"`.
pub fn write_inherited(root: &Path, hub: &str, records: &[&Record]) -> Result<(), GenesisError> {
    for record in records {
        let origin = format!("{hub} {}", record.id);
        let text = record.edit_front_matter(|doc| {
            doc["origin"] = toml_edit::value(origin);
        });
        let path = root.join(&record.file);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(GenesisError::io(dir))?;
        }
        std::fs::write(&path, text).map_err(GenesisError::io(&path))?;
    }
    Ok(())
}
