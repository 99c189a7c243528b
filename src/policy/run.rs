//! Running the effective rules against staged changes, a range of commits or a whole tree.

use crate::error::Hint;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use gix::ObjectId;

use super::command::GateOutcome;
use super::secrets::{Scanner, SecretHit, SecretsError};
use super::size::human;
use super::trust::{TrustError, TrustStore};
use super::{Finding, Hook, Policies, Report, Rule, RuleKind, decision, message};
use crate::changes::{self, Change, ChangesError, CommitChanges, Status};
use crate::record::{self, Kind, Record};
use crate::repo::Repo;
use crate::store::{self, DIR, Store, StoreError};

/// `GIT_ZEN_SKIP=rule-id,…` skips the named rules for one command.
pub const SKIP_ENV: &str = "GIT_ZEN_SKIP";

/// Why a run could not finish (as opposed to rules that failed, which are findings).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Changes or blobs could not be read.
    #[error(transparent)]
    Changes(#[from] ChangesError),
    /// A secrets rule does not compile.
    #[error("{0}")]
    Secrets(#[from] SecretsError),
    /// The records could not be read (for `requires-decision`).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The trust file could not be read.
    #[error(transparent)]
    Trust(#[from] TrustError),
}

/// One run of the rules for one hook (or for `git zen check`, which runs every rule).
pub struct Checker<'a> {
    repo: &'a Repo,
    policies: &'a Policies,
    hook: Option<Hook>,
    skip: Vec<String>,
    scanner: OnceLock<Option<Scanner>>,
}

impl<'a> Checker<'a> {
    /// A run for `hook` (`None`: every rule, whatever its hooks), skipping the rules in `skip`.
    pub fn new(
        repo: &'a Repo,
        policies: &'a Policies,
        hook: Option<Hook>,
        skip: Vec<String>,
    ) -> Self {
        Checker {
            repo,
            policies,
            hook,
            skip,
            scanner: OnceLock::new(),
        }
    }

    /// The rule ids in `GIT_ZEN_SKIP`.
    pub fn skip_from_env() -> Vec<String> {
        std::env::var(SKIP_ENV)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn active(&self) -> impl Iterator<Item = &'a Rule> + '_ {
        self.policies.rules.iter().filter(|r| {
            !self.skip.contains(&r.id) && self.hook.is_none_or(|h| r.hooks.contains(&h))
        })
    }

    /// A report that lists the skipped rules and counts the active ones.
    pub fn report(&self) -> Report {
        Report {
            skipped: self
                .skip
                .iter()
                .filter(|id| self.policies.get(id).is_some())
                .cloned()
                .collect(),
            rules_run: self.active().count(),
            ..Report::default()
        }
    }

    /// Checks staged changes and, when given, the commit message: file rules, message rules,
    /// decisions, then command gates.
    pub fn staged(
        &self,
        changes: &[Change],
        message: Option<&str>,
        report: &mut Report,
    ) -> Result<(), RunError> {
        self.content(changes, None, report)?;
        if let Some(message) = message {
            self.message(message, None, report);
        }
        // A merge brings commits that were judged with their own messages (and are judged again
        // by pre-push): the merge's message need not name their decisions again.
        if !self.repo.git_dir().join("MERGE_HEAD").exists() {
            self.decisions(changes, message.into_iter().collect(), report)?;
        }
        self.gates(changes, report)?;
        Ok(())
    }

    /// Checks each commit of a range (content and message), then the range's decisions as a
    /// whole, then command gates on what the range changed.
    pub fn commits(&self, commits: &[CommitChanges], report: &mut Report) -> Result<(), RunError> {
        for commit in commits {
            self.content(&commit.changes, Some(commit.id), report)?;
            self.message(&commit.message, Some(commit.id), report);
        }
        let all: Vec<Change> = last_change_per_path(commits);
        let messages: Vec<&str> = commits.iter().map(|c| c.message.as_str()).collect();
        self.decisions(&all, messages, report)?;
        self.gates(&all, report)?;
        Ok(())
    }

    /// Checks every file of a tree, each treated as added.
    pub fn tree(&self, changes: &[Change], report: &mut Report) -> Result<(), RunError> {
        self.content(changes, None, report)?;
        self.gates(changes, report)
    }

    fn scanner(&self) -> Result<Option<&Scanner>, RunError> {
        if let Some(built) = self.scanner.get() {
            return Ok(built.as_ref());
        }
        let mut specs: Vec<(String, super::secrets::SecretsSpec)> = self
            .active()
            .filter_map(|r| match &r.kind {
                RuleKind::Secrets(spec) => Some((r.id.clone(), spec.clone())),
                _ => None,
            })
            .collect();
        // The catch-all goes last: a specific rule, even a project's own, names a secret better.
        if let Some(i) = specs.iter().position(|(id, _)| id == "secret-generic") {
            let generic = specs.remove(i);
            specs.push(generic);
        }
        let built = if specs.is_empty() {
            None
        } else {
            let from_project = |id: &str| {
                self.policies
                    .get(id)
                    .is_none_or(|r| !r.source.project_files.is_empty())
            };
            Some(Scanner::new_checking(
                specs,
                &self.policies.secrets_allowlist,
                from_project,
                self.policies.project_allowlist,
            )?)
        };
        Ok(self.scanner.get_or_init(|| built).as_ref())
    }

    /// Path, size and line rules over the files `changes` add or modify.
    fn content(
        &self,
        changes: &[Change],
        commit: Option<ObjectId>,
        report: &mut Report,
    ) -> Result<(), RunError> {
        let rules: Vec<&Rule> = self
            .active()
            .filter(|r| {
                matches!(
                    r.kind,
                    RuleKind::ForbiddenPaths(_)
                        | RuleKind::FileSize(_)
                        | RuleKind::AddedLines(_)
                        | RuleKind::Secrets(_)
                )
            })
            .collect();
        let scanner = self.scanner()?;
        if rules.is_empty() && scanner.is_none() {
            return Ok(());
        }
        let commit = commit.map(|c| c.to_hex_with_len(12).to_string());
        let sync = self.repo.gix().clone().into_sync();
        // Files differ wildly in size, so even two of them are worth a second thread.
        let results = crate::par::map_with(
            changes,
            2,
            || sync.to_thread_local(),
            |repo, change| {
                let workdir = repo.workdir().map(Path::to_path_buf);
                check_file(
                    repo,
                    workdir.as_deref(),
                    change,
                    &rules,
                    scanner,
                    commit.as_deref(),
                )
            },
        );
        for result in results {
            let (findings, read) = result?;
            report.findings.extend(findings);
            report.files_checked += usize::from(read);
        }
        Ok(())
    }

    fn message(&self, raw: &str, commit: Option<ObjectId>, report: &mut Report) {
        let text = match commit {
            Some(_) => raw.trim_end().to_owned(),
            None => message::clean(raw),
        };
        for rule in self.active() {
            let RuleKind::CommitMessage(spec) = &rule.kind else {
                continue;
            };
            for (line, problem) in spec.check(&text) {
                report.findings.push(Finding {
                    rule: rule.id.clone(),
                    severity: rule.severity,
                    path: None,
                    line: Some(line),
                    commit: commit.map(|c| c.to_hex_with_len(12).to_string()),
                    message: rule.message.clone(),
                    detail: Some(problem),
                    fingerprint: None,
                });
            }
        }
    }

    /// A decision record being committed, read from its blob.
    fn staged_record(&self, change: &Change) -> Option<Record> {
        let folder = format!("{DIR}/{}/", Kind::Decision.folder());
        if !change.path.starts_with(&folder) || !change.path.ends_with(".md") {
            return None;
        }
        let blob = self.repo.gix().find_blob(change.new?).ok()?;
        let text = String::from_utf8(blob.detach().data).ok()?;
        record::parse(std::path::Path::new(&change.path), &text).ok()
    }

    fn decisions(
        &self,
        changes: &[Change],
        messages: Vec<&str>,
        report: &mut Report,
    ) -> Result<(), RunError> {
        let rules: Vec<(&Rule, &decision::RequiresDecision)> = self
            .active()
            .filter_map(|r| match &r.kind {
                RuleKind::RequiresDecision(spec) => Some((r, spec)),
                _ => None,
            })
            .collect();
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        let guarded = |spec: &decision::RequiresDecision| paths.iter().any(|p| spec.guards(p));
        if !rules.iter().any(|(_, spec)| guarded(spec)) {
            return Ok(());
        }
        let mut decisions: Vec<Record> = changes
            .iter()
            .filter(|c| c.new.is_some())
            .filter_map(|c| self.staged_record(c))
            .collect();
        let named: Vec<String> = messages
            .iter()
            .flat_map(|m| decision::named_decisions(m))
            .collect();
        let mut unknown = Vec::new();
        if !named.is_empty() {
            let records = Store::open(self.repo)?.load_all()?.records;
            for id in &named {
                match store::resolve(&records, id) {
                    Ok(record) => decisions.push(record.clone()),
                    Err(e) => unknown.push(format!("`Decision: {id}`: {e}")),
                }
            }
        }
        for (rule, spec) in rules {
            for path in spec.uncovered(&paths, &decisions) {
                let mut detail = String::from(
                    "no accepted decision covers it: record one with `git zen record decision \"…\" --path '<glob>'` and stage it, or name one in the message as `Decision: <id>`",
                );
                for problem in &unknown {
                    detail.push_str("; ");
                    detail.push_str(problem.lines().next().unwrap_or(problem));
                }
                report.findings.push(Finding {
                    rule: rule.id.clone(),
                    severity: rule.severity,
                    path: Some(path.to_owned()),
                    line: None,
                    commit: None,
                    message: rule.message.clone(),
                    detail: Some(std::mem::take(&mut detail)),
                    fingerprint: None,
                });
            }
        }
        Ok(())
    }

    /// Runs the command gates in parallel on the files they match; a gate from an untrusted
    /// project file is reported, not run.
    fn gates(&self, changes: &[Change], report: &mut Report) -> Result<(), RunError> {
        let gates: Vec<&Rule> = self
            .active()
            .filter(|r| matches!(r.kind, RuleKind::Command(_)))
            .collect();
        if gates.is_empty() {
            return Ok(());
        }
        let trust = TrustStore::load(&self.repo.state_dir())?;
        let workdir = self.repo.workdir();
        let mut runnable = Vec::new();
        for rule in gates {
            let RuleKind::Command(gate) = &rule.kind else {
                continue;
            };
            if !rule
                .source
                .project_files
                .iter()
                .all(|f| trust.is_trusted(workdir, f))
            {
                report.untrusted.push(rule.id.clone());
                continue;
            }
            let matched: Vec<&Change> = changes
                .iter()
                .filter(|c| c.new.is_some() && c.kind.is_content() && gate.filter.matches(&c.path))
                .collect();
            if !matched.is_empty() {
                runnable.push((rule, gate, matched));
            }
        }
        if runnable.is_empty() {
            return Ok(());
        }
        let staged = StagedCopies::new(self.repo);
        let runs: Vec<GateRun<'_>> = runnable
            .into_iter()
            .map(|(rule, gate, matched)| {
                let files = matched.iter().map(|c| staged.path_for(c)).collect();
                (rule, gate, files)
            })
            .collect();
        let outcomes: Vec<(&Rule, GateOutcome)> = std::thread::scope(|scope| {
            let handles: Vec<_> = runs
                .iter()
                .map(|(rule, gate, files)| {
                    let handle = scope.spawn(move || match files {
                        Ok(files) => gate.run(workdir, files),
                        Err(why) => GateOutcome::Failed {
                            why: why.clone(),
                            output: String::new(),
                        },
                    });
                    (*rule, handle)
                })
                .collect();
            handles
                .into_iter()
                .map(|(rule, h)| {
                    let outcome = h.join().unwrap_or_else(|_| GateOutcome::Failed {
                        why: "the gate's runner panicked".into(),
                        output: String::new(),
                    });
                    (rule, outcome)
                })
                .collect()
        });
        for (rule, outcome) in outcomes {
            if let GateOutcome::Failed { why, output } = outcome {
                let mut detail = why;
                let output = output.trim_end();
                if !output.is_empty() {
                    detail.push('\n');
                    detail.push_str(output);
                }
                report.findings.push(Finding {
                    rule: rule.id.clone(),
                    severity: rule.severity,
                    path: None,
                    line: None,
                    commit: None,
                    message: rule.message.clone(),
                    detail: Some(detail),
                    fingerprint: None,
                });
            }
        }
        Ok(())
    }
}

/// A gate ready to run: its rule, the gate, and the files to give it (or why they could not be
/// prepared).
type GateRun<'r> = (
    &'r Rule,
    &'r super::command::CommandGate,
    Result<Vec<PathBuf>, String>,
);

/// For a range: each path's last change (a deletion included; the gates skip those), with a
/// path renamed away replaced by its new name.
fn last_change_per_path(commits: &[CommitChanges]) -> Vec<Change> {
    let mut last: BTreeMap<&str, &Change> = BTreeMap::new();
    for change in commits.iter().flat_map(|c| &c.changes) {
        if let Status::Renamed { from } = &change.status {
            last.remove(from.as_str());
        }
        last.insert(&change.path, change);
    }
    last.into_values().cloned().collect()
}

/// Gives a gate the committed content: the work-tree file when it holds exactly the staged blob,
/// else a copy of the blob in a temporary folder (a partially staged file is judged as staged).
struct StagedCopies<'r> {
    repo: &'r Repo,
    dir: OnceLock<Result<tempfile::TempDir, String>>,
}

impl<'r> StagedCopies<'r> {
    fn new(repo: &'r Repo) -> Self {
        StagedCopies {
            repo,
            dir: OnceLock::new(),
        }
    }

    fn path_for(&self, change: &Change) -> Result<PathBuf, String> {
        let id = change.new.ok_or("a deleted file has no content")?;
        if worktree_copy(self.repo.workdir(), change, id).is_some() {
            // `./` so a file named like an option (`--force.txt`) stays a file to the gate.
            return Ok(Path::new(".").join(&change.path));
        }
        let dir = self
            .dir
            .get_or_init(|| staged_copies_dir(&self.repo.state_dir().join("gates")))
            .as_ref()
            .map_err(|e| format!("cannot make a folder for staged copies: {e}"))?;
        let copy = dir.path().join(&change.path);
        let blob = self
            .repo
            .gix()
            .find_blob(id)
            .map_err(|e| format!("cannot read the staged {}: {e}", change.path))?;
        if let Some(parent) = copy.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&copy, &blob.data).map_err(|e| format!("{}: {e}", copy.display()))?;
        Ok(copy)
    }
}

/// A new folder for one run's staged copies, in the repository's own state folder rather than
/// the shared temp dir (the copies may hold secrets a gate is about to refuse). It is deleted
/// when the run ends; folders of runs killed half-way (`staged-<pid>-…` of a process that is
/// gone) are deleted by the next run.
fn staged_copies_dir(parent: &Path) -> Result<tempfile::TempDir, String> {
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    if let Ok(entries) = std::fs::read_dir(parent) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if crate::fsutil::owner_pid(&name, "staged-").is_some_and(crate::fsutil::owner_gone) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    tempfile::Builder::new()
        .prefix(&format!("staged-{}-", std::process::id()))
        .tempdir_in(parent)
        .map_err(|e| e.to_string())
}

/// The bytes of blob `id` from the work-tree file at the change's path, when that file holds
/// exactly them (checked by hashing; a recorded size that differs skips the read): cheaper than
/// inflating a loose object, and what a gate may run on in place.
fn worktree_copy(workdir: &Path, change: &Change, id: ObjectId) -> Option<Vec<u8>> {
    let file = workdir.join(&change.path);
    let meta = std::fs::symlink_metadata(&file).ok()?;
    if !meta.is_file() || change.size_hint.is_some_and(|hint| meta.len() != hint) {
        return None;
    }
    let content = std::fs::read(&file).ok()?;
    (super::trust::blob_id(&content) == id).then_some(content)
}

/// Files up to this size (by the index's record) are read without asking for their size first.
const SMALL_FILE: u64 = 8 << 20;

/// The file rules for one change: `(findings, whether its content was read)`.
fn check_file(
    repo: &mut gix::Repository,
    workdir: Option<&Path>,
    change: &Change,
    rules: &[&Rule],
    scanner: Option<&Scanner>,
    commit: Option<&str>,
) -> Result<(Vec<Finding>, bool), ChangesError> {
    let mut findings = Vec::new();
    let Some(new) = change.new else {
        return Ok((findings, false));
    };
    let finding = |rule: &Rule, line: Option<u32>, detail: Option<String>| Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        path: Some(change.path.clone()),
        line,
        commit: commit.map(str::to_owned),
        message: rule.message.clone(),
        detail,
        fingerprint: None,
    };
    if change.is_new_path() {
        for rule in rules {
            if let RuleKind::ForbiddenPaths(spec) = &rule.kind
                && spec.matches(&change.path)
            {
                findings.push(finding(rule, None, None));
            }
        }
    }
    if !change.adds_content() {
        return Ok((findings, false));
    }
    let read = |id: ObjectId| -> Result<Vec<u8>, ChangesError> {
        repo.find_blob(id)
            .map(|b| b.detach().data)
            .map_err(ChangesError::read(format!("blob {id} ({})", change.path)))
    };
    // Staged files (the index gives a size) are read from the work tree when it holds their bytes.
    let read_new = || match workdir.filter(|_| change.size_hint.is_some()) {
        Some(dir) => worktree_copy(dir, change, new).map_or_else(|| read(new), Ok),
        None => read(new),
    };
    let size_rules: Vec<(&Rule, u64)> = rules
        .iter()
        .filter_map(|r| match &r.kind {
            RuleKind::FileSize(spec) if spec.filter.matches(&change.path) => {
                Some((*r, spec.max_bytes))
            }
            _ => None,
        })
        .collect();
    let line_rules: Vec<(&Rule, &super::lines::AddedLinesRule)> = rules
        .iter()
        .filter_map(|r| match &r.kind {
            RuleKind::AddedLines(spec) if spec.filter.matches(&change.path) => Some((*r, spec)),
            _ => None,
        })
        .collect();
    let reads_lines = !line_rules.is_empty() || scanner.is_some();
    let limit = size_rules.iter().map(|(_, max)| *max).min();
    // The blob's size: from the content when it will be read anyway and the index says the file
    // is small (one object lookup instead of two); otherwise from the object header, so a huge
    // file that breaks the limit is never read whole.
    let small = change
        .size_hint
        .is_some_and(|hint| limit.is_none_or(|max| hint <= max) && hint <= SMALL_FILE);
    let content = if reads_lines && small {
        Some(read_new()?)
    } else {
        None
    };
    if !size_rules.is_empty() {
        let size = match &content {
            Some(content) => content.len() as u64,
            None => repo
                .find_header(new)
                .map_err(ChangesError::read(format!("blob {new} ({})", change.path)))?
                .size(),
        };
        let mut too_big = false;
        for (rule, max) in size_rules {
            if size > max {
                too_big = true;
                findings.push(finding(
                    rule,
                    None,
                    Some(format!("{} > {}", human(size), human(max))),
                ));
            }
        }
        // Already refused: reading it whole for line rules would cost memory for nothing.
        if too_big {
            return Ok((findings, false));
        }
    }
    if !reads_lines {
        return Ok((findings, false));
    }
    let content = match content {
        Some(content) => content,
        None => read_new()?,
    };
    if changes::is_binary(&content) {
        return Ok((findings, true));
    }
    let old = match change.diff_base() {
        Some(old) => Some(read(old)?),
        None => None,
    };
    let added = changes::added_lines(old.as_deref(), &content);
    if added.is_empty() {
        return Ok((findings, true));
    }
    // Only the new lines are scanned, each run of them on its own.
    for (first, span) in added.spans(&content) {
        let offset = first - 1;
        if let Some(scanner) = scanner {
            let mut hits: Vec<SecretHit> = Vec::new();
            scanner.scan(&change.path, span, &|_| true, &mut hits);
            for hit in hits {
                // The scanner was built from these same active rules.
                if let Some(rule) = rules.iter().find(|r| r.id == hit.rule) {
                    let mut found = finding(rule, Some(hit.line + offset), Some(hit.masked));
                    found.fingerprint = Some(hit.fingerprint);
                    findings.push(found);
                }
            }
        }
        for (rule, spec) in &line_rules {
            for line in spec.find(span, &changes::AddedLines::All) {
                findings.push(finding(rule, Some(line + offset), None));
            }
        }
    }
    Ok((findings, true))
}

impl Hint for RunError {
    fn hint(&self) -> Option<String> {
        match self {
            RunError::Secrets(_) => {
                Some("fix the rule in .datazentr/policies/, or see `git zen policy list`".into())
            }
            RunError::Changes(e) => e.hint(),
            RunError::Store(e) => e.hint(),
            RunError::Trust(e) => e.hint(),
        }
    }
}
