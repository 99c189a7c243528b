//! `review`: the team's memory where a change is judged — for a range of commits, the records
//! it adds or changes, the decisions and past failures that govern each file it touches, and
//! the policy findings, ready for a pull request comment.
//!
//! The records are read from the range's own trees (the head for what governs, the base for what
//! a record was before), not from the work tree, so a review in CI or of a branch that is not
//! checked out says what the change itself carries.

use gix::ObjectId;
use serde::Serialize;

use crate::changes::{self, Change, Status as ChangeStatus};
use crate::error::UserError;
use crate::policy::{Report, Severity};
use crate::record::{self, Kind, Outcome, Record, Status};
use crate::repo::{Repo, run_captured};
use crate::store::DIR;

use super::Ui;
use super::check::{self, Target};

/// What a range did to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordChange {
    /// New in the range.
    Added,
    /// Changed in the range (its status may have moved).
    Edited,
    /// Deleted in the range.
    Removed,
}

/// A record the range adds, edits or removes.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryChange {
    /// What happened to it.
    pub change: RecordChange,
    /// Its id.
    pub id: String,
    /// Its kind.
    pub kind: Kind,
    /// Its title at the head (at the base, if removed).
    pub title: String,
    /// Its status at the base (`None`: new in the range).
    pub status_before: Option<Status>,
    /// Its status at the head (`None`: removed).
    pub status_after: Option<Status>,
    /// Its file, relative to the work tree.
    pub file: String,
}

/// A record that bears on a changed file.
#[derive(Debug, Clone, Serialize)]
pub struct Governing {
    /// Its id.
    pub id: String,
    /// Its kind.
    pub kind: Kind,
    /// Its title.
    pub title: String,
    /// Its status at the head.
    pub status: Status,
    /// The `paths` glob that covers the file.
    pub glob: String,
    /// What a reviewer should notice: a decision only `proposed`, or no longer in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<&'static str>,
    /// The records that replaced it, for a superseded one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub superseded_by: Vec<String>,
}

/// A changed file and the memory that governs it.
#[derive(Debug, Clone, Serialize)]
pub struct FileMemory {
    /// The file, relative to the work tree.
    pub path: String,
    /// Decisions whose `paths` cover it, accepted ones first.
    pub decisions: Vec<Governing>,
    /// Lessons and patterns that failed, whose `paths` cover it.
    pub failures: Vec<Governing>,
}

/// The review of a range.
#[derive(Debug, Serialize)]
pub struct Review {
    /// The range as given or found (`base..head`).
    pub range: String,
    /// Where the range's changes start: the merge base of its ends.
    pub base: String,
    /// Its last commit.
    pub head: String,
    /// Commits in the range.
    pub commits: usize,
    /// Records the range adds, edits or removes.
    pub memory: Vec<MemoryChange>,
    /// Changed files that some record governs (files no record speaks of are left out).
    pub files: Vec<FileMemory>,
    /// How many files the range changes outside `.datazentr/`.
    pub files_changed: usize,
    /// The policies on the range's commits, as `git zen check --range` runs them.
    pub findings: Report,
    /// Whether a finding is an error.
    pub blocked: bool,
}

/// Reviews `range` (`A..B`, `A...B`, or `A` for `A..HEAD`); without one, the current branch
/// against its upstream (else `origin/HEAD`, `main` or `master`) from their merge base.
pub fn review(repo: &Repo, ui: &mut dyn Ui, range: Option<&str>) -> Result<Review, UserError> {
    let (from, to) = resolve_range(repo, range)?;
    let base = rev_parse(repo, &merge_base(repo, &from, &to)?)?;
    let head = rev_parse(repo, &to)?;
    let range = format!("{from}..{to}");
    let commits = changes::rev_list(repo, &[&format!("{base}..{head}")])?.len();
    let gix = repo.gix();
    let (base_tree, head_tree) = (tree_of(repo, base)?, tree_of(repo, head)?);
    let changed = changes::diff(gix, Some(base_tree), Some(head_tree))?;
    let at_head = records_of(repo, head_tree)?;
    let memory = memory_changes(repo, &changed)?;
    let code: Vec<&Change> = changed
        .iter()
        .filter(|c| !c.path.starts_with(&format!("{DIR}/")) && c.new.is_some())
        .collect();
    let files = code
        .iter()
        .map(|c| governing(&c.path, &at_head))
        .filter(|f| !f.decisions.is_empty() || !f.failures.is_empty())
        .collect();
    let findings = check::check(repo, ui, Target::Range(format!("{base}..{head}")), None)?
        .map(|checked| checked.report)
        .unwrap_or_default();
    Ok(Review {
        blocked: findings.blocks(),
        range,
        base: base.to_string(),
        head: head.to_string(),
        commits,
        memory,
        files,
        files_changed: code.len(),
        findings,
    })
}

/// The decisions and failed lessons and patterns whose `paths` cover `path`.
fn governing(path: &str, records: &[Record]) -> FileMemory {
    let entry = |r: &Record, caution| {
        Some(Governing {
            id: r.id.to_string(),
            kind: r.kind,
            title: r.title.clone(),
            status: r.status,
            glob: r.globs_covering(path).next()?.to_owned(),
            caution,
            superseded_by: r.superseded_by.clone(),
        })
    };
    let mut decisions: Vec<Governing> = records
        .iter()
        .filter(|r| r.kind == Kind::Decision)
        .filter_map(|r| {
            let caution = match r.status {
                Status::Accepted => None,
                Status::Proposed => Some("proposed, not yet accepted"),
                Status::Superseded => Some("superseded"),
                Status::Deprecated => Some("deprecated: no longer in force"),
                Status::Rejected => return None,
            };
            entry(r, caution)
        })
        .collect();
    // A superseded decision says nothing new where what replaced it is listed too.
    let listed: Vec<String> = decisions.iter().map(|d| d.id.clone()).collect();
    decisions.retain(|d| {
        d.status != Status::Superseded
            || !records
                .iter()
                .find(|r| r.id.as_str() == d.id)
                .is_some_and(|r| r.superseded_by.iter().any(|s| listed.contains(s)))
    });
    decisions.sort_by_key(|d| d.caution.is_some());
    let failures = records
        .iter()
        .filter(|r| r.kind != Kind::Decision && r.outcome == Some(Outcome::Failure))
        .filter(|r| r.status.is_current())
        .filter_map(|r| entry(r, None))
        .collect();
    FileMemory {
        path: path.to_owned(),
        decisions,
        failures,
    }
}

/// The record files the range touches, before and after.
fn memory_changes(repo: &Repo, changed: &[Change]) -> Result<Vec<MemoryChange>, UserError> {
    let mut out = Vec::new();
    for c in changed.iter().filter(|c| is_record_path(&c.path)) {
        let before = c.old.and_then(|id| parse_blob(repo, &c.path, id));
        let after = c.new.and_then(|id| parse_blob(repo, &c.path, id));
        let change = match (&c.status, &before, &after) {
            (ChangeStatus::Deleted, _, _) => RecordChange::Removed,
            (_, None, _) => RecordChange::Added,
            _ => RecordChange::Edited,
        };
        let Some(shown) = after.as_ref().or(before.as_ref()) else {
            continue;
        };
        // A rewrite that changed nothing a reviewer sees (formatting) is still an edit.
        out.push(MemoryChange {
            change,
            id: shown.id.to_string(),
            kind: shown.kind,
            title: shown.title.clone(),
            status_before: before.as_ref().map(|r| r.status),
            status_after: after.as_ref().map(|r| r.status),
            file: c.path.clone(),
        });
    }
    Ok(out)
}

fn is_record_path(path: &str) -> bool {
    Kind::ALL
        .iter()
        .any(|k| path.starts_with(&format!("{DIR}/{}/", k.folder())))
        && path.ends_with(".md")
}

/// Every record of `tree` that parses (a broken file is `validate`'s business, not a review's).
fn records_of(repo: &Repo, tree: ObjectId) -> Result<Vec<Record>, UserError> {
    Ok(changes::tree_files(repo.gix(), tree)?
        .iter()
        .filter(|c| is_record_path(&c.path))
        .filter_map(|c| parse_blob(repo, &c.path, c.new?))
        .collect())
}

fn parse_blob(repo: &Repo, path: &str, id: ObjectId) -> Option<Record> {
    let blob = repo.gix().find_blob(id).ok()?;
    let text = String::from_utf8(blob.detach().data).ok()?;
    record::parse(std::path::Path::new(path), &text).ok()
}

fn tree_of(repo: &Repo, commit: ObjectId) -> Result<ObjectId, UserError> {
    repo.gix()
        .find_commit(commit)
        .and_then(|c| c.tree_id())
        .map(|id| id.detach())
        .map_err(|e| UserError::failed(format!("cannot read commit {commit}: {e}")))
}

/// The two ends of the range to review.
fn resolve_range(repo: &Repo, range: Option<&str>) -> Result<(String, String), UserError> {
    if let Some(range) = range {
        let (from, to) = range
            .split_once("...")
            .or_else(|| range.split_once(".."))
            .unwrap_or((range, "HEAD"));
        let to = if to.is_empty() { "HEAD" } else { to };
        return Ok((from.to_owned(), to.to_owned()));
    }
    let upstream = run_captured(repo.git().args([
        "rev-parse",
        "--abbrev-ref",
        "--symbolic-full-name",
        "@{upstream}",
    ]))
    .ok()
    .map(|s| s.trim().to_owned());
    let candidates = upstream
        .into_iter()
        .chain(["origin/HEAD", "main", "master"].map(String::from));
    for candidate in candidates {
        if rev_parse(repo, &candidate).is_ok() {
            return Ok((candidate, "HEAD".to_owned()));
        }
    }
    Err(UserError::usage(
        "no range given, and the branch has no upstream, origin/HEAD, main or master to review against",
    )
    .hint("give one: `git zen review main..HEAD`"))
}

fn merge_base(repo: &Repo, a: &str, b: &str) -> Result<String, UserError> {
    run_captured(repo.git().args(["merge-base", a, b]))
        .map(|s| s.trim().to_owned())
        .map_err(|e| {
            UserError::failed(format!("{a} and {b} have no common commit: {e}"))
                .hint("review a range whose ends share history, e.g. `main..HEAD`")
        })
}

fn rev_parse(repo: &Repo, rev: &str) -> Result<ObjectId, UserError> {
    let out = run_captured(
        repo.git()
            .args(["rev-parse", "--verify", "--quiet"])
            .arg(format!("{rev}^{{commit}}")),
    )
    .map_err(|_| UserError::usage(format!("`{rev}` is not a commit")))?;
    ObjectId::from_hex(out.trim().as_bytes())
        .map_err(|e| UserError::failed(format!("`git rev-parse {rev}`: {e}")))
}

impl Review {
    /// How many findings of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.count(severity)
    }
}
