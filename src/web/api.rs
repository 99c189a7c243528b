//! The JSON API under `/api/v1/`: the MCP server's operations over HTTP, described by the
//! OpenAPI document in `openapi.json`. Reads go through the [`ReadModel`]; writes call the
//! same use cases as `git zen record` and `git zen outcome`.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::UserError;
use crate::record::{FieldNames, Kind, Outcome, RecordInput, Status};
use crate::repo::Repo;
use crate::usecase::read::vocabulary;
use crate::usecase::record::RecordRequest;
use crate::usecase::{self, Unattended};

use super::model::{ReadModel, RecordQuery};

/// The OpenAPI 3 document of this API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Rows per API page unless `per_page` says otherwise (at most [`MAX_PER_PAGE`]).
pub const PER_PAGE: usize = 50;
/// The largest `per_page` the API accepts.
pub const MAX_PER_PAGE: usize = 500;

/// The timeline filter in query parameters (`kind`, `status`, `tag`, `author`, `path`, `q`,
/// `page`, `per_page`).
pub fn record_query(
    params: &HashMap<String, String>,
    per_page: usize,
) -> Result<RecordQuery, UserError> {
    let text = |name: &str| {
        params
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let number = |name: &str, default: usize| -> Result<usize, UserError> {
        match text(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<usize>()
                .map_err(|_| UserError::usage(format!("{name} must be a whole number, not {v:?}"))),
        }
    };
    Ok(RecordQuery {
        kind: vocabulary::<Kind>(text("kind").as_deref())?,
        status: vocabulary::<Status>(text("status").as_deref())?,
        tag: text("tag"),
        author: text("author"),
        path: text("path"),
        text: text("q"),
        page: number("page", 1)?.max(1),
        per_page: number("per_page", per_page)?.clamp(1, MAX_PER_PAGE),
    })
}

/// `GET /api/v1/records`: one page of records (front matter, no body) and the total.
pub fn records(model: &dyn ReadModel, query: &RecordQuery) -> Result<Value, UserError> {
    let page = model.records(query)?;
    let all = model.all()?;
    let records: Vec<Value> = page
        .rows
        .iter()
        .filter_map(|row| all.get(&row.id))
        .map(|r| serde_json::to_value(r.to_json(false)))
        .collect::<Result<_, _>>()?;
    Ok(json!({
        "records": records,
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
    }))
}

/// `GET /api/v1/records/{id}`: the whole record, with its body.
pub fn record(model: &dyn ReadModel, id: &str) -> Result<Value, UserError> {
    let record = model.record(id)?;
    Ok(serde_json::to_value(record.to_json(true))?)
}

/// `GET /api/v1/recall?q=`: hits as `git zen recall --json` prints them.
pub fn recall(model: &dyn ReadModel, params: &HashMap<String, String>) -> Result<Value, UserError> {
    let q = params.get("q").map(String::as_str).unwrap_or_default();
    let limit = limit(params, 10)?;
    let hits = model.recall(q, limit)?;
    let mut value = serde_json::to_value(&hits)?;
    // A hub's hit names its hub, as `org recall --json` does.
    if let Value::Array(items) = &mut value {
        for (item, hit) in items.iter_mut().zip(&hits) {
            if let Some(hub) = hit.location.strip_prefix("hub ") {
                item["hub"] = Value::from(hub);
            }
        }
    }
    Ok(value)
}

/// `GET /api/v1/related/{id}`: records related to one, best first.
pub fn related(
    model: &dyn ReadModel,
    id: &str,
    params: &HashMap<String, String>,
) -> Result<Value, UserError> {
    let limit = limit(params, 5)?;
    Ok(serde_json::to_value(model.related(id, limit)?)?)
}

fn limit(params: &HashMap<String, String>, default: usize) -> Result<usize, UserError> {
    match params.get("limit") {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .map(|n| n.clamp(1, 100))
            .map_err(|_| UserError::usage(format!("limit must be a whole number, not {v:?}"))),
    }
}

/// The body of `POST /api/v1/records`: the MCP `record` tool's arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRecordBody {
    kind: String,
    title: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    links: Vec<String>,
    #[serde(default)]
    body: Option<String>,
}

/// `POST /api/v1/records`: records a new decision, pattern or lesson, checked as `git zen
/// record` checks it. Answers the new record.
pub fn create(repo: &Repo, body: &[u8]) -> Result<Value, UserError> {
    let input: NewRecordBody = serde_json::from_slice(body)
        .map_err(|e| UserError::usage(format!("the body is not a record: {e}")))?;
    let kind = input.kind.parse::<Kind>().map_err(UserError::usage)?;
    let status = vocabulary::<Status>(input.status.as_deref())?.unwrap_or(Status::Accepted);
    let outcome = vocabulary::<Outcome>(input.outcome.as_deref())?;
    let body = input.body.filter(|b| !b.trim().is_empty()).map(|mut b| {
        if !b.ends_with('\n') {
            b.push('\n');
        }
        b
    });
    let new = RecordInput {
        kind,
        title: input.title,
        status,
        outcome,
        tags: input.tags,
        paths: input.paths,
        links: input.links,
        body,
    }
    .into_new_record(FieldNames::PARAMS)
    .map_err(|e| UserError::usage(e.to_string()))?;
    let mut ui = Unattended::default();
    let recorded = usecase::record::record(
        repo,
        &mut ui,
        RecordRequest {
            new,
            supersedes: Vec::new(),
            edit: false,
        },
    )?;
    if recorded.emitted.needs_delivery() {
        crate::services::flush_in_background(repo.workdir());
    }
    let mut answer = serde_json::to_value(recorded.record.to_json(true))?;
    answer["warnings"] = json!(ui.warnings);
    Ok(answer)
}

/// The body of `POST /api/v1/outcomes`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    record: String,
    outcome: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    hub: Option<String>,
}

/// `POST /api/v1/outcomes`: this project's verdict on a hub record, as `git zen outcome`.
pub fn outcome(repo: &Repo, body: &[u8]) -> Result<Value, UserError> {
    let input: OutcomeBody = serde_json::from_slice(body)
        .map_err(|e| UserError::usage(format!("the body is not an outcome: {e}")))?;
    let verdict = input.outcome.parse::<Outcome>().map_err(UserError::usage)?;
    let done = usecase::hub::outcome(
        repo,
        &input.record,
        verdict,
        &input.message,
        input.hub.as_deref(),
    )?;
    Ok(json!({
        "hub": done.hub.name,
        "record": done.record.id.as_str(),
        "title": done.record.title,
        "outcome": verdict,
    }))
}

/// An error as JSON: the message and the hints.
pub fn error_json(e: &UserError) -> Value {
    json!({ "error": e.message, "notes": e.notes, "hints": e.hints })
}
