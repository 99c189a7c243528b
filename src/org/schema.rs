//! The org index's schema, versioned: `org init` applies the migrations this binary knows that
//! the database lacks, one transaction each; every other command refuses a schema of another
//! version (a newer one, which it would misread, with a clear message).

use super::{Conn, Db, OrgError};

/// The schema version this git-zen reads and writes.
pub const SCHEMA_VERSION: i32 = 2;

/// Migration `i` takes the schema from version `i` to `i + 1`. A migration's text never changes
/// once released: a database is at the version its text made.
const MIGRATIONS: [&str; SCHEMA_VERSION as usize] = [V1, V2];

/// Serializes `org init`s: two at once would both see version 0.
const INIT_LOCK: i64 = 0x7a65_6e5f_696e_6974;

const V1: &str = r#"
CREATE TABLE zen_hubs (
    id serial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    url text NOT NULL,
    tree text,
    commit_id text,
    indexed_at timestamptz,
    records integer NOT NULL DEFAULT 0,
    problem text,
    added_at timestamptz NOT NULL DEFAULT now()
);
-- One row per record file of a hub's tree, malformed ones included (with `error`). `source` is
-- the file as committed: the record is parsed from it again when read, so what is shown is
-- exactly what the hub holds.
CREATE TABLE zen_records (
    rid bigserial PRIMARY KEY,
    hub_id integer NOT NULL REFERENCES zen_hubs(id) ON DELETE CASCADE,
    path text NOT NULL,
    id text,
    kind text,
    title text,
    status text,
    outcome text,
    tags text[] NOT NULL DEFAULT '{}',
    author text,
    created text,
    source text NOT NULL,
    error text,
    text_key text,
    tsv tsvector,
    embedding vector(384),
    UNIQUE (hub_id, path)
);
CREATE INDEX zen_records_tsv ON zen_records USING gin (tsv);
CREATE INDEX zen_records_embedding ON zen_records USING hnsw (embedding vector_cosine_ops);
CREATE INDEX zen_records_id ON zen_records (id text_pattern_ops);
CREATE INDEX zen_records_newest ON zen_records (id DESC) WHERE error IS NULL;
CREATE INDEX zen_records_key ON zen_records (text_key);
CREATE INDEX zen_records_pending ON zen_records (hub_id) WHERE embedding IS NULL AND error IS NULL;
-- The other files of a hub that pages read: outcome events (`record_id` set) and the project
-- registry (`projects/**`).
CREATE TABLE zen_files (
    hub_id integer NOT NULL REFERENCES zen_hubs(id) ON DELETE CASCADE,
    path text NOT NULL,
    record_id text,
    content text NOT NULL,
    PRIMARY KEY (hub_id, path)
);
CREATE INDEX zen_files_record ON zen_files (record_id) WHERE record_id IS NOT NULL;
"#;

/// Version 2 cuts the keyword index into [`super::recall::SLICES`] partial GIN indexes by
/// `rid % 16`: a question whose words most records hold then builds one slice's bitmap, not the
/// whole table's (the 1M-record bench measured that bitmap as most of a recall's time). Building
/// them reads the table once per slice: half a minute at a million records (measured), once.
const V2: &str = r#"
DROP INDEX IF EXISTS zen_records_tsv;
DO $$
BEGIN
    FOR n IN 0..15 LOOP
        EXECUTE format('CREATE INDEX zen_records_tsv_%s ON zen_records USING gin (tsv)
                        WHERE rid %% 16 = %s', n, n);
    END LOOP;
END
$$;
"#;

/// What `org init` did.
#[derive(Debug, serde::Serialize)]
pub struct InitReport {
    /// The version before (0: no schema).
    pub from: i32,
    /// The version now.
    pub to: i32,
}

/// The version in the database; 0 when it has no schema table.
fn version(db: &Db, conn: &mut Conn<'_>) -> Result<i32, OrgError> {
    let exists: bool = conn
        .query_one("SELECT to_regclass('zen_schema') IS NOT NULL", &[])
        .map_err(db.err())?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let row = conn
        .query_one("SELECT coalesce(max(version), 0) FROM zen_schema", &[])
        .map_err(db.err())?;
    Ok(row.get(0))
}

/// Creates or migrates the schema, enabling pgvector first.
pub fn init(db: &Db) -> Result<InitReport, OrgError> {
    let mut conn = db.conn()?;
    conn.execute("SELECT pg_advisory_lock($1)", &[&INIT_LOCK])
        .map_err(db.err())?;
    let result = migrate(db, &mut conn);
    let _ = conn.execute("SELECT pg_advisory_unlock($1)", &[&INIT_LOCK]);
    result
}

fn migrate(db: &Db, conn: &mut Conn<'_>) -> Result<InitReport, OrgError> {
    let from = version(db, conn)?;
    if from > SCHEMA_VERSION {
        return Err(OrgError::Newer {
            found: from,
            known: SCHEMA_VERSION,
        });
    }
    conn.batch_execute("CREATE EXTENSION IF NOT EXISTS vector")
        .map_err(|e| OrgError::NoVector(super::message(&e)))?;
    conn.batch_execute("CREATE TABLE IF NOT EXISTS zen_schema (version integer NOT NULL)")
        .map_err(db.err())?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let mut tx = conn.transaction().map_err(db.err())?;
        tx.batch_execute(sql).map_err(db.err())?;
        let to = i as i32 + 1;
        tx.execute("INSERT INTO zen_schema (version) VALUES ($1)", &[&to])
            .map_err(db.err())?;
        tx.commit().map_err(db.err())?;
    }
    Ok(InitReport {
        from,
        to: SCHEMA_VERSION,
    })
}

/// Refuses a database whose schema is missing or of another version.
pub(super) fn check(db: &Db, conn: &mut Conn<'_>) -> Result<(), OrgError> {
    match version(db, conn)? {
        0 => Err(OrgError::NoSchema(db.target().to_owned())),
        v if v > SCHEMA_VERSION => Err(OrgError::Newer {
            found: v,
            known: SCHEMA_VERSION,
        }),
        v if v < SCHEMA_VERSION => Err(OrgError::Older {
            found: v,
            known: SCHEMA_VERSION,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slice_indexes_are_the_slices_keyword_recall_reads() {
        let slices = super::super::recall::SLICES;
        assert!(V2.contains(&format!("0..{}", slices - 1)));
        assert!(V2.contains(&format!("rid %% {slices} = %s")));
    }
}
