//! The hub's local clone: made on first use, fetched and pushed with the `git` CLI, one
//! git-zen process at a time (a file lock), and never the place a write is lost.

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use gix::ObjectId;

use super::objects;
use super::pending::{self, Op, Queued};
use super::{Hub, HubError};
use crate::repo::{RepoError, run_captured};
use crate::store::DIR;

/// What a sync did; an unreachable hub is reported here, not as an error, when writes wait.
#[derive(Debug, Default, Clone, Serialize)]
pub struct SyncReport {
    /// Queued operations that reached the hub.
    pub pushed: usize,
    /// Queued operations still waiting (the hub was unreachable).
    pub pending: usize,
    /// Why the hub could not be reached, when it could not.
    pub offline: Option<String>,
    /// Pushes rejected because another writer got there first (each was fetched, replayed and
    /// retried).
    pub retries: usize,
}

/// Marks commits made from the queue, so a clone holding any other local commit is known to
/// have diverged by hand.
const QUEUE_TRAILER: &str = "Zen-Queue:";

/// How long a hub command waits for a git left running by a killed one to finish.
const ORPHAN_WAIT: Duration = Duration::from_secs(10);

/// How many rejected pushes a sync retries before it gives up (the writes stay queued).
const MAX_ATTEMPTS: usize = 40;

/// A `git` command in the hub's clone: none of the caller's repository variables apply.
pub(super) use crate::repo::git_at as git;

/// Holds the hub's lock until dropped.
pub(super) struct Lock(#[allow(dead_code)] File);

impl Hub {
    /// Waits for and takes the lock that serialises git-zen processes on this hub's clone.
    pub(super) fn lock(&self) -> Result<Lock, HubError> {
        std::fs::create_dir_all(&self.dir).map_err(HubError::io(&self.dir))?;
        let path = self.dir.join("lock");
        let file = crate::fsutil::lock_file(&path).map_err(HubError::io(&path))?;
        self.remove_stale_leftovers();
        Ok(Lock(file))
    }

    /// What a git-zen killed during a hub write left, removed under the lock (no other git-zen
    /// works on the clone then): git's own lock files in the clone (`HEAD.lock`,
    /// `refs/heads/<branch>.lock` …, which would fail every later write with "File exists"),
    /// unless a process still works in the clone (an orphaned `git` finishing its write), and
    /// half-made clones.
    fn remove_stale_leftovers(&self) {
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with("clone.tmp-") {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let clone = self.clone_dir();
        // A git that a killed git-zen started (a push, a fetch) outlives it and still moves refs
        // in the clone: let it finish before reading them, or two reads of one ref disagree.
        let started = std::time::Instant::now();
        while crate::fsutil::dir_in_use(&clone) == Some(true) && started.elapsed() < ORPHAN_WAIT {
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut locks = Vec::new();
        for sub in ["", "refs", "logs", "objects/info"] {
            collect_locks(&clone.join(sub), sub.is_empty(), &mut locks);
        }
        if locks.is_empty() || crate::fsutil::dir_in_use(&clone) != Some(false) {
            return;
        }
        for lock in locks {
            let _ = std::fs::remove_file(lock);
        }
    }

    /// Makes the local clone if there is none: a bare repository with `origin` fetched, its
    /// local branch at the remote's default branch. Under the lock.
    fn ensure_clone(&self) -> Result<(), HubError> {
        let dir = self.clone_dir();
        if self.has_clone() {
            return Ok(());
        }
        let temp = self.dir.join(format!("clone.tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&temp);
        let made = (|| -> Result<(), HubError> {
            run_captured(git(&self.dir).args(["init", "-q", "--bare"]).arg(&temp))?;
            run_captured(git(&temp).args(["remote", "add", "origin", &self.url]))?;
            run_captured(git(&temp).args(["fetch", "-q", "origin"])).map_err(|e| {
                HubError::Unreachable {
                    url: self.url.clone(),
                    message: git_message(e),
                }
            })?;
            // Follow the remote's default branch (an empty hub: git's own default).
            let symref = run_captured(git(&temp).args(["ls-remote", "--symref", "origin", "HEAD"]))
                .unwrap_or_default();
            if let Some(branch) = symref
                .lines()
                .find_map(|l| l.strip_prefix("ref: refs/heads/"))
                .and_then(|l| l.split_whitespace().next())
            {
                run_captured(git(&temp).args([
                    "symbolic-ref",
                    "HEAD",
                    &format!("refs/heads/{branch}"),
                ]))?;
            }
            let branch = branch_of(&temp)?;
            let upstream = format!("refs/remotes/origin/{branch}");
            if run_captured(git(&temp).args(["rev-parse", "-q", "--verify", &upstream])).is_ok() {
                run_captured(git(&temp).args([
                    "update-ref",
                    &format!("refs/heads/{branch}"),
                    &upstream,
                ]))?;
                let repo = objects::open(&temp)?;
                let tree = objects::head_tree(&repo)?;
                if objects::subtree(&repo, tree, DIR)?.is_none() {
                    return Err(HubError::NotAHub {
                        url: self.url.clone(),
                    });
                }
            }
            Ok(())
        })();
        if let Err(e) = made {
            let _ = std::fs::remove_dir_all(&temp);
            return Err(e);
        }
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::rename(&temp, &dir).map_err(HubError::io(&dir))
    }

    /// Fetches the hub, replays the queued writes on its tip and pushes them, retrying with
    /// backoff when another writer's push got there first. Offline, the writes are committed in
    /// the clone (so recall sees them) and stay queued. The cache is refreshed by the caller.
    pub fn sync(&self) -> Result<SyncReport, HubError> {
        let _lock = self.lock()?;
        let mut report = SyncReport::default();
        if let Err(e) = self.ensure_clone() {
            return match e {
                HubError::Unreachable { message, .. } => {
                    report.pending = pending::count(self);
                    report.offline = Some(message);
                    if report.pending == 0 {
                        Err(HubError::Unreachable {
                            url: self.url.clone(),
                            message: report.offline.unwrap_or_default(),
                        })
                    } else {
                        Ok(report)
                    }
                }
                other => Err(other),
            };
        }
        let dir = self.clone_dir();
        let branch = branch_of(&dir)?;
        let local = format!("refs/heads/{branch}");
        let upstream = format!("refs/remotes/origin/{branch}");
        for attempt in 0.. {
            let fetched = run_captured(git(&dir).args(["fetch", "-q", "origin"]));
            // Opened after the fetch, so it sees the refs the fetch moved.
            let repo = objects::open(&dir)?;
            let base = self.check_diverged(&repo, &upstream, &local)?;
            let queued = pending::load(self)?;
            let tip = self.replay(&repo, &queued, base, &local)?;
            if let Err(e) = fetched {
                report.pending = queued.len();
                report.offline = Some(git_message(e));
                return Ok(report);
            }
            let Some(tip) = tip else {
                // Nothing to push: what was queued (if anything) is already in the hub.
                pending::remove(&queued);
                report.pending = pending::count(self);
                return Ok(report);
            };
            let pushed = run_captured(git(&dir).args([
                "push",
                "-q",
                "origin",
                &format!("{local}:refs/heads/{branch}"),
            ]));
            match pushed {
                Ok(_) => {
                    pending::remove(&queued);
                    report.pushed = queued.len();
                    report.pending = pending::count(self);
                    // The remote-tracking ref now matches what landed.
                    let _ =
                        run_captured(git(&dir).args(["update-ref", &upstream, &tip.to_string()]));
                    return Ok(report);
                }
                Err(e) if attempt + 1 >= MAX_ATTEMPTS || !lost_race(&e) => {
                    let message = git_message(e);
                    report.pending = queued.len();
                    report.offline = Some(if lost_race_text(&message) {
                        format!("the push was rejected {MAX_ATTEMPTS} times: {message}")
                    } else {
                        format!("the push was refused: {message}")
                    });
                    return Ok(report);
                }
                Err(_) => {
                    // Someone else pushed first (or the remote's ref was locked): fetch, replay
                    // on their tip, try again after a randomised wait so the racers spread out.
                    report.retries += 1;
                    std::thread::sleep(backoff(attempt));
                }
            }
        }
        unreachable!("the loop returns")
    }

    /// Refuses to throw away local commits that did not come from the queue; returns the
    /// upstream tip (`None` for an empty hub).
    fn check_diverged(
        &self,
        repo: &gix::Repository,
        upstream: &str,
        local: &str,
    ) -> Result<Option<ObjectId>, HubError> {
        let dir = self.clone_dir();
        let tip = |name: &str| objects::ref_id(repo, name);
        let (head, base) = (tip(local), tip(upstream));
        let range = match (head, base) {
            (None, _) => return Ok(base),
            // The usual case, nothing local: no need to ask git.
            (Some(h), Some(b)) if h == b => return Ok(base),
            (Some(_), Some(_)) => format!("{upstream}..{local}"),
            (Some(_), None) => local.to_owned(),
        };
        let count = |extra: &[&str]| -> Result<usize, HubError> {
            let out = run_captured(
                git(&dir)
                    .args(["rev-list", "--count"])
                    .args(extra)
                    .arg(&range),
            )?;
            Ok(out.trim().parse().unwrap_or(0))
        };
        let all = count(&[])?;
        let ours = count(&["--grep", &format!("^{QUEUE_TRAILER}")])?;
        if all != ours {
            let strangers = run_captured(
                git(&dir)
                    .args(["log", "--format=%h %s", "--invert-grep", "--grep"])
                    .arg(format!("^{QUEUE_TRAILER}"))
                    .arg(&range),
            )
            .unwrap_or_default();
            return Err(HubError::Diverged {
                name: self.name.clone(),
                dir,
                message: format!(
                    "{} local commit(s) that git-zen did not make ({range}: {})",
                    all - ours,
                    strangers.lines().collect::<Vec<_>>().join("; ")
                ),
            });
        }
        Ok(base)
    }

    /// Points the local branch at `base` (the upstream tip) with the queued writes committed on top (one
    /// commit), and returns that commit — `None` when nothing is queued or everything queued is
    /// already there.
    fn replay(
        &self,
        repo: &gix::Repository,
        queued: &[Queued],
        base: Option<ObjectId>,
        local: &str,
    ) -> Result<Option<ObjectId>, HubError> {
        let dir = self.clone_dir();
        let base_tree = objects::tree_of(repo, base)?;
        let tree = if queued.is_empty() {
            base_tree
        } else {
            objects::apply(repo, base_tree, queued)?
        };
        let tip = if tree == base_tree {
            None
        } else {
            let subjects: Vec<&str> = queued.iter().map(|q| q.op.message.as_str()).collect();
            let subject = match subjects.as_slice() {
                [one] => (*one).to_owned(),
                many => format!("{} hub writes", many.len()),
            };
            let message = format!(
                "{subject}\n\n{}\n\n{QUEUE_TRAILER} {}\n",
                subjects.join("\n"),
                queued.len()
            );
            Some(objects::commit(repo, tree, base, &message)?)
        };
        let current = objects::ref_id(repo, local);
        if current != tip.or(base) {
            match tip.or(base) {
                Some(id) => run_captured(git(&dir).args(["update-ref", local, &id.to_string()]))?,
                None => run_captured(git(&dir).args(["update-ref", "-d", local]))?,
            };
        }
        Ok(tip)
    }

    /// Queues `op` and syncs: it lands now, or waits (reported) for a later sync.
    pub(super) fn write(&self, op: Op) -> Result<SyncReport, HubError> {
        pending::enqueue(self, &op)?;
        self.sync()
    }
}

/// The branch the clone's `HEAD` follows, short name (`main`), as the remote's default was.
fn branch_of(dir: &Path) -> Result<String, HubError> {
    Ok(
        run_captured(git(dir).args(["symbolic-ref", "--short", "HEAD"]))?
            .trim()
            .to_owned(),
    )
}

/// 20 ms doubling up to about a second, with full jitter.
fn backoff(attempt: usize) -> Duration {
    let cap = 20u64 << attempt.min(6);
    let mut random = [0u8; 8];
    let _ = getrandom::fill(&mut random);
    Duration::from_millis(cap / 2 + u64::from_le_bytes(random) % (cap / 2 + 1))
}

/// Whether a failed push lost a race with another writer (worth fetching and retrying), rather
/// than being refused (permissions, a protected or checked-out branch: retrying cannot help).
fn lost_race(e: &RepoError) -> bool {
    match e {
        RepoError::Git { message, .. } => lost_race_text(message),
        _ => false,
    }
}

fn lost_race_text(message: &str) -> bool {
    [
        "fetch first",
        "non-fast-forward",
        "cannot lock ref",
        "failed to lock",
        "failed to update ref",
        "incorrect old value",
        "stale info",
        "Unable to create",
    ]
    .iter()
    .any(|sign| message.contains(sign))
}

fn git_message(e: RepoError) -> String {
    match e {
        RepoError::Git { message, .. } => message,
        other => other.to_string(),
    }
}

/// The `*.lock` files in `dir` (and below it, unless `top_only`).
fn collect_locks(dir: &std::path::Path, top_only: bool, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() && !top_only => collect_locks(&path, false, out),
            Ok(t) if t.is_file() && path.extension().is_some_and(|x| x == "lock") => out.push(path),
            _ => {}
        }
    }
}
