//! The server side: a `pre-receive` hook in a bare repository that judges every pushed commit by
//! the policies the push itself carries, so `git commit --no-verify` is no way around them.
//!
//! A bare repository has no work tree, and during `pre-receive` the pushed objects sit in git's
//! quarantine (`GIT_OBJECT_DIRECTORY`) until the hook accepts them. For each pushed ref the hook
//! makes a scratch repository in a temp folder whose object store borrows the bare one's and the
//! quarantine's (`objects/info/alternates`), writes the `.datazentr/` of the pushed tip there
//! (policies, decisions for `requires-decision`), and runs the pre-push rules on the new commits
//! exactly as the client's hook would. Command gates never run here unless the server's admin
//! trusted them (`<bare>/datazentr/trust.toml`): a push must not run programs of the pusher's
//! choosing on the server. Each ref's verdict goes to the bare repository's own journal
//! (`<bare>/datazentr/verdicts.jsonl`), unless the pushed `.datazentr/config.toml` turns it off.

use std::path::{Path, PathBuf};

use gix::ObjectId;

use crate::changes::{self, CommitChanges};
use crate::error::UserError;
use crate::policy::journal::Verdict;
use crate::policy::run::Checker;
use crate::policy::{self, Hook};
use crate::repo::{Repo, git_command, run_captured};
use crate::store::DIR;

use super::check::{Checked, conclude, journal, read_verdicts, ref_range};

/// The verdict on one pushed ref.
#[derive(Debug)]
pub struct RefVerdict {
    /// `refs/heads/main`, `refs/tags/v1` …
    pub refname: String,
    /// New commits judged (those no existing ref reaches).
    pub commits: usize,
    /// What the rules found, with the memory that speaks to it.
    pub checked: Checked,
}

/// Judges the ref updates git hands `pre-receive` on stdin (`<old> <new> <ref>` lines) in the
/// bare repository at `dir`. Deletions and refs that bring no new commit are not judged.
pub fn pre_receive(dir: &Path, lines: &[String]) -> Result<Vec<RefVerdict>, UserError> {
    let git_dir = git_dir_of(dir)?;
    let mut verdicts = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [old, new, refname] = fields[..] else {
            continue;
        };
        if new.bytes().all(|b| b == b'0') {
            continue;
        }
        // A tag of a tree or a blob carries no commits to judge.
        let Ok(tip) = run_captured(
            git_command(dir)
                .args(["rev-parse", "--verify", "--quiet"])
                .arg(format!("{new}^{{commit}}")),
        ) else {
            continue;
        };
        let ids =
            run_captured(git_command(dir).args(["rev-list", "--reverse", new, "--not", "--all"]))?;
        let ids: Vec<ObjectId> = ids
            .lines()
            .filter_map(|l| ObjectId::from_hex(l.trim().as_bytes()).ok())
            .collect();
        if ids.is_empty() {
            continue;
        }
        let checked = judge(&git_dir, tip.trim(), &ids)?;
        let range = ref_range(refname, old, new);
        journal(&state_dir(&git_dir), "pre-receive", &checked, Some(range));
        verdicts.push(RefVerdict {
            refname: refname.to_owned(),
            commits: ids.len(),
            checked,
        });
    }
    Ok(verdicts)
}

/// The newest `limit` verdicts of the server hook in the bare repository at `dir`, newest first.
pub fn verdicts(dir: &Path, limit: usize) -> Result<Vec<Verdict>, UserError> {
    read_verdicts(&state_dir(&git_dir_of(dir)?), limit)
}

/// Where the bare repository keeps git-zen's state (its trust file, the journal).
fn state_dir(git_dir: &Path) -> PathBuf {
    git_dir.join("datazentr")
}

/// Runs the pre-push rules of `tip`'s `.datazentr/` on commits `ids`, for the bare repository
/// whose git dir is `git_dir`.
fn judge(git_dir: &Path, tip: &str, ids: &[ObjectId]) -> Result<Checked, UserError> {
    let scratch = tempfile::Builder::new()
        .prefix("git-zen-receive-")
        .tempdir()
        .map_err(|e| UserError::failed(format!("cannot make a scratch folder: {e}")))?;
    let work = scratch.path();
    init_scratch(work)?;
    borrow_objects(git_dir, work)?;
    let repo = Repo::open_exact(work)?;
    let tip = ObjectId::from_hex(tip.as_bytes())
        .map_err(|e| UserError::failed(format!("`{tip}` is not an object id: {e}")))?;
    write_memory(&repo, tip)?;
    trust_like_the_server(git_dir, &repo);
    let policies = policy::load(work)?;
    // The pusher's GIT_ZEN_SKIP does not reach the server: every rule runs.
    let checker = Checker::new(&repo, &policies, Some(Hook::PrePush), Vec::new());
    let mut report = checker.report();
    let commits: Vec<CommitChanges> = ids
        .iter()
        .map(|&id| changes::commit_changes(repo.gix(), id))
        .collect::<Result<_, _>>()?;
    checker.commits(&commits, &mut report)?;
    // Known secrets pass here as they do in the hooks.
    conclude(&repo, policies, report, true)
}

/// Lays out an empty repository by hand: `git init` would be refused inside the push's
/// quarantine ("ref updates forbidden"), which its environment carries.
fn init_scratch(work: &Path) -> Result<(), UserError> {
    let git = work.join(".git");
    let made = std::fs::create_dir_all(git.join("objects/info"))
        .and_then(|()| std::fs::create_dir_all(git.join("refs/heads")))
        .and_then(|()| std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n"))
        .and_then(|()| {
            std::fs::write(
                git.join("config"),
                "[core]\n\trepositoryformatversion = 0\n\tbare = false\n",
            )
        });
    made.map_err(|e| UserError::failed(format!("{}: {e}", git.display())))
}

/// Points the scratch repository's object store at the bare repository's and at the
/// quarantine git set up for this push, so every pushed and existing object is readable.
fn borrow_objects(git_dir: &Path, work: &Path) -> Result<(), UserError> {
    // git gives the quarantine relative to the hook's current directory.
    let absolute = |p: &Path| -> PathBuf {
        let p = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        std::fs::canonicalize(&p).unwrap_or(p)
    };
    let mut stores: Vec<PathBuf> = Vec::new();
    if let Some(quarantine) = std::env::var_os("GIT_OBJECT_DIRECTORY") {
        stores.push(absolute(Path::new(&quarantine)));
    }
    if let Some(more) = std::env::var_os("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
        stores.extend(std::env::split_paths(&more).map(|p| absolute(&p)));
    }
    stores.push(git_dir.join("objects"));
    let text: String = stores
        .iter()
        .map(|p| format!("{}\n", p.display()))
        .collect();
    let file = work.join(".git/objects/info/alternates");
    std::fs::create_dir_all(file.parent().unwrap_or(work))
        .and_then(|()| std::fs::write(&file, text))
        .map_err(|e| UserError::failed(format!("{}: {e}", file.display())))
}

/// The git dir of the repository at `dir` (the bare repository itself).
fn git_dir_of(dir: &Path) -> Result<PathBuf, UserError> {
    let out = run_captured(git_command(dir).args(["rev-parse", "--absolute-git-dir"]))?;
    Ok(PathBuf::from(out.trim()))
}

/// Writes the `.datazentr/` folder of commit `tip` into the scratch work tree.
fn write_memory(repo: &Repo, tip: ObjectId) -> Result<(), UserError> {
    let tree = repo
        .gix()
        .find_commit(tip)
        .and_then(|c| c.tree_id())
        .map_err(|e| UserError::failed(format!("cannot read the pushed commit {tip}: {e}")))?
        .detach();
    let prefix = format!("{DIR}/");
    for file in changes::tree_files(repo.gix(), tree)?
        .iter()
        .filter(|c| c.path.starts_with(&prefix) && c.kind.is_content())
    {
        let Some(id) = file.new else { continue };
        let blob = repo
            .gix()
            .find_blob(id)
            .map_err(|e| UserError::failed(format!("cannot read {}: {e}", file.path)))?;
        // Paths come from a tree git accepted: no `..`, no absolute paths.
        let path = repo.workdir().join(&file.path);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        std::fs::write(&path, &blob.data)
            .map_err(|e| UserError::failed(format!("{}: {e}", path.display())))?;
    }
    Ok(())
}

/// Command gates run only if the server's admin trusted their files: the bare repository's own
/// trust file (`<bare>/datazentr/trust.toml`) is the scratch repository's.
fn trust_like_the_server(git_dir: &Path, repo: &Repo) {
    let theirs = state_dir(git_dir).join("trust.toml");
    if theirs.is_file() {
        let ours = repo.state_dir().join("trust.toml");
        let _ = std::fs::create_dir_all(repo.state_dir());
        let _ = std::fs::copy(theirs, ours);
    }
}
