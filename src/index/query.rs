//! `recall`: full-text search over the cache, ranked for what a team should reuse.
//!
//! User text is never FTS5 syntax: it is split into words and `"quoted phrases"`, every piece is
//! quoted for FTS5 (so operators, `:`, `-`, `*` and stray quotes are just text), and a trailing `*`
//! on a word asks for a prefix match. All words must match; if nothing does, any word may.

use rusqlite::params;

use super::{Index, IndexError};
use crate::record::{Kind, Outcome, Record, Status};

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
}

/// One result of [`recall`]; results come best first.
#[derive(Debug, serde::Serialize)]
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
    let matcher = query.path.map(PathFilter::new);
    let filtered = !query.tags.is_empty() || matcher.is_some();
    // Filters applied after SQL need a deeper candidate list.
    let fetch = if filtered {
        query.limit * 20 + 200
    } else {
        query.limit
    };
    let mut hits = match query.text.and_then(fts_expressions) {
        Some((all_words, any_word)) => {
            let mut found = search(index, query, &all_words, fetch)?;
            if found.is_empty() {
                found = search(index, query, &any_word, fetch)?;
            }
            found
        }
        None if query.text.is_some_and(|t| !t.trim().is_empty()) => Vec::new(),
        None => browse(index, query, fetch)?,
    };
    hits.retain(|(record, _)| {
        query
            .tags
            .iter()
            .all(|t| record.tags.iter().any(|rt| rt.eq_ignore_ascii_case(t)))
            && matcher.as_ref().is_none_or(|m| m.covers(record))
    });
    let mut hits: Vec<Hit> = hits.into_iter().map(|(r, raw)| to_hit(r, raw)).collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| b.id.cmp(&a.id)));
    hits.truncate(query.limit);
    Ok(hits)
}

/// A match before ranking: the record, its bm25 relevance (higher is better) and its snippet.
type Raw = (f64, String);

fn search(
    index: &Index,
    query: &RecallQuery<'_>,
    expression: &str,
    limit: usize,
) -> Result<Vec<(Record, Raw)>, IndexError> {
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
        if let Some(record) = index.select_records("rowid = ?1", params![rowid])?.pop() {
            hits.push((record, (-rank, text)));
        }
    }
    Ok(hits)
}

/// Without search text: what the filters match, newest first.
fn browse(
    index: &Index,
    query: &RecallQuery<'_>,
    limit: usize,
) -> Result<Vec<(Record, Raw)>, IndexError> {
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
        .map(|r| {
            let first = r
                .body
                .lines()
                .find(|l| !l.trim().is_empty() && !l.starts_with('#'));
            let snippet = first.unwrap_or_default().chars().take(120).collect();
            (r, (1.0, snippet))
        })
        .collect())
}

/// Relevance adjusted for what the team should reuse: current over replaced, proven over failed,
/// recent over old.
fn to_hit(record: Record, (relevance, marked): Raw) -> Hit {
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
    let marked = marked.replace(['\n', '\r'], " ");
    Hit {
        id: record.id.to_string(),
        kind: record.kind,
        title: record.title,
        status: record.status,
        outcome: record.outcome,
        tags: record.tags,
        // Never rounded: on a small corpus bm25 values are tiny and rounding would tie them.
        score: relevance * status * outcome * recency,
        file: record.file.to_string_lossy().replace('\\', "/"),
        snippet: marked.replace(['\u{2}', '\u{3}'], ""),
        superseded_by: record.superseded_by,
        warning: record.kind != Kind::Decision && record.outcome == Some(Outcome::Failure),
        location: "local".into(),
        evidence: None,
        marked_snippet: marked,
    }
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
