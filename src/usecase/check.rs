//! Judging changes by the project's policies: `git zen check`, the hooks, and the MCP server's
//! `check_staged` all run this, and get back everything a blocked commit shows — findings, the
//! command gates not run for lack of trust, and the memory that speaks to what failed — computed
//! once, so each front end only renders it.

use std::path::{Path, PathBuf};

use gix::ObjectId;

use crate::changes::{self, CommitChanges};
use crate::error::UserError;
use crate::event::Event;
use crate::policy::baseline::Baseline;
use crate::policy::journal::{Journal, Verdict};
use crate::policy::memory;
use crate::policy::run::Checker;
use crate::policy::trust::TrustStore;
use crate::policy::{self, Hook, Policies, Report};
use crate::record::Record;
use crate::repo::Repo;
use crate::store::Store;

use super::{Emitted, Ui, publish};

/// Which changes [`check`] judges; each front end builds one from its own input.
#[derive(Debug, Clone)]
pub enum Target {
    /// The staged changes, and the commit message when there is one.
    Staged {
        /// The message (`Decision: <id>` lines count for required decisions).
        message: Option<String>,
    },
    /// Every commit of a range (anything `git rev-list` takes).
    Range(String),
    /// Every file in git's index, each judged as an addition (`git zen check --all`).
    All,
    /// What a push sends: the `<local ref> <local id> <remote ref> <remote id>` lines git
    /// writes to a pre-push hook, and the remote's name.
    Push {
        /// The remote's name as git passes it to the hook, or a URL when none is named (then every
        /// remote-tracking branch counts as already pushed).
        remote: String,
        /// The hook's standard input, one line per pushed ref; deletions and bad lines are skipped.
        lines: Vec<String>,
    },
}

/// A command gate that did not run because its policy file is not trusted.
#[derive(Debug, Clone)]
pub struct UntrustedGate {
    /// The gate's rule id, as listed in [`Report::untrusted`].
    pub rule: String,
    /// Its project policy files (relative to the work tree) whose current content is not trusted:
    /// what to pass to `git zen trust`.
    pub files: Vec<PathBuf>,
}

/// The verdict on a set of changes.
#[derive(Debug)]
pub struct Checked {
    /// The policies loaded for this check: enabled built-in sets merged with the project's files.
    pub policies: Policies,
    /// Findings, skipped and untrusted rules, counts; [`Report::blocks`] is the verdict.
    pub report: Report,
    /// Command gates skipped for lack of trust, with the files to trust (empty when all ran).
    pub untrusted: Vec<UntrustedGate>,
    /// Current lessons and decisions related to the findings, most relevant first (none when
    /// nothing was found, so a clean commit never opens the cache).
    pub memory: Vec<Record>,
    /// For the pre-commit hook: current lessons and patterns that failed, whose `paths` cover a
    /// staged file (at most three, most specific glob first) — said, never blocking, so a
    /// repeated mistake is noticed before review. Empty when turned off in the config.
    pub past_failures: Vec<Record>,
    /// The `policy.failed` event, queued only when a hook blocked; empty for `git zen check`.
    pub emitted: Emitted,
    /// Findings dropped because `.datazentr/secrets-baseline.toml` knows them.
    pub baselined: usize,
}

/// What [`write_baseline`] wrote.
#[derive(Debug)]
pub struct BaselineWritten {
    /// The baseline file.
    pub path: PathBuf,
    /// How many secrets it lists.
    pub secrets: usize,
}

/// `git zen check --all --write-baseline`: records every secret the whole tree holds now as known
/// (whatever an older baseline said), so that only new ones block.
pub fn write_baseline(repo: &Repo, ui: &mut dyn Ui) -> Result<BaselineWritten, UserError> {
    let checked =
        run(repo, ui, Target::All, None, false)?.expect("a whole-tree check always judges");
    let baseline = Baseline::from_findings(&checked.report.findings);
    let path = baseline.write(repo.workdir())?;
    Ok(BaselineWritten {
        path,
        secrets: baseline.entries.len(),
    })
}

/// How many related records a verdict shows.
const MEMORY_LIMIT: usize = 3;

/// Judges `target` by every rule (`hook: None`, as `git zen check` does) or by the rules of one
/// hook. Returns `None` when a hook has nothing to judge (no staged change, no message, no
/// pushed commit): the policies are not even loaded then. A hook that blocks queues
/// `policy.failed`; every hook's verdict goes to the journal (see [`verdicts`]). Secrets listed in
/// `.datazentr/secrets-baseline.toml` are not reported.
pub fn check(
    repo: &Repo,
    ui: &mut dyn Ui,
    target: Target,
    hook: Option<Hook>,
) -> Result<Option<Checked>, UserError> {
    run(repo, ui, target, hook, true)
}

fn run(
    repo: &Repo,
    ui: &mut dyn Ui,
    target: Target,
    hook: Option<Hook>,
    use_baseline: bool,
) -> Result<Option<Checked>, UserError> {
    enum Changes {
        Staged(Vec<crate::changes::Change>, Option<String>),
        Commits(Vec<CommitChanges>),
        Tree(Vec<crate::changes::Change>),
    }
    let range = match &target {
        Target::Push { lines, .. } => pushed_range(lines),
        _ => None,
    };
    let changes = match target {
        Target::Staged { message } => Changes::Staged(changes::staged(repo.gix())?, message),
        Target::Range(range) => Changes::Commits(
            changes::rev_list(repo, &[&range])?
                .into_iter()
                .map(|id| changes::commit_changes(repo.gix(), id))
                .collect::<Result<_, _>>()?,
        ),
        Target::All => Changes::Tree(changes::all_files(repo.gix())?),
        Target::Push { remote, lines } => Changes::Commits(pushed_commits(repo, &remote, &lines)?),
    };
    let nothing = match &changes {
        Changes::Staged(staged, message) => staged.is_empty() && message.is_none(),
        Changes::Commits(commits) => commits.is_empty(),
        Changes::Tree(_) => false,
    };
    if hook.is_some() && nothing {
        return Ok(None);
    }
    let policies = policy::load(repo.workdir())?;
    let checker = Checker::new(repo, &policies, hook, Checker::skip_from_env());
    let mut report = checker.report();
    match &changes {
        Changes::Staged(staged, message) => {
            checker.staged(staged, message.as_deref(), &mut report)?
        }
        Changes::Commits(commits) => checker.commits(commits, &mut report)?,
        Changes::Tree(files) => checker.tree(files, &mut report)?,
    }
    let mut checked = conclude(repo, policies, report, use_baseline)?;
    if hook.is_none() && checked.memory.len() < MEMORY_LIMIT && !checked.report.findings.is_empty()
    {
        // `git zen check` and agents' check_staged also recall by meaning what the findings are
        // about; hooks never load the model (the commit waits for them) and keep the records
        // related by path and tag.
        let mode = crate::semantic::Mode::Hybrid;
        super::meaning::add_recalled_memory(
            repo,
            &checked.report,
            mode,
            MEMORY_LIMIT,
            &mut checked.memory,
        );
    }
    if let (Changes::Staged(staged, _), Some(Hook::PreCommit)) = (&changes, hook)
        && checked.policies.past_failure_notes
    {
        checked.past_failures = past_failures(repo, staged, &checked.memory);
    }
    if let Some(hook) = hook
        && checked.report.blocks()
    {
        let event = Event::PolicyFailed {
            hook,
            report: checked.report.clone(),
        };
        checked.emitted = publish(repo, ui, vec![event]);
    }
    if let Some(hook) = hook {
        journal(&repo.shared_state_dir(), hook.name(), &checked, range);
    }
    Ok(Some(checked))
}

/// Appends a hook's verdict to the journal in `dir`, unless the project turned the journal off
/// (`[policies] journal = false`). A journal that cannot be written is skipped without a word:
/// it is a record for the dashboard and must never fail, slow or clutter a commit.
pub(super) fn journal(dir: &Path, hook: &str, checked: &Checked, range: Option<String>) {
    if checked.policies.journal {
        let _ = Journal::at(dir).append(&Verdict::new(hook, &checked.report, range));
    }
}

/// The newest `limit` verdicts of this clone's hooks (every worktree's), newest first, as
/// `git zen policy verdicts` and the dashboard show them. Empty when no hook has judged anything
/// yet or the journal is turned off; a torn line (a hook killed while writing) is skipped.
pub fn verdicts(repo: &Repo, limit: usize) -> Result<Vec<Verdict>, UserError> {
    read_verdicts(&repo.shared_state_dir(), limit)
}

/// The newest `limit` verdicts of the journal in `dir`.
pub(super) fn read_verdicts(dir: &Path, limit: usize) -> Result<Vec<Verdict>, UserError> {
    Journal::at(dir).read(limit).map_err(|e| {
        UserError::failed(format!(
            "cannot read the journal of verdicts in {}: {e}",
            dir.display()
        ))
    })
}

/// What a push judges, for the journal: `<remote ref> <old>..<new>` per pushed ref, or
/// `<remote ref> <new>` for a new one; deletions and bad lines are left out.
fn pushed_range(lines: &[String]) -> Option<String> {
    let refs: Vec<String> = lines
        .iter()
        .filter_map(|line| {
            let [_, local, remote_ref, remote] = line.split_whitespace().collect::<Vec<_>>()[..]
            else {
                return None;
            };
            Some(ref_range(remote_ref, remote, local))
        })
        .filter(|r| !r.is_empty())
        .collect();
    (!refs.is_empty()).then(|| refs.join(", "))
}

/// `<refname> <old>..<new>` with ids cut to 12 hex digits, `<refname> <new>` for a new ref, empty
/// for a deletion.
pub(super) fn ref_range(refname: &str, old: &str, new: &str) -> String {
    let null = |id: &str| id.bytes().all(|b| b == b'0');
    let short = |id: &str| id.get(..12).unwrap_or(id).to_owned();
    match (null(old), null(new)) {
        (_, true) => String::new(),
        (true, false) => format!("{refname} {}", short(new)),
        (false, false) => format!("{refname} {}..{}", short(old), short(new)),
    }
}

/// The verdict on a finished run, for any caller of the checker (the commands and hooks here,
/// the server's pre-receive hook): known secrets taken out (with `use_baseline`), the gates not
/// run for lack of trust, and the memory that speaks to what remains. No past failures, no
/// events: those depend on the hook.
pub(super) fn conclude(
    repo: &Repo,
    policies: Policies,
    mut report: Report,
    use_baseline: bool,
) -> Result<Checked, UserError> {
    // Read only when something was found: a clean commit never opens the file.
    let baselined = if use_baseline && !report.findings.is_empty() {
        Baseline::load(repo.workdir())?.map_or(0, |b| b.apply(&mut report))
    } else {
        0
    };
    let untrusted = untrusted_gates(repo, &policies, &report);
    let memory = if report.findings.is_empty() {
        Vec::new()
    } else {
        related_memory(repo, &policies, &report)
    };
    Ok(Checked {
        policies,
        report,
        untrusted,
        memory,
        past_failures: Vec::new(),
        emitted: Emitted::default(),
        baselined,
    })
}

/// The project policy files of each untrusted gate that are not trusted yet.
fn untrusted_gates(repo: &Repo, policies: &Policies, report: &Report) -> Vec<UntrustedGate> {
    if report.untrusted.is_empty() {
        return Vec::new();
    }
    let trust = TrustStore::load(&repo.state_dir()).ok();
    report
        .untrusted
        .iter()
        .map(|id| UntrustedGate {
            rule: id.clone(),
            files: policies
                .get(id)
                .map(|r| {
                    r.source
                        .project_files
                        .iter()
                        .filter(|f| {
                            !trust
                                .as_ref()
                                .is_some_and(|t| t.is_trusted(repo.workdir(), f))
                        })
                        .cloned()
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// The recorded lessons and decisions related to what failed. Memory is a help, not the
/// verdict: a project without records (or with a cache that cannot be opened) gets none.
fn related_memory(repo: &Repo, policies: &Policies, report: &Report) -> Vec<Record> {
    let records = Store::open(repo)
        .ok()
        .and_then(|store| crate::index::Index::open_fresh(repo, &store).ok())
        .and_then(|(index, _)| index.records().ok())
        .unwrap_or_default();
    memory::related(&records, &report.findings, policies, MEMORY_LIMIT)
        .into_iter()
        .cloned()
        .collect()
}

/// How many past failures a commit is told about.
const PAST_FAILURES_LIMIT: usize = 3;

/// The current failed lessons and patterns whose `paths` cover a staged path, leaving out those
/// already shown as memory for a finding. This runs on every commit, so the cache is refreshed
/// (a stat per record file) only when a lesson or pattern may have come or gone since its last
/// refresh — their folders changed (a pull, a `record`) — or built when there is none; otherwise
/// it is read as it is.
fn past_failures(repo: &Repo, staged: &[crate::changes::Change], shown: &[Record]) -> Vec<Record> {
    let Ok(store) = Store::open(repo) else {
        return Vec::new();
    };
    // No lesson or pattern at all (the usual case in a young project): nothing can have failed,
    // and the cache stays closed.
    let has_any = [crate::record::Kind::Lesson, crate::record::Kind::Pattern]
        .iter()
        .filter_map(|k| std::fs::read_dir(store.root().join(k.folder())).ok())
        .flat_map(|entries| entries.flatten())
        .any(|e| e.file_name().to_string_lossy().ends_with(".md"));
    if !has_any {
        return Vec::new();
    }
    let index = match crate::index::Index::open_as_is(repo, &store) {
        Some(index) if !failure_folders_changed(&store, &index) => index,
        _ => match crate::index::Index::open_fresh(repo, &store) {
            Ok((index, _)) => index,
            Err(_) => return Vec::new(),
        },
    };
    let records = index.failures().unwrap_or_default();
    let mut hits: Vec<(usize, Record)> = records
        .into_iter()
        .filter(|r| !shown.iter().any(|s| s.id == r.id))
        .filter_map(|r| {
            // How specific the best covering glob is: its length before the first wildcard.
            let specificity = staged
                .iter()
                .flat_map(|c| r.globs_covering(&c.path))
                .map(|g| g.find(['*', '?', '[', '{']).unwrap_or(g.len()))
                .max()?;
            Some((specificity, r))
        })
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.id.cmp(&a.1.id)));
    hits.into_iter()
        .take(PAST_FAILURES_LIMIT)
        .map(|(_, r)| r)
        .collect()
}

/// Whether the lessons or patterns folder changed (a file added, removed or replaced, as every
/// git-zen write and every checkout does) after the cache was last written.
fn failure_folders_changed(store: &Store, index: &crate::index::Index) -> bool {
    let Some(cached) = index.modified() else {
        return true;
    };
    [crate::record::Kind::Lesson, crate::record::Kind::Pattern]
        .iter()
        .filter_map(|k| std::fs::metadata(store.root().join(k.folder())).ok())
        .filter_map(|m| m.modified().ok())
        .any(|folder| folder >= cached)
}

/// The commits a push sends, from the lines git writes to the pre-push hook: for an existing
/// branch what the remote lacks, for a new branch every commit no remote-tracking branch of
/// `remote` has, for a deletion nothing.
fn pushed_commits(
    repo: &Repo,
    remote: &str,
    lines: &[String],
) -> Result<Vec<CommitChanges>, UserError> {
    let mut ids: Vec<ObjectId> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, local, _, remote_id] = fields[..] else {
            continue;
        };
        let (Ok(local), Ok(remote_id)) = (
            ObjectId::from_hex(local.as_bytes()),
            ObjectId::from_hex(remote_id.as_bytes()),
        ) else {
            continue;
        };
        if local.is_null() {
            continue;
        }
        let local_hex = local.to_string();
        let known = !remote_id.is_null() && repo.gix().has_object(remote_id);
        let range = if known {
            changes::rev_list(repo, &[&format!("{remote_id}..{local_hex}")])?
        } else {
            let remotes = if remote.is_empty() || remote.contains(['/', ':']) {
                "--remotes".to_owned()
            } else {
                format!("--remotes={remote}")
            };
            changes::rev_list(repo, &[&local_hex, "--not", &remotes])?
        };
        for id in range {
            if seen.insert(id) {
                ids.push(id);
            }
        }
    }
    Ok(ids
        .into_iter()
        .map(|id| changes::commit_changes(repo.gix(), id))
        .collect::<Result<_, _>>()?)
}

/// The rules in effect, each secrets regex compiled so a broken one shows now rather than in a
/// hook.
pub fn policies(repo: &Repo) -> Result<Policies, UserError> {
    let policies = policy::load(repo.workdir())?;
    let specs = policies
        .rules
        .iter()
        .filter_map(|r| match &r.kind {
            policy::RuleKind::Secrets(spec) => Some((r.id.clone(), spec.clone())),
            _ => None,
        })
        .collect();
    policy::secrets::Scanner::new(specs, &policies.secrets_allowlist)?.compile_all()?;
    Ok(policies)
}

/// A policy file just trusted, and the commands its gates will now run.
#[derive(Debug)]
pub struct Trusted {
    /// The file, relative to the work tree.
    pub file: PathBuf,
    /// The content's git blob id (as `git hash-object` prints); editing the file voids the trust.
    pub hash: String,
    /// `(rule id, command line)` of each gate it defines.
    pub gates: Vec<(String, String)>,
}

/// Trusts the project policy files `files` (relative to the work tree), or with none every one
/// that defines a command gate, so their gates run. A file that is not a project policy file is
/// refused before anything is trusted.
pub fn trust(repo: &Repo, files: &[PathBuf]) -> Result<Vec<Trusted>, UserError> {
    let policies = policy::load(repo.workdir())?;
    let files: Vec<PathBuf> = if files.is_empty() {
        let mut files: Vec<PathBuf> = policies
            .rules
            .iter()
            .filter(|r| matches!(r.kind, policy::RuleKind::Command(_)))
            .flat_map(|r| r.source.project_files.clone())
            .collect();
        files.sort();
        files.dedup();
        files
    } else {
        for file in files {
            if !policies.project_files.contains(file) {
                return Err(UserError::failed(format!(
                    "{} is not a policy file of this project",
                    file.display()
                ))
                .hint("policy files are .datazentr/policies/*.toml"));
            }
        }
        files.to_vec()
    };
    let mut store = TrustStore::load(&repo.state_dir())?;
    let mut trusted = Vec::new();
    for file in files {
        let hash = store.trust(repo.workdir(), &file)?;
        let gates = policies
            .rules
            .iter()
            .filter(|r| r.source.project_files.contains(&file))
            .filter_map(|rule| match &rule.kind {
                policy::RuleKind::Command(gate) => Some((rule.id.clone(), gate.command.join(" "))),
                _ => None,
            })
            .collect();
        trusted.push(Trusted { file, hash, gates });
    }
    Ok(trusted)
}
