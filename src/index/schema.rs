//! The cache's schema. Bump [`VERSION`] on any change: an older cache is then rebuilt.

/// `PRAGMA user_version` of the current schema.
pub const VERSION: i64 = 5;

/// Keeps the full-text index in step with each inserted row. A full build runs without it and
/// rebuilds the full-text index once at the end (see `build`), which is much cheaper than
/// 100k single-row inserts with their segment merges.
pub const INSERT_TRIGGER: &str = r#"
CREATE TRIGGER records_ai AFTER INSERT ON records BEGIN
    INSERT INTO records_fts(rowid, title, body, tag_words)
    VALUES (new.rowid, coalesce(new.title, ''), coalesce(new.body, ''), coalesce(new.tag_words, ''));
END;
"#;

/// Creates every table of an empty cache (without [`INSERT_TRIGGER`]).
pub const CREATE: &str = r#"
-- What a no-op refresh reads: narrow, so 100k rows are a few MB, in path order.
CREATE TABLE files (
    path          TEXT PRIMARY KEY,       -- relative to the work tree, '/' separators
    size          INTEGER NOT NULL,
    mtime_ns      INTEGER NOT NULL,       -- -1 when the file was too new to trust (see refresh)
    inode         INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE records (
    rowid         INTEGER PRIMARY KEY,
    path          TEXT NOT NULL UNIQUE,
    error         TEXT,                   -- 'file:line: message' when the file does not parse
    id            TEXT,
    kind          TEXT,
    title         TEXT,
    status        TEXT,
    outcome       TEXT,
    tags          TEXT,                   -- JSON arrays
    paths         TEXT,
    supersedes    TEXT,
    superseded_by TEXT,
    links         TEXT,
    created       TEXT,
    author        TEXT,
    adr           TEXT,
    imported_from TEXT,
    front_matter  TEXT,
    body          TEXT,
    tag_words     TEXT,                   -- tags joined by spaces, for the full-text index
    embed_key     TEXT                    -- hash of the text recall by meaning embeds (see vectors)
);
CREATE INDEX records_id ON records(id);
CREATE INDEX records_adr ON records(adr) WHERE adr IS NOT NULL;
-- Broken files are reported on every read: this keeps that from scanning every record.
CREATE INDEX records_errors ON records(path) WHERE error IS NOT NULL;

CREATE VIRTUAL TABLE records_fts USING fts5(
    title, body, tag_words,
    content = 'records', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER records_ad AFTER DELETE ON records BEGIN
    INSERT INTO records_fts(records_fts, rowid, title, body, tag_words)
    VALUES ('delete', old.rowid, coalesce(old.title, ''), coalesce(old.body, ''), coalesce(old.tag_words, ''));
END;
CREATE TRIGGER records_au AFTER UPDATE ON records BEGIN
    INSERT INTO records_fts(records_fts, rowid, title, body, tag_words)
    VALUES ('delete', old.rowid, coalesce(old.title, ''), coalesce(old.body, ''), coalesce(old.tag_words, ''));
    INSERT INTO records_fts(rowid, title, body, tag_words)
    VALUES (new.rowid, coalesce(new.title, ''), coalesce(new.body, ''), coalesce(new.tag_words, ''));
END;

-- A hub's outcome events (outcomes/<record-id>/<event>.toml): one row per file, so the verdicts
-- of many projects are aggregated here, never in a shared file.
CREATE TABLE outcomes (
    path          TEXT PRIMARY KEY,
    record_id     TEXT NOT NULL,
    project       TEXT NOT NULL,
    verdict       TEXT NOT NULL,          -- success | failure | mixed
    time          TEXT NOT NULL,          -- RFC 3339
    message       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX outcomes_record ON outcomes(record_id);

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- Recall by meaning: one vector per embedded text and model, int8 with its scale (see
-- semantic::vector). Keyed by content, not by record, so a rebuild of the rows above (a new
-- schema, a damaged cache) carries them over instead of embedding every record again, and an
-- unchanged record never is.
CREATE TABLE vectors (
    model         TEXT NOT NULL,
    key           TEXT NOT NULL,
    vector        BLOB NOT NULL,
    PRIMARY KEY (model, key)
) WITHOUT ROWID;
"#;
