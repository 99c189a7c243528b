//! Recording: a new record (from fields, or written in the editor), and superseding one record
//! by another.

use crate::draft::Drafts;
use crate::error::UserError;
use crate::event::Event;
use crate::record::{self, NewRecord, Record};
use crate::repo::Repo;
use crate::store::{self, Store};

use super::{Emitted, NO_AUTHOR, Ui, draft, publish};

/// What to record: fields already checked by [`crate::record::RecordInput`], whose links may
/// still be id prefixes, and the records it replaces.
#[derive(Debug, Clone)]
pub struct RecordRequest {
    /// The record; `links` that are not URLs are resolved to full ids.
    pub new: NewRecord,
    /// Records this one replaces (ids, prefixes or ADR aliases); they are marked superseded.
    pub supersedes: Vec<String>,
    /// Open the new record in the editor before writing it.
    pub edit: bool,
}

/// A record written, and what it changed.
#[derive(Debug)]
pub struct Recorded {
    /// The new record, as parsed back from its file (with the user's edits, if any).
    pub record: Record,
    /// The records it superseded, as they were before.
    pub superseded: Vec<Record>,
    /// `record.created`, then `record.superseded` for each replaced record.
    pub emitted: Emitted,
    /// Current records that say nearly the same (each also warned about): candidates to
    /// supersede or link.
    pub near_duplicates: Vec<crate::index::Hit>,
}

/// Writes a new record. With `edit`, the user finishes it in the editor first (an invalid text
/// is kept as a draft, nothing is written). Superseding is all or nothing: if one old record
/// cannot be rewritten, no record is created and none is changed.
pub fn record(repo: &Repo, ui: &mut dyn Ui, request: RecordRequest) -> Result<Recorded, UserError> {
    let RecordRequest {
        mut new,
        supersedes,
        edit,
    } = request;
    crate::record::check_body(&new.body).map_err(|e| UserError::usage(e.to_string()))?;
    let store = Store::open(repo)?;
    // Only a record that names others (or may, in the editor) needs to read them all; a plain
    // `record` stays O(1).
    let names_others = !supersedes.is_empty() || new.links.iter().any(|l| !is_url(l));
    let loaded = if names_others || edit {
        store.load_all()?
    } else {
        Default::default()
    };
    let olds = supersedes
        .iter()
        .map(|q| store::resolve(&loaded.records, q))
        .collect::<Result<Vec<_>, _>>()?;
    new.links = new
        .links
        .iter()
        .map(|l| {
            if is_url(l) {
                Ok(l.clone())
            } else {
                store::resolve(&loaded.records, l).map(|r| r.id.to_string())
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    new.supersedes = olds.iter().map(|r| r.id.to_string()).collect();
    new.author = repo.author();
    if new.author.is_none() {
        ui.warn(NO_AUTHOR);
    }
    let created = if edit {
        let drafts = Drafts::new(repo);
        draft::session(repo, ui, &drafts, &new.id, &record::render(&new), |text| {
            draft::create_checked(&store, &drafts, &new.id, text, &loaded.records)
        })?
        .ok_or_else(|| {
            UserError::failed("the record was emptied in the editor; nothing was written")
        })?
    } else {
        store.create_superseding(&new, &olds)?
    };
    // What the new record superseded, as those records were before: in the editor the user
    // may have named more.
    let superseded: Vec<Record> = loaded
        .records
        .iter()
        .filter(|r| created.supersedes.iter().any(|s| s == r.id.as_str()))
        .cloned()
        .collect();
    let mut events = vec![Event::record_created(&created)];
    events.extend(
        superseded
            .iter()
            .map(|old| Event::record_superseded(old, &created)),
    );
    let emitted = publish(repo, ui, events);
    let near_duplicates: Vec<crate::index::Hit> = super::meaning::near_duplicates(repo, &created)
        .into_iter()
        .filter(|h| !created.supersedes.contains(&h.id) && !created.links.contains(&h.id))
        .collect();
    for hit in &near_duplicates {
        ui.warn(&format!(
            "very similar to {} \"{}\" ({:.0}% alike): if it replaces that record, `git zen supersede {} {}`; if they belong together, link them with `git zen edit {}`",
            &hit.id[..10],
            hit.title,
            hit.semantic_score.unwrap_or(0.0) * 100.0,
            &hit.id[..10],
            &created.id.as_str()[..10],
            &created.id.as_str()[..10],
        ));
    }
    Ok(Recorded {
        superseded,
        record: created,
        emitted,
        near_duplicates,
    })
}

fn is_url(link: &str) -> bool {
    link.contains("://")
}

/// One record marked superseded by another.
#[derive(Debug)]
pub struct Superseded {
    /// The old record, now superseded.
    pub old: Record,
    /// The new record, now naming the old one in `supersedes`.
    pub new: Record,
    /// The `record.superseded` event queued for webhooks.
    pub emitted: Emitted,
}

/// Marks `old` superseded by `new` (ids, prefixes or ADR aliases), linking both ways; running it
/// again changes nothing.
pub fn supersede(
    repo: &Repo,
    ui: &mut dyn Ui,
    old: &str,
    new: &str,
) -> Result<Superseded, UserError> {
    let store = Store::open(repo)?;
    let loaded = store.load_all()?;
    let old = store::resolve(&loaded.records, old)?;
    let new = store::resolve(&loaded.records, new)?;
    let (old, new) = store.supersede(&loaded.records, old, new)?;
    let emitted = publish(repo, ui, vec![Event::record_superseded(&old, &new)]);
    Ok(Superseded { old, new, emitted })
}

/// Accepts one draft record (one the AI proposed, say): with `review`, the user finishes it in
/// the editor first — a text that does not check out is kept as a draft that `git zen edit
/// <id>` continues, and the error says so — otherwise it is written as it is. `None`: the
/// user emptied it in the editor. Queues `record.created`.
pub fn accept_draft(
    repo: &Repo,
    ui: &mut dyn Ui,
    draft_record: &NewRecord,
    review: bool,
) -> Result<(Option<Record>, Emitted), UserError> {
    let store = Store::open(repo)?;
    let created = if review {
        let drafts = Drafts::new(repo);
        let all = store.load_all()?.records;
        let reviewed = draft::session(
            repo,
            ui,
            &drafts,
            &draft_record.id,
            &record::render(draft_record),
            |text| draft::create_checked(&store, &drafts, &draft_record.id, text, &all),
        )?;
        match reviewed {
            Some(record) => record,
            None => return Ok((None, Emitted::default())),
        }
    } else {
        store.create(draft_record)?
    };
    let emitted = publish(repo, ui, vec![Event::record_created(&created)]);
    Ok((Some(created), emitted))
}
