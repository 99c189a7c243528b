//! `promote`: a project's record copied into the hub with its provenance (`origin = "<project>
//! <commit>"`), keeping its id — promoting it again updates the hub's copy.

use super::pending::{Op, Write};
use super::{Hub, HubError, SyncReport};
use crate::index::Index;
use crate::record::Record;
use crate::repo::Repo;
use crate::store::Store;

/// Promotes the record `query` names (id, prefix or ADR alias) to `hub`.
pub fn promote(
    hub: &Hub,
    repo: &Repo,
    store: &Store,
    query: &str,
) -> Result<(Record, SyncReport), HubError> {
    let (index, _) = Index::open_fresh(repo, store)?;
    let record = index.resolve(query)?;
    let project = super::registry::project_name(repo);
    let commit = repo
        .gix()
        .head_id()
        .map(|id| id.to_string())
        .unwrap_or_else(|_| "uncommitted".into());
    let origin = format!("{project} {commit}");
    let key = super::registry::project_key(repo);
    let text = record.edit_front_matter(|doc| {
        doc["origin"] = toml_edit::value(origin);
        // Names are not unique across a team: this counts the record's own outcome as this
        // project's verdict, and a later `outcome` from it replaces that verdict.
        doc["origin_project"] = toml_edit::value(key);
    });
    // What reaches the hub must parse there, as the cache will read it.
    crate::record::parse(&record.file, &text)?;
    let path = record.file.to_string_lossy().replace('\\', "/");
    let report = hub.write(Op {
        message: format!(
            "promote {} {}: {} (from {project})",
            record.kind, record.id, record.title
        ),
        writes: vec![Write {
            path,
            content: text,
            replaces_id: Some(record.id.to_string()),
        }],
    })?;
    Ok((record, report))
}
