//! The dashboard's [`ReadModel`] over the org index: the same pages and API as a project's,
//! across every hub. Nothing is kept between requests but idle connections, so any number of
//! servers can share one database.
//!
//! What belongs to one clone (policies, hook verdicts, the outbox, git history of a file) has
//! no org-wide meaning: those pages show nothing. The list of every record
//! ([`ReadModel::all`], for the overview, graph and code pages) holds the newest
//! [`ALL_LIMIT`] records: at a million records a page cannot hold them all.

use std::path::Path;
use std::sync::Arc;

use super::recall::{OrgQuery, load, recall, recall_question};
use super::{Db, OrgError};
use crate::error::UserError;
use crate::index::Hit;
use crate::record::{Kind, Record, Status};
use crate::semantic::Mode;
use crate::web::model::{
    Change, HubProject, HubRecord, HubView, PolicyView, ReadModel, RecordPage, RecordQuery, Row,
    ServicesView, Snapshot, TemplateView, VerdictView,
};

/// How many records [`ReadModel::all`] holds, newest first.
pub const ALL_LIMIT: i64 = 5000;

impl From<OrgError> for UserError {
    fn from(e: OrgError) -> Self {
        UserError::from_error(&e)
    }
}

/// The org index, read by the dashboard.
#[derive(Debug, Clone)]
pub struct OrgModel {
    db: Arc<Db>,
}

impl OrgModel {
    /// A model over `db` (its schema checked now, so a wrong database fails at start).
    pub fn open(db: Arc<Db>) -> Result<OrgModel, OrgError> {
        db.checked()?;
        Ok(OrgModel { db })
    }

    fn rows(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<(String, Record)>, OrgError> {
        let mut conn = self.db.conn()?;
        let rows = conn.query(sql, params).map_err(self.db.err())?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let hub: String = r.get(0);
                let path: String = r.get(1);
                let source: String = r.get(2);
                let record = crate::record::parse(Path::new(&path), &source).ok()?;
                Some((hub, record))
            })
            .collect())
    }
}

const SELECT: &str = "SELECT h.name, r.path, r.source FROM zen_records r
                      JOIN zen_hubs h ON h.id = r.hub_id";

impl ReadModel for OrgModel {
    fn version(&self) -> Result<String, UserError> {
        let mut conn = self.db.conn()?;
        let row = conn
            .query_one(
                "SELECT coalesce(string_agg(coalesce(tree, '-'), ',' ORDER BY id), '')
                 FROM zen_hubs",
                &[],
            )
            .map_err(self.db.err())?;
        let trees: String = row.get(0);
        Ok(crate::semantic::text::key_of(&trees))
    }

    fn all(&self) -> Result<Arc<Snapshot>, UserError> {
        let mut records: Vec<Record> = self
            .rows(
                &format!("{SELECT} WHERE r.error IS NULL ORDER BY r.id DESC LIMIT $1"),
                &[&ALL_LIMIT],
            )?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        records.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        records.dedup_by(|a, b| a.id == b.id);
        let mut conn = self.db.conn()?;
        let skipped = conn
            .query(
                "SELECT h.name || ': ' || r.error FROM zen_records r
                 JOIN zen_hubs h ON h.id = r.hub_id WHERE r.error IS NOT NULL
                 ORDER BY h.name, r.path LIMIT 200",
                &[],
            )
            .map_err(self.db.err())?
            .iter()
            .map(|r| r.get(0))
            .collect();
        Ok(Arc::new(Snapshot { records, skipped }))
    }

    fn records(&self, query: &RecordQuery) -> Result<RecordPage, UserError> {
        let per_page = query.per_page.max(1);
        let page = query.page.max(1);
        if let Some(text) = query
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let hits = self.recall(text, 200)?;
            let rows: Vec<Row> = hits
                .into_iter()
                .filter(|h| query.kind.is_none_or(|k| h.kind == k))
                .filter(|h| query.status.is_none_or(|s| h.status == s))
                .filter(|h| {
                    query
                        .tag
                        .as_ref()
                        .is_none_or(|t| h.tags.iter().any(|x| x.eq_ignore_ascii_case(t)))
                })
                .map(|h| Row {
                    id: h.id,
                    kind: h.kind,
                    title: h.title,
                    status: h.status,
                    created: None,
                    author: None,
                    tags: h.tags,
                    snippet: Some(h.snippet),
                })
                .collect();
            return Ok(RecordPage::of(rows, page, per_page));
        }
        let kind = query.kind.map(Kind::as_str);
        let status = query.status.map(Status::as_str);
        let tag = query.tag.as_ref().map(|t| t.to_lowercase());
        let author = query
            .author
            .as_ref()
            .map(|a| format!("%{}%", a.to_lowercase()));
        let filter = "r.error IS NULL AND ($1::text IS NULL OR r.kind = $1)
             AND ($2::text IS NULL OR r.status = $2)
             AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM unnest(r.tags) t WHERE lower(t) = $3))
             AND ($4::text IS NULL OR lower(r.author) LIKE $4)";
        let mut conn = self.db.conn()?;
        let total: i64 = conn
            .query_one(
                &format!("SELECT count(*) FROM zen_records r WHERE {filter}"),
                &[&kind, &status, &tag, &author],
            )
            .map_err(self.db.err())?
            .get(0);
        drop(conn);
        let offset = ((page - 1) * per_page) as i64;
        let limit = per_page as i64;
        let rows = self
            .rows(
                &format!("{SELECT} WHERE {filter} ORDER BY r.id DESC, h.name LIMIT $5 OFFSET $6"),
                &[&kind, &status, &tag, &author, &limit, &offset],
            )?
            .iter()
            .map(|(_, r)| Row::of(r))
            .collect();
        Ok(RecordPage {
            rows,
            total: total as usize,
            page,
            per_page,
        })
    }

    fn record(&self, id: &str) -> Result<Record, UserError> {
        if !crate::id::is_id_prefix(id) {
            return Err(UserError::failed(format!(
                "no record `{id}` in the org index"
            )));
        }
        let found = self.rows(
            &format!(
                "{SELECT} WHERE r.error IS NULL AND r.id LIKE $1 ORDER BY r.id, h.name LIMIT 2"
            ),
            &[&format!("{id}%")],
        )?;
        match found.as_slice() {
            [] => Err(
                UserError::failed(format!("no record `{id}` in the org index"))
                    .hint("`git zen org recall WORDS` finds records by what they say"),
            ),
            [(_, only)] => Ok(only.clone()),
            [(_, a), (_, b), ..] if a.id == b.id => Ok(a.clone()),
            _ => Err(
                UserError::failed(format!("`{id}` is the start of several records' ids"))
                    .hint("give more of the id"),
            ),
        }
    }

    fn recall(&self, text: &str, limit: usize) -> Result<Vec<Hit>, UserError> {
        let query = OrgQuery {
            text,
            limit,
            mode: Mode::Hybrid,
            kind: None,
        };
        Ok(recall_question(&self.db, &query)?
            .into_iter()
            .map(|h| h.hit)
            .collect())
    }

    fn related(&self, id: &str, limit: usize) -> Result<Vec<Hit>, UserError> {
        let record = self.record(id)?;
        let mut conn = self.db.conn()?;
        let near = conn
            .query(
                "WITH me AS (SELECT embedding FROM zen_records
                             WHERE id = $1 AND embedding IS NOT NULL LIMIT 1)
                 SELECT r.rid, (1 - (r.embedding <=> me.embedding))::float4 FROM zen_records r, me
                 WHERE r.embedding IS NOT NULL AND r.error IS NULL AND r.id <> $1
                 ORDER BY r.embedding <=> me.embedding LIMIT $2",
                &[&record.id.as_str(), &(limit as i64 * 2)],
            )
            .map_err(self.db.err())?;
        if near.is_empty() {
            // No vector yet: records sharing the title's words.
            let query = OrgQuery {
                text: &record.title,
                limit: limit + 1,
                mode: Mode::Keyword,
                kind: None,
            };
            return Ok(recall(&self.db, &query, None)?
                .into_iter()
                .map(|h| h.hit)
                .filter(|h| h.id != record.id.as_str())
                .take(limit)
                .collect());
        }
        let rids: Vec<i64> = near.iter().map(|r| r.get(0)).collect();
        let rows = load(&self.db, &mut conn, &rids)?;
        let mut hits: Vec<Hit> = Vec::new();
        for r in &near {
            let rid: i64 = r.get(0);
            let similarity: f32 = r.get(1);
            let Some(row) = rows.get(&rid) else { continue };
            if hits.iter().any(|h| h.id == row.record.id.as_str()) {
                continue;
            }
            let mut hit = Hit::found(row.record.clone(), f64::from(similarity));
            hit.semantic_score = Some(similarity);
            hit.location = format!("hub {}", row.hub);
            hits.push(hit);
        }
        hits.truncate(limit);
        Ok(hits)
    }

    fn history(&self, _file: &str) -> Result<Vec<Change>, UserError> {
        Ok(Vec::new())
    }

    fn files(&self) -> Result<Arc<Vec<String>>, UserError> {
        Ok(Arc::default())
    }

    fn policies(&self) -> Result<PolicyView, UserError> {
        Ok(PolicyView {
            problem: Some(
                "policies belong to each project: the org index does not hold them".into(),
            ),
            ..PolicyView::default()
        })
    }

    fn verdicts(&self, _limit: usize) -> Result<Vec<VerdictView>, UserError> {
        Ok(Vec::new())
    }

    fn hub(&self) -> Result<Option<HubView>, UserError> {
        let hubs = super::hub_list(&self.db)?;
        let mut conn = self.db.conn()?;
        // Records with evidence, best evidence first.
        let rows = conn
            .query(
                "SELECT DISTINCT r.rid FROM zen_records r
                 JOIN zen_files f ON f.hub_id = r.hub_id AND f.record_id = r.id
                 WHERE r.error IS NULL LIMIT 500",
                &[],
            )
            .map_err(self.db.err())?;
        let rids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
        let loaded = load(&self.db, &mut conn, &rids)?;
        let evidence = super::recall::evidence(&self.db, &mut conn, loaded.values())?;
        let mut records: Vec<(f64, HubRecord)> = loaded
            .values()
            .map(|row| {
                let ev = evidence
                    .get(&(row.hub_id, row.record.id.to_string()))
                    .cloned()
                    .unwrap_or_default();
                (
                    ev.score,
                    HubRecord {
                        id: row.record.id.to_string(),
                        title: format!("{} ({})", row.record.title, row.hub),
                        kind: row.record.kind,
                        status: row.record.status,
                        evidence: ev.summary(),
                        mostly_failure: ev.mostly_failure(),
                    },
                )
            })
            .collect();
        records.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
        let (projects, templates) = projects(&self.db, &mut conn)?;
        Ok(Some(HubView {
            name: format!("organisation ({} hubs)", hubs.len()),
            url: hubs
                .iter()
                .map(|h| format!("{} {}", h.name, h.url))
                .collect::<Vec<_>>()
                .join(", "),
            records: records.into_iter().map(|(_, r)| r).collect(),
            no_records: "No project has given a verdict on a hub record yet.",
            projects,
            templates,
        }))
    }

    fn services(&self) -> Result<ServicesView, UserError> {
        Ok(ServicesView::default())
    }
}

/// A project folder: its entry, and its newest stage event's (stage, time).
type Folder = (
    Option<crate::hub::registry::ProjectEntry>,
    Option<(String, String)>,
);

/// Every hub's registered projects, with their current stage, and how each template's projects
/// fared (their verdicts on the records they used), most failures first.
fn projects(
    db: &Db,
    conn: &mut postgres::Client,
) -> Result<(Vec<HubProject>, Vec<TemplateView>), OrgError> {
    let rows = conn
        .query(
            "SELECT h.name, f.path, f.content FROM zen_files f JOIN zen_hubs h ON h.id = f.hub_id
             WHERE f.path LIKE 'projects/%' ORDER BY h.name, f.path",
            &[],
        )
        .map_err(db.err())?;
    // (hub, folder) -> (entry, newest stage event's (stage, time))
    let mut folders: std::collections::BTreeMap<(String, String), Folder> =
        std::collections::BTreeMap::new();
    for r in &rows {
        let hub: String = r.get(0);
        let path: String = r.get(1);
        let content: String = r.get(2);
        let Some((folder, rest)) = path.trim_start_matches("projects/").split_once('/') else {
            continue;
        };
        let slot = folders.entry((hub, folder.to_owned())).or_default();
        if rest == "project.toml" {
            slot.0 = toml::from_str(&content).ok();
        } else if rest.starts_with("stages/") {
            // Stage events are named by id, so the last in path order is the newest.
            if let Ok(table) = toml::from_str::<toml::Table>(&content) {
                let get = |k: &str| table.get(k).and_then(|v| v.as_str()).map(str::to_owned);
                if let (Some(stage), Some(time)) = (get("stage"), get("time")) {
                    slot.1 = Some((stage, time));
                }
            }
        }
    }
    // Verdicts by project id (and by name, for events that have only the name).
    let mut verdicts: std::collections::HashMap<String, [usize; 3]> = Default::default();
    for r in conn
        .query(
            "SELECT content FROM zen_files WHERE record_id IS NOT NULL",
            &[],
        )
        .map_err(db.err())?
    {
        let content: String = r.get(0);
        let Ok(table) = toml::from_str::<toml::Table>(&content) else {
            continue;
        };
        let get = |k: &str| table.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let slot = match get("verdict").as_deref() {
            Some("success") => 0,
            Some("failure") => 1,
            Some("mixed") => 2,
            _ => continue,
        };
        if let Some(project) = get("project_id").or_else(|| get("project")) {
            verdicts.entry(project).or_default()[slot] += 1;
        }
    }
    let mut templates: std::collections::BTreeMap<String, TemplateView> = Default::default();
    let mut projects: Vec<HubProject> = folders
        .into_iter()
        .filter_map(|((hub, _), (entry, stage))| {
            let entry = entry?;
            let t = templates
                .entry(entry.template.clone())
                .or_insert_with(|| TemplateView {
                    template: entry.template.clone(),
                    projects: 0,
                    success: 0,
                    failure: 0,
                    mixed: 0,
                });
            t.projects += 1;
            if let Some([s, f, m]) = verdicts.get(&entry.id) {
                t.success += s;
                t.failure += f;
                t.mixed += m;
            }
            let (stage, since) =
                stage.unwrap_or_else(|| (entry.stage.as_str().to_owned(), entry.created.clone()));
            Some(HubProject {
                name: format!("{} ({hub})", entry.name),
                template: format!("{} {}", entry.template, entry.version),
                skills: entry.skills,
                inherited: entry.inherited.len(),
                stage,
                since,
            })
        })
        .collect();
    projects.sort_by(|a, b| a.name.cmp(&b.name));
    let share =
        |t: &TemplateView| t.failure as f64 / (t.success + t.failure + t.mixed).max(1) as f64;
    let mut templates: Vec<TemplateView> = templates.into_values().collect();
    templates.sort_by(|a, b| {
        share(b)
            .total_cmp(&share(a))
            .then(a.template.cmp(&b.template))
    });
    Ok((projects, templates))
}
