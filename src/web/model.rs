//! The read model: everything the dashboard's pages and the JSON API read, behind one trait.
//!
//! Pages never open a cache, a policy file or a hub themselves; they ask a [`ReadModel`]. The
//! local implementation ([`super::local::LocalModel`]) answers from one repository's record
//! files, cache and git history; an org-wide backend (many hubs and projects in a database
//! server) implements the same trait and serves the same pages.

use std::sync::Arc;

use crate::error::UserError;
use crate::index::Hit;
use crate::record::{Kind, Record, Status};

/// Which records a timeline page shows; every field empty lets everything through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    /// Only this kind.
    pub kind: Option<Kind>,
    /// Only this status.
    pub status: Option<Status>,
    /// Only records with this tag (case-insensitive).
    pub tag: Option<String>,
    /// Only records whose author contains this text (case-insensitive).
    pub author: Option<String>,
    /// Only records whose `paths` cover this file (relative to the work tree).
    pub path: Option<String>,
    /// Search text, answered by recall (best first) instead of newest first.
    pub text: Option<String>,
    /// 1-based page number.
    pub page: usize,
    /// Rows per page.
    pub per_page: usize,
}

/// One row of a timeline page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    /// Full id.
    pub id: String,
    /// Decision, pattern or lesson.
    pub kind: Kind,
    /// One-line title.
    pub title: String,
    /// Life-cycle status.
    pub status: Status,
    /// Creation time as written (RFC 3339), when known.
    pub created: Option<String>,
    /// `Name <email>`, when recorded.
    pub author: Option<String>,
    /// Tags as written.
    pub tags: Vec<String>,
    /// The matching passage, for a search.
    pub snippet: Option<String>,
}

impl Row {
    /// The row of a record (no snippet).
    pub fn of(record: &Record) -> Row {
        Row {
            id: record.id.to_string(),
            kind: record.kind,
            title: record.title.clone(),
            status: record.status,
            created: record.created.clone(),
            author: record.author.clone(),
            tags: record.tags.clone(),
            snippet: None,
        }
    }
}

/// One page of a timeline.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordPage {
    /// The rows of this page, newest first (best first for a search).
    pub rows: Vec<Row>,
    /// How many records match in all.
    pub total: usize,
    /// This page's number (1-based).
    pub page: usize,
    /// Rows per page.
    pub per_page: usize,
}

impl RecordPage {
    /// Page `page` (1-based) of `per_page` rows out of every matching row.
    pub fn of(rows: Vec<Row>, page: usize, per_page: usize) -> RecordPage {
        let total = rows.len();
        let rows = rows
            .into_iter()
            .skip(page.saturating_sub(1) * per_page)
            .take(per_page)
            .collect();
        RecordPage {
            rows,
            total,
            page,
            per_page,
        }
    }
}

/// A commit that touched a record's file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    /// Full commit id.
    pub commit: String,
    /// Author name.
    pub author: String,
    /// Commit time, ISO 8601 as git prints it.
    pub date: String,
    /// The commit's subject line.
    pub subject: String,
}

/// One rule in effect, as the policies page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleView {
    /// Rule id.
    pub id: String,
    /// Rule kind (`secrets`, `requires-decision`, …).
    pub kind: String,
    /// `error` blocks, `warn` only reports.
    pub severity: String,
    /// The hooks that run it.
    pub hooks: Vec<String>,
    /// What it guards.
    pub message: String,
    /// Where it is defined, as `file:line`.
    pub source: String,
}

/// One verdict of a hook, from the clone's local journal.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerdictView {
    /// When (RFC 3339).
    pub time: String,
    /// Which hook.
    pub hook: String,
    /// Whether it blocked the commit or push.
    pub blocked: bool,
    /// The rules that reported something.
    pub rules: Vec<String>,
}

/// What the policies page shows.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PolicyView {
    /// Rules in effect, in definition order.
    pub rules: Vec<RuleView>,
    /// Ids of rules turned off.
    pub disabled: Vec<String>,
    /// Why the rules could not be read (a broken policy file), instead of the rules.
    pub problem: Option<String>,
}

/// A hub's record with what projects said about it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HubRecord {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its kind.
    pub kind: Kind,
    /// Its status.
    pub status: Status,
    /// `4 projects: 3 success, 1 failure`, or empty.
    pub evidence: String,
    /// Whether most verdicts are failures.
    pub mostly_failure: bool,
}

/// A project born by genesis, as the hub registry holds it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HubProject {
    /// Its name.
    pub name: String,
    /// Template and version.
    pub template: String,
    /// Skills applied.
    pub skills: Vec<String>,
    /// Hub records it inherited.
    pub inherited: usize,
    /// Current stage.
    pub stage: String,
    /// Since when.
    pub since: String,
}

/// What the hub page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HubView {
    /// The hub's name.
    pub name: String,
    /// Its remote.
    pub url: String,
    /// Its records, best evidence first.
    pub records: Vec<HubRecord>,
    /// What the page says when `records` is empty: the local hub lists every record of its
    /// clone, the org index only those projects gave verdicts on.
    pub no_records: &'static str,
    /// Its registered projects.
    pub projects: Vec<HubProject>,
    /// How each template's projects fared, most failures first (the org index fills it in).
    pub templates: Vec<TemplateView>,
}

/// How the projects born from one template fared: their verdicts on the records they used.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TemplateView {
    /// The template's name.
    pub template: String,
    /// Projects born from it.
    pub projects: usize,
    /// Their verdicts: success, failure, mixed.
    pub success: usize,
    /// …
    pub failure: usize,
    /// …
    pub mixed: usize,
}

/// What the services page shows.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ServicesView {
    /// Webhook URLs with their events.
    pub webhooks: Vec<(String, Vec<String>)>,
    /// Deliveries waiting.
    pub queued: u64,
    /// Deliveries refused for good.
    pub refused: u64,
    /// Latest deliveries: (time, event, url, status).
    pub recent: Vec<(String, String, String, String)>,
    /// Failing deliveries: (event, url, last error).
    pub failing: Vec<(String, String, String)>,
    /// AI spend in US dollars.
    pub ai_spend_usd: f64,
}

/// Everything the dashboard reads. Implementations answer for "now": each call sees the records
/// as they are at that moment.
pub trait ReadModel {
    /// A token that changes whenever any record changes (the live pages poll it).
    fn version(&self) -> Result<String, UserError>;
    /// Every record that parses, oldest first, and the files that do not parse.
    fn all(&self) -> Result<Arc<Snapshot>, UserError>;
    /// One page of the records `query` matches.
    fn records(&self, query: &RecordQuery) -> Result<RecordPage, UserError>;
    /// The record `id` names (full id, unique prefix or ADR alias).
    fn record(&self, id: &str) -> Result<Record, UserError>;
    /// Ranked hits for `text`, at most `limit`.
    fn recall(&self, text: &str, limit: usize) -> Result<Vec<Hit>, UserError>;
    /// Records related to `id` (never itself), best first.
    fn related(&self, id: &str, limit: usize) -> Result<Vec<Hit>, UserError>;
    /// The commits that touched `file` (relative to the work tree), newest first.
    fn history(&self, file: &str) -> Result<Vec<Change>, UserError>;
    /// The repository's tracked files, relative to the work tree, sorted.
    fn files(&self) -> Result<Arc<Vec<String>>, UserError>;
    /// The rules in effect.
    fn policies(&self) -> Result<PolicyView, UserError>;
    /// The hooks' latest verdicts, newest first.
    fn verdicts(&self, limit: usize) -> Result<Vec<VerdictView>, UserError>;
    /// The hub's records and projects, when a hub was asked for.
    fn hub(&self) -> Result<Option<HubView>, UserError>;
    /// Webhooks, outbox and AI spend.
    fn services(&self) -> Result<ServicesView, UserError>;
}

/// All records at one moment.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Records that parse, oldest first.
    pub records: Vec<Record>,
    /// Files that do not parse, as `file:line: message`.
    pub skipped: Vec<String>,
}

impl Snapshot {
    /// The record with this exact id.
    pub fn get(&self, id: &str) -> Option<&Record> {
        self.records
            .binary_search_by(|r| r.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.records[i])
    }
}
