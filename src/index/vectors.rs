//! The cache's vectors for recall by meaning: which records still need one, storing them, and
//! the nearest records to a question's vector.

use rusqlite::{OptionalExtension, params};

use super::{Index, IndexError};
use crate::record::{Kind, Status};
use crate::semantic::{text, vector};

/// A record text without a vector for some model: what to embed, and the key to store it under.
#[derive(Debug, Clone)]
pub struct Pending {
    /// [`crate::semantic::text::key_of`] of `text`.
    pub key: String,
    /// The text to embed.
    pub text: String,
}

/// Which records [`Index::nearest`] ranks: the same filters keyword recall applies in SQL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    /// Only this kind.
    pub kind: Option<Kind>,
    /// Only this status (then superseded and rejected records are not hidden).
    pub status: Option<Status>,
    /// Include superseded, deprecated and rejected records.
    pub all: bool,
}

/// The stored vectors of one model for the records of one scope, as (row id, encoded vector).
#[derive(Debug, Clone)]
pub struct Stored {
    model: String,
    scope: Scope,
    rows: Vec<(i64, Vec<u8>)>,
}

impl Stored {
    /// Whether these are the vectors of `model` in `scope`.
    pub fn holds(&self, model: &str, scope: Scope) -> bool {
        self.model == model && self.scope == scope
    }

    /// The `depth` records nearest to `query`, as (row id, cosine similarity), most similar
    /// first; ties go to the newer row.
    pub fn nearest(&self, query: &[f32], depth: usize) -> Vec<(i64, f32)> {
        let mut scored: Vec<(i64, f32)> = self
            .rows
            .iter()
            .filter_map(|(rowid, bytes)| Some((*rowid, vector::dot(query, bytes)?)))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
        scored.truncate(depth);
        scored
    }
}

impl Index {
    /// Up to `limit` record texts with no vector of `model` yet, current records first, newest
    /// first: the ones recall is most likely to be asked for.
    pub fn pending_vectors(&self, model: &str, limit: usize) -> Result<Vec<Pending>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT r.embed_key, r.title, r.tags, r.body FROM records r
                 WHERE r.error IS NULL AND r.embed_key IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM vectors v WHERE v.model = ?1 AND v.key = r.embed_key)
                 GROUP BY r.embed_key
                 ORDER BY max(r.status IN ('proposed', 'accepted')) DESC, max(r.id) DESC
                 LIMIT ?2",
            )
            .map_err(|e| self.sqlite(e))?;
        let rows = stmt
            .query_map(params![model, limit as i64], |row| {
                let tags: String = row.get::<_, Option<String>>(2)?.unwrap_or_default();
                let tags: Vec<String> = serde_json::from_str(&tags).unwrap_or_default();
                let title: String = row.get::<_, Option<String>>(1)?.unwrap_or_default();
                let body: String = row.get::<_, Option<String>>(3)?.unwrap_or_default();
                Ok(Pending {
                    key: row.get(0)?,
                    text: text::compose(&title, &tags, &body),
                })
            })
            .map_err(|e| self.sqlite(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sqlite(e))
    }

    /// How many distinct record texts have no vector of `model`, and how many have one.
    pub fn vector_coverage(&self, model: &str) -> Result<(u64, u64), IndexError> {
        self.conn
            .query_row(
                "SELECT
                   count(DISTINCT CASE WHEN v.key IS NULL THEN r.embed_key END),
                   count(DISTINCT v.key)
                 FROM records r LEFT JOIN vectors v ON v.model = ?1 AND v.key = r.embed_key
                 WHERE r.error IS NULL AND r.embed_key IS NOT NULL",
                [model],
                |row| Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64)),
            )
            .map_err(|e| self.sqlite(e))
    }

    /// Stores computed vectors (one transaction), and drops vectors no record text has any
    /// more, so the table never outgrows the records.
    pub fn store_vectors(
        &self,
        model: &str,
        computed: &[(String, Vec<f32>)],
    ) -> Result<(), IndexError> {
        let write = || -> rusqlite::Result<()> {
            let tx = self.conn.unchecked_transaction()?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT OR REPLACE INTO vectors(model, key, vector) VALUES (?1, ?2, ?3)",
                )?;
                for (key, values) in computed {
                    insert.execute(params![model, key, vector::encode(values)])?;
                }
            }
            tx.execute(
                "DELETE FROM vectors WHERE key NOT IN
                   (SELECT embed_key FROM records WHERE embed_key IS NOT NULL)",
                [],
            )?;
            tx.commit()
        };
        write().map_err(|e| self.sqlite(e))
    }

    /// Whether any record text has no vector of `model`: one probe of the vectors' key per
    /// record, stopping at the first miss, where counting them ([`Index::vector_coverage`])
    /// reads every vector.
    pub fn vectors_missing(&self, model: &str) -> Result<bool, IndexError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM records r
                   WHERE r.error IS NULL AND r.embed_key IS NOT NULL
                     AND NOT EXISTS (SELECT 1 FROM vectors v
                                     WHERE v.model = ?1 AND v.key = r.embed_key))",
                [model],
                |row| row.get(0),
            )
            .map_err(|e| self.sqlite(e))
    }

    /// The stored vectors of `model` for the records in `scope`, read without the question's
    /// vector: recall reads them while the model is still embedding the question.
    pub fn stored_vectors(&self, model: &str, scope: Scope) -> Result<Stored, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT r.rowid, v.vector FROM records r
                 JOIN vectors v ON v.model = ?1 AND v.key = r.embed_key
                 WHERE r.error IS NULL
                   AND (?2 IS NULL OR r.kind = ?2)
                   AND (?3 IS NULL OR r.status = ?3)
                   AND (?4 OR ?3 IS NOT NULL OR r.status IN ('proposed', 'accepted'))",
            )
            .map_err(|e| self.sqlite(e))?;
        let rows = stmt
            .query_map(
                params![
                    model,
                    scope.kind.map(Kind::as_str),
                    scope.status.map(Status::as_str),
                    scope.all
                ],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(|e| self.sqlite(e))?;
        Ok(Stored {
            model: model.to_owned(),
            scope,
            rows: rows.collect::<Result<_, _>>().map_err(|e| self.sqlite(e))?,
        })
    }

    /// The `depth` records in `scope` nearest to `query` (a unit vector of `model`), as
    /// (row id, cosine similarity), most similar first (`usize::MAX`: all of them). Records
    /// without a vector are left out.
    pub fn nearest(
        &self,
        model: &str,
        query: &[f32],
        scope: Scope,
        depth: usize,
    ) -> Result<Vec<(i64, f32)>, IndexError> {
        Ok(self.stored_vectors(model, scope)?.nearest(query, depth))
    }

    /// The stored vector of the record with this id, as f32 (for "related to this record").
    pub fn vector_of(
        &self,
        model: &str,
        dimensions: usize,
        id: &str,
    ) -> Result<Option<Vec<f32>>, IndexError> {
        let stored: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT v.vector FROM records r JOIN vectors v ON v.model = ?1 AND v.key = r.embed_key
                 WHERE r.id = ?2 AND r.error IS NULL LIMIT 1",
                params![model, id],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.sqlite(e))?;
        Ok(stored.and_then(|bytes| vector::decode(&bytes, dimensions)))
    }

    /// The record stored at a row id (hits of [`Index::nearest`]).
    pub fn record_at(&self, rowid: i64) -> Result<Option<crate::record::Record>, IndexError> {
        Ok(self.select_records("rowid = ?1", params![rowid])?.pop())
    }
}
