//! Importing existing decision folders (adr-tools, MADR, log4brains, Docusaurus, hand-made) as
//! records.
//!
//! Each file is judged on its own: the good ones are imported, each file that cannot be is
//! named in [`ImportReport::skipped`] with the reason and the fix, and templates, indexes and
//! READMEs are left alone and said so. Every file is judged before anything is written, so the
//! links between the new records resolve in one pass. Imported records remember their source
//! (`imported_from`) and ADR number or stem (`adr`), so a second import of the same folder adds
//! only what is new, and `git zen show ADR-3` still works. The source files are only read.
//!
//! Who and when come from the file when it says (`Date:`, `date:`, `Introduced:`, a date in
//! the file name; `author:`, `authors:`, `Deciders:`), else from the commit that first added
//! the file (`provenance`), else from the person importing and the time of the import; the
//! report counts which source was used how often.

pub mod adr;
mod provenance;
mod resolve;
mod walk;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Hint;
use crate::id::RecordId;
use crate::record::render::{AdrAlias, Extra};
use crate::record::{Kind, NewRecord, Record, RecordError, Status};
use crate::store::{Store, StoreError};
use adr::{AdrFormat, AdrParseError, ParsedAdr, TitleFrom};
use resolve::{Resolved, alias_key, alias_key_of, ref_key};

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The folder could not be read.
    #[error("{}: {source}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Writing a record failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a record's date or author came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The file said so (a `Date:` line, front matter, the file name, an `author:` key).
    File,
    /// The commit that first added the file.
    Git,
    /// The import itself: its time, or the person running it.
    Import,
}

/// How many records took their date or author from each [`Source`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SourceCounts {
    /// From the file.
    pub file: usize,
    /// From git history.
    pub git: usize,
    /// From the import (time or person).
    pub import: usize,
}

impl SourceCounts {
    fn add(&mut self, source: Source) {
        match source {
            Source::File => self.file += 1,
            Source::Git => self.git += 1,
            Source::Import => self.import += 1,
        }
    }
}

/// One record made from one file, with where its parts came from.
#[derive(Debug)]
pub struct Imported {
    /// The record (as written, or as it would be on a dry run).
    pub record: Record,
    /// The source file, relative to the work tree.
    pub source: String,
    /// The tool whose conventions the file follows.
    pub format: AdrFormat,
    /// The status as written, when git-zen stored a different word (`imported_status`).
    pub imported_status: Option<String>,
    /// Where the title came from, and whether numbering, escapes or a label were removed.
    pub title_from: TitleFrom,
    /// Whether the title was cleaned.
    pub title_changed: bool,
    /// Where `created` came from.
    pub date_from: Source,
    /// Where `author` came from.
    pub author_from: Source,
    /// The file's links as resolved: `supersedes ADR-2`, `superseded by ADR-4`,
    /// `links ADR-5`, `links https://…`.
    pub relations: Vec<String>,
}

/// A file that could not be imported: where, why, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file, relative to the work tree.
    pub file: String,
    /// 1-based line of the problem.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
    /// What to do about it.
    pub fix: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Records created by this import, in source order.
    pub imported: Vec<Imported>,
    /// Source files that had been imported before, with the record they became.
    pub already_imported: Vec<(String, RecordId)>,
    /// Files that are templates, indexes or READMEs, with which.
    pub not_adrs: Vec<(String, String)>,
    /// Files that could not be imported.
    pub skipped: Vec<Skipped>,
    /// Non-fatal findings: `file:line: message`.
    pub warnings: Vec<RecordError>,
    /// Where the imported records' dates came from.
    pub dates: SourceCounts,
    /// Where the imported records' authors came from.
    pub authors: SourceCounts,
}

struct Judged {
    key: String,
    path: PathBuf,
    parsed: ParsedAdr,
}

/// Imports every ADR file in `dir` and its sub-folders; `author` is the person importing, used
/// where neither the file nor git names one. With `dry_run`, reports without writing.
pub fn import_adr_folder(
    store: &Store,
    dir: &Path,
    author: Option<String>,
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    let folder_err = |source| ImportError::Folder {
        path: dir.to_path_buf(),
        source,
    };
    let dir = fs::canonicalize(dir).map_err(folder_err)?;
    let found = walk::walk(&dir).map_err(folder_err)?;
    let mut report = ImportReport::default();
    for (link, target) in &found.links {
        report.skipped.push(Skipped {
            file: source_key(store, link),
            line: 1,
            reason: format!(
                "is a symbolic link -> {}: an import reads only real files inside the folder it is given",
                target.display()
            ),
            fix: "replace the link with a copy of the file, or remove it".into(),
        });
    }
    for (file, why) in &found.not_adrs {
        report
            .not_adrs
            .push((source_key(store, file), (*why).into()));
    }
    let mut sources = parse_files(store, &found.files, &mut report);
    set_aside_indexes(&mut sources, &mut report);
    name_apart(&dir, &mut sources, &mut report);

    let existing = store.load_all()?.records;
    let by_source: HashMap<&str, &Record> = existing
        .iter()
        .filter_map(|r| Some((r.imported_from.as_deref()?, r)))
        .collect();
    let folder_key = source_key(store, &dir);
    let in_folder = |from: &str| Path::new(from).starts_with(&folder_key) || folder_key.is_empty();
    let mut aliases: HashMap<String, RecordId> = existing
        .iter()
        .filter(|r| r.imported_from.as_deref().is_some_and(in_folder))
        .filter_map(|r| Some((alias_key_of(r.adr.as_deref()?), r.id.clone())))
        .collect();
    let start = crate::id::now_millis();
    let mut ids = Vec::with_capacity(sources.len());
    for (i, source) in sources.iter().enumerate() {
        let id = match by_source.get(source.key.as_str()) {
            Some(record) => {
                report
                    .already_imported
                    .push((source.key.clone(), record.id.clone()));
                None
            }
            None => Some(RecordId::generate_at(start + i as u64)),
        };
        if let Some(id) = &id {
            aliases.insert(alias_key(&source.parsed), id.clone());
        }
        ids.push(id);
    }
    let labels: HashMap<RecordId, String> = sources
        .iter()
        .filter_map(|s| {
            Some((
                aliases.get(&alias_key(&s.parsed))?.clone(),
                alias_label(&s.parsed),
            ))
        })
        .collect();
    let label = |id: &RecordId| labels.get(id).cloned().unwrap_or_else(|| id.to_string());

    let new_paths: Vec<&Path> = sources
        .iter()
        .zip(&ids)
        .filter(|(_, id)| id.is_some())
        .map(|(s, _)| s.path.as_path())
        .collect();
    let mut history = provenance::first_commits(store.workdir(), &new_paths).into_iter();

    let mut supersede_pairs: Vec<(RecordId, RecordId)> = Vec::new();
    let mut pending = Vec::new();
    for (source, id) in sources.iter().zip(&ids) {
        let p = &source.parsed;
        let own = aliases.get(&alias_key(p)).cloned();
        let mut relations = Vec::new();
        let mut links = Vec::new();
        let warn = |message: String, report: &mut ImportReport| {
            report
                .warnings
                .push(RecordError::new(&source.key, 1, message));
        };
        for (refs, newer) in [(&p.supersedes, false), (&p.superseded_by, true)] {
            for r in refs {
                match resolve::resolve(&aliases, r) {
                    Resolved::Record(other) => {
                        if let Some(own) = &own {
                            let (old, new) = if newer {
                                (own.clone(), other.clone())
                            } else {
                                (other.clone(), own.clone())
                            };
                            let verb = if newer { "superseded by" } else { "supersedes" };
                            relations.push(format!("{verb} {}", label(&other)));
                            supersede_pairs.push((old, new));
                        }
                    }
                    Resolved::Url(url) => {
                        warn(
                            format!("{url} names no record of this folder: kept as a link"),
                            &mut report,
                        );
                        relations.push(format!("links {url}"));
                        links.push(url);
                    }
                    Resolved::Missing(message) => warn(message, &mut report),
                }
            }
        }
        for r in &p.related {
            match resolve::resolve(&aliases, r) {
                Resolved::Record(other) => {
                    relations.push(format!("links {}", label(&other)));
                    links.push(other.to_string());
                }
                Resolved::Url(url) => {
                    relations.push(format!("links {url}"));
                    links.push(url);
                }
                Resolved::Missing(message) => warn(message, &mut report),
            }
        }
        let Some(id) = id else { continue };
        let first = history.next().flatten();
        let (created, date_from) = match (p.date, &first) {
            (Some(d), _) => (format!("{d}T00:00:00Z"), Source::File),
            (None, Some(c)) => (c.date.clone(), Source::Git),
            (None, None) => (crate::record::now_rfc3339(), Source::Import),
        };
        let (record_author, author_from) = match (p.authors.first(), &first) {
            (Some(a), _) => (Some(a.clone()), Source::File),
            (None, Some(c)) => (Some(c.author.clone()), Source::Git),
            (None, None) => (author.clone(), Source::Import),
        };
        report.dates.add(date_from);
        report.authors.add(author_from);
        let mut extra = Vec::new();
        if p.authors.len() > 1 {
            extra.push(("authors".to_owned(), Extra::List(p.authors.clone())));
        }
        if !p.deciders.is_empty() {
            extra.push(("deciders".to_owned(), Extra::List(p.deciders.clone())));
        }
        if let Some(text) = &p.imported_status {
            extra.push(("imported_status".to_owned(), Extra::Text(text.clone())));
        }
        let new = NewRecord {
            id: id.clone(),
            kind: Kind::Decision,
            title: p.title.clone(),
            // Never accepted by default: `requires-decision` trusts accepted decisions.
            status: p
                .status
                .as_deref()
                .and_then(|s| s.parse().ok())
                .unwrap_or(Status::Proposed),
            outcome: None,
            tags: p.tags.clone(),
            paths: Vec::new(),
            supersedes: Vec::new(),
            links,
            created,
            author: record_author,
            adr: Some(match p.number {
                Some(n) => AdrAlias::Number(n),
                None => AdrAlias::Stem(p.stem.clone()),
            }),
            imported_from: Some(source.key.clone()),
            extra,
            body: p.body.clone(),
        };
        let meta = Imported {
            record: crate::record::parse(Path::new(&source.key), &crate::record::render(&new))
                .map_err(StoreError::from)?,
            source: source.key.clone(),
            format: p.format,
            imported_status: p.imported_status.clone(),
            title_from: p.title_from,
            title_changed: p.title_changed,
            date_from,
            author_from,
            relations,
        };
        pending.push((new, meta));
    }
    for (new, mut meta) in pending {
        if !dry_run {
            meta.record = store.create(&new)?;
        }
        report.imported.push(meta);
    }
    if !dry_run {
        link_supersedes(store, &supersede_pairs, &mut report)?;
    }
    Ok(report)
}

/// Reads and parses every file; what cannot be read or parsed is skipped with its fix.
fn parse_files(store: &Store, files: &[walk::Candidate], report: &mut ImportReport) -> Vec<Judged> {
    let mut sources = Vec::new();
    for file in files {
        let key = source_key(store, &file.path);
        let skip = |line, reason: String, fix: &str| Skipped {
            file: key.clone(),
            line,
            reason,
            fix: fix.to_owned(),
        };
        let text = match fs::read(&file.path).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                report
                    .skipped
                    .push(skip(1, "is not valid UTF-8".into(), "re-save it as UTF-8"));
                continue;
            }
            Err(e) => {
                report.skipped.push(skip(
                    1,
                    format!("cannot be read: {e}"),
                    "make it readable to you",
                ));
                continue;
            }
        };
        match adr::parse_adr(&file.name, &text) {
            Ok(parsed) => {
                for (line, message) in &parsed.warnings {
                    report
                        .warnings
                        .push(RecordError::new(&key, *line, message.clone()));
                }
                sources.push(Judged {
                    key,
                    path: file.path.clone(),
                    parsed,
                });
            }
            Err(AdrParseError::NotAnAdr) => {
                let stem = adr::file_stem(&file.name);
                report
                    .not_adrs
                    .push((key, adr::not_adr_reason(&stem).into()));
            }
            Err(AdrParseError::Invalid { line, message, fix }) => {
                report.skipped.push(skip(line, message, &fix));
            }
        }
    }
    sources
}

/// Sets aside the files that list the others rather than decide anything: no status, and an
/// index's name (`ADRs.md`) or links to three or more records of the folder.
fn set_aside_indexes(sources: &mut Vec<Judged>, report: &mut ImportReport) {
    let keys: HashSet<String> = sources.iter().map(|s| alias_key(&s.parsed)).collect();
    sources.retain(|s| {
        let p = &s.parsed;
        if p.status.is_some() || p.imported_status.is_some() {
            return true;
        }
        let own = alias_key(p);
        let listed = p
            .listed
            .iter()
            .filter_map(ref_key)
            .filter(|k| *k != own && keys.contains(k))
            .count();
        if listed >= 3 || adr::is_index_name(&p.stem) {
            report
                .not_adrs
                .push((s.key.clone(), "an index of the records".into()));
            report.warnings.retain(|w| w.file != Path::new(&s.key));
            return false;
        }
        true
    });
}

/// Makes every alias unique: a second file with one number (common after parallel branches) is
/// known by its stem, and a stem used in two sub-folders by its path inside the folder.
fn name_apart(dir: &Path, sources: &mut [Judged], report: &mut ImportReport) {
    let mut claimed: HashMap<u32, String> = HashMap::new();
    for source in sources.iter_mut() {
        let Some(n) = source.parsed.number else {
            continue;
        };
        if let Some(first) = claimed.get(&n) {
            report.warnings.push(RecordError::new(
                &source.key,
                1,
                format!(
                    "ADR number {n} is also used by {first}: this one is imported with its file name ({}) as alias",
                    source.parsed.stem
                ),
            ));
            source.parsed.number = None;
        } else {
            claimed.insert(n, source.key.clone());
        }
    }
    let mut stems: HashMap<String, usize> = HashMap::new();
    for s in sources.iter().filter(|s| s.parsed.number.is_none()) {
        *stems.entry(s.parsed.stem.to_ascii_lowercase()).or_default() += 1;
    }
    for s in sources.iter_mut().filter(|s| s.parsed.number.is_none()) {
        if stems[&s.parsed.stem.to_ascii_lowercase()] > 1
            && let Ok(rel) = s.path.strip_prefix(dir)
        {
            let rel = rel.with_extension("").to_string_lossy().replace('\\', "/");
            s.parsed.stem = rel.strip_suffix("/index").unwrap_or(&rel).to_owned();
        }
    }
}

/// `ADR-3` or the stem, as a reference reads in the report.
fn alias_label(p: &ParsedAdr) -> String {
    match p.number {
        Some(n) => format!("ADR-{n}"),
        None => p.stem.clone(),
    }
}

/// Applies each (old, new) pair with the same idempotent rewrite `git zen supersede` uses.
fn link_supersedes(
    store: &Store,
    pairs: &[(RecordId, RecordId)],
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    if pairs.is_empty() {
        return Ok(());
    }
    let mut records = store.load_all()?.records;
    for (old, new) in pairs {
        let find = |id: &RecordId| records.iter().position(|r| &r.id == id);
        let (Some(o), Some(n)) = (find(old), find(new)) else {
            continue;
        };
        if records[o].superseded_by.iter().any(|x| x == new.as_str())
            && records[n].supersedes.iter().any(|x| x == old.as_str())
        {
            continue;
        }
        match store.supersede(&records, &records[o], &records[n]) {
            Ok((old_rec, new_rec)) => {
                records[o] = old_rec;
                records[n] = new_rec;
            }
            Err(StoreError::Rejected { file, message }) => {
                report.warnings.push(RecordError::new(file, 1, message));
            }
            Err(e) => return Err(e),
        }
    }
    for imported in &mut report.imported {
        if let Some(updated) = records.iter().find(|r| r.id == imported.record.id) {
            imported.record = updated.clone();
        }
    }
    Ok(())
}

/// The path recorded in `imported_from`: relative to the work tree when inside it; otherwise the
/// last two components (`adr/0003-x.md`), so no machine's absolute path is committed.
fn source_key(store: &Store, path: &Path) -> String {
    let workdir =
        fs::canonicalize(store.workdir()).unwrap_or_else(|_| store.workdir().to_path_buf());
    let rel: PathBuf = match path.strip_prefix(&workdir) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => {
            let tail: Vec<_> = path.components().rev().take(2).collect();
            tail.into_iter().rev().collect()
        }
    };
    rel.to_string_lossy().replace('\\', "/")
}

impl Hint for ImportError {
    fn hint(&self) -> Option<String> {
        match self {
            ImportError::Folder { .. } => {
                Some("give the folder that holds the ADR files (e.g. doc/adr)".into())
            }
            ImportError::Store(e) => e.hint(),
        }
    }
}
