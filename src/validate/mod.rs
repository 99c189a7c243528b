//! Linting every record: each file on its own, then the references between them, then (in a
//! repository) the [hygiene] of the memory as a whole.

pub mod hygiene;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::id::RecordId;
use crate::record::{Record, Status};
use crate::store::{Store, StoreError};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed: `validate` exits 1.
    Error,
    /// Worth fixing; does not fail `validate`.
    Warning,
}

/// One finding, at a file and line.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Problem {
    /// File relative to the work tree.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong and what to do.
    pub message: String,
}

/// The outcome of validating a store.
#[derive(Debug, Default)]
pub struct Report {
    /// Records that parsed.
    pub records: usize,
    /// Findings, sorted by file and line.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// [`validate`], then the [hygiene] checks that need the repository: stale proposals and
/// `paths` that match no tracked file.
pub fn validate_repo(repo: &crate::repo::Repo, store: &Store) -> Result<Report, StoreError> {
    validate_with(store, Some(repo))
}

/// Checks every record in the store.
pub fn validate(store: &Store) -> Result<Report, StoreError> {
    validate_with(store, None)
}

fn validate_with(store: &Store, repo: Option<&crate::repo::Repo>) -> Result<Report, StoreError> {
    let loaded = store.load_all()?;
    let mut problems: Vec<Problem> = loaded
        .errors
        .into_iter()
        .map(|e| Problem {
            file: e.file,
            line: e.line,
            severity: Severity::Error,
            message: e.message,
        })
        .collect();
    check_records(store, &loaded.records, &mut problems);
    if let Some(repo) = repo {
        problems.extend(hygiene::check(repo, &loaded.records));
    }
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(Report {
        records: loaded.records.len(),
        problems,
    })
}

/// A record file larger than this earns a warning (the size the default `large-files` rule
/// blocks).
const LARGE_RECORD: u64 = 1 << 20;

fn check_records(store: &Store, records: &[Record], problems: &mut Vec<Problem>) {
    let mut by_id: HashMap<&str, Vec<&Record>> = HashMap::new();
    for r in records {
        by_id.entry(r.id.as_str()).or_default().push(r);
    }
    let mut report = |r: &Record, needle: &str, severity, message: String| {
        problems.push(Problem {
            file: r.file.clone(),
            line: r.line_of_value(needle),
            severity,
            message,
        });
    };
    for r in records {
        let id = r.id.as_str();
        let name = r
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !(name == format!("{id}.md") || name.starts_with(&format!("{id}-"))) {
            report(
                r,
                id,
                Severity::Error,
                format!(
                    "the file name does not match the id {id}: rename it to {id}-<slug>.md (or fix the id if it was copied)"
                ),
            );
        }
        if name.contains(char::REPLACEMENT_CHARACTER) {
            report(
                r,
                id,
                Severity::Error,
                format!(
                    "the file name is not valid UTF-8 (shown with \u{FFFD}): rename it to {id}-<slug>.md so every clone and tool can name it"
                ),
            );
        }
        if let Ok(meta) = std::fs::metadata(store.workdir().join(&r.file))
            && meta.len() > LARGE_RECORD
        {
            report(
                r,
                id,
                Severity::Warning,
                format!(
                    "the file is {:.1} MiB: a record is a page of prose, and the default `large-files` rule blocks commits of files over 1 MiB; move the bulk into the repository and link to it",
                    meta.len() as f64 / 1_048_576.0
                ),
            );
        }
        let folder = store.root().join(r.kind.folder());
        if !store.workdir().join(&r.file).starts_with(&folder) {
            report(
                r,
                r.kind.as_str(),
                Severity::Error,
                format!(
                    "kind = \"{}\" but the file is not under {}/: move it there or fix `kind`",
                    r.kind,
                    store.relative(&folder).display()
                ),
            );
        }
        if let Some(others) = by_id.get(id).filter(|o| o.len() > 1) {
            let other = others
                .iter()
                .find(|o| o.file != r.file)
                .map_or_else(String::new, |o| o.file.display().to_string());
            report(
                r,
                id,
                Severity::Error,
                format!(
                    "duplicate id {id}, also used by {other}: a copied record needs its own id — record it anew with `git zen record` and delete the copy"
                ),
            );
        }
        for (needle, message) in reference_errors(r, &|id| by_id.contains_key(id)) {
            report(r, &needle, Severity::Error, message);
        }
        check_supersede_consistency(r, &by_id, &mut report);
    }
}

/// Problems with what `r` points at: supersedes/superseded_by ids that name no record, links that
/// are neither a known id nor a URL. Each comes with the text to locate its line.
fn reference_errors(r: &Record, exists: &dyn Fn(&str) -> bool) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (key, targets) in [
        ("supersedes", &r.supersedes),
        ("superseded_by", &r.superseded_by),
    ] {
        for target in targets {
            if !exists(target) {
                found.push((
                    target.clone(),
                    format!(
                        "`{key}` names {target}, but no record has that id: fix the id or remove it"
                    ),
                ));
            }
        }
    }
    for link in &r.links {
        if link.contains("://") {
            continue;
        }
        match link.parse::<RecordId>() {
            Ok(_) if exists(link) => {}
            Ok(_) => found.push((link.clone(), format!("`links` names {link}, but no record has that id: fix the id or remove it"))),
            Err(_) => found.push((link.clone(), format!("`links` entry '{link}' is neither a record id nor a URL: use a full id or a URL with a scheme (https://…)"))),
        }
    }
    found
}

/// The errors `validate` would report for `record` against the other records `all`: used to
/// refuse an edit before it is written. Each message is prefixed with its line.
pub fn check_against(record: &Record, all: &[Record]) -> Vec<String> {
    let exists = |id: &str| id == record.id.as_str() || all.iter().any(|r| r.id.as_str() == id);
    let mut errors: Vec<String> = reference_errors(record, &exists)
        .into_iter()
        .map(|(needle, message)| {
            format!(
                "{}:{}: {message}",
                record.file.display(),
                record.line_of_value(&needle)
            )
        })
        .collect();
    if let Some(other) = all
        .iter()
        .find(|r| r.id == record.id && r.file != record.file)
    {
        errors.push(format!(
            "{}:{}: id {} is already used by {}",
            record.file.display(),
            record.line_of_value(record.id.as_str()),
            record.id,
            other.file.display()
        ));
    }
    errors
}

fn check_supersede_consistency(
    r: &Record,
    by_id: &HashMap<&str, Vec<&Record>>,
    report: &mut impl FnMut(&Record, &str, Severity, String),
) {
    if !r.superseded_by.is_empty() && r.status != Status::Superseded {
        report(
            r,
            "status",
            Severity::Warning,
            format!(
                "superseded by {} but status is \"{}\": set status = \"superseded\"",
                r.superseded_by.join(", "),
                r.status
            ),
        );
    }
    if r.status == Status::Superseded && r.superseded_by.is_empty() {
        report(
            r,
            "status",
            Severity::Warning,
            "status is \"superseded\" but no successor is named: run `git zen supersede <this> <new>`".into(),
        );
    }
    for target in &r.superseded_by {
        let Some(new) = by_id.get(target.as_str()).and_then(|v| v.first()) else {
            continue;
        };
        if !new.supersedes.iter().any(|id| id == r.id.as_str()) {
            report(
                r,
                target,
                Severity::Warning,
                format!(
                    "superseded by {target}, but that record does not list this one in `supersedes`: run `git zen supersede {} {target}`",
                    r.id
                ),
            );
        }
    }
    for target in &r.supersedes {
        let Some(old) = by_id.get(target.as_str()).and_then(|v| v.first()) else {
            continue;
        };
        if !old.superseded_by.iter().any(|id| id == r.id.as_str()) {
            report(
                r,
                target,
                Severity::Warning,
                format!(
                    "supersedes {target}, but that record does not name this one in `superseded_by`: run `git zen supersede {target} {}`",
                    r.id
                ),
            );
        }
    }
}
