//! `org recall`: every hub's records, ranked as local recall ranks a project's and its hub's.
//!
//! The keyword list comes from the weighted `tsvector`s (`ts_rank`: title above tags above
//! body), records with every word first, then records with any of them; the list by meaning from
//! pgvector's HNSW index (cosine distance). The two are merged by [`crate::semantic::fuse`] —
//! the same function and constants local recall uses — then weighted by status, outcome and age
//! ([`crate::index::weighted`]) and by the evidence of the projects that used the record, softened
//! on a fused score exactly as `recall --hub` does.
//!
//! Cost: two indexed queries (GIN and HNSW) of at most `depth` rows, one to read the winners.
//! A word common to most records would make ranking every match expensive at a million
//! records, so each keyword list ranks at most the first [`CANDIDATES`] records that match (in
//! the order the GIN index yields them); a question that specific words answer matches fewer.

use std::collections::HashMap;
use std::path::Path;

use super::{Db, OrgError};
use crate::index::{Evidence, Hit};
use crate::record::{Kind, Record};
use crate::semantic::Embedder;
use crate::semantic::fuse::{self, Match, Mode, STRONG_SIMILARITY};

/// How many matching records each keyword list ranks, at most.
pub const CANDIDATES: i64 = 2000;

/// How many slices (`rid % SLICES`) the keyword index is cut into: schema version 2 made one
/// partial GIN index per slice, so changing this needs a migration.
pub const SLICES: i64 = 16;

/// A hit of org-wide recall: the hub it lives in, and the hit as local recall shapes it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OrgHit {
    /// The hub's name.
    pub hub: String,
    /// The record's hit (its `location` is `hub <name>`).
    #[serde(flatten)]
    pub hit: Hit,
}

/// What to look for.
#[derive(Debug, Clone, Copy)]
pub struct OrgQuery<'a> {
    /// The question.
    pub text: &'a str,
    /// At most this many hits.
    pub limit: usize,
    /// Hybrid, by meaning or by keyword.
    pub mode: Mode,
    /// Only records of this kind.
    pub kind: Option<Kind>,
}

/// Statuses recall shows unless asked for more.
const CURRENT: &str = "status IN ('proposed', 'accepted')";

/// The question's vector, when the mode asks for one.
pub fn question_vector(mode: Mode, text: &str) -> Result<Option<Vec<f32>>, OrgError> {
    if mode == Mode::Keyword || text.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(Embedder::load(None)?.embed(text)))
}

/// How deep each list is searched: fusion needs lists deeper than the hits asked for.
fn depth(query: &OrgQuery<'_>, semantic: bool) -> i64 {
    if semantic {
        fuse::list_depth(query.limit) as i64
    } else {
        query.limit as i64
    }
}

/// Ranked hits for the question in `query`, across every hub, best first: the keyword lists are
/// searched on one connection while this thread embeds the question and searches by meaning on
/// another (the model and one database backend on one core, the other backend on the other).
pub fn recall_question(db: &Db, query: &OrgQuery<'_>) -> Result<Vec<OrgHit>, OrgError> {
    let semantic = query.mode != Mode::Keyword && !query.text.trim().is_empty();
    let depth = depth(query, semantic);
    let (keyword, vector, nearest) = std::thread::scope(|scope| {
        let keyword = scope.spawn(|| keyword_lists(db, query, depth));
        let vector = question_vector(query.mode, query.text);
        let nearest = match &vector {
            Ok(Some(vector)) => nearest(db, query, vector, depth),
            _ => Ok(Vec::new()),
        };
        let keyword = keyword
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (keyword, vector, nearest)
    });
    let (keyword, vector, nearest) = (keyword?, vector?, nearest?);
    rank(db, query, vector.as_deref(), keyword, nearest, depth)
}

/// Ranked hits for `query` across every hub, best first. `vector` is the question's (from
/// [`question_vector`]); `None` ranks by keyword alone.
pub fn recall(
    db: &Db,
    query: &OrgQuery<'_>,
    vector: Option<&[f32]>,
) -> Result<Vec<OrgHit>, OrgError> {
    let depth = depth(query, vector.is_some());
    let keyword = keyword_lists(db, query, depth)?;
    let nearest = match vector {
        Some(vector) => nearest(db, query, vector, depth)?,
        None => Vec::new(),
    };
    rank(db, query, vector, keyword, nearest, depth)
}

/// The `depth` current records nearest in meaning to `vector` (HNSW), with their similarity.
/// The schema is checked by [`keyword_lists`], which every recall runs beside this.
fn nearest(
    db: &Db,
    query: &OrgQuery<'_>,
    vector: &[f32],
    depth: i64,
) -> Result<Vec<(i64, f32)>, OrgError> {
    let mut conn = db.conn()?;
    let err = db.err();
    let kind = query.kind.map(Kind::as_str);
    let text = super::index::vector_text(vector);
    let mut tx = conn.transaction().map_err(&err)?;
    tx.batch_execute("SET LOCAL hnsw.ef_search = 100")
        .map_err(&err)?;
    let nearest = tx
        .query(
            &format!(
                "SELECT rid, (1 - (embedding <=> $1::text::vector))::float4 FROM zen_records
                 WHERE embedding IS NOT NULL AND error IS NULL AND {CURRENT}
                   AND ($2::text IS NULL OR kind = $2)
                 ORDER BY embedding <=> $1::text::vector LIMIT $3"
            ),
            &[&text, &kind, &depth],
        )
        .map_err(&err)?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    tx.commit().map_err(&err)?;
    Ok(nearest)
}

/// A keyword match: row, `ts_rank`, and whether it has every word.
type KeywordMatch = (i64, f64, bool);

/// Records with every word, then (up to `depth`) records with any of them.
fn keyword_lists(db: &Db, query: &OrgQuery<'_>, depth: i64) -> Result<Vec<KeywordMatch>, OrgError> {
    let mut conn = db.checked()?;
    let err = db.err();
    let kind = query.kind.map(Kind::as_str);
    let first = first_slice(query.text);
    let mut ranked = |tsquery: &str| {
        conn.query(
            &ranked_sql(tsquery, first),
            &[&query.text, &kind, &depth, &CANDIDATES],
        )
        .map_err(&err)
    };
    let mut keyword: Vec<KeywordMatch> = ranked("plainto_tsquery('english', $1)")?
        .iter()
        .map(|r| (r.get(0), r.get(1), true))
        .collect();
    if (keyword.len() as i64) < depth {
        let any = ranked("replace(plainto_tsquery('english', $1)::text, '&', '|')::tsquery")?;
        for r in any {
            let rid: i64 = r.get(0);
            if keyword.len() as i64 >= depth {
                break;
            }
            if !keyword.iter().any(|k| k.0 == rid) {
                keyword.push((rid, r.get(1), false));
            }
        }
    }
    Ok(keyword)
}

/// The SQL ranking (`ts_rank`) the best `$3` of the first `$4` current records matching
/// `tsquery` (SQL over the question, `$1`; `$2` a kind or null), read slice by slice from
/// `first` on.
///
/// Each slice has its own partial GIN index (schema version 2), and the scan stops at the slice
/// that completes `$4`: a question whose words most records hold builds one slice's bitmap, a
/// sixteenth of the one the whole table's index would build, while rare words read every slice's
/// short posting lists and miss nothing.
fn ranked_sql(tsquery: &str, first: i64) -> String {
    let slices: Vec<String> = (0..SLICES)
        .map(|i| (first + i) % SLICES)
        .map(|slice| {
            format!(
                "(SELECT rid, tsv FROM zen_records
                  WHERE rid % {SLICES} = {slice} AND tsv @@ {tsquery} AND error IS NULL
                    AND {CURRENT} AND ($2::text IS NULL OR kind = $2))"
            )
        })
        .collect();
    format!(
        "WITH c AS (SELECT rid, tsv FROM ({}) s LIMIT $4)
         SELECT rid, ts_rank(tsv, {tsquery})::float8 FROM c ORDER BY 2 DESC, rid DESC LIMIT $3",
        slices.join(" UNION ALL ")
    )
}

/// The slice a question's keyword scan starts at: the same for the same question on every
/// server, and different across questions, so that no one sixteenth of the records fills the
/// lists of every question whose words most records hold.
fn first_slice(question: &str) -> i64 {
    (crate::hub::config::fnv1a(question.as_bytes()) % SLICES as u64) as i64
}

/// Fuses the keyword list with the records `nearest` to `vector` and weighs the result.
fn rank(
    db: &Db,
    query: &OrgQuery<'_>,
    vector: Option<&[f32]>,
    keyword: Vec<KeywordMatch>,
    mut similarity: Vec<(i64, f32)>,
    depth: i64,
) -> Result<Vec<OrgHit>, OrgError> {
    let mut conn = db.conn()?;
    let err = db.err();
    // The similarity of every keyword match that has a vector, for the fused scores.
    if let Some(vector) = vector {
        let missing: Vec<i64> = keyword
            .iter()
            .map(|k| k.0)
            .filter(|rid| !similarity.iter().any(|s| s.0 == *rid))
            .collect();
        if !missing.is_empty() {
            let more = conn
                .query(
                    "SELECT rid, (1 - (embedding <=> $1::text::vector))::float4 FROM zen_records
                     WHERE rid = ANY($2) AND embedding IS NOT NULL",
                    &[&super::index::vector_text(vector), &missing],
                )
                .map_err(&err)?;
            similarity.extend(
                more.iter()
                    .map(|r| (r.get::<_, i64>(0), r.get::<_, f32>(1))),
            );
            similarity.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
        }
    }
    let ranked: Vec<Candidate> = if vector.is_some() {
        let keyword_ids: Vec<i64> = if query.mode == Mode::Semantic {
            Vec::new()
        } else {
            keyword.iter().map(|k| k.0).collect()
        };
        fuse::fuse(&keyword_ids, &similarity, depth as usize)
            .into_iter()
            .map(|f| {
                let all_words = keyword.iter().any(|k| k.0 == f.rowid && k.2);
                let close = f.similarity.is_some_and(|s| s >= STRONG_SIMILARITY);
                let strength = if close || (all_words && query.mode != Mode::Semantic) {
                    Match::Strong
                } else {
                    Match::Weak
                };
                Candidate {
                    rid: f.rowid,
                    relevance: f.fused,
                    keyword_rank: f.keyword_rank,
                    similarity: f.similarity,
                    fused: Some(f.fused),
                    strength,
                }
            })
            .collect()
    } else {
        keyword
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let strength = if k.2 { Match::Strong } else { Match::Weak };
                Candidate {
                    rid: k.0,
                    relevance: k.1,
                    keyword_rank: Some(i + 1),
                    similarity: None,
                    fused: None,
                    strength,
                }
            })
            .collect()
    };
    let rids: Vec<i64> = ranked.iter().map(|r| r.rid).collect();
    let rows = load(db, &mut conn, &rids)?;
    let evidence = evidence(db, &mut conn, rows.values())?;
    let mut hits = Vec::new();
    for Candidate {
        rid,
        relevance,
        keyword_rank,
        similarity,
        fused,
        strength,
    } in ranked
    {
        let Some(row) = rows.get(&rid) else { continue };
        let mut hit = Hit::found(row.record.clone(), relevance);
        hit.keyword_rank = keyword_rank;
        hit.semantic_score = similarity;
        hit.fused_score = fused;
        hit.strength = strength;
        hit.score = crate::index::weighted(&row.record, relevance, fused.is_some());
        let ev = evidence
            .get(&(row.hub_id, row.record.id.to_string()))
            .cloned()
            .unwrap_or_else(|| crate::index::evidence_of(&row.record, []));
        crate::hub::recall::attach_evidence(&mut hit, ev, &row.hub);
        hits.push(OrgHit {
            hub: row.hub.clone(),
            hit,
        });
    }
    hits.sort_by(|a, b| {
        b.hit
            .score
            .total_cmp(&a.hit.score)
            .then_with(|| b.hit.id.cmp(&a.hit.id))
    });
    hits.truncate(query.limit);
    Ok(hits)
}

/// A record's place in the ranking, before the weights.
struct Candidate {
    rid: i64,
    /// The fused score, or `ts_rank` when ranked by keyword alone.
    relevance: f64,
    keyword_rank: Option<usize>,
    similarity: Option<f32>,
    fused: Option<f64>,
    strength: Match,
}

/// An outcome event as evidence reads it: (project, verdict, time).
type Event = (String, String, String);

/// A record row read back: its hub and the record parsed from its text.
#[derive(Debug, Clone)]
pub struct Row {
    /// The hub's id.
    pub hub_id: i32,
    /// The hub's name.
    pub hub: String,
    /// The record.
    pub record: Record,
}

/// The records at `rids` that parse.
pub(crate) fn load(
    db: &Db,
    conn: &mut postgres::Client,
    rids: &[i64],
) -> Result<HashMap<i64, Row>, OrgError> {
    let rows = conn
        .query(
            "SELECT r.rid, r.hub_id, h.name, r.path, r.source FROM zen_records r
             JOIN zen_hubs h ON h.id = r.hub_id WHERE r.rid = ANY($1) AND r.error IS NULL",
            &[&rids],
        )
        .map_err(db.err())?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let path: String = r.get(3);
            let source: String = r.get(4);
            let record = crate::record::parse(Path::new(&path), &source).ok()?;
            Some((
                r.get(0),
                Row {
                    hub_id: r.get(1),
                    hub: r.get(2),
                    record,
                },
            ))
        })
        .collect())
}

/// The evidence of each record of `rows` in its own hub, from the hub's outcome events.
pub(crate) fn evidence<'a>(
    db: &Db,
    conn: &mut postgres::Client,
    rows: impl Iterator<Item = &'a Row>,
) -> Result<HashMap<(i32, String), Evidence>, OrgError> {
    let rows: Vec<&Row> = rows.collect();
    let ids: Vec<String> = rows.iter().map(|r| r.record.id.to_string()).collect();
    let mut events: HashMap<(i32, String), Vec<Event>> = HashMap::new();
    for r in conn
        .query(
            "SELECT hub_id, record_id, content FROM zen_files WHERE record_id = ANY($1)",
            &[&ids],
        )
        .map_err(db.err())?
    {
        let content: String = r.get(2);
        let Ok(table) = toml::from_str::<toml::Table>(&content) else {
            continue;
        };
        let text = |k: &str| table.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let (Some(project), Some(verdict), Some(time)) = (
            text("project_id").or_else(|| text("project")),
            text("verdict"),
            text("time"),
        ) else {
            continue;
        };
        events
            .entry((r.get(0), r.get(1)))
            .or_default()
            .push((project, verdict, time));
    }
    Ok(rows
        .iter()
        .map(|row| {
            let key = (row.hub_id, row.record.id.to_string());
            let found = events.remove(&key).unwrap_or_default();
            let evidence = crate::index::evidence_of(&row.record, found);
            (key, evidence)
        })
        .collect())
}
