//! The tools' parameters (their input schemas) and their work, done with the library the commands
//! use. Each tool takes the directory the server answers for and returns its answer as JSON.

use std::path::Path;

use rmcp::schemars;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::UserError;
use crate::index::Hit;
use crate::policy::report::ReportJson;
use crate::record::{FieldNames, Kind, Outcome, Record, RecordInput, RecordJson, Status};
use crate::repo::Repo;
use crate::usecase::check::{self, Target};
use crate::usecase::read::{self, ListFilter, RecallRequest, Successor, vocabulary};
use crate::usecase::record::RecordRequest;
use crate::usecase::{self, Unattended};

/// Arguments of `recall`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecallParams {
    /// The question, in your own words: records are found by meaning and by shared words
    /// (English stemming, "quoted phrases", word* for a prefix). Empty: the newest records the
    /// filters match.
    query: String,
    /// hybrid (default: meaning and words fused), semantic (meaning alone) or keyword (words
    /// alone).
    #[serde(default)]
    #[schemars(with = "String", extend("enum" = ["hybrid", "semantic", "keyword"]))]
    mode: Option<String>,
    /// Only records of this kind.
    #[serde(default)]
    #[schemars(with = "String", extend("enum" = ["decision", "pattern", "lesson"]))]
    kind: Option<String>,
    /// Only records with this status (shows them even if superseded, deprecated or rejected).
    #[serde(default)]
    #[schemars(
        with = "String",
        extend("enum" = ["proposed", "accepted", "superseded", "deprecated", "rejected"])
    )]
    status: Option<String>,
    /// Only records with all of these tags.
    #[serde(default)]
    tags: Vec<String>,
    /// Only records whose `paths` globs cover this file (relative to the repository root).
    #[serde(default)]
    #[schemars(with = "String")]
    path: Option<String>,
    /// Include superseded, deprecated and rejected records.
    #[serde(default, alias = "all")]
    include_superseded: bool,
    /// At most this many hits.
    #[serde(default = "default_recall_limit")]
    #[schemars(range(min = 1))]
    limit: usize,
}

fn default_recall_limit() -> usize {
    10
}

/// Arguments of `show`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowParams {
    /// A full id, a unique id prefix (like a git hash), or an imported ADR alias (ADR-3).
    id: String,
}

/// Arguments of `list`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only records of this kind.
    #[serde(default)]
    #[schemars(with = "String", extend("enum" = ["decision", "pattern", "lesson"]))]
    kind: Option<String>,
    /// Only records with this status.
    #[serde(default)]
    #[schemars(
        with = "String",
        extend("enum" = ["proposed", "accepted", "superseded", "deprecated", "rejected"])
    )]
    status: Option<String>,
    /// Only records with this tag.
    #[serde(default)]
    #[schemars(with = "String")]
    tag: Option<String>,
    /// At most this many records (the newest).
    #[serde(default = "default_list_limit")]
    #[schemars(range(min = 1))]
    limit: usize,
}

fn default_list_limit() -> usize {
    50
}

/// Arguments of `record`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordParams {
    /// What to record: a decision (a choice and why), a pattern (an approach to reuse) or a
    /// lesson (what went wrong or right, and what we do now).
    #[schemars(extend("enum" = ["decision", "pattern", "lesson"]))]
    kind: String,
    /// One-line title.
    title: String,
    /// Markdown body. Decisions: ## Context, ## Decision, ## Consequences. Patterns: ## Problem,
    /// ## Solution, ## Where it worked. Lessons: ## What happened, ## Why, ## What we do now.
    /// Empty: those sections, to fill in later.
    body: String,
    /// Tags.
    #[serde(default)]
    tags: Vec<String>,
    /// Globs of the code this record governs, relative to the repository root (src/index/**).
    #[serde(default)]
    paths: Vec<String>,
    /// Status (default accepted).
    #[serde(default)]
    #[schemars(
        with = "String",
        extend("enum" = ["proposed", "accepted", "superseded", "deprecated", "rejected"])
    )]
    status: Option<String>,
    /// How a pattern or lesson turned out (default unknown); not for decisions.
    #[serde(default)]
    #[schemars(with = "String", extend("enum" = ["success", "failure", "mixed", "unknown"]))]
    outcome: Option<String>,
}

/// Arguments of `check_staged`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckParams {
    /// The commit message to check too (subject length, conventional commits, `Decision: <id>`
    /// lines that satisfy required decisions).
    #[serde(default)]
    #[schemars(with = "String")]
    message: Option<String>,
}

/// A tool's answer: its JSON as text, fields in their declared order (what most clients show the
/// model), and the same as structured content.
#[derive(Debug)]
pub struct Answer {
    /// The JSON text.
    pub text: String,
    /// The JSON value (always an object).
    pub value: Value,
}

impl Answer {
    fn of(answer: &impl Serialize) -> Result<Answer, UserError> {
        Ok(Answer {
            text: serde_json::to_string(answer)?,
            value: serde_json::to_value(answer)?,
        })
    }
}

/// One recall hit, compact: enough to decide whether to `show` it.
#[derive(Debug, Serialize)]
struct HitLine<'a> {
    id: &'a str,
    kind: Kind,
    title: &'a str,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<Outcome>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    snippet: &'a str,
    score: f64,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    superseded_by: &'a [String],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    warning: bool,
    /// strong: answers the question; weak: only the closest of the rest.
    #[serde(rename = "match")]
    strength: crate::semantic::Match,
}

impl<'a> From<&'a Hit> for HitLine<'a> {
    fn from(hit: &'a Hit) -> Self {
        HitLine {
            id: &hit.id,
            kind: hit.kind,
            title: &hit.title,
            status: hit.status,
            outcome: hit.outcome,
            tags: &hit.tags,
            snippet: hit.snippet.trim(),
            score: hit.score,
            superseded_by: &hit.superseded_by,
            warning: hit.warning,
            strength: hit.strength,
        }
    }
}

/// What `recall` answers.
#[derive(Debug, Serialize)]
struct Recalled<'a> {
    hits: Vec<HitLine<'a>>,
    /// False when no hit is a strong match: the memory has nothing that answers the question.
    answered: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    skipped_files: &'a [String],
}

/// `recall`: ranked hits, compact.
pub fn recall(dir: &Path, params: RecallParams) -> Result<Answer, UserError> {
    let filter = ListFilter {
        kind: vocabulary::<Kind>(params.kind.as_deref())?,
        status: vocabulary::<Status>(params.status.as_deref())?,
        tags: params.tags,
    };
    let repo = Repo::discover(dir)?;
    let path = params.path.as_deref().map(|p| repo.glob_path(Path::new(p)));
    let request = RecallRequest {
        text: Some(params.query),
        filter,
        path,
        all: params.include_superseded,
        limit: params.limit,
        hub: None,
        mode: vocabulary(params.mode.as_deref())?,
    };
    let recalled = read::recall(&repo, &request)?;
    Answer::of(&Recalled {
        hits: recalled.hits.iter().map(HitLine::from).collect(),
        answered: recalled.answered(),
        notes: &recalled.notes,
        skipped_files: &recalled.skipped,
    })
}

/// What `show` answers: the record as `git zen show --json` prints it, then what replaced it.
#[derive(Debug, Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    record: RecordJson<'a>,
    #[serde(skip_serializing_if = "<[Successor]>::is_empty")]
    successors: &'a [Successor],
    #[serde(skip_serializing_if = "Option::is_none")]
    notice: Option<&'a str>,
}

/// `show`: the whole record, and what replaced it. When no record matches, the broken record
/// files (the likely reason) follow the error, one `skipped …` line each.
pub fn show(dir: &Path, params: ShowParams) -> Result<Answer, UserError> {
    let repo = Repo::discover(dir)?;
    let mut ui = Unattended::default();
    let shown = read::show(&repo, &mut ui, &params.id).map_err(|mut e| {
        for warning in ui.warnings {
            e.message.push('\n');
            e.message.push_str(&warning);
        }
        e
    })?;
    Answer::of(&Shown {
        record: shown.record.to_json(true),
        successors: &shown.successors,
        notice: shown.notice.as_deref(),
    })
}

/// One record in a list, compact.
#[derive(Debug, Serialize)]
struct RecordLine<'a> {
    id: &'a str,
    kind: Kind,
    title: &'a str,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<Outcome>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
}

impl<'a> From<&'a Record> for RecordLine<'a> {
    fn from(record: &'a Record) -> Self {
        RecordLine {
            id: record.id.as_str(),
            kind: record.kind,
            title: &record.title,
            status: record.status,
            outcome: record.outcome,
            tags: &record.tags,
        }
    }
}

/// What `list` answers.
#[derive(Debug, Serialize)]
struct Listed<'a> {
    records: Vec<RecordLine<'a>>,
    /// How many matched (more than `records` holds when the limit cut them).
    total: usize,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    skipped_files: &'a [String],
}

/// `list`: the newest records that match, compact.
pub fn list(dir: &Path, params: ListParams) -> Result<Answer, UserError> {
    let filter = ListFilter {
        kind: vocabulary::<Kind>(params.kind.as_deref())?,
        status: vocabulary::<Status>(params.status.as_deref())?,
        tags: params.tag.into_iter().collect(),
    };
    let repo = Repo::discover(dir)?;
    let listing = read::list(&repo, &filter)?;
    Answer::of(&Listed {
        total: listing.records.len(),
        records: listing
            .records
            .iter()
            .rev()
            .take(params.limit)
            .map(RecordLine::from)
            .collect(),
        skipped_files: &listing.skipped,
    })
}

/// What `record` answers.
#[derive(Debug, Serialize)]
struct Recorded<'a> {
    id: &'a str,
    kind: Kind,
    title: &'a str,
    status: Status,
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    warning: Option<String>,
}

/// `record`: checks the fields as `git zen record` does, then writes the new record through the
/// same use case, which queues `record.created` for the project's webhooks.
pub fn record(dir: &Path, params: RecordParams) -> Result<Answer, UserError> {
    let kind = params.kind.parse::<Kind>().map_err(UserError::usage)?;
    let status = vocabulary::<Status>(params.status.as_deref())?.unwrap_or(Status::Accepted);
    let outcome = vocabulary::<Outcome>(params.outcome.as_deref())?;
    let input = RecordInput {
        kind,
        title: params.title,
        status,
        outcome,
        tags: params.tags,
        paths: params.paths,
        links: Vec::new(),
        body: body(params.body),
    };
    let new = input
        .into_new_record(FieldNames::PARAMS)
        .map_err(|e| UserError::usage(e.to_string()))?;
    let repo = Repo::discover(dir)?;
    let mut ui = Unattended::default();
    let request = RecordRequest {
        new,
        supersedes: Vec::new(),
        edit: false,
    };
    let recorded = usecase::record::record(&repo, &mut ui, request)?;
    if recorded.emitted.needs_delivery() {
        crate::services::flush_in_background(repo.workdir());
    }
    let created = &recorded.record;
    Answer::of(&Recorded {
        id: created.id.as_str(),
        kind: created.kind,
        title: &created.title,
        status: created.status,
        file: created.file.to_string_lossy().replace('\\', "/"),
        warning: (!ui.warnings.is_empty()).then(|| ui.warnings.join("\n")),
    })
}

/// The body as given, ending in a newline; an empty one leaves the kind's sections.
fn body(text: String) -> Option<String> {
    if text.trim().is_empty() {
        return None;
    }
    let mut text = text;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Some(text)
}

/// One record that speaks to a failed check.
#[derive(Debug, Serialize)]
struct MemoryLine<'a> {
    id: &'a str,
    kind: Kind,
    title: &'a str,
}

/// What `check_staged` answers: the report as `git zen check --json` prints it, then memory.
#[derive(Debug, Serialize)]
struct Checked<'a> {
    #[serde(flatten)]
    report: ReportJson<'a>,
    memory: Vec<MemoryLine<'a>>,
}

/// `check_staged`: the policy report for the staged changes, with the memory that speaks to it
/// — the same verdict a blocked commit prints.
pub fn check_staged(dir: &Path, params: CheckParams) -> Result<Answer, UserError> {
    let repo = Repo::discover(dir)?;
    let target = Target::Staged {
        message: params.message,
    };
    let checked = check::check(&repo, &mut Unattended::default(), target, None)?
        .ok_or_else(|| UserError::failed("nothing was checked"))?;
    Answer::of(&Checked {
        report: checked.report.to_json(),
        memory: checked
            .memory
            .iter()
            .map(|r| MemoryLine {
                id: r.id.as_str(),
                kind: r.kind,
                title: &r.title,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_errors_list_the_choices() {
        let e = vocabulary::<Kind>(Some("note")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown kind 'note': use one of decision, pattern, lesson"
        );
        assert_eq!(vocabulary::<Kind>(None).unwrap(), None);
    }

    #[test]
    fn a_body_ends_in_a_newline_and_an_empty_one_is_left_to_the_template() {
        assert_eq!(body("text".into()).as_deref(), Some("text\n"));
        assert_eq!(body(" \n".into()), None);
    }
}
