//! Importing existing decision folders (adr-tools, MADR, log4brains) as records.
//!
//! Every file is parsed before anything is written, so one bad file leaves the store untouched.
//! Imported records remember their source (`imported_from`) and ADR number or stem (`adr`), so a
//! second import of the same folder adds only what is new, and `git zen show ADR-3` still works.
//! The source files are only read.

pub mod adr;

use crate::error::Hint;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::id::RecordId;
use crate::record::render::AdrAlias;
use crate::record::{Kind, NewRecord, Record, RecordError, Status};
use crate::store::{Store, StoreError};
use adr::{AdrParseError, AdrRef, ParsedAdr};

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
    /// Some files are not valid ADRs; nothing was imported.
    #[error("{}\nnothing was imported: fix these files (or move them out of the folder) and run the import again", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<RecordError>),
    /// Writing a record failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Records created by this import, in source order.
    pub imported: Vec<Record>,
    /// Source files that had been imported before, with the record they became.
    pub already_imported: Vec<(String, RecordId)>,
    /// Files that are templates, indexes or READMEs.
    pub not_adrs: Vec<String>,
    /// Non-fatal findings: `file:line: message`.
    pub warnings: Vec<RecordError>,
}

struct Source {
    key: String,
    parsed: ParsedAdr,
}

/// Imports every ADR file directly inside `dir`. With `dry_run`, reports without writing.
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
    let is_markdown = |p: &Path| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("md"));
    let mut files: Vec<PathBuf> = Vec::new();
    let mut links: Vec<PathBuf> = Vec::new();
    for entry in fs::read_dir(&dir).map_err(folder_err)?.flatten() {
        let path = entry.path();
        // The entry itself, not what a link points to: a link could bring any file on the
        // machine (a key, a password file) into a record the user then commits or promotes.
        match entry.file_type() {
            Ok(t) if t.is_symlink() && is_markdown(&path) => links.push(path),
            Ok(t) if t.is_file() && is_markdown(&path) => files.push(path),
            _ => {}
        }
    }
    files.sort();
    links.sort();

    let mut report = ImportReport::default();
    let mut sources = Vec::new();
    let mut errors: Vec<RecordError> = links
        .iter()
        .map(|link| {
            let target = fs::read_link(link)
                .map(|t| format!(" -> {}", t.display()))
                .unwrap_or_default();
            RecordError::new(
                source_key(store, link),
                1,
                format!(
                    "is a symbolic link{target}: an import reads only real files inside the folder it is given; replace the link with a copy of the file, or remove it"
                ),
            )
        })
        .collect();
    for path in files {
        let key = source_key(store, &path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = match fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    errors.push(RecordError::new(
                        &key,
                        1,
                        "not valid UTF-8: re-save it as UTF-8",
                    ));
                    continue;
                }
            },
            Err(e) => {
                errors.push(RecordError::new(&key, 1, format!("cannot read: {e}")));
                continue;
            }
        };
        match adr::parse_adr(&name, &text) {
            Ok(parsed) => {
                for (line, message) in &parsed.warnings {
                    report
                        .warnings
                        .push(RecordError::new(&key, *line, message.clone()));
                }
                sources.push(Source { key, parsed });
            }
            Err(AdrParseError::NotAnAdr) => report.not_adrs.push(key),
            Err(AdrParseError::Invalid { line, message }) => {
                errors.push(RecordError::new(&key, line, message));
            }
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Invalid(errors));
    }

    let existing = store.load_all()?.records;
    let by_source: HashMap<&str, &Record> = existing
        .iter()
        .filter_map(|r| Some((r.imported_from.as_deref()?, r)))
        .collect();
    // ADR number or stem → record id, for resolving the links between ADRs.
    // Only ADRs imported from this same folder count: numbers restart in every folder.
    let folder_key = source_key(store, &dir);
    let in_folder = |from: &str| Path::new(from).parent() == Some(Path::new(&folder_key));
    let mut aliases: HashMap<String, RecordId> = existing
        .iter()
        .filter(|r| r.imported_from.as_deref().is_some_and(in_folder))
        .filter_map(|r| Some((alias_key_of(r.adr.as_deref()?), r.id.clone())))
        .collect();
    // Two files with one number (common after parallel branches): the second is known by its stem.
    let mut claimed: HashMap<u32, String> = HashMap::new();
    for source in &mut sources {
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
    let mut ids = Vec::with_capacity(sources.len());
    let start = crate::id::now_millis();
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

    let resolve = |r: &AdrRef, from: &Source, report: &mut ImportReport| -> Option<RecordId> {
        let found = aliases.get(&ref_key(r)).cloned();
        if found.is_none() {
            report.warnings.push(RecordError::new(
                &from.key,
                1,
                format!(
                    "links to {} which is not in this folder: the link was not imported",
                    ref_label(r)
                ),
            ));
        }
        found
    };
    let mut supersede_pairs: Vec<(RecordId, RecordId)> = Vec::new();
    let mut new_records = Vec::new();
    for (source, id) in sources.iter().zip(&ids) {
        let p = &source.parsed;
        for target in &p.supersedes {
            if let (Some(new), Some(old)) =
                (id_of(&aliases, p), resolve(target, source, &mut report))
            {
                supersede_pairs.push((old, new));
            }
        }
        for target in &p.superseded_by {
            if let (Some(old), Some(new)) =
                (id_of(&aliases, p), resolve(target, source, &mut report))
            {
                supersede_pairs.push((old, new));
            }
        }
        let Some(id) = id else { continue };
        let links = p
            .related
            .iter()
            .filter_map(|r| resolve(r, source, &mut report))
            .map(|id| id.to_string())
            .collect();
        new_records.push(NewRecord {
            id: id.clone(),
            kind: Kind::Decision,
            title: p.title.clone(),
            status: p
                .status
                .as_deref()
                .and_then(|s| s.parse().ok())
                .unwrap_or(Status::Accepted),
            outcome: None,
            tags: p.tags.clone(),
            paths: Vec::new(),
            supersedes: Vec::new(),
            links,
            created: p
                .date
                .map_or_else(crate::record::now_rfc3339, |d| format!("{d}T00:00:00Z")),
            author: author.clone(),
            adr: Some(match p.number {
                Some(n) => AdrAlias::Number(n),
                None => AdrAlias::Stem(p.stem.clone()),
            }),
            imported_from: Some(source.key.clone()),
            body: p.body.clone(),
        });
    }
    if dry_run {
        for new in &new_records {
            report.imported.push(
                crate::record::parse(
                    Path::new(&new.imported_from.clone().unwrap_or_default()),
                    &crate::record::render(new),
                )
                .map_err(StoreError::from)?,
            );
        }
        return Ok(report);
    }
    for new in &new_records {
        report.imported.push(store.create(new)?);
    }
    link_supersedes(store, &supersede_pairs, &mut report)?;
    Ok(report)
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
        if let Some(updated) = records.iter().find(|r| r.id == imported.id) {
            *imported = updated.clone();
        }
    }
    Ok(())
}

fn id_of(aliases: &HashMap<String, RecordId>, p: &ParsedAdr) -> Option<RecordId> {
    aliases.get(&alias_key(p)).cloned()
}

fn alias_key(p: &ParsedAdr) -> String {
    match p.number {
        Some(n) => format!("n:{n}"),
        None => format!("s:{}", p.stem.to_ascii_lowercase()),
    }
}

fn alias_key_of(adr: &str) -> String {
    match adr.parse::<u32>() {
        Ok(n) => format!("n:{n}"),
        Err(_) => format!("s:{}", adr.to_ascii_lowercase()),
    }
}

fn ref_key(r: &AdrRef) -> String {
    match r {
        AdrRef::Number(n) => format!("n:{n}"),
        AdrRef::Stem(s) => format!("s:{}", s.to_ascii_lowercase()),
    }
}

fn ref_label(r: &AdrRef) -> String {
    match r {
        AdrRef::Number(n) => format!("ADR-{n}"),
        AdrRef::Stem(s) => s.clone(),
    }
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
            ImportError::Invalid(_) => None,
        }
    }
}
