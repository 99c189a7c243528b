//! Seeding a new project's memory from a hub: the best-scored patterns that worked and the
//! lessons from failures whose tags meet the template's and the skills' tags, copied with their
//! provenance.

use std::collections::HashMap;

use serde::Serialize;

use super::GenesisError;
use crate::hub::{Hub, HubError, SyncReport};
use crate::index::Evidence;
use crate::record::{Kind, Outcome, Record, RecordError};

/// A hub's memory, read from its (freshly synced) clone.
pub struct HubMemory {
    /// The hub the memory was read from (already synced).
    pub hub: Hub,
    /// Its records that parsed.
    pub records: Vec<Record>,
    /// Its records that did not (reported; the rest is usable).
    pub errors: Vec<RecordError>,
    /// What the projects that used each record said, by id.
    pub evidence: HashMap<String, Evidence>,
    /// What the sync did (offline: the clone as last fetched was used).
    pub sync: SyncReport,
}

impl HubMemory {
    /// How inherited records name the hub in their `origin`: its URL, which every teammate's
    /// configuration shares (names are per user).
    pub fn label(&self) -> &str {
        &self.hub.url
    }
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
    /// "3 projects: 3 success", when projects reported on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

fn hub_error(hub: &Hub, e: HubError) -> GenesisError {
    GenesisError::Hub {
        hub: hub.url.clone(),
        message: e.to_string(),
    }
}

/// Syncs `hub` (offline, its last fetched state is used) and reads its records and evidence.
pub fn read_hub(hub: Hub) -> Result<HubMemory, GenesisError> {
    let sync = hub.sync().map_err(|e| hub_error(&hub, e))?;
    if !crate::hub::layout::is_hub(&hub).map_err(|e| hub_error(&hub, e))? {
        return Err(hub_error(
            &hub,
            HubError::NotAHub {
                url: hub.url.clone(),
            },
        ));
    }
    let index = hub.index().map_err(|e| hub_error(&hub, e))?;
    let records = index.records()?;
    let errors = index.errors()?;
    let mut evidence = HashMap::new();
    for record in records.iter().filter(|r| r.kind != Kind::Decision) {
        evidence.insert(record.id.to_string(), index.evidence(record)?);
    }
    Ok(HubMemory {
        hub,
        records,
        errors,
        evidence,
        sync,
    })
}

/// The hub's proven patterns (outcome success, or successes reported by projects; never those
/// whose evidence is mostly failure), best-scored first, then its lessons from failures — still
/// current, and either sharing a tag with `tags` (case-insensitive) or in `close`: the ids of
/// records close in meaning to what the new project is (its template's and skills' names and
/// descriptions), which recall by meaning finds whatever their tags.
pub fn select<'h>(
    memory: &'h HubMemory,
    tags: &[String],
    close: &std::collections::HashSet<String>,
) -> Vec<&'h Record> {
    let evidence = |r: &Record| {
        memory
            .evidence
            .get(r.id.as_str())
            .cloned()
            .unwrap_or_default()
    };
    let relevant = |r: &&Record| {
        r.status.is_current()
            && (close.contains(r.id.as_str())
                || r.tags
                    .iter()
                    .any(|t| tags.iter().any(|w| w.eq_ignore_ascii_case(t))))
    };
    let mut patterns: Vec<&Record> = memory
        .records
        .iter()
        .filter(relevant)
        .filter(|r| r.kind == Kind::Pattern)
        .filter(|r| {
            let e = evidence(r);
            (r.outcome == Some(Outcome::Success) || e.success > 0) && !e.mostly_failure()
        })
        .collect();
    patterns.sort_by(|a, b| evidence(b).score.total_cmp(&evidence(a).score));
    let lessons = memory
        .records
        .iter()
        .filter(relevant)
        .filter(|r| r.kind == Kind::Lesson && r.outcome == Some(Outcome::Failure));
    patterns.into_iter().chain(lessons).collect()
}

/// Writes `records` into the `.datazentr/` at `root`, each with `origin = "<hub> <id>"`.
pub fn write_inherited(
    root: &std::path::Path,
    hub: &str,
    records: &[&Record],
) -> Result<(), GenesisError> {
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
