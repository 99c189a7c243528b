//! Bringing the cache up to date with the record files, re-parsing only what changed.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Row, TransactionBehavior, params};

use super::{Index, Source};
use crate::record::{Record, RecordError};
use crate::store::{Store, StoreError};

/// What a refresh did.
#[derive(Debug, Default, Clone)]
pub struct RefreshReport {
    /// Record files the walk found, changed or not.
    pub scanned: usize,
    /// Files (re-)parsed because they were new or changed.
    pub parsed: usize,
    /// Rows removed because their file is gone.
    pub removed: usize,
}

/// A file's identity for change detection, like an entry of git's index.
struct Stat {
    path: String,
    abs: PathBuf,
    size: i64,
    mtime_ns: i64,
    inode: i64,
}

/// A file modified this recently may be modified again within the same timestamp tick after we
/// read it ("racily clean" in git's terms): its stat is not trusted and it is re-read next time.
const RACY_NS: i64 = 2_000_000_000;

/// The columns [`record_from_row`] reads, in order.
pub const RECORD_COLUMNS: &str = "path, id, kind, title, status, outcome, tags, paths, supersedes, \
     superseded_by, links, created, author, adr, imported_from, front_matter, body";

impl Index {
    pub(super) fn refresh_inner(
        &mut self,
        progress: Option<&indicatif::ProgressBar>,
    ) -> Result<RefreshReport, rusqlite::Error> {
        match self.source.clone() {
            Source::WorkTree(store) => self.refresh_work_tree(&store, progress),
            Source::Tree(dir) => self.refresh_tree(&dir, progress),
        }
    }

    fn refresh_work_tree(
        &mut self,
        store: &Store,
        progress: Option<&indicatif::ProgressBar>,
    ) -> Result<RefreshReport, rusqlite::Error> {
        let started_ns = now_ns();
        let files = scan(store).map_err(store_to_sqlite)?;
        let mut report = RefreshReport {
            scanned: files.len(),
            ..RefreshReport::default()
        };
        // Both sides in path order (SQLite's BINARY collation is byte order, as is String's): a
        // merge join, no hashing.
        let mut changed: Vec<&Stat> = Vec::new();
        let mut removed: Vec<String> = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT path, size, mtime_ns, inode FROM files ORDER BY path")?;
            let mut rows = stmt.query([])?;
            let mut on_disk = files.iter().peekable();
            while let Some(row) = rows.next()? {
                let path = row.get_ref(0)?.as_str()?;
                while let Some(f) = on_disk.next_if(|f| f.path.as_str() < path) {
                    changed.push(f);
                }
                match on_disk.next_if(|f| f.path == path) {
                    Some(f) => {
                        let known: (i64, i64, i64) = (row.get(1)?, row.get(2)?, row.get(3)?);
                        if known != (f.size, f.mtime_ns, f.inode) {
                            changed.push(f);
                        }
                    }
                    None => removed.push(path.to_owned()),
                }
            }
            changed.extend(on_disk);
        }
        if changed.is_empty() && removed.is_empty() {
            return Ok(report);
        }
        if let Some(bar) = progress {
            bar.set_length(changed.len() as u64);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut delete = tx.prepare_cached("DELETE FROM records WHERE path = ?1")?;
            let mut forget = tx.prepare_cached("DELETE FROM files WHERE path = ?1")?;
            for path in &removed {
                forget.execute([path])?;
                report.removed += delete.execute([path])?;
            }
            let mut remember = tx.prepare_cached(
                "INSERT INTO files(path, size, mtime_ns, inode) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(path) DO UPDATE SET size = excluded.size,
                 mtime_ns = excluded.mtime_ns, inode = excluded.inode",
            )?;
            let mut upsert = tx.prepare_cached(UPSERT)?;
            parse_streaming(store, &changed, progress, |stat, outcome| {
                let mtime = if started_ns - stat.mtime_ns < RACY_NS {
                    -1
                } else {
                    stat.mtime_ns
                };
                match outcome {
                    Parsed::Gone => {
                        forget.execute([&stat.path])?;
                        report.removed += delete.execute([&stat.path])?;
                        return Ok(());
                    }
                    Parsed::Broken(e) => write_broken(&mut upsert, &stat.path, &e)?,
                    Parsed::Ok(r) => write_record(&mut upsert, &stat.path, &r)?,
                }
                remember.execute(params![stat.path, stat.size, mtime, stat.inode])?;
                report.parsed += 1;
                Ok(())
            })?;
            set_meta(&tx, "last_refresh", &crate::record::now_rfc3339())?;
            store_counts(&tx)?;
        }
        tx.commit()?;
        Ok(report)
    }
}

/// Stores a file that does not parse: its path and the error; every record column stays NULL.
pub(super) fn write_broken(
    upsert: &mut rusqlite::CachedStatement<'_>,
    path: &str,
    e: &RecordError,
) -> rusqlite::Result<()> {
    let error = format!("{}\t{}", e.line, e.message);
    let null: Option<String> = None;
    let mut row: Vec<&dyn rusqlite::ToSql> = vec![&path, &error];
    row.extend(std::iter::repeat_n(
        &null as &dyn rusqlite::ToSql,
        RECORD_FIELDS,
    ));
    upsert.execute(row.as_slice())?;
    Ok(())
}

/// Stores a parsed record under `path`.
pub(super) fn write_record(
    upsert: &mut rusqlite::CachedStatement<'_>,
    path: &str,
    r: &Record,
) -> rusqlite::Result<()> {
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_default();
    upsert.execute(params![
        path,
        None::<String>,
        r.id.as_str(),
        r.kind.as_str(),
        r.title,
        r.status.as_str(),
        r.outcome.map(|o| o.as_str()),
        json(&r.tags),
        json(&r.paths),
        json(&r.supersedes),
        json(&r.superseded_by),
        json(&r.links),
        r.created,
        r.author,
        r.adr,
        r.imported_from,
        r.front_matter,
        r.body,
        r.tags.join(" "),
        crate::semantic::text::key(r)
    ])?;
    Ok(())
}

/// Columns of `records` after `path` and `error`, as written by [`UPSERT`].
const RECORD_FIELDS: usize = 18;

pub(super) const UPSERT: &str = "INSERT INTO records (path, error, id, kind, title, status, \
    outcome, tags, paths, supersedes, superseded_by, links, created, author, adr, imported_from, \
    front_matter, body, tag_words, embed_key) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20) \
    ON CONFLICT(path) DO UPDATE SET error = excluded.error, id = excluded.id, kind = excluded.kind, \
    title = excluded.title, status = excluded.status, outcome = excluded.outcome, \
    tags = excluded.tags, paths = excluded.paths, supersedes = excluded.supersedes, \
    superseded_by = excluded.superseded_by, links = excluded.links, created = excluded.created, \
    author = excluded.author, adr = excluded.adr, imported_from = excluded.imported_from, \
    front_matter = excluded.front_matter, body = excluded.body, tag_words = excluded.tag_words, \
    embed_key = excluded.embed_key";

enum Parsed {
    Ok(Box<Record>),
    Broken(RecordError),
    /// Deleted between the scan and the read.
    Gone,
}

/// Parses `files` on worker threads and hands each result to `each` on this thread as it is
/// ready, so parsing overlaps with the single SQLite writer instead of preceding it.
fn parse_streaming(
    store: &Store,
    files: &[&Stat],
    progress: Option<&indicatif::ProgressBar>,
    mut each: impl FnMut(&Stat, Parsed) -> Result<(), rusqlite::Error>,
) -> Result<(), rusqlite::Error> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = files.len().div_ceil(workers).max(32);
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<(usize, Parsed)>(512);
        for (n, part) in files.chunks(chunk).enumerate() {
            let sender = sender.clone();
            scope.spawn(move || {
                for (i, f) in part.iter().enumerate() {
                    let parsed = match store.load_file(&f.abs) {
                        Ok(r) => Parsed::Ok(Box::new(r)),
                        Err(StoreError::Record(e)) => Parsed::Broken(e),
                        Err(_) => Parsed::Gone,
                    };
                    // The receiver is gone only if writing failed: stop quietly.
                    if sender.send((n * chunk + i, parsed)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(sender);
        for (i, parsed) in receiver {
            each(files[i], parsed)?;
            if let Some(bar) = progress {
                bar.inc(1);
            }
        }
        Ok(())
    })
}

/// Every record file with its stat, in path order; statted relative to its folder, on every
/// core.
fn scan(store: &Store) -> Result<Vec<Stat>, StoreError> {
    let entries = store.record_entries()?;
    // par::map keeps the order, so the stats stay in path order.
    let stats = crate::par::map(&entries, 512, |e| {
        Some(stat(e.path.clone(), e.abs(), &e.metadata().ok()?))
    });
    Ok(stats.into_iter().flatten().collect())
}

fn stat(path: String, abs: PathBuf, meta: &std::fs::Metadata) -> Stat {
    #[cfg(unix)]
    let (mtime_ns, inode) = {
        use std::os::unix::fs::MetadataExt;
        (
            meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
            meta.ino() as i64,
        )
    };
    #[cfg(not(unix))]
    let (mtime_ns, inode) = (
        meta.modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i64),
        0,
    );
    Stat {
        path,
        abs,
        size: meta.len() as i64,
        mtime_ns,
        inode,
    }
}

/// Stores the record and broken-file counts in `meta` (at the end of a refresh that changed
/// something), so `status` reads two values instead of counting 100k rows.
pub(super) fn store_counts(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    let errors: i64 = conn.query_row(
        "SELECT count(*) FROM records WHERE error IS NOT NULL",
        [],
        |r| r.get(0),
    )?;
    // count(*) of every row walks the narrow id index; filtering on `error` would read every
    // row with its body (275 ms at 100k). Broken files have their own index.
    let all: i64 = conn.query_row("SELECT count(*) FROM records", [], |r| r.get(0))?;
    set_meta(conn, "records", &(all - errors).to_string())?;
    set_meta(conn, "errors", &errors.to_string())
}

/// Sets `key` in the cache's `meta` table.
pub(super) fn set_meta(
    conn: &rusqlite::Connection,
    key: &str,
    value: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

fn store_to_sqlite(e: StoreError) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

/// Turns a stored `line\tmessage` back into the parse error.
pub fn decode_error(path: &str, stored: &str) -> RecordError {
    let (line, message) = stored.split_once('\t').unwrap_or(("1", stored));
    RecordError::new(path, line.parse().unwrap_or(1), message)
}

/// A record from a row selected with [`RECORD_COLUMNS`].
pub fn record_from_row(row: &Row<'_>) -> rusqlite::Result<Record> {
    fn parse<T: std::str::FromStr>(row: &Row<'_>, i: usize) -> rusqlite::Result<T> {
        let text: String = row.get(i)?;
        text.parse().map_err(|_| {
            rusqlite::Error::FromSqlConversionFailure(
                i,
                rusqlite::types::Type::Text,
                "unparsable value".into(),
            )
        })
    }
    let list = |i: usize| -> rusqlite::Result<Vec<String>> {
        let text: String = row.get(i)?;
        serde_json::from_str(&text).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    };
    let outcome: Option<String> = row.get(5)?;
    let path: String = row.get(0)?;
    Ok(Record {
        file: PathBuf::from(path),
        id: parse(row, 1)?,
        kind: parse(row, 2)?,
        title: row.get(3)?,
        status: parse(row, 4)?,
        outcome: outcome.and_then(|o| o.parse().ok()),
        tags: list(6)?,
        paths: list(7)?,
        supersedes: list(8)?,
        superseded_by: list(9)?,
        links: list(10)?,
        created: row.get(11)?,
        author: row.get(12)?,
        adr: row.get(13)?,
        imported_from: row.get(14)?,
        front_matter: row.get(15)?,
        body: row.get(16)?,
    })
}
