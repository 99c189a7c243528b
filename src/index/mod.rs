//! The memory cache: SQLite with FTS5 at `<git-dir>/datazentr/index.sqlite`.
//!
//! The cache is disposable. Every read refreshes it first, re-parsing only the record files whose
//! (path, size, mtime, inode) changed since the last refresh, as git's own index does. A missing,
//! garbage, truncated or old-schema cache is deleted and rebuilt with one line on stderr; the user
//! never sees an SQL error for it. It lives in the git dir, per worktree, and is never committed.

mod outcomes;
mod query;
mod refresh;
mod schema;
pub(crate) mod tree;
mod vectors;

use crate::error::Hint;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

pub use outcomes::{Evidence, evidence_of};
pub use query::{Gathered, Hit, RecallQuery, Semantic, gather, rank, recall, similar, weighted};
pub use refresh::RefreshReport;
pub(crate) use tree::head_tree;
pub use vectors::{Pending, Scope, Stored};

use crate::id::RecordId;
use crate::record::{Record, RecordError};
use crate::repo::Repo;
use crate::store::{Store, StoreError};

/// Why the cache could not answer.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// Listing or reading the record files failed (no `.datazentr/`, a symbolic link, I/O).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// SQLite failed even on a freshly rebuilt cache.
    #[error("the memory cache at {} cannot be used: {source}", path.display())]
    Sqlite {
        /// The cache file; deleting it is always safe (the next read rebuilds it).
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
}

/// What `git zen index status` shows.
#[derive(Debug, serde::Serialize)]
pub struct IndexStatus {
    /// Where the cache file is (deleting it is safe: the next read rebuilds it).
    pub path: PathBuf,
    /// Record files that parsed (what [`Index::records`] returns).
    pub records: u64,
    /// Record files that did not parse; kept in the cache so every read can name them.
    pub errors: u64,
    /// Size of the cache on disk (database and write-ahead log), in bytes.
    pub size_bytes: u64,
    /// When the cache was last changed by a refresh (RFC 3339), if ever.
    pub last_refresh: Option<String>,
    /// The schema version this build writes; a cache of another version is rebuilt.
    pub schema_version: i64,
}

/// An open cache, refreshed from its source (a work tree's files, or a hub clone's tree) when
/// it was opened.
pub struct Index {
    conn: Connection,
    path: PathBuf,
    source: Source,
    /// A shared lock on `<cache>.lock` for as long as the connection is open: a rebuild swaps a
    /// new database in only under the exclusive lock, so never under a live connection (whose
    /// `-wal` and `-shm` files would then belong to another database).
    _reading: Option<fs::File>,
}

/// Where a cache's records come from.
#[derive(Clone)]
enum Source {
    /// The record files of a work tree, re-read when their stat changes.
    WorkTree(Store),
    /// The committed tree at `HEAD` of the repository at this path (a hub's clone): re-read when
    /// the tree id changes, and then only the blobs that differ.
    Tree(PathBuf),
}

/// What a cache that must be rebuilt looks like to the caller.
fn needs_rebuild(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    matches!(e.sqlite_error_code(), Some(DatabaseCorrupt | NotADatabase))
}

impl Index {
    /// Opens the cache of `repo` and brings it up to date with `store`, building it if it is
    /// missing and rebuilding it if it is damaged or from another schema version.
    pub fn open_fresh(repo: &Repo, store: &Store) -> Result<(Index, RefreshReport), IndexError> {
        let path = repo.state_dir().join("index.sqlite");
        open_source(path, Source::WorkTree(store.clone()), None)
    }

    /// Opens the cache at `cache` of the records committed at `HEAD` of the repository at
    /// `repo_dir` (a hub's clone), bringing it up to date: a `HEAD` tree that did not change
    /// costs no parsing, and a changed one re-reads only the blobs that differ.
    pub fn open_tree(cache: &Path, repo_dir: &Path) -> Result<(Index, RefreshReport), IndexError> {
        open_source(
            cache.to_path_buf(),
            Source::Tree(repo_dir.to_path_buf()),
            None,
        )
    }

    /// [`Index::open_tree`], showing the re-read records on `progress` (a first build of a big
    /// hub takes seconds).
    pub fn open_tree_with_progress(
        cache: &Path,
        repo_dir: &Path,
        progress: &indicatif::ProgressBar,
    ) -> Result<(Index, RefreshReport), IndexError> {
        open_source(
            cache.to_path_buf(),
            Source::Tree(repo_dir.to_path_buf()),
            Some(progress),
        )
    }

    /// Deletes the cache and builds it again from every record, showing `progress`.
    pub fn rebuild(
        repo: &Repo,
        store: &Store,
        progress: &indicatif::ProgressBar,
    ) -> Result<(Index, RefreshReport), IndexError> {
        let path = repo.state_dir().join("index.sqlite");
        let source = Source::WorkTree(store.clone());
        let _building = Locks::build(&path);
        build(&path, &source, Some(progress)).map_err(|source| IndexError::Sqlite { path, source })
    }

    /// The cache file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sqlite(&self, source: rusqlite::Error) -> IndexError {
        IndexError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// The files that did not parse at the last refresh, as `file:line: message`.
    pub fn errors(&self) -> Result<Vec<RecordError>, IndexError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, error FROM records WHERE error IS NOT NULL ORDER BY path")
            .map_err(|e| self.sqlite(e))?;
        let rows = stmt
            .query_map([], |row| {
                let path: String = row.get(0)?;
                let error: String = row.get(1)?;
                Ok(refresh::decode_error(&path, &error))
            })
            .map_err(|e| self.sqlite(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sqlite(e))
    }

    /// Every record that parsed, oldest first (ids sort by creation time); broken files left out.
    pub fn records(&self) -> Result<Vec<Record>, IndexError> {
        self.select_records("error IS NULL ORDER BY id, path", params![])
    }

    /// Current records whose outcome was a failure (the ones a commit is warned about).
    pub fn failures(&self) -> Result<Vec<Record>, IndexError> {
        self.select_records(
            "error IS NULL AND outcome = 'failure' AND status IN ('proposed', 'accepted') ORDER BY id",
            params![],
        )
    }

    /// The cache of `repo` as it is, without refreshing or building it: `None` when there is
    /// none yet. For a hint on the hot path of a hook, where a stat of every record file would
    /// be the whole cost; the next read refreshes it anyway.
    pub fn open_as_is(repo: &Repo, store: &Store) -> Option<Index> {
        let path = repo.state_dir().join("index.sqlite");
        if !path.exists() {
            return None;
        }
        open_existing(&path, &Source::WorkTree(store.clone())).ok()
    }

    /// When the cache's content last changed on disk (the database or its write-ahead log).
    pub fn modified(&self) -> Option<std::time::SystemTime> {
        ["", "-wal"]
            .iter()
            .filter_map(|suffix| fs::metadata(format!("{}{suffix}", self.path.display())).ok())
            .filter_map(|m| m.modified().ok())
            .max()
    }

    fn select_records(
        &self,
        condition: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Record>, IndexError> {
        let sql = format!(
            "SELECT {} FROM records WHERE {condition}",
            refresh::RECORD_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.sqlite(e))?;
        let rows = stmt
            .query_map(params, refresh::record_from_row)
            .map_err(|e| self.sqlite(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sqlite(e))
    }

    /// Finds the record `query` names (full id, unique prefix, or ADR alias), like
    /// [`crate::store::resolve`] but without reading every record.
    pub fn resolve(&self, query: &str) -> Result<Record, IndexError> {
        let lower = query.trim().to_ascii_lowercase();
        let adr = crate::store::adr_alias(&lower);
        let mut candidates = Vec::new();
        if let Some(alias) = adr {
            candidates = self.by_alias(alias)?;
        }
        if candidates.is_empty() && crate::id::is_id_prefix(&lower) {
            // Ids are lowercase base32, so every id with this prefix sorts in [prefix, prefix~).
            candidates = self.select_records(
                "error IS NULL AND id >= ?1 AND id < ?1 || '~' ORDER BY id LIMIT 50",
                params![lower],
            )?;
        }
        if candidates.is_empty() && adr.is_none() {
            candidates = self.by_alias(&lower)?;
        }
        let found = crate::store::resolve(&candidates, query)?;
        Ok(found.clone())
    }

    fn by_alias(&self, alias: &str) -> Result<Vec<Record>, IndexError> {
        let numeric = alias.parse::<u64>().ok().map(|n| n.to_string());
        self.select_records(
            "error IS NULL AND adr IS NOT NULL AND (lower(adr) = ?1 OR adr = ?2)",
            params![alias, numeric.unwrap_or_default()],
        )
    }

    /// Size, counts and freshness of the cache.
    pub fn status(&self) -> Result<IndexStatus, IndexError> {
        let meta = |key: &str| -> Result<Option<String>, IndexError> {
            self.conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
                .map_err(|e| self.sqlite(e))
        };
        let count = |key: &str, sql: &str| -> Result<u64, IndexError> {
            match meta(key)?.and_then(|v| v.parse().ok()) {
                Some(n) => Ok(n),
                None => self
                    .conn
                    .query_row(sql, [], |r| r.get::<_, i64>(0))
                    .map(|n| n as u64)
                    .map_err(|e| self.sqlite(e)),
            }
        };
        let size = |p: PathBuf| fs::metadata(p).map_or(0, |m| m.len());
        let wal = PathBuf::from(format!("{}-wal", self.path.display()));
        Ok(IndexStatus {
            path: self.path.clone(),
            // Kept by every refresh that changed something (see refresh::store_counts).
            records: count(
                "records",
                "SELECT count(*) FROM records WHERE error IS NULL",
            )?,
            errors: count(
                "errors",
                "SELECT count(*) FROM records WHERE error IS NOT NULL",
            )?,
            size_bytes: size(self.path.clone()) + size(wal),
            last_refresh: meta("last_refresh")?,
            schema_version: schema::VERSION,
        })
    }

    /// The record with this exact id, if indexed.
    pub fn get(&self, id: &RecordId) -> Result<Option<Record>, IndexError> {
        Ok(self
            .select_records("error IS NULL AND id = ?1 LIMIT 1", params![id.as_str()])?
            .pop())
    }
}

/// Opens the cache at `path` and refreshes it from `source`, healing it as [`Index::open_fresh`]
/// describes.
///
/// Two locks beside the cache keep concurrent processes from failing each other:
/// `<cache>.build.lock`, held for a whole build, so one process builds while the others wait and
/// then open its result (and so a build file left by a killed build is known to be stale), and
/// `<cache>.lock`, held shared by every open [`Index`] and exclusively only for the moment a
/// finished build is renamed into place (or a damaged cache deleted).
fn open_source(
    path: PathBuf,
    source: Source,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<(Index, RefreshReport), IndexError> {
    let sqlite = |source| IndexError::Sqlite {
        path: path.clone(),
        source,
    };
    if !path.exists() {
        let _building = Locks::build(&path);
        if !path.exists() {
            return build(&path, &source, progress).map_err(sqlite);
        }
    }
    match open_and_refresh(&path, &source, progress) {
        Ok(done) => Ok(done),
        Err(e) if needs_rebuild(&e) || is_schema_mismatch(&e) => {
            let _building = Locks::build(&path);
            // Another process may have healed it while this one waited.
            if let Ok(done) = open_and_refresh(&path, &source, progress) {
                return Ok(done);
            }
            eprintln!("git-zen: rebuilding the memory cache ({})", describe(&e));
            build(&path, &source, progress).map_err(sqlite)
        }
        Err(source) => Err(sqlite(source)),
    }
}

/// Opens the existing cache under a shared lock and refreshes it.
fn open_and_refresh(
    path: &Path,
    source: &Source,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<(Index, RefreshReport), rusqlite::Error> {
    let mut index = open_existing(path, source)?;
    let report = index.refresh_inner(progress)?;
    Ok((index, report))
}

/// The cache at `path` opened for reading, holding the shared lock a swap waits for.
fn open_existing(path: &Path, source: &Source) -> Result<Index, rusqlite::Error> {
    Ok(Index {
        _reading: Locks::read(path),
        conn: open_connection(path)?,
        path: path.to_path_buf(),
        source: source.clone(),
    })
}

/// The lock files beside a cache (see [`open_source`]). Each is `None` where the file system
/// cannot lock; the work then goes ahead unserialised.
struct Locks;

impl Locks {
    fn file(path: &Path, suffix: &str) -> PathBuf {
        if let Some(dir) = path.parent() {
            let _ = fs::create_dir_all(dir);
        }
        PathBuf::from(format!("{}{suffix}", path.display()))
    }

    /// Held for a whole build.
    fn build(path: &Path) -> Option<fs::File> {
        crate::fsutil::lock_file(&Locks::file(path, ".build.lock")).ok()
    }

    /// Held shared while a connection is open.
    fn read(path: &Path) -> Option<fs::File> {
        crate::fsutil::lock_file_shared(&Locks::file(path, ".lock")).ok()
    }

    /// Held exclusively to replace or delete the cache.
    fn swap(path: &Path) -> Option<fs::File> {
        crate::fsutil::lock_file(&Locks::file(path, ".lock")).ok()
    }
}

/// Deletes what killed builds left (`<cache>.build-*`). Only called under the build lock, so no
/// live build owns any of them.
fn remove_stale_builds(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let prefix = format!("{}.build-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Builds a complete cache in a private temp file, with no journal (a crash only loses a cache
/// that would be rebuilt anyway: about a quarter faster), then switches it to WAL and renames it
/// into place under the exclusive swap lock, so no reader ever sees a half-built cache and no
/// open connection has the file replaced under it. The caller holds the build lock.
fn build(
    path: &Path,
    source: &Source,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<(Index, RefreshReport), rusqlite::Error> {
    if let Some(dir) = path.parent() {
        let _ = fs::create_dir_all(dir);
    }
    remove_stale_builds(path);
    // Unique per build, not only per process: two threads of one process (the MCP server) may
    // build at once where the file system cannot lock.
    let mut nonce = [0u8; 8];
    let _ = getrandom::fill(&mut nonce);
    let temp = PathBuf::from(format!(
        "{}.build-{}-{:016x}",
        path.display(),
        std::process::id(),
        u64::from_le_bytes(nonce)
    ));
    let built = (|| {
        let conn = Connection::open(&temp)?;
        conn.pragma_update(None, "journal_mode", "OFF")?;
        conn.pragma_update(None, "synchronous", "OFF")?;
        // Up to 256 MiB of page cache, allocated as used: FTS merges during a build would
        // otherwise read pages back from disk. (Only here: queries are faster with the default.)
        conn.pragma_update(None, "cache_size", -262_144)?;
        conn.execute_batch(schema::CREATE)?;
        conn.pragma_update(None, "user_version", schema::VERSION)?;
        carry_vectors(&conn, path);
        let mut index = Index {
            conn,
            path: temp.clone(),
            source: source.clone(),
            _reading: None,
        };
        let report = index.refresh_inner(progress)?;
        // The full-text index in one pass over the rows, then the trigger for later inserts.
        index.conn.execute(
            "INSERT INTO records_fts(records_fts) VALUES ('rebuild')",
            [],
        )?;
        index.conn.execute_batch(schema::INSERT_TRIGGER)?;
        index.conn.pragma_update(None, "journal_mode", "WAL")?;
        Ok(report)
    })();
    let report = match built {
        Ok(report) => report,
        Err(e) => {
            remove_cache_files(&temp);
            return Err(e);
        }
    };
    crate::fault::point("index.build");
    {
        let _swapping = Locks::swap(path);
        remove_cache_files(path);
        fs::rename(&temp, path)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    }
    Ok((open_existing(path, source)?, report))
}

/// Copies the vectors of the cache being replaced into a new build, when that cache can be read:
/// they are keyed by content, still valid, and take minutes to compute again for a big memory.
/// Anything unreadable (a damaged file, a schema without vectors) is simply not carried over.
fn carry_vectors(conn: &Connection, old: &Path) {
    if !old.exists() {
        return;
    }
    if conn
        .execute("ATTACH DATABASE ?1 AS old", [old.to_string_lossy()])
        .is_ok()
    {
        let _ = conn.execute(
            "INSERT OR IGNORE INTO vectors(model, key, vector) SELECT model, key, vector FROM old.vectors",
            [],
        );
        let _ = conn.execute("DETACH DATABASE old", []);
    }
}

/// Opens (or creates) the database and checks its schema. Errors here are what healing is for.
fn open_connection(path: &Path) -> Result<Connection, rusqlite::Error> {
    if let Some(dir) = path.parent() {
        let _ = fs::create_dir_all(dir);
    }
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version == 0 {
        // Under the write lock, so of two processes creating the cache at once, one does.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if tables == 0 {
            tx.execute_batch(schema::CREATE)?;
            tx.execute_batch(schema::INSERT_TRIGGER)?;
            tx.pragma_update(None, "user_version", schema::VERSION)?;
        }
        tx.commit()?;
    }
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version != schema::VERSION {
        return Err(schema_mismatch(version));
    }
    Ok(conn)
}

const MISMATCH: &str = "git-zen cache schema version";

fn schema_mismatch(found: i64) -> rusqlite::Error {
    rusqlite::Error::InvalidParameterName(format!(
        "{MISMATCH} {found}, this git-zen uses {}",
        schema::VERSION
    ))
}

fn is_schema_mismatch(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::InvalidParameterName(m) if m.starts_with(MISMATCH))
}

fn describe(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::InvalidParameterName(m) => m.clone(),
        other => other.to_string(),
    }
}

fn remove_cache_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

impl Hint for IndexError {
    fn hint(&self) -> Option<String> {
        match self {
            IndexError::Sqlite { .. } => Some("check the disk (space, permissions); the cache is rebuilt from the records whenever it is deleted".into()),
            IndexError::Store(e) => e.hint(),
        }
    }
}
