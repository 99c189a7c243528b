//! The `.datazentr/` folder: layout, loading, lookup by id prefix, and atomic writes.
//!
//! Every record is its own file named `<id>-<slug>.md` under its kind's folder, so two branches that
//! add or edit different records never touch the same file and merge without conflicts.

use crate::error::Hint;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::fsutil::{Existing, write_atomic_via};
use crate::id::{self, RecordId};
use crate::record::{self, Kind, NewRecord, Record, RecordError, Status};
use crate::repo::Repo;

/// The folder name, at the root of the work tree.
pub const DIR: &str = ".datazentr";

const CONFIG: &str = "# git-zen project configuration. Tracked in git; see `man git-zen`.\n\
format = 1\n";

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `.datazentr/` does not exist yet.
    #[error("no {DIR}/ in {}", .0.display())]
    NotInitialized(PathBuf),
    /// `.datazentr` exists but is not a folder.
    #[error(
        "{} is a file, but git-zen keeps its memory in a folder of that name",
        .0.display()
    )]
    NotAFolder(PathBuf),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The OS error, shown after the path.
        source: io::Error,
    },
    /// A record is malformed.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// No record matches the query.
    #[error("no record matches '{0}'")]
    NotFound(String),
    /// More than one record matches the query.
    #[error("'{query}' is ambiguous; it matches:\n{}", candidates.join("\n"))]
    Ambiguous {
        /// What the user typed.
        query: String,
        /// `id  title` of each match.
        candidates: Vec<String>,
    },
    /// A path git-zen would read or write is a symbolic link.
    #[error(
        "{} is a symbolic link: git-zen reads and writes only real files and folders inside {DIR}/, so nothing outside it is touched",
        .0.display()
    )]
    Symlink(PathBuf),
    /// A rewrite tried to change what must not change.
    #[error("{file}: {message}")]
    Rejected {
        /// The file relative to the work tree, as displayed (platform separators).
        file: String,
        /// Why the write is refused and what to do instead (a changed id or kind, a cycle, an id
        /// that already has a file).
        message: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What [`Store::init`] did; `created` is empty when the layout was already there.
#[derive(Debug, Default)]
pub struct InitReport {
    /// Files and folders created, relative to the work tree.
    pub created: Vec<PathBuf>,
}

/// Every record file, parsed; broken files are reported beside the good ones.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Records that parsed, sorted by id (oldest first).
    pub records: Vec<Record>,
    /// Files that did not parse, each with its line and fix; left out of `records`.
    pub errors: Vec<RecordError>,
}

/// A project's `.datazentr/` folder.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    workdir: PathBuf,
    /// Where writes keep their temp files: `<git-dir>/datazentr/tmp` for a repository's store,
    /// so a write killed half-way leaves nothing for `git status` or `git add -A` to see (none:
    /// beside the target, for a folder without a git dir of its own).
    temps: Option<PathBuf>,
}

impl Store {
    /// Creates `.datazentr/` and its layout; existing files are left as they are.
    pub fn init(repo: &Repo) -> Result<(Store, InitReport), StoreError> {
        Store::init_with(repo.workdir(), Some(Store::temps_of(repo)))
    }

    /// [`Store::init`] in the work tree at `workdir` (for a repository being created).
    pub fn init_at(workdir: &Path) -> Result<(Store, InitReport), StoreError> {
        Store::init_with(workdir, None)
    }

    fn init_with(
        workdir: &Path,
        temps: Option<PathBuf>,
    ) -> Result<(Store, InitReport), StoreError> {
        let store = Store {
            root: workdir.join(DIR),
            workdir: workdir.to_path_buf(),
            temps,
        };
        store.check_folder()?;
        let mut report = InitReport::default();
        let mkdir = |dir: &Path, report: &mut InitReport| -> Result<(), StoreError> {
            if !dir.is_dir() {
                fs::create_dir_all(dir).map_err(io_err(dir))?;
                report.created.push(store.relative(dir));
            }
            Ok(())
        };
        mkdir(&store.root, &mut report)?;
        let folders = Kind::ALL.iter().map(|k| k.folder()).chain(["policies"]);
        for folder in folders {
            let dir = store.root.join(folder);
            if fs::symlink_metadata(&dir).is_ok_and(|m| m.is_symlink()) {
                return Err(StoreError::Symlink(store.relative(&dir)));
            }
            mkdir(&dir, &mut report)?;
            // Git does not track empty folders; a marker keeps the layout in every clone.
            let keep = dir.join(".gitkeep");
            if fs::read_dir(&dir).map_err(io_err(&dir))?.next().is_none() {
                store.write(&keep, b"", Existing::Keep)?;
            }
        }
        let config = store.root.join("config.toml");
        if !config.exists() {
            store.write(&config, CONFIG.as_bytes(), Existing::Keep)?;
            report.created.push(store.relative(&config));
        }
        Ok((store, report))
    }

    /// Opens the existing `.datazentr/` of the repository.
    pub fn open(repo: &Repo) -> Result<Store, StoreError> {
        let mut store = Store::open_at(repo.workdir())?;
        let temps = Store::temps_of(repo);
        // What writes killed half-way left (a small folder, usually missing or empty).
        crate::fsutil::remove_stale_temps(&temps);
        store.temps = Some(temps);
        Ok(store)
    }

    fn temps_of(repo: &Repo) -> PathBuf {
        repo.state_dir().join("tmp")
    }

    fn write(&self, path: &Path, bytes: &[u8], existing: Existing) -> Result<(), StoreError> {
        write_atomic_via(path, bytes, existing, self.temps.as_deref()).map_err(io_err(path))
    }

    /// [`Store::open`] for the work tree at `workdir` (a hub's clone, say).
    pub fn open_at(workdir: &Path) -> Result<Store, StoreError> {
        let store = Store {
            root: workdir.join(DIR),
            workdir: workdir.to_path_buf(),
            temps: None,
        };
        store.check_folder()?;
        if !store.root.exists() {
            return Err(StoreError::NotInitialized(store.workdir.clone()));
        }
        Ok(store)
    }

    fn check_folder(&self) -> Result<(), StoreError> {
        match fs::symlink_metadata(&self.root) {
            Ok(meta) if meta.is_symlink() => Err(StoreError::Symlink(self.relative(&self.root))),
            Ok(meta) if !meta.is_dir() => Err(StoreError::NotAFolder(self.relative(&self.root))),
            _ => Ok(()),
        }
    }

    /// The folder of `kind`'s records, created if missing; a link or a file there is refused.
    fn kind_dir(&self, kind: Kind) -> Result<PathBuf, StoreError> {
        let dir = self.root.join(kind.folder());
        match fs::symlink_metadata(&dir) {
            Ok(meta) if meta.is_symlink() => Err(StoreError::Symlink(self.relative(&dir))),
            Ok(meta) if !meta.is_dir() => Err(StoreError::NotAFolder(self.relative(&dir))),
            Ok(_) => Ok(dir),
            Err(_) => {
                fs::create_dir_all(&dir).map_err(io_err(&dir))?;
                Ok(dir)
            }
        }
    }

    /// The file of record `id`, if one exists (whether or not it parses).
    pub fn file_for_id(&self, id: &RecordId) -> Result<Option<PathBuf>, StoreError> {
        let exact = format!("{id}.md");
        let prefix = format!("{id}-");
        Ok(self.record_files()?.into_iter().find(|f| {
            f.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n == exact || n.starts_with(&prefix))
        }))
    }

    /// The absolute path of `.datazentr/`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The work tree root the store belongs to.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// `path` relative to the work tree root (unchanged if it lies outside).
    pub fn relative(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.workdir)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.to_path_buf())
    }

    /// Every record file under the kind folders, sorted by path. Symbolic links (to a record or in
    /// place of a kind folder) are listed too, so loading can report them instead of skipping them.
    pub fn record_files(&self) -> Result<Vec<PathBuf>, StoreError> {
        Ok(self
            .record_entries()?
            .iter()
            .map(RecordEntry::abs)
            .collect())
    }

    /// Every record file with its path relative to the work tree, sorted by that path: the one
    /// walk of the kind folders that loading, validation and the cache share. Hidden entries
    /// (`.gitkeep`, temp files of atomic writes) are skipped; `.md` files, and symbolic links
    /// named so, are records.
    pub fn record_entries(&self) -> Result<Vec<RecordEntry>, StoreError> {
        let mut out = Vec::new();
        for kind in Kind::ALL {
            let dir = self.root.join(kind.folder());
            let rel = format!("{DIR}/{}", kind.folder());
            match fs::symlink_metadata(&dir) {
                Err(_) => continue,
                Ok(meta) if !meta.is_dir() => out.push(RecordEntry {
                    path: rel,
                    source: Source::Link(dir),
                }),
                Ok(_) => walk(&dir, &rel, &mut out)
                    .map_err(|source| StoreError::Io { path: dir, source })?,
            }
        }
        // Byte order of the relative path: the order the cache's merge join relies on (comparing
        // paths component by component was also a measurable cost at 100k).
        out.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// Reads and parses one record file.
    pub fn load_file(&self, path: &Path) -> Result<Record, StoreError> {
        let rel = self.relative(path);
        if fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink()) {
            return Err(RecordError::new(
                &rel,
                1,
                "is a symbolic link: records must be real files inside .datazentr/; replace the link with the file",
            )
            .into());
        }
        let bytes = fs::read(path).map_err(io_err(path))?;
        let text = record::decode(&rel, bytes)?;
        Ok(record::parse(&rel, &text)?)
    }

    /// Every record; files that fail to parse are collected in [`Loaded::errors`].
    pub fn load_all(&self) -> Result<Loaded, StoreError> {
        let files = self.record_files()?;
        let results = crate::par::map(&files, 64, |f| self.load_file(f));
        let mut loaded = Loaded::default();
        for result in results {
            match result {
                Ok(record) => loaded.records.push(record),
                Err(StoreError::Record(e)) => loaded.errors.push(e),
                Err(e) => return Err(e),
            }
        }
        loaded.records.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(loaded)
    }

    /// Writes a new record atomically and returns it as parsed back from disk.
    pub fn create(&self, new: &NewRecord) -> Result<Record, StoreError> {
        let dir = self.kind_dir(new.kind)?;
        let path = dir.join(format!("{}-{}.md", new.id, record::slugify(&new.title)));
        let text = record::render(new);
        // Validate before writing so a bad value never reaches the working tree.
        let parsed = record::parse(&self.relative(&path), &text)?;
        self.write(&path, text.as_bytes(), Existing::Keep)?;
        Ok(parsed)
    }

    /// Writes a complete record text (front matter and body) as a new record file, after checking
    /// that it parses. The file name comes from its id, kind and title.
    pub fn create_from_text(&self, text: &str) -> Result<Record, StoreError> {
        let probe = record::parse(Path::new("(draft)"), text)?;
        if let Some(existing) = self.file_for_id(&probe.id)? {
            return Err(StoreError::Rejected {
                file: self.relative(&existing).display().to_string(),
                message: format!(
                    "already holds record {}: fix that file instead of writing a second one",
                    probe.id
                ),
            });
        }
        let dir = self.kind_dir(probe.kind)?;
        let path = dir.join(format!("{}-{}.md", probe.id, record::slugify(&probe.title)));
        let parsed = record::parse(&self.relative(&path), text)?;
        self.write(&path, text.as_bytes(), Existing::Keep)?;
        Ok(parsed)
    }

    /// Replaces `old`'s file with `text` after checking that it parses and keeps its id and kind.
    pub fn rewrite(&self, old: &Record, text: &str) -> Result<Record, StoreError> {
        let new = record::parse(&old.file, text)?;
        let file = old.file.display().to_string();
        if new.id != old.id {
            return Err(StoreError::Rejected {
                file,
                message: format!(
                    "the id must stay {}: ids are never reused or changed",
                    old.id
                ),
            });
        }
        if new.kind != old.kind {
            return Err(StoreError::Rejected {
                file,
                message: format!(
                    "the kind must stay {}: record a new {} and `git zen supersede` this one instead",
                    old.kind, new.kind
                ),
            });
        }
        let path = self.workdir.join(&old.file);
        self.write(&path, text.as_bytes(), Existing::Replace)?;
        Ok(new)
    }

    /// Marks `old` as superseded by `new` on both records (idempotent). `all` is every record,
    /// for refusing cycles. Both texts are checked before either is written, and if the second
    /// write fails the first is put back.
    pub fn supersede(
        &self,
        all: &[Record],
        old: &Record,
        new: &Record,
    ) -> Result<(Record, Record), StoreError> {
        let reject = |message: String| StoreError::Rejected {
            file: new.file.display().to_string(),
            message,
        };
        if old.id == new.id {
            return Err(reject("a record cannot supersede itself".into()));
        }
        if supersedes_transitively(all, old, &new.id) {
            return Err(reject(format!(
                "{} already supersedes {} (directly or through others): superseding it back would make a cycle",
                old.id, new.id
            )));
        }
        let new_text = new.edit_front_matter(|doc| push_unique(doc, "supersedes", old.id.as_str()));
        let old_text = superseded_text(old, &new.id);
        let new_parsed = record::parse(&new.file, &new_text)?;
        let old_parsed = record::parse(&old.file, &old_text)?;
        let new_path = self.workdir.join(&new.file);
        let new_before = fs::read(&new_path).map_err(io_err(&new_path))?;
        self.replace(&new_path, new_text.as_bytes())?;
        if let Err(e) = self.replace(&self.workdir.join(&old.file), old_text.as_bytes()) {
            let _ = self.write(&new_path, &new_before, Existing::Replace);
            return Err(e);
        }
        Ok((old_parsed, new_parsed))
    }

    /// Writes a new record that supersedes `olds`, and marks each of them superseded. Every text
    /// is checked before anything is written; on a failed write, what was written is undone.
    pub fn create_superseding(
        &self,
        new: &NewRecord,
        olds: &[&Record],
    ) -> Result<Record, StoreError> {
        let mut new = new.clone();
        for old in olds {
            if !new.supersedes.iter().any(|id| id == old.id.as_str()) {
                new.supersedes.push(old.id.to_string());
            }
        }
        let rewrites = self.superseded_texts(olds, &new.id)?;
        let created = self.create(&new)?;
        self.mark_superseded(&created, &rewrites)?;
        Ok(created)
    }

    /// [`Store::create_superseding`] for a complete record text (what an editor left): `olds`
    /// are added to its `supersedes` if the text does not name them, the text is written as a
    /// new record, then each old one is marked superseded — all of it or, on a failed write,
    /// none of it.
    pub fn create_from_text_superseding(
        &self,
        text: &str,
        olds: &[&Record],
    ) -> Result<Record, StoreError> {
        if olds.is_empty() {
            return self.create_from_text(text);
        }
        let probe = record::parse(Path::new("(draft)"), text)?;
        let text = probe.edit_front_matter(|doc| {
            for old in olds {
                push_unique(doc, "supersedes", old.id.as_str());
            }
        });
        let rewrites = self.superseded_texts(olds, &probe.id)?;
        let created = self.create_from_text(&text)?;
        self.mark_superseded(&created, &rewrites)?;
        Ok(created)
    }

    /// Each of `olds` as it will read once superseded by `new`, checked before anything is
    /// written.
    fn superseded_texts(
        &self,
        olds: &[&Record],
        new: &RecordId,
    ) -> Result<Vec<(PathBuf, String)>, StoreError> {
        olds.iter()
            .map(|old| {
                let text = superseded_text(old, new);
                record::parse(&old.file, &text)?;
                Ok((self.workdir.join(&old.file), text))
            })
            .collect()
    }

    /// Writes the superseded texts after `created` was written; if one write fails, puts back
    /// every file already rewritten and deletes `created`, so nothing is half-applied.
    fn mark_superseded(
        &self,
        created: &Record,
        rewrites: &[(PathBuf, String)],
    ) -> Result<(), StoreError> {
        let mut done: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        for (path, text) in rewrites {
            let result = fs::read(path).map_err(io_err(path)).and_then(|before| {
                self.replace(path, text.as_bytes())?;
                done.push((path.clone(), before));
                Ok(())
            });
            if let Err(e) = result {
                for (path, before) in done.iter().rev() {
                    let _ = self.write(path, before, Existing::Replace);
                }
                let _ = fs::remove_file(self.workdir.join(&created.file));
                return Err(e);
            }
        }
        Ok(())
    }

    fn replace(&self, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        self.write(path, bytes, Existing::Replace)
    }
}

/// `old`'s text with status superseded and `new` in `superseded_by`.
fn superseded_text(old: &Record, new: &RecordId) -> String {
    old.edit_front_matter(|doc| {
        doc["status"] = toml_edit::value(Status::Superseded.as_str());
        push_unique(doc, "superseded_by", new.as_str());
    })
}

/// Whether `from` supersedes `target`, directly or through a chain of supersedes links.
fn supersedes_transitively(all: &[Record], from: &Record, target: &RecordId) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<&str> = from.supersedes.iter().map(String::as_str).collect();
    while let Some(id) = stack.pop() {
        if id == target.as_str() {
            return true;
        }
        if seen.insert(id)
            && let Some(next) = all.iter().find(|r| r.id.as_str() == id)
        {
            stack.extend(next.supersedes.iter().map(String::as_str));
        }
    }
    false
}

/// A record file found by [`Store::record_entries`].
#[derive(Debug)]
pub struct RecordEntry {
    /// Relative to the work tree, with `/` separators.
    pub path: String,
    source: Source,
}

#[derive(Debug)]
enum Source {
    /// Seen inside a kind folder.
    Entry(fs::DirEntry),
    /// Something other than a folder where a kind folder belongs.
    Link(PathBuf),
}

impl RecordEntry {
    /// The absolute path (made on demand: at 100k files, building them all on the walking
    /// thread was a measurable cost).
    pub fn abs(&self) -> PathBuf {
        match &self.source {
            Source::Entry(entry) => entry.path(),
            Source::Link(path) => path.clone(),
        }
    }

    /// The entry's own metadata (a link is not followed), read relative to its folder when the
    /// walk saw it.
    pub fn metadata(&self) -> io::Result<fs::Metadata> {
        match &self.source {
            Source::Entry(entry) => entry.metadata(),
            Source::Link(path) => fs::symlink_metadata(path),
        }
    }
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<RecordEntry>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            // A temp file beside a record, from a write killed half-way by an older git-zen
            // (or one whose git dir is on another file system): swept if its writer is gone.
            if crate::fsutil::is_temp_name(&name) {
                crate::fsutil::remove_if_stale(&entry.path());
            }
            continue;
        }
        let path = format!("{rel}/{name}");
        if entry.file_type()?.is_dir() {
            walk(&entry.path(), &path, out)?;
        } else if name.ends_with(".md") {
            out.push(RecordEntry {
                path,
                source: Source::Entry(entry),
            });
        }
    }
    Ok(())
}

/// Appends `value` to the array `key` unless it is already there.
fn push_unique(doc: &mut toml_edit::DocumentMut, key: &str, value: &str) {
    let item = doc
        .entry(key)
        .or_insert_with(|| toml_edit::value(toml_edit::Array::new()));
    if let Some(array) = item.as_array_mut()
        && !array.iter().any(|v| v.as_str() == Some(value))
    {
        array.push(value);
    }
}

/// Finds the one record that `query` names: a full id, a unique id prefix, or an imported ADR's
/// alias (`ADR-3`, `adr-0003`, or a log4brains file stem).
pub fn resolve<'a>(records: &'a [Record], query: &str) -> Result<&'a Record, StoreError> {
    let query = query.trim();
    let lower = query.to_ascii_lowercase();
    let adr_alias = adr_alias(&lower);
    let by_alias = |alias: &str| -> Vec<&Record> {
        records.iter().filter(|r| alias_matches(r, alias)).collect()
    };
    // `ADR3` is also a valid id prefix; an alias that exists wins.
    let mut matches = adr_alias.map(by_alias).unwrap_or_default();
    if matches.is_empty() {
        matches = if id::is_id_prefix(&lower) {
            records
                .iter()
                .filter(|r| r.id.as_str().starts_with(&lower))
                .collect()
        } else {
            by_alias(&lower)
        };
    }
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(StoreError::NotFound(query.to_owned())),
        many => {
            // A full id that is also a prefix of longer matches is no ambiguity; a duplicated id is.
            let exact: Vec<_> = many.iter().filter(|r| r.id.as_str() == lower).collect();
            if let [one] = exact.as_slice() {
                return Ok(one);
            }
            Err(StoreError::Ambiguous {
                query: query.to_owned(),
                candidates: many
                    .iter()
                    .map(|r| format!("  {}  {}", r.id, r.title))
                    .collect(),
            })
        }
    }
}

/// The alias in a lowercased `adr-3` / `adr3` / `adr-20201016-use-x` query, if it is one.
pub fn adr_alias(lower: &str) -> Option<&str> {
    lower
        .strip_prefix("adr-")
        .or_else(|| lower.strip_prefix("adr"))
        .filter(|alias| !alias.is_empty())
}

fn alias_matches(record: &Record, alias: &str) -> bool {
    let Some(own) = &record.adr else { return false };
    let number = |s: &str| s.parse::<u64>().ok();
    match (number(alias), number(own)) {
        (Some(a), Some(b)) => a == b,
        _ => own.eq_ignore_ascii_case(alias),
    }
}

/// The shortest prefix of each id that no other id shares (at least `min` characters), in the
/// order of `ids`.
pub fn unique_prefix_lengths(ids: &[&RecordId], min: usize) -> Vec<usize> {
    let mut sorted: Vec<(usize, &str)> = ids.iter().map(|id| id.as_str()).enumerate().collect();
    sorted.sort_by(|a, b| a.1.cmp(b.1));
    let common = |a: &str, b: &str| a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let mut lengths = vec![min; ids.len()];
    for (i, &(index, id)) in sorted.iter().enumerate() {
        let before = i.checked_sub(1).map_or(0, |j| common(sorted[j].1, id));
        let after = sorted.get(i + 1).map_or(0, |next| common(next.1, id));
        lengths[index] = (before.max(after) + 1).clamp(min, id.len());
    }
    lengths
}

impl Hint for StoreError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            StoreError::NotInitialized(_) => "run `git zen init` to create it".into(),
            StoreError::NotAFolder(_) => "move or rename the file, then run `git zen init`".into(),
            StoreError::NotFound(_) => "`git zen list` shows every id".into(),
            StoreError::Ambiguous { .. } => "type more characters of the id".into(),
            StoreError::Symlink(_) => {
                "replace the link with the folder or file it points to".into()
            }
            StoreError::Io { .. } | StoreError::Record(_) | StoreError::Rejected { .. } => {
                return None;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Outcome;

    fn new_record(kind: Kind, title: &str) -> NewRecord {
        NewRecord {
            id: RecordId::generate(),
            kind,
            title: title.into(),
            status: Status::Accepted,
            outcome: kind.has_outcome().then_some(Outcome::Unknown),
            tags: vec![],
            paths: vec![],
            supersedes: vec![],
            links: vec![],
            created: "2026-11-24T10:00:00Z".into(),
            author: None,
            adr: None,
            imported_from: None,
            extra: Vec::new(),
            body: "body\n".into(),
        }
    }

    #[test]
    fn a_failed_supersede_write_leaves_no_new_record_behind() {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(dir.path())
            .status()
            .unwrap();
        assert!(status.success());
        let repo = Repo::discover(dir.path()).unwrap();
        let (store, _) = Store::init(&repo).unwrap();
        let old = store
            .create(&new_record(Kind::Lesson, "Old lesson"))
            .unwrap();
        // The old record's folder vanishes between reading and writing (a checkout, a cleanup).
        fs::remove_dir_all(store.root().join("lessons")).unwrap();
        let new = new_record(Kind::Decision, "New decision");
        assert!(store.create_superseding(&new, &[&old]).is_err());
        assert!(
            store.file_for_id(&new.id).unwrap().is_none(),
            "the new record was rolled back"
        );
    }
}
