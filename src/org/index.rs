//! `org index`: every hub fetched into a mirror of its own and written to the database
//! incrementally.
//!
//! Per hub: `git fetch --force` of the hub's `HEAD` into a bare mirror (a force-push to an
//! unrelated history is just another tree), then, in one transaction holding the hub's advisory
//! lock, the tree indexed last is read from the database, diffed against the new one, and only
//! the paths that changed are written; the new tree id is stored in the same transaction. A
//! killed indexer therefore leaves the previous tree and its rows, and the next run diffs from
//! there. A second indexer finds the lock taken and skips the hub. When the old tree is gone
//! from the mirror (a new mirror, a gc after a force-push) every row of the hub is replaced.
//!
//! Vectors are filled afterwards, once every hub is indexed, for rows whose text has none yet
//! (an edit that changes a record's text clears its vector), in batches that cross hubs and
//! small transactions of their own: indexing never waits for the model, every hub is searchable
//! by keyword before the first vector is computed, and until a record has its vector, recall
//! ranks it by keyword alone.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, mpsc};
use std::time::Instant;

use gix::ObjectId;

use super::{Db, OrgError};
use crate::index::tree::{Entry, classify, read_record};
use crate::record::Record;
use crate::semantic::Embedder;

/// The advisory lock namespace of indexing (the second key is the hub's id).
const INDEX_LOCK: i32 = 0x7a65_6e69;

/// How to index.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Where hub mirrors are kept (one bare repository per hub).
    pub mirrors: PathBuf,
    /// Embed records that have no vector yet.
    pub embed: bool,
    /// Only these hubs (empty: all).
    pub only: Vec<String>,
    /// Hubs indexed at once (one connection each).
    pub jobs: usize,
}

impl IndexOptions {
    /// Mirrors under the user's data directory.
    pub fn new(embed: bool) -> Result<IndexOptions, OrgError> {
        Ok(IndexOptions {
            mirrors: crate::hub::config::data_dir()?.join("org"),
            embed,
            only: Vec::new(),
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get().min(4)),
        })
    }
}

/// What happened to one hub.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Outcome {
    /// Its tree changed and the changes were written.
    Indexed {
        /// Record files added or changed.
        written: usize,
        /// Record files removed.
        removed: usize,
        /// Outcome and project files written or removed.
        files: usize,
        /// Every row was replaced (first index, or the old tree is gone).
        full: bool,
        /// Record files that do not parse, as `file:line: message`.
        malformed: Vec<String>,
    },
    /// Same tree as last time: nothing to write.
    Unchanged,
    /// Another indexer holds this hub's lock.
    Busy,
    /// The hub has no commits yet: nothing to index (what was indexed before is kept).
    Empty,
    /// It could not be fetched or read: the index keeps what it had.
    Failed {
        /// Why.
        message: String,
    },
}

/// One hub's report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HubReport {
    /// The hub's name.
    pub hub: String,
    /// What happened.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Vectors computed (or reused from an identical text) in this run.
    pub embedded: usize,
    /// Seconds spent, fetch included.
    pub seconds: f64,
}

/// Indexes every hub (or the ones asked for); `report` hears of each as it is done. A hub that
/// fails is reported and skipped; the others go on, and the result says how many failed.
pub fn index(
    db: &Db,
    options: &IndexOptions,
    report: &mut (dyn FnMut(&HubReport) + Send),
) -> Result<Vec<HubReport>, OrgError> {
    let hubs: Vec<(i32, String, String)> = {
        let mut conn = db.checked()?;
        conn.query("SELECT id, name, url FROM zen_hubs ORDER BY name", &[])
            .map_err(db.err())?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    };
    for name in &options.only {
        if !hubs.iter().any(|(_, n, _)| n == name) {
            return Err(OrgError::UnknownHub(name.clone()));
        }
    }
    let queue: Vec<(i32, String, String)> = hubs
        .into_iter()
        .filter(|(_, name, _)| options.only.is_empty() || options.only.contains(name))
        .collect();
    let total = queue.len();
    let queue = Mutex::new(queue.into_iter());
    // Hubs whose records wait for vectors, reported once they have them.
    let waiting: Mutex<Vec<Waiting>> = Mutex::new(Vec::new());
    let done = Mutex::new((Vec::new(), report, None::<OrgError>));
    let finish = |result: Result<HubReport, OrgError>| {
        let mut done = done.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(hub_report) => {
                (done.1)(&hub_report);
                done.0.push(hub_report);
            }
            Err(e) => {
                done.2.get_or_insert(e);
            }
        }
    };
    // Hubs in parallel, one connection each: fetching, parsing and the database's text search
    // share the cores.
    let jobs = options.jobs.clamp(1, total.max(1));
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap_or_else(|p| p.into_inner()).next();
                    let Some((id, name, url)) = next else { break };
                    let start = Instant::now();
                    let report = one_hub(db, options, id, name, &url);
                    let wants_vectors =
                        options.embed && !matches!(report.outcome, Outcome::Failed { .. });
                    match wants_vectors.then(|| pending(db, id)) {
                        Some(Ok(true)) => {
                            let hub = Waiting { id, report, start };
                            waiting.lock().unwrap_or_else(|p| p.into_inner()).push(hub);
                        }
                        Some(Err(e)) => finish(Err(e)),
                        Some(Ok(false)) | None => finish(Ok(report)),
                    }
                }
            });
        }
    });
    let mut waiting = waiting.into_inner().unwrap_or_else(|p| p.into_inner());
    if !waiting.is_empty() {
        waiting.sort_by(|a, b| a.report.hub.cmp(&b.report.hub));
        let embedded = Embedder::load(None)
            .map_err(OrgError::from)
            .and_then(|model| embed_waiting(db, &model, waiting, &mut |hub| finish(Ok(hub))));
        if let Err(e) = embedded {
            finish(Err(e));
        }
    }
    let (mut reports, _, error) = done.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some(e) = error {
        return Err(e);
    }
    reports.sort_by(|a, b| a.hub.cmp(&b.hub));
    let failed = reports
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed { .. }))
        .count();
    if failed > 0 {
        return Err(OrgError::Partial {
            failed,
            total: reports.len(),
        });
    }
    Ok(reports)
}

/// A hub indexed whose records wait for vectors.
struct Waiting {
    id: i32,
    report: HubReport,
    start: Instant,
}

/// Indexes one hub; a hub that cannot be fetched or read is reported as failed.
fn one_hub(db: &Db, options: &IndexOptions, id: i32, name: String, url: &str) -> HubReport {
    let start = Instant::now();
    let outcome = match index_hub(db, options, id, &name, url) {
        Ok(outcome) => outcome,
        Err(message) => {
            if let Ok(mut conn) = db.conn() {
                let _ = conn.execute(
                    "UPDATE zen_hubs SET problem = $2 WHERE id = $1",
                    &[&id, &message],
                );
            }
            Outcome::Failed { message }
        }
    };
    HubReport {
        hub: name,
        outcome,
        embedded: 0,
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// Whether a hub has records without a vector.
fn pending(db: &Db, hub_id: i32) -> Result<bool, OrgError> {
    let mut conn = db.conn()?;
    let row = conn
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM zen_records
                            WHERE hub_id = $1 AND embedding IS NULL AND error IS NULL)",
            &[&hub_id],
        )
        .map_err(db.err())?;
    Ok(row.get(0))
}

/// The mirror of a hub: named by the hub and a hash of its URL, so a hub re-added with another
/// URL starts a new mirror.
fn mirror_dir(options: &IndexOptions, name: &str, url: &str) -> PathBuf {
    options.mirrors.join(format!(
        "{name}-{:016x}.git",
        crate::hub::config::fnv1a(url.as_bytes())
    ))
}

/// Fetches the hub's `HEAD` into its mirror; returns the commit fetched.
fn fetch(dir: &Path, url: &str) -> Result<(), String> {
    if !dir.join("HEAD").is_file() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        crate::repo::run_captured(crate::repo::git_at(dir).args(["init", "-q", "--bare"]))
            .map_err(|e| e.to_string())?;
    }
    // What a fetch spends is mostly zlib: a record added to a folder of 17,000 sends a new
    // megabyte-sized folder tree, which the mirror keeps as a loose object until `git gc`
    // packs it. Writing it uncompressed saves a tenth of the fetch's CPU, and the fetch's own
    // automatic gc packs the mirror's loose objects once there are about 256 rather than git's
    // 6,700 (a gigabyte and more of such trees). FETCH_HEAD is never read.
    crate::repo::run_captured(crate::repo::git_at(dir).args([
        "-c",
        "core.looseCompression=0",
        "-c",
        "gc.auto=256",
        "fetch",
        "-q",
        "--force",
        "--no-tags",
        "--no-write-fetch-head",
        "--",
        url,
        "+HEAD:refs/zen/tip",
    ]))
    .map_err(|e| match e {
        crate::repo::RepoError::Git { message, .. } => message.trim().to_owned(),
        other => other.to_string(),
    })?;
    Ok(())
}

/// Whether the remote answers and has no refs at all: a hub created but never pushed to.
fn has_no_refs(dir: &Path, url: &str) -> bool {
    crate::repo::run_captured(crate::repo::git_at(dir).args(["ls-remote", "--", url]))
        .is_ok_and(|refs| refs.trim().is_empty())
}

/// A changed record file: its text and the record (or why it does not parse); `None`: removed.
type Parsed = Option<(String, Result<Record, crate::record::RecordError>)>;

/// Reads and parses a record file, keeping its text as committed.
fn read(
    repo: &gix::Repository,
    change: &crate::changes::Change,
    id: ObjectId,
) -> (String, Result<Record, crate::record::RecordError>) {
    if change.kind == crate::changes::EntryKind::Symlink {
        return (String::new(), read_record(repo, change));
    }
    let file = Path::new(&change.path);
    let bytes = match repo.find_object(id) {
        // gix decodes into buffers it reuses, sized for the largest object decoded so far (a
        // hub's folder tree is megabytes): without shrinking, every record held until the hub's
        // transaction kept such a buffer, and a 50k-record hub took 2.4 GB.
        Ok(object) => {
            let mut data = object.detach().data;
            data.shrink_to_fit();
            data
        }
        Err(e) => {
            let e = crate::record::RecordError::new(file, 1, format!("cannot read blob {id}: {e}"));
            return (String::new(), Err(e));
        }
    };
    // What a file that is not UTF-8 shows: copied only for such a file.
    let lossy = std::str::from_utf8(&bytes)
        .is_err()
        .then(|| String::from_utf8_lossy(&bytes).into_owned());
    match crate::record::decode(file, bytes) {
        Ok(text) => {
            let record = crate::record::parse(file, &text);
            (text, record)
        }
        Err(e) => (lossy.unwrap_or_default(), Err(e)),
    }
}

fn index_hub(
    db: &Db,
    options: &IndexOptions,
    hub_id: i32,
    name: &str,
    url: &str,
) -> Result<Outcome, String> {
    let dir = mirror_dir(options, name, url);
    if let Err(m) = fetch(&dir, url) {
        if has_no_refs(&dir, url) {
            return Ok(Outcome::Empty);
        }
        return Err(format!("cannot fetch {url}: {m}"));
    }
    let repo = gix::open_opts(&dir, gix::open::Options::isolated())
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let (commit, tree) = tip(&repo).map_err(|e| format!("cannot read the fetched tip: {e}"))?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let dberr = |e: postgres::Error| format!("the database failed: {}", super::message(&e));
    let mut tx = conn.transaction().map_err(dberr)?;
    let locked: bool = tx
        .query_one(
            "SELECT pg_try_advisory_xact_lock($1, $2)",
            &[&INDEX_LOCK, &hub_id],
        )
        .map_err(dberr)?
        .get(0);
    if !locked {
        return Ok(Outcome::Busy);
    }
    let known: Option<String> = tx
        .query_opt("SELECT tree FROM zen_hubs WHERE id = $1", &[&hub_id])
        .map_err(dberr)?
        .ok_or_else(|| "the hub was removed while indexing".to_owned())?
        .get(0);
    if known.as_deref() == Some(tree.to_string().as_str()) {
        tx.execute(
            "UPDATE zen_hubs SET problem = NULL WHERE id = $1",
            &[&hub_id],
        )
        .map_err(dberr)?;
        tx.commit().map_err(dberr)?;
        return Ok(Outcome::Unchanged);
    }
    let old = known
        .and_then(|k| ObjectId::from_hex(k.as_bytes()).ok())
        .filter(|id| repo.has_object(id));
    let full = old.is_none();
    let changes =
        crate::changes::diff(&repo, old, Some(tree)).map_err(|e| format!("cannot diff: {e}"))?;
    let (mut records, mut files) = (Vec::new(), Vec::new());
    for change in changes {
        match classify(&change.path) {
            Some(Entry::Record) => records.push(change),
            Some(Entry::Outcome) => files.push(change),
            None if is_registry(&change.path) => files.push(change),
            None => {}
        }
    }
    let shared = repo.clone().into_sync();
    let parsed: Vec<Parsed> = crate::par::map_with(
        &records,
        256,
        || shared.to_thread_local(),
        |repo, change| change.new.map(|id| read(repo, change, id)),
    );
    if full {
        tx.execute("DELETE FROM zen_records WHERE hub_id = $1", &[&hub_id])
            .map_err(dberr)?;
        tx.execute("DELETE FROM zen_files WHERE hub_id = $1", &[&hub_id])
            .map_err(dberr)?;
    }
    let removed: Vec<&str> = records
        .iter()
        .zip(&parsed)
        .filter(|(_, p)| p.is_none())
        .map(|(c, _)| c.path.as_str())
        .collect();
    // The hub's row count, kept as rows come and go rather than counted again: counting a
    // 50,000-record hub costs the database more than writing one changed record.
    let mut gained = 0i64;
    if !removed.is_empty() {
        let deleted = tx
            .execute(
                "DELETE FROM zen_records WHERE hub_id = $1 AND path = ANY($2)",
                &[&hub_id, &removed],
            )
            .map_err(dberr)?;
        gained -= deleted as i64;
    }
    let mut malformed = Vec::new();
    let mut staged = Vec::with_capacity(parsed.len() * 512);
    let mut written = 0;
    for (change, parsed) in records.iter().zip(&parsed) {
        match parsed {
            None => {}
            Some((source, Ok(record))) => {
                stage_record(&mut staged, &change.path, source, record);
                written += 1;
            }
            Some((source, Err(e))) => {
                stage_broken(&mut staged, &change.path, source, &e.to_string());
                malformed.push(e.to_string());
                written += 1;
            }
        }
        // Halfway through a hub: where a kill -9 must leave the previous state.
        if written == records.len() / 2 + 1 {
            crate::fault::point("org-index-mid-hub");
        }
    }
    if !staged.is_empty() {
        gained += write_staged(&mut tx, hub_id, &staged, full)?;
    }
    let file_count = write_files(&mut tx, &repo, hub_id, &files).map_err(dberr)?;
    // A full index starts from no rows; the count is an int4 column.
    tx.execute(
        "UPDATE zen_hubs SET tree = $2, commit_id = $3, indexed_at = now(), problem = NULL,
                records = CASE WHEN $4 THEN 0 ELSE records END + $5::int8::int4
         WHERE id = $1",
        &[
            &hub_id,
            &tree.to_string(),
            &commit.to_string(),
            &full,
            &gained,
        ],
    )
    .map_err(dberr)?;
    tx.commit().map_err(dberr)?;
    Ok(Outcome::Indexed {
        written,
        removed: removed.len(),
        files: file_count,
        full,
        malformed,
    })
}

/// The commit fetched and its tree.
fn tip(repo: &gix::Repository) -> Result<(ObjectId, ObjectId), String> {
    let mut reference = repo
        .find_reference("refs/zen/tip")
        .map_err(|e| e.to_string())?;
    let commit = reference
        .peel_to_commit()
        .map_err(|e| format!("the hub's HEAD is not a commit: {e}"))?;
    let tree = commit.tree_id().map_err(|e| e.to_string())?.detach();
    Ok((commit.id, tree))
}

/// `projects/<folder>/project.toml` and its `stages/*.toml`.
fn is_registry(path: &str) -> bool {
    path.strip_prefix("projects/")
        .is_some_and(|rest| rest.ends_with(".toml") && rest.contains('/'))
}

/// A blob's text, lossily.
fn raw(repo: &gix::Repository, id: Option<ObjectId>) -> Option<String> {
    let object = repo.find_object(id?).ok()?;
    Some(String::from_utf8_lossy(&object.data).into_owned())
}

/// Escapes one field for `COPY … FROM STDIN` (text format).
fn field(out: &mut Vec<u8>, value: Option<&str>) {
    let Some(value) = value else {
        out.extend_from_slice(b"\\N");
        return;
    };
    for b in value.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0 => {}
            b => out.push(b),
        }
    }
}

fn row(out: &mut Vec<u8>, fields: &[Option<&str>]) {
    for (i, value) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        field(out, *value);
    }
    out.push(b'\n');
}

/// Columns of the staging table, in order.
const STAGE: &str =
    "path, id, kind, title, status, outcome, tags, author, created, source, error, text_key, body";

fn stage_record(out: &mut Vec<u8>, path: &str, source: &str, record: &Record) {
    let tags = serde_json::to_string(&record.tags).unwrap_or_else(|_| "[]".into());
    let key = crate::semantic::text::key(record);
    row(
        out,
        &[
            Some(path),
            Some(record.id.as_str()),
            Some(record.kind.as_str()),
            Some(&record.title),
            Some(record.status.as_str()),
            record.outcome.map(|o| o.as_str()),
            Some(&tags),
            record.author.as_deref(),
            record.created.as_deref(),
            Some(source),
            None,
            Some(&key),
            Some(&record.body),
        ],
    );
}

fn stage_broken(out: &mut Vec<u8>, path: &str, source: &str, error: &str) {
    row(
        out,
        &[
            Some(path),
            None,
            None,
            None,
            None,
            None,
            Some("[]"),
            None,
            None,
            Some(source),
            Some(error),
            None,
            None,
        ],
    );
}

/// Copies the staged rows in and upserts them, computing their weighted `tsvector`s. A row
/// whose text is unchanged keeps its vector. Returns how many rows the hub gains: every staged
/// row after a full index's delete, else those of paths the hub did not have.
fn write_staged(
    tx: &mut postgres::Transaction<'_>,
    hub_id: i32,
    staged: &[u8],
    full: bool,
) -> Result<i64, String> {
    let dberr = |e: postgres::Error| format!("the database failed: {}", super::message(&e));
    tx.batch_execute(
        "CREATE TEMP TABLE zen_stage (path text, id text, kind text, title text, status text,
            outcome text, tags text, author text, created text, source text, error text,
            text_key text, body text) ON COMMIT DROP",
    )
    .map_err(dberr)?;
    let mut writer = tx
        .copy_in(&format!("COPY zen_stage ({STAGE}) FROM STDIN"))
        .map_err(dberr)?;
    writer
        .write_all(staged)
        .map_err(|e| format!("cannot copy records to the database: {e}"))?;
    let rows = writer.finish().map_err(dberr)?;
    let gained = if full {
        rows as i64
    } else {
        tx.query_one(
            "SELECT count(*) FROM zen_stage s WHERE NOT EXISTS
                 (SELECT 1 FROM zen_records r WHERE r.hub_id = $1 AND r.path = s.path)",
            &[&hub_id],
        )
        .map_err(dberr)?
        .get(0)
    };
    tx.execute(
        r#"INSERT INTO zen_records AS r (hub_id, path, id, kind, title, status, outcome, tags,
             author, created, source, error, text_key, tsv)
         SELECT $1, s.path, s.id, s.kind, s.title, s.status, s.outcome,
             ARRAY(SELECT jsonb_array_elements_text(s.tags::jsonb)), s.author, s.created,
             s.source, s.error, s.text_key,
             CASE WHEN s.error IS NULL THEN
                 setweight(to_tsvector('english', coalesce(s.title, '')), 'A') ||
                 setweight(to_tsvector('english',
                     translate(coalesce(s.tags, ''), '[]",', '    ')), 'B') ||
                 setweight(to_tsvector('english', coalesce(s.body, '')), 'C')
             END
         FROM zen_stage s
         ON CONFLICT (hub_id, path) DO UPDATE SET id = excluded.id, kind = excluded.kind,
             title = excluded.title, status = excluded.status, outcome = excluded.outcome,
             tags = excluded.tags, author = excluded.author, created = excluded.created,
             source = excluded.source, error = excluded.error, text_key = excluded.text_key,
             tsv = excluded.tsv,
             embedding = CASE WHEN r.text_key = excluded.text_key THEN r.embedding END"#,
        &[&hub_id],
    )
    .map_err(dberr)?;
    Ok(gained)
}

/// Writes or deletes the hub's outcome events and registry files.
fn write_files(
    tx: &mut postgres::Transaction<'_>,
    repo: &gix::Repository,
    hub_id: i32,
    files: &[crate::changes::Change],
) -> Result<usize, postgres::Error> {
    let upsert = tx.prepare(
        "INSERT INTO zen_files (hub_id, path, record_id, content) VALUES ($1, $2, $3, $4)
         ON CONFLICT (hub_id, path) DO UPDATE SET record_id = excluded.record_id,
             content = excluded.content",
    )?;
    let delete = tx.prepare("DELETE FROM zen_files WHERE hub_id = $1 AND path = $2")?;
    for change in files {
        match raw(repo, change.new) {
            Some(content) => {
                let record_id = change
                    .path
                    .strip_prefix("outcomes/")
                    .and_then(|_| outcome_record(&content));
                tx.execute(&upsert, &[&hub_id, &change.path, &record_id, &content])?;
            }
            None => {
                tx.execute(&delete, &[&hub_id, &change.path])?;
            }
        }
    }
    Ok(files.len())
}

/// The record an outcome event is about, if the event parses.
fn outcome_record(content: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(content).ok()?;
    table.get("record")?.as_str().map(str::to_owned)
}

/// How many records are embedded per batch (and written per transaction).
const EMBED_BATCH: usize = 64;

/// A record waiting for its vector: the hub's place in the waiting list, its row, its text's
/// key and the text the model reads.
struct Unembedded {
    hub: usize,
    rid: i64,
    key: String,
    text: String,
}

/// Fills in the vectors of the `waiting` hubs' records that have none: from a row with the same
/// text when there is one, else from the model, in batches that cross hubs, so ten hubs with one
/// new record each are one batch on every core (the model expands its weights once per batch),
/// not ten batches of one. Each hub is handed to `done` once its records have vectors.
fn embed_waiting(
    db: &Db,
    embedder: &Embedder,
    mut waiting: Vec<Waiting>,
    done: &mut dyn FnMut(HubReport),
) -> Result<(), OrgError> {
    let mut conn = db.conn()?;
    let mut batch: Vec<Unembedded> = Vec::new();
    let mut reported = 0;
    for i in 0..waiting.len() {
        let hub_id = waiting[i].id;
        waiting[i].report.embedded += copy_identical(db, &mut conn, hub_id)?;
        let mut after = 0i64;
        loop {
            let (last, page) = unembedded(db, &mut conn, i, hub_id, after)?;
            let Some(last) = last else { break };
            after = last;
            batch.extend(page);
            if batch.len() >= EMBED_BATCH {
                write_vectors(db, embedder, &mut batch, &mut waiting)?;
                // Every hub before this one is complete.
                for hub in &waiting[reported..i] {
                    done(finished(hub));
                }
                reported = i;
            }
        }
    }
    write_vectors(db, embedder, &mut batch, &mut waiting)?;
    for hub in &waiting[reported..] {
        done(finished(hub));
    }
    Ok(())
}

/// A waiting hub's report, now that its records have vectors.
fn finished(hub: &Waiting) -> HubReport {
    HubReport {
        seconds: hub.start.elapsed().as_secs_f64(),
        ..hub.report.clone()
    }
}

/// Gives the hub's rows without a vector the vector of a row with the same text (a record
/// promoted to several hubs is embedded once); how many.
fn copy_identical(db: &Db, conn: &mut postgres::Client, hub_id: i32) -> Result<usize, OrgError> {
    let copied = conn
        .execute(
            "UPDATE zen_records r SET embedding = o.embedding
             FROM (SELECT DISTINCT ON (text_key) text_key, embedding FROM zen_records
                   WHERE embedding IS NOT NULL AND text_key IN (
                       SELECT text_key FROM zen_records
                       WHERE hub_id = $1 AND embedding IS NULL AND error IS NULL)) o
             WHERE r.hub_id = $1 AND r.embedding IS NULL AND r.text_key = o.text_key",
            &[&hub_id],
        )
        .map_err(db.err())?;
    Ok(copied as usize)
}

/// The next page of the hub's records without a vector, after row `after`: the page's last row
/// (`None`: no more) and its records that parse.
fn unembedded(
    db: &Db,
    conn: &mut postgres::Client,
    hub: usize,
    hub_id: i32,
    after: i64,
) -> Result<(Option<i64>, Vec<Unembedded>), OrgError> {
    let rows = conn
        .query(
            "SELECT rid, path, source, text_key FROM zen_records
             WHERE hub_id = $1 AND embedding IS NULL AND error IS NULL AND rid > $2
             ORDER BY rid LIMIT $3",
            &[&hub_id, &after, &(EMBED_BATCH as i64)],
        )
        .map_err(db.err())?;
    let last = rows.last().map(|row| row.get(0));
    let page = rows
        .iter()
        .filter_map(|row| {
            let path: String = row.get(1);
            let source: String = row.get(2);
            let record = crate::record::parse(Path::new(&path), &source).ok()?;
            Some(Unembedded {
                hub,
                rid: row.get(0),
                key: row.get(3),
                text: crate::semantic::text::text(&record),
            })
        })
        .collect();
    Ok((last, page))
}

/// Embeds the batch and writes its vectors (a row whose text changed meanwhile keeps waiting),
/// counting them to their hubs; empties the batch. Each vector is written as soon as the model
/// has it, over one connection per core, each a transaction of its own: a vector written inserts
/// into the HNSW graph, which reads pages of it from disk when they are not in memory, and those
/// reads wait while the model computes the next vectors rather than after the last one.
fn write_vectors(
    db: &Db,
    embedder: &Embedder,
    batch: &mut Vec<Unembedded>,
    waiting: &mut [Waiting],
) -> Result<(), OrgError> {
    if batch.is_empty() {
        return Ok(());
    }
    let texts: Vec<&str> = batch.iter().map(|u| u.text.as_str()).collect();
    let (computed, vectors) = mpsc::channel::<(usize, Vec<f32>)>();
    let vectors = Mutex::new(vectors);
    let writers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(batch.len());
    let rows: &[Unembedded] = batch;
    std::thread::scope(|scope| {
        let written: Vec<_> = (0..writers)
            .map(|_| scope.spawn(|| write_as_computed(db, rows, &vectors)))
            .collect();
        embedder.embed_each(&texts, &|i, vector| {
            // A writer that failed has dropped out; its error is returned below.
            let _ = computed.send((i, vector));
        });
        drop(computed);
        written
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect::<Result<Vec<()>, OrgError>>()
    })?;
    for u in batch.iter() {
        waiting[u.hub].report.embedded += 1;
    }
    batch.clear();
    Ok(())
}

/// Writes vectors of `rows` as they come from `vectors`, until the model is done, in one
/// transaction of a connection of its own.
fn write_as_computed(
    db: &Db,
    rows: &[Unembedded],
    vectors: &Mutex<mpsc::Receiver<(usize, Vec<f32>)>>,
) -> Result<(), OrgError> {
    let mut conn = db.conn()?;
    let mut tx = conn.transaction().map_err(db.err())?;
    let update = tx
        .prepare(
            "UPDATE zen_records SET embedding = $2::text::vector
             WHERE rid = $1 AND text_key = $3",
        )
        .map_err(db.err())?;
    loop {
        // The lock is held only while waiting for the next vector, not while writing it.
        let next = vectors.lock().unwrap_or_else(|p| p.into_inner()).recv();
        let Ok((i, vector)) = next else { break };
        let row = &rows[i];
        tx.execute(&update, &[&row.rid, &vector_text(&vector), &row.key])
            .map_err(db.err())?;
    }
    tx.commit().map_err(db.err())
}

/// pgvector's text form of a vector.
pub fn vector_text(vector: &[f32]) -> String {
    let mut out = String::with_capacity(vector.len() * 10 + 2);
    out.push('[');
    for (i, v) in vector.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&v.to_string());
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_fields_escape_what_copy_reads_as_syntax() {
        let mut out = Vec::new();
        row(&mut out, &[Some("a\tb\\c\nd"), None]);
        assert_eq!(out, b"a\\tb\\\\c\\nd\t\\N\n");
    }

    #[test]
    fn registry_files_are_told_from_readmes() {
        assert!(is_registry("projects/shop-01abc/project.toml"));
        assert!(is_registry("projects/shop-01abc/stages/01def.toml"));
        assert!(!is_registry("projects/README.md"));
        assert!(!is_registry("projects/x.toml"));
    }
}
