//! The read model over one repository: its record files (through the cache), its git history,
//! its policy files, its outbox and, when asked for, a hub's clone.
//!
//! A [`LocalModel`] is opened per request (or once per site build) and refreshes the cache once
//! when it opens, so every page sees the records as they are now. The list of all records is
//! kept between requests in [`Shared`], keyed by the cache's version: at 10k records reading
//! every row back costs more than the refresh, and a page shows only 50 of them.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::error::UserError;
use crate::hub::{self, Hub};
use crate::index::{Hit, Index, RecallQuery};
use crate::record::Record;
use crate::repo::{self, Repo};
use crate::store::Store;
use crate::usecase::read::{self, ListFilter, RecallRequest};

use super::model::{
    Change, HubProject, HubRecord, HubView, PolicyView, ReadModel, RecordPage, RecordQuery, Row,
    RuleView, ServicesView, Snapshot, VerdictView,
};

/// What outlives one request: the last snapshot of all records, with the version it was read
/// at and when the cache was last written then.
#[derive(Default)]
pub struct Shared {
    kept: Mutex<Option<Kept>>,
    /// When the last full refresh ran, and the record folders' mtimes then.
    refreshed: Mutex<Option<(Instant, Vec<Option<SystemTime>>)>>,
}

/// How long a refresh is trusted while no record folder changed. A stat of every record file
/// costs ~100 ms at 10k records; new, deleted and renamed records (and git-zen's own atomic
/// writes) change a folder's mtime and are seen at once, an edit in place within this time.
const TRUST_REFRESH: Duration = Duration::from_secs(1);

struct Kept {
    modified: String,
    version: String,
    snapshot: Arc<Snapshot>,
}

/// The read model of one repository, refreshed when opened.
pub struct LocalModel {
    repo: Repo,
    index: Index,
    version: String,
    snapshot: Arc<Snapshot>,
    hub: Option<String>,
}

impl LocalModel {
    /// Opens `repo`'s cache, bringing it up to date. `hub` names the hub of the hub page (`""`:
    /// the project's default hub), `None` for no hub page.
    ///
    /// The snapshot of all records is read again only when this refresh re-read a file or
    /// another process wrote the cache since; its version is a digest of the records'
    /// content, so a file re-read without a change (git's "racily clean" case) does not make
    /// open pages reload.
    pub fn open(repo: Repo, shared: Arc<Shared>, hub: Option<String>) -> Result<Self, UserError> {
        let store = Store::open(&repo)?;
        let folders = folder_mtimes(&repo);
        let recent = {
            let refreshed = shared
                .refreshed
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            refreshed
                .as_ref()
                .is_some_and(|(at, seen)| at.elapsed() < TRUST_REFRESH && *seen == folders)
        };
        let as_is = if recent {
            Index::open_as_is(&repo, &store)
        } else {
            None
        };
        let (index, report) = match as_is {
            Some(index) => (index, crate::index::RefreshReport::default()),
            None => {
                let started = Instant::now();
                let fresh = Index::open_fresh(&repo, &store)?;
                *shared
                    .refreshed
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((started, folders));
                fresh
            }
        };
        // What the last refresh that changed something wrote (its time and the counts): the
        // database file's own mtime also moves when SQLite checkpoints on close.
        let status = index.status()?;
        let modified = format!(
            "{:?}-{}-{}",
            status.last_refresh, status.records, status.errors
        );
        let mut kept = shared
            .kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let unchanged = report.parsed == 0 && report.removed == 0;
        let (version, snapshot) = match kept.as_ref() {
            Some(k) if unchanged && k.modified == modified => {
                (k.version.clone(), k.snapshot.clone())
            }
            _ => {
                let snapshot = Arc::new(Snapshot {
                    records: index.records()?,
                    skipped: index.errors()?.iter().map(ToString::to_string).collect(),
                });
                let version = digest(&snapshot);
                *kept = Some(Kept {
                    modified,
                    version: version.clone(),
                    snapshot: snapshot.clone(),
                });
                (version, snapshot)
            }
        };
        drop(kept);
        Ok(LocalModel {
            repo,
            index,
            version,
            snapshot,
            hub,
        })
    }

    /// The repository it reads.
    pub fn repo(&self) -> &Repo {
        &self.repo
    }

    fn snapshot(&self) -> Result<Arc<Snapshot>, UserError> {
        Ok(self.snapshot.clone())
    }

    fn matches(query: &RecordQuery, record: &Record) -> bool {
        let filter = ListFilter {
            kind: query.kind,
            status: query.status,
            tags: query.tag.iter().cloned().collect(),
        };
        filter.matches(record)
            && query.author.as_ref().is_none_or(|a| {
                record
                    .author
                    .as_ref()
                    .is_some_and(|ra| ra.to_lowercase().contains(&a.to_lowercase()))
            })
            && query.path.as_ref().is_none_or(|p| record.governs(p))
    }
}

/// At most this many search hits are ranked for a timeline search (then paginated).
const SEARCH_LIMIT: usize = 500;

impl ReadModel for LocalModel {
    fn version(&self) -> Result<String, UserError> {
        Ok(self.version.clone())
    }

    fn all(&self) -> Result<Arc<Snapshot>, UserError> {
        self.snapshot()
    }

    fn records(&self, query: &RecordQuery) -> Result<RecordPage, UserError> {
        let per_page = query.per_page.max(1);
        let page = query.page.max(1);
        let snapshot = self.snapshot()?;
        let rows: Vec<Row> = match query.text.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => {
                let request = RecallRequest {
                    text: Some(text.to_owned()),
                    filter: ListFilter {
                        kind: query.kind,
                        status: query.status,
                        tags: query.tag.iter().cloned().collect(),
                    },
                    path: query.path.clone(),
                    all: true,
                    limit: SEARCH_LIMIT,
                    hub: None,
                    mode: None,
                };
                read::recall(&self.repo, &request)?
                    .hits
                    .into_iter()
                    .filter_map(|hit| {
                        let record = snapshot.get(&hit.id)?;
                        Self::matches(query, record).then(|| Row {
                            snippet: Some(hit.snippet),
                            ..Row::of(record)
                        })
                    })
                    .collect()
            }
            _ => snapshot
                .records
                .iter()
                .rev()
                .filter(|r| Self::matches(query, r))
                .map(Row::of)
                .collect(),
        };
        Ok(RecordPage::of(rows, page, per_page))
    }

    fn record(&self, id: &str) -> Result<Record, UserError> {
        Ok(self.index.resolve(id)?)
    }

    fn recall(&self, text: &str, limit: usize) -> Result<Vec<Hit>, UserError> {
        let request = RecallRequest {
            text: Some(text.to_owned()).filter(|t| !t.trim().is_empty()),
            limit,
            ..RecallRequest::default()
        };
        Ok(read::recall(&self.repo, &request)?.hits)
    }

    fn related(&self, id: &str, limit: usize) -> Result<Vec<Hit>, UserError> {
        let record = self.index.resolve(id)?;
        crate::usecase::meaning::related_in(&self.repo, &self.index, &record, limit)
    }

    fn history(&self, file: &str) -> Result<Vec<Change>, UserError> {
        let mut git = self.repo.git();
        git.args([
            "log",
            "--follow",
            "-n",
            "50",
            "--format=%H%x1f%an%x1f%aI%x1f%s",
            "--",
            file,
        ]);
        // A repository without commits has no history: that is an empty list, not an error.
        let out = repo::run_captured(&mut git).unwrap_or_default();
        Ok(parse_log(&out))
    }

    fn files(&self) -> Result<Arc<Vec<String>>, UserError> {
        let mut git = self.repo.git();
        git.args(["ls-files", "-z"]);
        let out = repo::run_captured(&mut git)?;
        let mut files: Vec<String> = out
            .split('\0')
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect();
        files.sort();
        files.dedup();
        Ok(Arc::new(files))
    }

    fn policies(&self) -> Result<PolicyView, UserError> {
        let policies = match crate::usecase::check::policies(&self.repo) {
            Ok(policies) => policies,
            Err(e) => {
                return Ok(PolicyView {
                    problem: Some(e.to_string()),
                    ..PolicyView::default()
                });
            }
        };
        Ok(PolicyView {
            rules: policies
                .rules
                .iter()
                .map(|r| RuleView {
                    id: r.id.clone(),
                    kind: r.kind.name().to_owned(),
                    severity: r.severity.to_string(),
                    hooks: r.hooks.iter().map(|h| h.name().to_owned()).collect(),
                    message: r.message.clone(),
                    source: format!("{}:{}", r.source.file.display(), r.source.line),
                })
                .collect(),
            disabled: policies.disabled.clone(),
            problem: None,
        })
    }

    fn verdicts(&self, limit: usize) -> Result<Vec<VerdictView>, UserError> {
        Ok(crate::usecase::check::verdicts(&self.repo, limit)?
            .into_iter()
            .map(|v| VerdictView {
                time: v.time.to_string(),
                hook: v.hook,
                blocked: v.outcome == crate::policy::journal::Outcome::Blocked,
                rules: v.rules,
            })
            .collect())
    }

    fn hub(&self) -> Result<Option<HubView>, UserError> {
        let Some(spec) = &self.hub else {
            return Ok(None);
        };
        let spec = Some(spec.as_str()).filter(|s| !s.is_empty());
        let hub = Hub::resolve(spec, Some(self.repo.workdir()))?;
        let query = RecallQuery {
            all: true,
            limit: 200,
            ..RecallQuery::default()
        };
        let mut records: Vec<HubRecord> =
            hub::recall::hub_hits(&hub, &query, &mut |_| Ok::<(), UserError>(()))?
                .into_iter()
                .map(|h| HubRecord {
                    evidence: h.evidence.as_ref().map(|e| e.summary()).unwrap_or_default(),
                    mostly_failure: h.evidence.as_ref().is_some_and(|e| e.mostly_failure()),
                    id: h.id,
                    title: h.title,
                    kind: h.kind,
                    status: h.status,
                })
                .collect();
        records.sort_by(|a, b| b.evidence.cmp(&a.evidence).then(a.id.cmp(&b.id)));
        let projects = if hub.has_clone() {
            hub::registry::list(&hub)?
                .projects
                .into_iter()
                .map(|p| HubProject {
                    template: format!("{} {}", p.entry.template, p.entry.version),
                    skills: p.entry.skills,
                    inherited: p.entry.inherited.len(),
                    stage: p.current_stage.as_str().to_owned(),
                    since: p.since,
                    name: p.entry.name,
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(Some(HubView {
            name: hub.name.clone(),
            url: hub.url.clone(),
            records,
            no_records: "No records in the hub's clone.",
            projects,
            templates: Vec::new(),
        }))
    }

    fn services(&self) -> Result<ServicesView, UserError> {
        let status = crate::usecase::services::status(&self.repo)?;
        let outbox = status.outbox;
        Ok(ServicesView {
            webhooks: status
                .webhooks
                .into_iter()
                .map(|w| (w.url, w.events))
                .collect(),
            queued: outbox.queued,
            refused: outbox.refused,
            recent: outbox
                .recent
                .iter()
                .map(|d| {
                    (
                        d.time.clone(),
                        d.event.clone(),
                        d.url.clone(),
                        d.status.to_string(),
                    )
                })
                .collect(),
            failing: outbox
                .failing
                .iter()
                .map(|d| (d.event.clone(), d.url.clone(), d.last_error.clone()))
                .collect(),
            ai_spend_usd: status.ai_spend_usd,
        })
    }
}

/// `git log --format=%H%x1f%an%x1f%aI%x1f%s` output as changes.
pub fn parse_log(out: &str) -> Vec<Change> {
    out.lines()
        .filter_map(|line| {
            let mut parts = line.split('\x1f');
            Some(Change {
                commit: parts.next()?.to_owned(),
                author: parts.next()?.to_owned(),
                date: parts.next()?.to_owned(),
                subject: parts.next().unwrap_or_default().to_owned(),
            })
        })
        .collect()
}

/// A digest of every record's file, front matter and body, and of the broken files.
fn digest(snapshot: &Snapshot) -> String {
    let mut hasher = std::hash::DefaultHasher::new();
    for r in &snapshot.records {
        r.file.hash(&mut hasher);
        r.front_matter.hash(&mut hasher);
        r.body.hash(&mut hasher);
    }
    snapshot.skipped.hash(&mut hasher);
    format!("{:016x}-{}", hasher.finish(), snapshot.records.len())
}

/// The mtimes of the record folders (and `.datazentr/` itself).
fn folder_mtimes(repo: &Repo) -> Vec<Option<SystemTime>> {
    let root = repo.workdir().join(".datazentr");
    ["", "decisions", "patterns", "lessons"]
        .iter()
        .map(|d| {
            std::fs::metadata(root.join(d))
                .and_then(|m| m.modified())
                .ok()
        })
        .collect()
}
