//! The team's hubs: adding and removing them, promoting a record to one, and recording this
//! project's verdict on a hub record.

use crate::error::UserError;
use crate::event::{Event, HubRef, RecordSummary};
use crate::hub::{self, Hub, HubEntry, HubError, Hubs, SyncReport};
use crate::record::{Outcome, Record};
use crate::repo::Repo;
use crate::store::Store;

use super::{Emitted, Ui, publish};

/// A hub just added.
#[derive(Debug)]
pub struct Added {
    /// The hub.
    pub hub: Hub,
    /// Whether it is now the default hub.
    pub default: bool,
    /// How many records it holds.
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
    /// The hub.
    pub hub: Hub,
    /// The record, as in this project.
    pub record: Record,
    /// What reached the hub and what waits.
    pub sync: SyncReport,
    /// `hub.promoted`.
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
    /// The hub.
    pub hub: Hub,
    /// The hub record.
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
