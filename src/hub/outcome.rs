//! `outcome`: a project's verdict on a hub record, one event file each
//! (`outcomes/<record-id>/<event-id>.toml`), aggregated by the hub's cache into evidence.

use serde::Serialize;

use super::pending::{Op, Write};
use super::{Hub, HubError, SyncReport};
use crate::id::RecordId;
use crate::record::{Outcome, Record};
use crate::repo::Repo;
use crate::store::StoreError;

#[derive(Serialize)]
struct OutcomeEvent<'a> {
    record: &'a str,
    project: &'a str,
    project_id: &'a str,
    verdict: &'a str,
    time: String,
    message: &'a str,
    author: String,
    commit: String,
}

/// Finds the hub record `query` names (full id or unique prefix) in the hub's cache.
pub fn find(hub: &Hub, query: &str) -> Result<Record, HubError> {
    let index = hub.index()?;
    index.resolve(query).map_err(|e| match e {
        crate::index::IndexError::Store(StoreError::NotFound(_)) => HubError::NotFound {
            id: query.to_owned(),
            place: format!("hub `{}`", hub.name),
            hint: "`git zen recall --hub` searches the hub; a record of this project reaches it with `git zen promote <id>`".into(),
        },
        other => other.into(),
    })
}

/// Records this project's `verdict` on the hub record `query` names, with what happened.
pub fn record_outcome(
    hub: &Hub,
    repo: &Repo,
    query: &str,
    verdict: Outcome,
    message: &str,
) -> Result<(Record, SyncReport), HubError> {
    // The clone as it is when it knows the record; fetched first only when it does not (a
    // record promoted a moment ago by someone else). The write below syncs either way.
    let known = if hub.has_clone() {
        find(hub, query).ok()
    } else {
        None
    };
    let record = match known {
        Some(record) => record,
        None => {
            hub.sync()?;
            find(hub, query)?
        }
    };
    let project = super::registry::project_name(repo);
    let key = super::registry::project_key(repo);
    let commit = repo
        .gix()
        .head_id()
        .map(|id| id.to_string())
        .unwrap_or_default();
    let event = OutcomeEvent {
        record: record.id.as_str(),
        project: &project,
        project_id: &key,
        verdict: verdict.as_str(),
        time: crate::record::now_rfc3339(),
        message,
        author: repo.author().unwrap_or_default(),
        commit,
    };
    let report = hub.write(Op {
        message: format!("outcome {verdict} for {} from {project}", record.id),
        writes: vec![Write {
            path: format!("outcomes/{}/{}.toml", record.id, RecordId::generate()),
            content: toml::to_string(&event).expect("an outcome event serializes"),
            replaces_id: None,
        }],
    })?;
    Ok((record, report))
}
