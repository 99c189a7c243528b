//! Reading memory back: `list`, `show` and `recall`, answered from the cache after refreshing
//! it. Record files that do not parse are left out of every answer and named in it.

use std::collections::HashMap;
use std::str::FromStr;

use crate::error::UserError;
use crate::hub::{self, Hub};
use crate::id::RecordId;
use crate::index::{self, Hit, Index, RecallQuery, Semantic};
use crate::record::{Kind, Record, Status};
use crate::repo::Repo;
use crate::semantic::Mode;
use crate::semantic::settings::RecallSettings;
use crate::store::Store;

use super::meaning::{self, Meaning};

use super::Ui;

/// The repository's cache, refreshed from the record files first (built or rebuilt if needed).
pub fn open_index(repo: &Repo) -> Result<Index, UserError> {
    let store = Store::open(repo)?;
    Ok(Index::open_fresh(repo, &store)?.0)
}

/// Record files the cache could not parse, as `file:line: message`.
fn skipped(index: &Index) -> Result<Vec<String>, UserError> {
    Ok(index.errors()?.iter().map(ToString::to_string).collect())
}

/// A kind, status or outcome as written in a record, or the error that lists the choices.
pub fn vocabulary<T: FromStr<Err = String>>(text: Option<&str>) -> Result<Option<T>, UserError> {
    text.map(str::parse).transpose().map_err(UserError::usage)
}

/// Which records a listing shows; every field empty lets everything through.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this kind (`None`: any).
    pub kind: Option<Kind>,
    /// Only this status (`None`: any, including superseded and rejected).
    pub status: Option<Status>,
    /// Only records with every one of these tags (case-insensitive).
    pub tags: Vec<String>,
}

impl ListFilter {
    /// Whether `record` passes.
    pub fn matches(&self, record: &Record) -> bool {
        self.kind.is_none_or(|k| record.kind == k)
            && self.status.is_none_or(|s| record.status == s)
            && self
                .tags
                .iter()
                .all(|t| record.tags.iter().any(|rt| rt.eq_ignore_ascii_case(t)))
    }
}

/// What [`list`] answers.
#[derive(Debug)]
pub struct Listing {
    /// The records that match, oldest first.
    pub records: Vec<Record>,
    /// Record files left out because they do not parse.
    pub skipped: Vec<String>,
}

/// Every record `filter` lets through, oldest first.
pub fn list(repo: &Repo, filter: &ListFilter) -> Result<Listing, UserError> {
    let index = open_index(repo)?;
    let mut records = index.records()?;
    records.retain(|r| filter.matches(r));
    Ok(Listing {
        records,
        skipped: skipped(&index)?,
    })
}

/// A record named in the shown record's `superseded_by`, as the cache has it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Successor {
    /// Its full id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: Status,
}

/// What [`show`] answers.
#[derive(Debug)]
pub struct Shown {
    /// The record, as cached from its file.
    pub record: Record,
    /// The records named in its `superseded_by` that exist.
    pub successors: Vec<Successor>,
    /// What a reader must know before following a record no longer in force.
    pub notice: Option<String>,
}

/// The record `query` names (id, prefix or ADR alias). When none (or several) match, the
/// record files that do not parse are warned about first: a broken file is the likely reason.
pub fn show(repo: &Repo, ui: &mut dyn Ui, query: &str) -> Result<Shown, UserError> {
    let index = open_index(repo)?;
    let record = match index.resolve(query) {
        Ok(record) => record,
        Err(e) => {
            for problem in skipped(&index)? {
                ui.warn(&format!("skipped {problem}"));
            }
            return Err(e.into());
        }
    };
    let successors = successors(&index, &record)?;
    Ok(Shown {
        notice: notice(&record, &successors),
        record,
        successors,
    })
}

fn successors(index: &Index, record: &Record) -> Result<Vec<Successor>, UserError> {
    let mut found = Vec::new();
    for id in &record.superseded_by {
        let Ok(id) = id.parse::<RecordId>() else {
            continue;
        };
        if let Some(next) = index.get(&id)? {
            found.push(Successor {
                id: next.id.to_string(),
                title: next.title,
                status: next.status,
            });
        }
    }
    Ok(found)
}

fn notice(record: &Record, successors: &[Successor]) -> Option<String> {
    let replaced = successors
        .iter()
        .map(|s| format!("{} \"{}\"", s.id, s.title))
        .collect::<Vec<_>>()
        .join(", ");
    let notice = match record.status {
        Status::Proposed | Status::Accepted => return None,
        Status::Superseded if !replaced.is_empty() => {
            format!("this record is superseded by {replaced}: follow that record instead")
        }
        Status::Superseded => "this record is superseded: it is no longer in force".to_owned(),
        Status::Deprecated => "this record is deprecated: it is no longer in force".to_owned(),
        Status::Rejected => "this record was rejected: considered and turned down".to_owned(),
    };
    Some(notice)
}

/// What [`recall`] looks for.
#[derive(Debug, Clone, Default)]
pub struct RecallRequest {
    /// Words, "phrases", prefix*; none lists what the filters match, newest first.
    pub text: Option<String>,
    /// Kind, status and tags, applied before ranking.
    pub filter: ListFilter,
    /// Only records whose `paths` cover this file (relative to the work tree, with `/`).
    pub path: Option<String>,
    /// Include superseded, deprecated and rejected records.
    pub all: bool,
    /// At most this many hits, counting a hub's after the merge.
    pub limit: usize,
    /// Search a hub too: `Some("")` for the project's or default hub, else its name, URL or path.
    pub hub: Option<String>,
    /// How to rank; `None`: the project's `[recall] mode`, else hybrid.
    pub mode: Option<Mode>,
}

/// What [`recall`] answers.
#[derive(Debug)]
pub struct Recalled {
    /// Best first (newest first without text), project and hub hits merged, at most `limit`.
    pub hits: Vec<Hit>,
    /// Titles of the records that superseded a hit, by id.
    pub successor_titles: HashMap<String, String>,
    /// Record files left out because they do not parse.
    pub skipped: Vec<String>,
    /// How the hits were ranked.
    pub mode: Mode,
    /// What the user should know about this answer (records not embedded yet, a model that
    /// could not be loaded): said on stderr by the CLI, returned to agents.
    pub notes: Vec<String>,
}

impl Recalled {
    /// Whether any hit is a strong match: when none is, the memory has nothing that answers the
    /// question, and a front end says so instead of presenting the least bad hits as answers.
    pub fn answered(&self) -> bool {
        self.hits
            .iter()
            .any(|h| h.strength == crate::semantic::Match::Strong)
    }
}

/// Ranked hits from the project's memory (and a hub's, when asked).
pub fn recall(repo: &Repo, request: &RecallRequest) -> Result<Recalled, UserError> {
    let settings = RecallSettings::load(repo.workdir());
    let mode = request.mode.or(settings.mode).unwrap_or_default();
    let mut notes = Vec::new();
    let question = request.text.as_deref().filter(|t| !t.trim().is_empty());
    let model = (mode != Mode::Keyword && question.is_some())
        .then(|| crate::semantic::model::model_id(settings.model.as_deref()));
    let mut query = RecallQuery {
        text: request.text.as_deref(),
        kind: request.filter.kind,
        status: request.filter.status,
        tags: &request.filter.tags,
        path: request.path.as_deref(),
        all: request.all,
        limit: request.limit,
        semantic: None,
    };
    // The model loads and embeds the question on another core while this one refreshes the
    // cache and reads the keyword matches and the stored vectors: the two take about as long,
    // and only comparing the vectors waits for both.
    let (read, meaning) = std::thread::scope(|scope| {
        let embedding = question.map(|q| {
            let settings = &settings;
            scope.spawn(move || {
                let mut notes = Vec::new();
                (Meaning::prepare(settings, mode, q, &mut notes), notes)
            })
        });
        let read = || -> Result<_, UserError> {
            let index = open_index(repo)?;
            let complete = match &model {
                Some(model) => !index.vectors_missing(model)?,
                None => true,
            };
            let gathered = index::gather(&index, &query, model.as_deref())?;
            Ok((index, complete, gathered))
        };
        let read = read();
        let meaning = embedding.and_then(|e| {
            let (meaning, said) = e.join().expect("embedding the question panicked");
            notes.extend(said);
            meaning
        });
        (read, meaning)
    });
    let (index, complete, mut gathered) = read?;
    if let Some(meaning) = &meaning
        && !complete
    {
        meaning.cover(&index, &meaning::local_background(repo, &index), &mut notes)?;
        gathered = index::gather(&index, &query, Some(meaning.embedder.id()))?;
    }
    query.semantic = meaning.as_ref().map(|m| Semantic {
        model: m.embedder.id(),
        vector: &m.vector,
        only: mode == Mode::Semantic,
    });
    let mut hits = index::rank(&index, &query, gathered)?;
    if let Some(spec) = &request.hub {
        let hub = Hub::resolve(Some(spec), Some(repo.workdir()))?;
        let cover = |hub_index: &Index, notes: &mut Vec<String>| -> Result<(), UserError> {
            if let Some(meaning) = &meaning {
                meaning.cover(
                    hub_index,
                    &meaning::hub_background(repo.workdir(), &hub),
                    notes,
                )?;
            }
            Ok(())
        };
        let theirs = hub::recall::hub_hits(&hub, &query, &mut |i| cover(i, &mut notes))?;
        hits = hub::recall::merge(hits, theirs, request.limit);
    }
    let mut successor_titles = HashMap::new();
    for id in hits.iter().flat_map(|h| &h.superseded_by) {
        if let Some(next) = id.parse().ok().and_then(|id| index.get(&id).ok().flatten()) {
            successor_titles.insert(id.clone(), next.title);
        }
    }
    Ok(Recalled {
        hits,
        successor_titles,
        skipped: skipped(&index)?,
        mode: if meaning.is_some() || question.is_none() {
            mode
        } else {
            Mode::Keyword
        },
        notes,
    })
}
