//! Recall by meaning, as the use cases need it: the question's vector for `recall`, the records
//! nearest to one record (`related`), near-duplicates of a new record, and filling in the cache's
//! vectors (`index embed`).

use std::path::Path;
use std::sync::Arc;

use crate::error::UserError;
use crate::hub::Hub;
use crate::index::{Hit, Index, Scope};
use crate::record::Record;
use crate::repo::Repo;
use crate::semantic::embed::{self, Background, Coverage};
use crate::semantic::settings::RecallSettings;
use crate::semantic::{Embedder, Mode};

/// A question ready to be ranked by meaning in one or more caches.
pub(crate) struct Meaning {
    /// The loaded model.
    pub embedder: Arc<Embedder>,
    /// The question's vector.
    pub vector: Vec<f32>,
    /// How many records the model embeds on the spot.
    pub inline: usize,
}

impl Meaning {
    /// Loads the model and embeds `question`; `None` in keyword mode. A model that cannot be
    /// loaded is said in `notes` and recall goes on by keyword: a bad `[recall] model` setting
    /// must not take recall away.
    pub fn prepare(
        settings: &RecallSettings,
        mode: Mode,
        question: &str,
        notes: &mut Vec<String>,
    ) -> Option<Meaning> {
        if mode == Mode::Keyword {
            return None;
        }
        match Embedder::load(settings.model.as_deref()) {
            Ok(embedder) => Some(Meaning {
                vector: embedder.embed(question),
                embedder,
                inline: settings.inline_limit(),
            }),
            Err(e) => {
                notes.push(format!("{e}; ranking by keyword alone"));
                None
            }
        }
    }

    /// Fills in what `index` misses (a few now, the rest in the background) and says how far
    /// its vectors are from complete when that changes the answer.
    pub fn cover(
        &self,
        index: &Index,
        background: &Background,
        notes: &mut Vec<String>,
    ) -> Result<Coverage, UserError> {
        let coverage = embed::ensure(index, &self.embedder, self.inline, Some(background))?;
        if coverage.missing > 0 {
            notes.push(format!(
                "{} of {} records are not embedded yet{}; they are ranked by keyword alone until then",
                coverage.missing,
                coverage.missing + coverage.embedded,
                if coverage.background { " (embedding in the background)" } else { "" }
            ));
        }
        Ok(coverage)
    }
}

/// How the background embedder for the repository's own cache is started.
pub(crate) fn local_background(repo: &Repo, index: &Index) -> Background {
    Background {
        args: vec!["index".into(), "embed".into(), "--quiet".into()],
        cwd: repo.workdir().to_path_buf(),
        cache: index.path().to_path_buf(),
    }
}

/// How the background embedder for a hub's cache is started.
pub(crate) fn hub_background(repo_dir: &Path, hub: &Hub) -> Background {
    Background {
        args: vec![
            "index".into(),
            "embed".into(),
            "--hub".into(),
            hub.name.clone(),
            "--quiet".into(),
        ],
        cwd: repo_dir.to_path_buf(),
        cache: hub.cache_path(),
    }
}

/// What [`related`] answers.
#[derive(Debug)]
pub struct Related {
    /// The record asked about.
    pub record: Record,
    /// The current records closest in meaning, most similar first (the record itself left out).
    pub hits: Vec<Hit>,
}

/// The current records closest in meaning to the record `query` names (id, prefix or ADR
/// alias), at most `limit`.
pub fn related(repo: &Repo, query: &str, limit: usize) -> Result<Related, UserError> {
    let index = super::read::open_index(repo)?;
    let record = index.resolve(query)?;
    let hits = related_in(repo, &index, &record, limit)?;
    Ok(Related { record, hits })
}

/// [`related`] for a record of an already open cache (the dashboard keeps one open).
pub fn related_in(
    repo: &Repo,
    index: &Index,
    record: &Record,
    limit: usize,
) -> Result<Vec<Hit>, UserError> {
    let settings = RecallSettings::load(repo.workdir());
    let embedder = Embedder::load(settings.model.as_deref())?;
    let dimensions = embedder.dimensions();
    let vector = match index.vector_of(embedder.id(), dimensions, record.id.as_str())? {
        // Embedded: the others most likely are too (a page of the dashboard asks this for
        // every record it shows, so the coverage count is not paid each time).
        Some(vector) => vector,
        None => {
            let background = local_background(repo, index);
            embed::ensure(index, &embedder, settings.inline_limit(), Some(&background))?;
            match index.vector_of(embedder.id(), dimensions, record.id.as_str())? {
                Some(vector) => vector,
                // Still missing (a big memory filling in): this one is cheap to do now.
                None => embedder.embed(&crate::semantic::text::text(record)),
            }
        }
    };
    Ok(crate::index::similar(
        index,
        embedder.id(),
        &vector,
        Scope::default(),
        Some(record.id.as_str()),
        limit,
    )?)
}

/// Cosine similarity from which a new record is pointed out as a near-duplicate of a current
/// one: records restating one decision score 0.85 and up; distinct decisions on one topic (two
/// caching decisions) stay below 0.8 on the committed evaluation corpus.
pub const DUPLICATE_SIMILARITY: f32 = 0.82;

/// Current records very similar in meaning to `record` (which may not be in the cache yet), most
/// similar first. Empty, not an error, when the model cannot be loaded: a warning must never
/// stand in the way of recording.
pub fn near_duplicates(repo: &Repo, record: &Record) -> Vec<Hit> {
    let find = || -> Result<Vec<Hit>, UserError> {
        let settings = RecallSettings::load(repo.workdir());
        if settings.mode == Some(Mode::Keyword) {
            return Ok(Vec::new());
        }
        // The cache as it is: recording neither builds it nor walks every record file, and
        // compares with the records already embedded (any recall embeds the rest).
        let store = crate::store::Store::open(repo)?;
        let Some(index) = Index::open_as_is(repo, &store) else {
            return Ok(Vec::new());
        };
        let embedder = Embedder::load(settings.model.as_deref())?;
        let vector = embedder.embed(&crate::semantic::text::text(record));
        let hits = crate::index::similar(
            &index,
            embedder.id(),
            &vector,
            Scope::default(),
            Some(record.id.as_str()),
            3,
        )?;
        Ok(hits
            .into_iter()
            .filter(|h| h.semantic_score.is_some_and(|s| s >= DUPLICATE_SIMILARITY))
            .collect())
    };
    find().unwrap_or_default()
}

/// What [`embed()`] did.
#[derive(Debug, serde::Serialize)]
pub struct Embedded {
    /// Record texts embedded by this run.
    pub embedded: u64,
    /// Whether another process was already embedding this cache (this run then did nothing).
    pub busy: bool,
    /// The model the vectors belong to.
    pub model: String,
}

/// Embeds every record of the repository's cache (or a hub's) that has no vector yet, calling
/// `progress` with (done, total) as batches finish.
pub fn embed(
    repo: &Repo,
    hub: Option<&str>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Embedded, UserError> {
    let settings = RecallSettings::load(repo.workdir());
    let model = crate::semantic::model::model_id(settings.model.as_deref());
    let nothing = Embedded {
        embedded: 0,
        busy: false,
        model: model.clone(),
    };
    let hub = hub
        .map(|spec| Hub::resolve(Some(spec), Some(repo.workdir())))
        .transpose()?;
    // The model is loaded only when something is missing: a refresh with nothing new stays cheap.
    let missing = match &hub {
        None => super::read::open_index(repo)?.vector_coverage(&model)?.0,
        Some(hub) => hub.index()?.vector_coverage(&model)?.0,
    };
    if missing == 0 {
        return Ok(nothing);
    }
    let embedder = Embedder::load(settings.model.as_deref())?;
    let done = match hub {
        None => {
            let store = crate::store::Store::open(repo)?;
            let cache = repo.state_dir().join("index.sqlite");
            let open = || {
                Index::open_as_is(repo, &store).ok_or_else(|| {
                    UserError::failed(format!(
                        "the memory cache {} was deleted while embedding",
                        cache.display()
                    ))
                })
            };
            embed::fill(&cache, &open, &embedder, progress)?
        }
        Some(hub) => {
            let cache = hub.cache_path();
            let open = || -> Result<Index, UserError> { Ok(hub.index()?) };
            embed::fill(&cache, &open, &embedder, progress)?
        }
    };
    Ok(Embedded {
        embedded: done.unwrap_or(0),
        busy: done.is_none(),
        model: embedder.id().to_owned(),
    })
}

/// How far the recall vectors of a cache are from complete (`git zen index status`).
#[derive(Debug, serde::Serialize)]
pub struct VectorStatus {
    /// The model whose vectors are counted.
    pub model: String,
    /// Record texts with a vector of that model.
    pub embedded: u64,
    /// Record texts without one (ranked by keyword alone until embedded).
    pub missing: u64,
    /// Whether a background process is embedding right now.
    pub embedding: bool,
}

/// The vector coverage of the repository's cache, without loading the model.
pub fn vector_status(repo: &Repo, index: &Index) -> Result<VectorStatus, UserError> {
    let settings = RecallSettings::load(repo.workdir());
    let model = crate::semantic::model::model_id(settings.model.as_deref());
    let (missing, embedded) = index.vector_coverage(&model)?;
    Ok(VectorStatus {
        embedding: embed::embedding_now(index.path()),
        model,
        embedded,
        missing,
    })
}

/// The ids of a hub's records close in meaning to a new project (its template's and skills'
/// names, descriptions and tags): genesis seeds these too, not only records sharing a tag. Empty
/// when the model or the hub's cache is unavailable: genesis then goes by tags alone.
pub fn close_to_project(
    memory: &crate::genesis::seed::HubMemory,
    template: &crate::genesis::Template,
    skills: &[crate::genesis::Skill],
) -> std::collections::HashSet<String> {
    let mut text = format!(
        "{}: {}. {}.",
        template.meta.name,
        template.meta.description,
        template.meta.tags.join(", ")
    );
    for skill in skills {
        text.push_str(&format!(
            " {}: {}.",
            skill.meta.name, skill.meta.description
        ));
    }
    let find = || -> Result<Vec<Hit>, UserError> {
        let index = memory.hub.index()?;
        let embedder = Embedder::load(None)?;
        embed::ensure(
            &index,
            &embedder,
            RecallSettings::default().inline_limit() * 4,
            None,
        )?;
        let vector = embedder.embed(&text);
        Ok(crate::index::similar(
            &index,
            embedder.id(),
            &vector,
            Scope::default(),
            None,
            20,
        )?)
    };
    find()
        .unwrap_or_default()
        .into_iter()
        .filter(|h| h.strength == crate::semantic::Match::Strong)
        .map(|h| h.id)
        .collect()
}

/// Fills `memory` (the records shown beside what failed) up to `limit` with current lessons and
/// decisions that recall finds for the findings' messages, strong matches only: a lesson
/// about leaked keys speaks to a secret found today even when it governs no path and shares no
/// tag with the rule. Memory is a help, not the verdict: any failure here leaves it as it was.
pub(crate) fn add_recalled_memory(
    repo: &Repo,
    report: &crate::policy::Report,
    mode: Mode,
    limit: usize,
    memory: &mut Vec<Record>,
) {
    let mut question = String::new();
    for finding in report.findings.iter().take(5) {
        question.push_str(&finding.rule.replace('-', " "));
        question.push_str(": ");
        question.push_str(&finding.message);
        question.push_str(". ");
    }
    let request = super::read::RecallRequest {
        text: Some(question),
        limit: limit * 3,
        mode: Some(mode),
        ..Default::default()
    };
    let Ok(recalled) = super::read::recall(repo, &request) else {
        return;
    };
    // Recall has just refreshed the cache: read the hits' records from it as it is.
    let index = crate::store::Store::open(repo)
        .ok()
        .and_then(|store| Index::open_as_is(repo, &store));
    for hit in recalled.hits {
        if memory.len() >= limit {
            break;
        }
        let wanted = hit.strength == crate::semantic::Match::Strong
            && matches!(
                hit.kind,
                crate::record::Kind::Lesson | crate::record::Kind::Decision
            )
            && !memory.iter().any(|r| r.id.as_str() == hit.id);
        if !wanted {
            continue;
        }
        if let Some(record) = index
            .as_ref()
            .and_then(|i| i.get(&hit.id.parse().ok()?).ok().flatten())
        {
            memory.push(record);
        }
    }
}
