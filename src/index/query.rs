//! `recall`: full-text search over the cache, ranked for what a team should reuse.
//!
//! User text is never FTS5 syntax: it is split into words and `"quoted phrases"`, every piece is
//! quoted for FTS5 (so operators, `:`, `-`, `*` and stray quotes are just text), and a trailing `*`
//! on a word asks for a prefix match. Records with all the words come first, then records with
//! any of them.
//!
//! With a question's vector ([`Semantic`]), the keyword list is fused with the records nearest
//! in meaning (see [`crate::semantic::fuse`]); the same weights for status, outcome and age
//! apply to either ranking.

use std::collections::HashMap;

use rusqlite::params;

use super::{Index, IndexError, Scope, Stored};
use crate::record::{Kind, Outcome, Record, Status};
use crate::semantic::fuse::{self, Match, STRONG_SIMILARITY};

/// What [`recall`] looks for; the filters apply with or without text.
#[derive(Debug, Default)]
pub struct RecallQuery<'a> {
    /// The search text; `None` lists what the filters match, newest first.
    pub text: Option<&'a str>,
    /// Only this kind (`None`: any).
    pub kind: Option<Kind>,
    /// Only this status (then superseded and rejected records are not hidden).
    pub status: Option<Status>,
    /// Only records with every one of these tags (case-insensitive, applied after the search).
    pub tags: &'a [String],
    /// Only records whose `paths` globs cover this file (relative to the work tree).
    pub path: Option<&'a str>,
    /// Include superseded, deprecated and rejected records.
    pub all: bool,
    /// At most this many hits, after ranking.
    pub limit: usize,
    /// The question's vector, for ranking by meaning; `None`: by keyword alone.
    pub semantic: Option<Semantic<'a>>,
}

/// A question embedded for recall by meaning.
#[derive(Debug, Clone, Copy)]
pub struct Semantic<'a> {
    /// The model that embedded it (only vectors of the same model are compared).
    pub model: &'a str,
    /// The question's unit vector.
    pub vector: &'a [f32],
    /// Rank by meaning alone, without fusing the keyword list.
    pub only: bool,
}

/// One result of [`recall`]; results come best first.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    /// Full 22-character id.
    pub id: String,
    /// Decision, pattern or lesson.
    pub kind: Kind,
    /// One-line title.
    pub title: String,
    /// Life-cycle status; only `proposed` and `accepted` unless the query asks for more.
    pub status: Status,
    /// Outcome (patterns and lessons).
    pub outcome: Option<Outcome>,
    /// Free-form tags, as written.
    pub tags: Vec<String>,
    /// bm25 relevance (1 without search text) times status, outcome and age weights, and a hub
    /// record's evidence: higher is better, and only comparable within one query.
    pub score: f64,
    /// File relative to the work tree (a hub record's: to the hub's root), with `/`.
    pub file: String,
    /// The best-matching passage, plain text; without search text, the body's first non-heading
    /// line (at most 120 characters).
    pub snippet: String,
    /// Ids of the records that replace this one.
    pub superseded_by: Vec<String>,
    /// A failure to learn from rather than a suggestion to follow.
    pub warning: bool,
    /// Where the record lives: `local`, `hub <name>`, or `local, hub <name>` for a record in both.
    pub location: String,
    /// For a hub record: what the projects that used it said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<super::Evidence>,
    /// 1-based rank among the keyword matches, if the record was one.
    pub keyword_rank: Option<usize>,
    /// Cosine similarity to the question (-1 to 1), if ranked by meaning.
    pub semantic_score: Option<f32>,
    /// Reciprocal-rank fusion of the keyword and meaning ranks, before the weights; `None`
    /// when ranked by keyword alone.
    pub fused_score: Option<f64>,
    /// `strong`: close in meaning or containing every word; `weak`: only the least bad.
    #[serde(rename = "match")]
    pub strength: Match,
    /// The snippet with matches between `\u{2}` and `\u{3}`, for highlighting.
    #[serde(skip)]
    pub marked_snippet: String,
}

/// The FTS5 expressions for `text`: all words, then any word. `None` if nothing is searchable.
pub fn fts_expressions(text: &str) -> Option<(String, String)> {
    let mut terms = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        rest = &rest[start..];
        let (piece, prefix, next) = if let Some(inner) = rest.strip_prefix('"') {
            let end = inner.find('"').unwrap_or(inner.len());
            let after = inner.get(end + 1..).unwrap_or("");
            (&inner[..end], false, after)
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let word = &rest[..end];
            let prefix = word.ends_with('*');
            (word, prefix, &rest[end..])
        };
        rest = next;
        let words: Vec<&str> = piece
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            continue;
        }
        let star = if prefix { "*" } else { "" };
        terms.push(format!("\"{}\"{star}", words.join(" ")));
    }
    if terms.is_empty() {
        return None;
    }
    Some((terms.join(" "), terms.join(" OR ")))
}

/// Runs a recall query against a fresh index.
pub fn recall(index: &Index, query: &RecallQuery<'_>) -> Result<Vec<Hit>, IndexError> {
    let gathered = gather(index, query, query.semantic.map(|s| s.model))?;
    rank(index, query, gathered)
}

/// The part of a recall that does not need the question's vector: the keyword list (or the
/// browsing list) and the stored vectors in scope. [`gather`] reads it while the model embeds
/// the question on another core; [`rank`] then only compares vectors and orders the hits.
pub struct Gathered {
    depth: usize,
    found: Found,
    stored: Option<Stored>,
}

enum Found {
    /// Records matching the words.
    Keyword(Vec<KeywordMatch>),
    /// Text with no word to match (only punctuation): nothing by keyword, perhaps by meaning.
    NoWords,
    /// No text: what the filters match, newest first.
    Browse(Vec<Ranked>),
}

fn scope_of(query: &RecallQuery<'_>) -> Scope {
    Scope {
        kind: query.kind,
        status: query.status,
        all: query.all,
    }
}

/// Reads what [`rank`] needs besides the question's vector; `model` names the vectors to read
/// (`None`: ranking by keyword alone).
pub fn gather(
    index: &Index,
    query: &RecallQuery<'_>,
    model: Option<&str>,
) -> Result<Gathered, IndexError> {
    let filtered = !query.tags.is_empty() || query.path.is_some();
    // Filters applied after SQL need a deeper candidate list; fusion needs lists deep enough
    // for a record low in one list and high in the other to surface.
    let depth = if filtered {
        query.limit * 20 + 200
    } else if model.is_some() {
        fuse::list_depth(query.limit)
    } else {
        query.limit
    };
    let found = match query.text.and_then(fts_expressions) {
        Some((all_words, any_word)) => {
            Found::Keyword(keyword_matches(index, query, &all_words, &any_word, depth)?)
        }
        None if query.text.is_some_and(|t| !t.trim().is_empty()) => Found::NoWords,
        None => Found::Browse(browse(index, query, depth)?),
    };
    let stored = match (&found, model) {
        (Found::Browse(_), _) | (_, None) => None,
        (_, Some(model)) => Some(index.stored_vectors(model, scope_of(query))?),
    };
    Ok(Gathered {
        depth,
        found,
        stored,
    })
}

/// Ranks what [`gather`] read, fused with `query.semantic` when there is a question's vector.
pub fn rank(
    index: &Index,
    query: &RecallQuery<'_>,
    gathered: Gathered,
) -> Result<Vec<Hit>, IndexError> {
    let Gathered {
        depth,
        found,
        stored,
    } = gathered;
    let scope = scope_of(query);
    let stored = match (query.semantic, stored) {
        (Some(semantic), Some(stored)) if stored.holds(semantic.model, scope) => Some(stored),
        (Some(semantic), _) => Some(index.stored_vectors(semantic.model, scope)?),
        (None, _) => None,
    };
    let meaning = query.semantic.zip(stored.as_ref());
    let mut hits = match (found, meaning) {
        (Found::Keyword(keyword), Some((semantic, stored))) => {
            fused(index, semantic, stored, keyword, depth)?
        }
        (Found::Keyword(keyword), None) => keyword
            .into_iter()
            .enumerate()
            .map(|(i, m)| Ranked {
                keyword_rank: Some(i + 1),
                strength: if m.all_words {
                    Match::Strong
                } else {
                    Match::Weak
                },
                ..m.ranked
            })
            .collect(),
        (Found::NoWords, Some((semantic, stored))) => {
            fused(index, semantic, stored, Vec::new(), depth)?
        }
        (Found::NoWords, None) => Vec::new(),
        (Found::Browse(browsed), _) => browsed,
    };
    let matcher = query.path.map(PathFilter::new);
    hits.retain(|r| {
        query
            .tags
            .iter()
            .all(|t| r.record.tags.iter().any(|rt| rt.eq_ignore_ascii_case(t)))
            && matcher.as_ref().is_none_or(|m| m.covers(&r.record))
    });
    let mut hits: Vec<Hit> = hits.into_iter().map(to_hit).collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| b.id.cmp(&a.id)));
    hits.truncate(query.limit);
    Ok(hits)
}

impl Hit {
    /// A hit for a record found another way (the static site's related records by title
    /// words), with `score` as its relevance: no keyword rank, no similarity, a weak match.
    pub fn found(record: Record, score: f64) -> Hit {
        let mut hit = to_hit(Ranked {
            relevance: score,
            ..Ranked::plain(record)
        });
        hit.score = score;
        hit
    }
}

/// The `limit` records in `scope` nearest in meaning to `vector` (a unit vector of `model`),
/// leaving out the record with id `exclude`: "related to this record" and near-duplicates.
pub fn similar(
    index: &Index,
    model: &str,
    vector: &[f32],
    scope: Scope,
    exclude: Option<&str>,
    limit: usize,
) -> Result<Vec<Hit>, IndexError> {
    let mut hits = Vec::new();
    for (rowid, similarity) in index.nearest(model, vector, scope, limit + 1)? {
        let Some(record) = index.record_at(rowid)? else {
            continue;
        };
        if exclude.is_some_and(|id| record.id.as_str() == id) {
            continue;
        }
        let strength = if similarity >= STRONG_SIMILARITY {
            Match::Strong
        } else {
            Match::Weak
        };
        let ranked = Ranked {
            relevance: f64::from(similarity.max(0.0)),
            similarity: Some(similarity),
            strength,
            ..Ranked::plain(record)
        };
        let mut hit = to_hit(ranked);
        // Closeness in meaning is the whole question here: no status or age weights.
        hit.score = f64::from(similarity);
        hits.push(hit);
    }
    hits.truncate(limit);
    Ok(hits)
}

/// A keyword match: the record ranked by bm25, and whether it has every word asked for.
struct KeywordMatch {
    rowid: i64,
    ranked: Ranked,
    all_words: bool,
}

/// Records with all the words, then (up to `depth`) records with any of them.
fn keyword_matches(
    index: &Index,
    query: &RecallQuery<'_>,
    all_words: &str,
    any_word: &str,
    depth: usize,
) -> Result<Vec<KeywordMatch>, IndexError> {
    let mut found: Vec<KeywordMatch> = search(index, query, all_words, depth)?
        .into_iter()
        .map(|(rowid, ranked)| KeywordMatch {
            rowid,
            ranked,
            all_words: true,
        })
        .collect();
    if found.len() < depth && any_word != all_words {
        for (rowid, ranked) in search(index, query, any_word, depth)? {
            if found.len() >= depth {
                break;
            }
            if !found.iter().any(|m| m.rowid == rowid) {
                found.push(KeywordMatch {
                    rowid,
                    ranked,
                    all_words: false,
                });
            }
        }
    }
    Ok(found)
}

/// The keyword list fused with the records nearest in meaning.
fn fused(
    index: &Index,
    semantic: Semantic<'_>,
    stored: &Stored,
    keyword: Vec<KeywordMatch>,
    depth: usize,
) -> Result<Vec<Ranked>, IndexError> {
    // Every record's similarity, so a keyword match below the nearest `depth` keeps its own.
    let similarity = stored.nearest(semantic.vector, usize::MAX);
    let keyword_ids: Vec<i64> = if semantic.only {
        Vec::new()
    } else {
        keyword.iter().map(|m| m.rowid).collect()
    };
    let mut by_row: HashMap<i64, KeywordMatch> =
        keyword.into_iter().map(|m| (m.rowid, m)).collect();
    let mut out = Vec::new();
    for f in fuse::fuse(&keyword_ids, &similarity, depth) {
        let (mut ranked, all_words) = match by_row.remove(&f.rowid) {
            Some(m) => (m.ranked, m.all_words),
            None => match index.record_at(f.rowid)? {
                Some(record) => (Ranked::plain(record), false),
                None => continue,
            },
        };
        let close = f.similarity.is_some_and(|s| s >= STRONG_SIMILARITY);
        ranked.relevance = f.fused;
        ranked.keyword_rank = f.keyword_rank;
        ranked.similarity = f.similarity;
        ranked.fused = Some(f.fused);
        ranked.strength = if close || (all_words && !semantic.only) {
            Match::Strong
        } else {
            Match::Weak
        };
        out.push(ranked);
    }
    Ok(out)
}

/// A record on its way to being a [`Hit`]: its relevance before the weights, and why.
struct Ranked {
    record: Record,
    /// Higher is better: bm25 (negated), the fused score, or 1 when browsing.
    relevance: f64,
    /// The passage to show, matches marked with `\u{2}` and `\u{3}`.
    marked: String,
    keyword_rank: Option<usize>,
    similarity: Option<f32>,
    fused: Option<f64>,
    strength: Match,
}

impl Ranked {
    /// A record found without a keyword match: its first line stands in for a snippet.
    fn plain(record: Record) -> Ranked {
        let first = record
            .body
            .lines()
            .find(|l| !l.trim().is_empty() && !l.starts_with('#'));
        let marked = first.unwrap_or_default().chars().take(120).collect();
        Ranked {
            record,
            relevance: 1.0,
            marked,
            keyword_rank: None,
            similarity: None,
            fused: None,
            strength: Match::Weak,
        }
    }
}

fn search(
    index: &Index,
    query: &RecallQuery<'_>,
    expression: &str,
    limit: usize,
) -> Result<Vec<(i64, Ranked)>, IndexError> {
    let sqlite = |e| index.sqlite(e);
    // Rank on narrow columns only: a common word matches tens of thousands of records, and
    // carrying their bodies and snippets through the sort cost more than the search.
    let mut ranked = index
        .conn
        .prepare_cached(
            "SELECT f.rowid, bm25(records_fts, 10.0, 1.0, 5.0) AS rank
             FROM records_fts f JOIN records r ON r.rowid = f.rowid
             WHERE records_fts MATCH ?1 AND r.error IS NULL
               AND (?2 IS NULL OR r.kind = ?2)
               AND (?3 IS NULL OR r.status = ?3)
               AND (?4 OR ?3 IS NOT NULL OR r.status IN ('proposed', 'accepted'))
             ORDER BY rank LIMIT ?5",
        )
        .map_err(sqlite)?;
    let top: Vec<(i64, f64)> = ranked
        .query_map(
            params![
                expression,
                query.kind.map(Kind::as_str),
                query.status.map(Status::as_str),
                query.all,
                limit as i64
            ],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .map_err(sqlite)?
        .collect::<Result<_, _>>()
        .map_err(sqlite)?;
    let mut snippet = index
        .conn
        .prepare_cached(
            "SELECT snippet(records_fts, 1, char(2), char(3), '…', 14)
             FROM records_fts WHERE records_fts MATCH ?1 AND rowid = ?2",
        )
        .map_err(sqlite)?;
    let mut hits = Vec::with_capacity(top.len());
    for (rowid, rank) in top {
        let text: String = snippet
            .query_row(params![expression, rowid], |row| row.get(0))
            .map_err(sqlite)?;
        if let Some(record) = index.record_at(rowid)? {
            let ranked = Ranked {
                relevance: -rank,
                marked: text,
                ..Ranked::plain(record)
            };
            hits.push((rowid, ranked));
        }
    }
    Ok(hits)
}

/// Without search text: what the filters match, newest first.
fn browse(index: &Index, query: &RecallQuery<'_>, limit: usize) -> Result<Vec<Ranked>, IndexError> {
    let kind = query.kind.map(Kind::as_str);
    let status = query.status.map(Status::as_str);
    let records = index.select_records(
        "error IS NULL AND (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR status = ?2)
         AND (?3 OR ?2 IS NOT NULL OR status IN ('proposed', 'accepted'))
         ORDER BY id DESC LIMIT ?4",
        params![kind, status, query.all, limit as i64],
    )?;
    Ok(records
        .into_iter()
        .map(|record| Ranked {
            strength: Match::Strong,
            ..Ranked::plain(record)
        })
        .collect())
}

/// Relevance adjusted for what the team should reuse: current over replaced, proven over failed,
/// recent over old.
fn to_hit(ranked: Ranked) -> Hit {
    let Ranked {
        record,
        relevance,
        marked,
        keyword_rank,
        similarity,
        fused,
        strength,
    } = ranked;
    // Never rounded: on a small corpus bm25 values are tiny and rounding would tie them.
    let score = weighted(&record, relevance, fused.is_some());
    let marked = marked.replace(['\n', '\r'], " ");
    Hit {
        id: record.id.to_string(),
        kind: record.kind,
        title: record.title,
        status: record.status,
        outcome: record.outcome,
        tags: record.tags,
        score,
        file: record.file.to_string_lossy().replace('\\', "/"),
        snippet: marked.replace(['\u{2}', '\u{3}'], ""),
        superseded_by: record.superseded_by,
        warning: record.kind != Kind::Decision && record.outcome == Some(Outcome::Failure),
        location: "local".into(),
        evidence: None,
        keyword_rank,
        semantic_score: similarity,
        fused_score: fused,
        strength,
        marked_snippet: marked,
    }
}

/// `relevance` weighted for what the team should reuse, whole on a bm25 score and softened on a
/// fused one (see [`fuse::soften`]): local recall and the org-wide index score with it.
pub fn weighted(record: &Record, relevance: f64, fused: bool) -> f64 {
    let [status, outcome, recency] = weights(record);
    if fused {
        relevance * fuse::soften(status) * fuse::soften(outcome) * fuse::soften(recency)
    } else {
        relevance * status * outcome * recency
    }
}

/// Recall's weights for `record` as `[status, outcome, recency]`: current over replaced, proven
/// over failed, recent over old.
fn weights(record: &Record) -> [f64; 3] {
    let status = match record.status {
        Status::Accepted => 1.0,
        Status::Proposed => 0.9,
        Status::Superseded | Status::Deprecated => 0.3,
        Status::Rejected => 0.2,
    };
    let outcome = match (record.kind, record.outcome) {
        (Kind::Pattern, Some(Outcome::Success)) => 1.25,
        (Kind::Pattern, Some(Outcome::Failure)) => 0.7,
        _ => 1.0,
    };
    let age_days = record
        .created
        .as_deref()
        .and_then(|c| c.parse::<jiff::Timestamp>().ok())
        .map_or(365.0, |t| {
            (jiff::Timestamp::now().as_second() - t.as_second()).max(0) as f64 / 86_400.0
        });
    let recency = 0.85 + 0.15 * (-age_days / 365.0).exp();
    [status, outcome, recency]
}

/// Matches a file against records' `paths` globs.
struct PathFilter {
    file: String,
}

impl PathFilter {
    fn new(file: &str) -> Self {
        PathFilter {
            file: file.trim_start_matches("./").replace('\\', "/"),
        }
    }

    fn covers(&self, record: &Record) -> bool {
        record.governs(&self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::fts_expressions;

    #[test]
    fn user_text_becomes_quoted_terms() {
        assert_eq!(
            fts_expressions("session storage").unwrap().0,
            "\"session\" \"storage\""
        );
        assert_eq!(fts_expressions("sess*").unwrap().0, "\"sess\"*");
        assert_eq!(
            fts_expressions("\"blue green\" deploy").unwrap().0,
            "\"blue green\" \"deploy\""
        );
        assert_eq!(
            fts_expressions("a OR b").unwrap().1,
            "\"a\" OR \"OR\" OR \"b\""
        );
    }

    #[test]
    fn hostile_text_never_escapes_quoting() {
        for text in [
            "\"unbalanced",
            "NEAR(a b)",
            "title:x",
            "-x",
            "*",
            "\"\"\"",
            "ü-ñ 日本語",
            "a\"b",
            ":",
            "^x",
        ] {
            if let Some((all, any)) = fts_expressions(text) {
                for expr in [all, any] {
                    // Every term is a quoted string with no quote inside.
                    for term in expr.split(" OR ") {
                        for t in term.split("\" \"") {
                            assert!(
                                !t.trim_matches(|c| c == '"' || c == '*').contains('"'),
                                "{text:?} -> {expr}"
                            );
                        }
                    }
                }
            }
        }
        assert!(fts_expressions("* - :").is_none());
    }
}
