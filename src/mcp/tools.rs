//! The tools' parameters (their input schemas) and their work, done with the library the commands
//! use. Each tool takes the directory the server answers for and returns its answer as JSON.

use std::path::Path;
use std::str::FromStr;

use rmcp::schemars;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ToolError, open_index};
use crate::changes;
use crate::id::RecordId;
use crate::index::{self, Hit, Index, RecallQuery};
use crate::policy::memory;
use crate::policy::report::ReportJson;
use crate::policy::run::Checker;
use crate::record::{FieldNames, Kind, Outcome, Record, RecordInput, RecordJson, Status};
use crate::repo::Repo;
use crate::store::Store;

/// Arguments of `recall`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecallParams {
    /// What to look for: words (English stemming; all must match, else any may), "quoted
    /// phrases", word* for a prefix. Empty: the newest records the filters match.
    query: String,
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

/// A kind, status or outcome as written in a record, or the error that lists the choices.
fn vocabulary<T: FromStr<Err = String>>(text: Option<&str>) -> Result<Option<T>, ToolError> {
    text.map(str::parse)
        .transpose()
        .map_err(ToolError::Vocabulary)
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
    fn of(answer: &impl Serialize) -> Result<Answer, ToolError> {
        Ok(Answer {
            text: serde_json::to_string(answer)?,
            value: serde_json::to_value(answer)?,
        })
    }
}

/// Record files the cache could not parse, as `file:line: message`: left out of every answer,
/// and said so.
fn skipped(index: &Index) -> Result<Vec<String>, ToolError> {
    Ok(index.errors()?.iter().map(ToString::to_string).collect())
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
        }
    }
}

/// What `recall` answers.
#[derive(Debug, Serialize)]
struct Recalled<'a> {
    hits: Vec<HitLine<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    skipped_files: Vec<String>,
}

/// `recall`: ranked hits, compact.
pub fn recall(dir: &Path, params: RecallParams) -> Result<Answer, ToolError> {
    let kind = vocabulary::<Kind>(params.kind.as_deref())?;
    let status = vocabulary::<Status>(params.status.as_deref())?;
    let (_repo, store, index) = open_index(dir)?;
    let path = params.path.as_deref().map(|p| repo_relative(&store, p));
    let query = RecallQuery {
        text: Some(&params.query),
        kind,
        status,
        tags: &params.tags,
        path: path.as_deref(),
        all: params.include_superseded,
        limit: params.limit,
    };
    let hits = index::recall(&index, &query)?;
    Answer::of(&Recalled {
        hits: hits.iter().map(HitLine::from).collect(),
        skipped_files: skipped(&index)?,
    })
}

/// A path as the records' globs see it: relative to the work tree, with `/`.
fn repo_relative(store: &Store, path: &str) -> String {
    let path = Path::new(path);
    let relative = if path.is_absolute() {
        store.relative(path)
    } else {
        path.to_path_buf()
    };
    relative.to_string_lossy().replace('\\', "/")
}

/// A record that replaces the one shown.
#[derive(Debug, Serialize)]
struct Successor {
    id: String,
    title: String,
    status: Status,
}

/// What `show` answers: the record as `git zen show --json` prints it, then what replaced it.
#[derive(Debug, Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    record: RecordJson<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    successors: Vec<Successor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notice: Option<String>,
}

/// `show`: the whole record, and what replaced it.
pub fn show(dir: &Path, params: ShowParams) -> Result<Answer, ToolError> {
    let (_repo, _store, index) = open_index(dir)?;
    let record = match index.resolve(&params.id) {
        Ok(record) => record,
        Err(source) => {
            let skipped = index.errors()?;
            return Err(ToolError::Unresolved { source, skipped });
        }
    };
    let successors = successors(&index, &record)?;
    Answer::of(&Shown {
        notice: notice(&record, &successors),
        record: record.to_json(true),
        successors,
    })
}

/// The records named in `superseded_by` that exist.
fn successors(index: &Index, record: &Record) -> Result<Vec<Successor>, ToolError> {
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

/// What an agent must know before following a record that is no longer in force.
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    skipped_files: Vec<String>,
}

/// `list`: the newest records that match, compact.
pub fn list(dir: &Path, params: ListParams) -> Result<Answer, ToolError> {
    let kind = vocabulary::<Kind>(params.kind.as_deref())?;
    let status = vocabulary::<Status>(params.status.as_deref())?;
    let (_repo, _store, index) = open_index(dir)?;
    let all = index.records()?;
    let tag = params.tag.as_deref();
    let matching: Vec<&Record> = all
        .iter()
        .rev()
        .filter(|r| kind.is_none_or(|k| r.kind == k))
        .filter(|r| status.is_none_or(|s| r.status == s))
        .filter(|r| tag.is_none_or(|t| r.tags.iter().any(|rt| rt.eq_ignore_ascii_case(t))))
        .collect();
    Answer::of(&Listed {
        total: matching.len(),
        records: matching
            .into_iter()
            .take(params.limit)
            .map(RecordLine::from)
            .collect(),
        skipped_files: skipped(&index)?,
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
    warning: Option<&'static str>,
}

/// `record`: checks the fields as `git zen record` does, then writes the new record.
pub fn record(dir: &Path, params: RecordParams) -> Result<Answer, ToolError> {
    let kind = params.kind.parse::<Kind>().map_err(ToolError::Vocabulary)?;
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
    let mut new = input.into_new_record(FieldNames::PARAMS)?;
    let repo = Repo::discover(dir)?;
    let store = Store::open(&repo)?;
    new.author = repo.author();
    let created = store.create(&new)?;
    Answer::of(&Recorded {
        id: created.id.as_str(),
        kind: created.kind,
        title: &created.title,
        status: created.status,
        file: created.file.to_string_lossy().replace('\\', "/"),
        warning: created.author.is_none().then_some(
            "no author recorded: set one with `git config --global user.name \"Your Name\"` and user.email",
        ),
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

/// `check_staged`: the policy report for the staged changes, with the memory that speaks to it.
pub fn check_staged(dir: &Path, params: CheckParams) -> Result<Answer, ToolError> {
    let repo = Repo::discover(dir)?;
    let policies = crate::policy::load(repo.workdir())?;
    let checker = Checker::new(&repo, &policies, None, Checker::skip_from_env());
    let mut report = checker.report();
    let staged = changes::staged(repo.gix())?;
    checker.staged(&staged, params.message.as_deref(), &mut report)?;
    // Memory is a help, not the answer: a project without records still gets its report.
    let records = Store::open(&repo)
        .ok()
        .and_then(|store| Index::open_fresh(&repo, &store).ok())
        .and_then(|(index, _)| index.records().ok())
        .unwrap_or_default();
    let related = memory::related(&records, &report.findings, &policies, 3);
    Answer::of(&Checked {
        report: report.to_json(),
        memory: related
            .into_iter()
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
