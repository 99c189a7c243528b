//! The team's hubs: adding and removing them, promoting a record to one, and recording this
//! project's verdict on a hub record.

use crate::error::UserError;
use crate::event::{Event, HubRef, RecordSummary};
use crate::hub::{self, Hub, HubEntry, HubError, Hubs, SyncReport};
use crate::record::{Outcome, Record};
use crate::repo::Repo;
use crate::store::Store;

use super::{Emitted, Ui, publish};

/// What [`add`] did: the hub is saved in the user's hubs, and already cloned.
#[derive(Debug)]
pub struct Added {
    /// The hub, its URL normalized (a local path made absolute).
    pub hub: Hub,
    /// Whether it is now the default hub (always so for the first hub added).
    pub default: bool,
    /// Records in the hub's cache right after the first clone.
    pub records: usize,
}

/// Adds hub `name` at `url` to the user's hubs. It is cloned first, so an unreachable or
/// non-hub URL is refused before anything is saved (and its clone removed). The first hub
/// added, or one added with `make_default`, becomes the default.
pub fn add(name: &str, url: &str, make_default: bool) -> Result<Added, UserError> {
    hub::config::check_name(name)?;
    let mut hubs = Hubs::load()?;
    if let Some(entry) = hubs.hubs.get(name) {
        return Err(HubError::Exists {
            name: name.to_owned(),
            url: entry.url.clone(),
        }
        .into());
    }
    let url = hub::config::normalize_url(url).unwrap_or_else(|| url.to_owned());
    let hub = Hub::new(name, &url)?;
    let checked = hub.sync().and_then(|_| {
        if hub::layout::is_hub(&hub)? {
            Ok(())
        } else {
            Err(HubError::NotAHub { url: url.clone() })
        }
    });
    if let Err(e) = checked {
        let _ = std::fs::remove_dir_all(hub.clone_dir());
        return Err(e.into());
    }
    let records = hub.index()?.records()?.len();
    hubs.hubs
        .insert(name.to_owned(), HubEntry { url: url.clone() });
    if make_default || hubs.default.is_none() {
        hubs.default = Some(name.to_owned());
    }
    hubs.save()?;
    Ok(Added {
        default: hubs.default.as_deref() == Some(name),
        hub,
        records,
    })
}

/// Forgets hub `name` and deletes its local clone. Refused while writes wait to be pushed to
/// it, unless `force` (which deletes them).
pub fn remove(name: &str, force: bool) -> Result<Hub, UserError> {
    let mut hubs = Hubs::load()?;
    let Some(entry) = hubs.hubs.get(name).cloned() else {
        return Err(HubError::Unknown(name.to_owned()).into());
    };
    let hub = Hub::new(name, &entry.url)?;
    let pending = hub::pending_count(&hub);
    if pending > 0 && !force {
        return Err(UserError::failed(format!(
            "{pending} write(s) wait to be pushed to hub `{name}`"
        ))
        .hint(format!(
            "`git zen sync --hub {name}` pushes them; --force deletes them"
        )));
    }
    hubs.hubs.remove(name);
    if hubs.default.as_deref() == Some(name) {
        hubs.default = None;
    }
    hubs.save()?;
    hub.delete_local()?;
    Ok(hub)
}

/// A record promoted (or queued for its hub).
#[derive(Debug)]
pub struct Promoted {
    /// The hub it went to: `--hub`, else the project's `hub =`, else the default hub.
    pub hub: Hub,
    /// The record, as in this project.
    pub record: Record,
    /// What reached the hub and what waits.
    pub sync: SyncReport,
    /// The `hub.promoted` event queued for webhooks (`pending` when the push did not land).
    pub emitted: Emitted,
}

/// Copies the record `query` names to the hub `hub_spec` names (default: the project's, else
/// the default hub) with its provenance, and pushes it; offline, it waits in the queue.
pub fn promote(
    repo: &Repo,
    ui: &mut dyn Ui,
    query: &str,
    hub_spec: Option<&str>,
) -> Result<Promoted, UserError> {
    let store = Store::open(repo)?;
    let hub = Hub::resolve(hub_spec, Some(repo.workdir()))?;
    let (record, sync) = hub::promote::promote(&hub, repo, &store, query)?;
    let event = Event::HubPromoted {
        hub: HubRef {
            name: hub.name.clone(),
            url: hub.url.clone(),
        },
        record: RecordSummary::of(&record),
        pending: sync.offline.is_some(),
    };
    let emitted = publish(repo, ui, vec![event]);
    Ok(Promoted {
        hub,
        record,
        sync,
        emitted,
    })
}

/// A verdict recorded on a hub record.
#[derive(Debug)]
pub struct OutcomeRecorded {
    /// The hub it went to, resolved as for [`promote`].
    pub hub: Hub,
    /// The hub's record the verdict is about, as the hub's clone holds it.
    pub record: Record,
    /// What reached the hub and what waits.
    pub sync: SyncReport,
}

/// Records this project's `verdict` on the hub record `query` names, with what happened.
pub fn outcome(
    repo: &Repo,
    query: &str,
    verdict: Outcome,
    message: &str,
    hub_spec: Option<&str>,
) -> Result<OutcomeRecorded, UserError> {
    let hub = Hub::resolve(hub_spec, Some(repo.workdir()))?;
    let (record, sync) = hub::outcome::record_outcome(&hub, repo, query, verdict, message)?;
    Ok(OutcomeRecorded { hub, record, sync })
}

/// One configured hub, as `hub list` shows it.
#[derive(Debug, serde::Serialize)]
pub struct HubLine {
    /// The name given to `hub add`; what `--hub` takes.
    pub name: String,
    /// The remote as saved: a URL, or an absolute local path.
    pub url: String,
    /// Whether it is the default hub.
    pub default: bool,
    /// Writes queued locally that no push has landed yet (0 once synced).
    pub pending: usize,
    /// Its local bare clone under the user's data directory, as a display path.
    pub clone: String,
}

/// Every configured hub, sorted by name; reads only local state (no network).
pub fn list() -> Result<Vec<HubLine>, UserError> {
    let hubs = Hubs::load()?;
    let mut lines = Vec::new();
    for (name, entry) in &hubs.hubs {
        let hub = Hub::new(name, &entry.url)?;
        lines.push(HubLine {
            name: name.clone(),
            url: entry.url.clone(),
            default: hubs.default.as_deref() == Some(name.as_str()),
            pending: hub::pending_count(&hub),
            clone: hub.clone_dir().display().to_string(),
        });
    }
    Ok(lines)
}

/// Fetches `hub` and pushes the writes waiting for it (cloning it the first time).
pub fn sync(hub: &Hub) -> Result<SyncReport, UserError> {
    Ok(hub.sync()?)
}

/// A hub's cache after a refresh from its local clone (no network).
#[derive(Debug, serde::Serialize)]
pub struct HubIndex {
    /// The cache's file, size and record counts after the refresh.
    pub cache: crate::index::IndexStatus,
    /// Record files that do not parse, as `file:line: message`.
    #[serde(skip)]
    pub broken: Vec<String>,
    /// How many outcome verdicts projects have recorded on the hub's records.
    pub outcomes: u64,
    /// Writes queued locally that no push has landed yet.
    pub pending: usize,
    /// Record files re-parsed by this refresh because they were new or changed (0 when current).
    pub parsed: usize,
}

/// Brings `hub`'s cache up to date with its clone, showing the re-read records on `progress`.
pub fn index(hub: &Hub, progress: &indicatif::ProgressBar) -> Result<HubIndex, UserError> {
    let (index, refresh) = crate::index::Index::open_tree_with_progress(
        &hub.cache_path(),
        &hub.clone_dir(),
        progress,
    )?;
    Ok(HubIndex {
        cache: index.status()?,
        broken: index.errors()?.iter().map(ToString::to_string).collect(),
        outcomes: index.outcome_count()?,
        pending: hub::pending_count(hub),
        parsed: refresh.parsed,
    })
}

/// The projects registered in `hub`, after a sync (an offline hub answers from its clone).
pub fn projects(hub: &Hub) -> Result<(SyncReport, hub::registry::Listing), UserError> {
    let sync = hub.sync()?;
    Ok((sync, hub::registry::list(hub)?))
}

/// Moves this project to `stage` in its hub's registry.
pub fn stage(
    repo: &Repo,
    hub_spec: Option<&str>,
    stage: hub::registry::Stage,
) -> Result<(Hub, SyncReport), UserError> {
    let hub = Hub::resolve(hub_spec, Some(repo.workdir()))?;
    let sync = hub::registry::set_stage(&hub, repo, stage)?;
    Ok((hub, sync))
}
