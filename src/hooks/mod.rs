//! Installing git-zen's hook shims into the hooks folder git really uses (`core.hooksPath`, linked
//! worktrees), chaining any hook that was there, and taking them out again exactly.
//!
//! A shim is a few lines of `sh` shipped in `hooks/`: it runs the hook it replaced (kept beside it
//! as `<hook>.zen-chained`), then `git-zen hook <name>` found on `PATH` — no absolute path of the
//! binary is written anywhere, so moving or upgrading git-zen needs no re-install.

use crate::error::Hint;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::fsutil::{Existing, write_atomic};
use crate::policy::Hook;
use crate::repo::{Repo, RepoError, run_captured};

/// A line every shim carries, so git-zen recognises its own hooks.
pub const SHIM_MARK: &str = "# git-zen hook shim";

/// Suffix of a replaced hook kept beside the shim.
pub const CHAINED_SUFFIX: &str = ".zen-chained";

/// The shipped shim for `hook`.
pub fn shim(hook: Hook) -> &'static str {
    match hook {
        Hook::PreCommit => include_str!("../../hooks/pre-commit"),
        Hook::CommitMsg => include_str!("../../hooks/commit-msg"),
        Hook::PrePush => include_str!("../../hooks/pre-push"),
    }
}

/// Why hooks could not be installed or removed.
#[derive(Debug, thiserror::Error)]
pub enum HooksError {
    /// git could not say where hooks live.
    #[error(transparent)]
    Git(#[from] RepoError),
    /// A file could not be read, written or moved.
    #[error("{}: {source}", path.display())]
    Io {
        /// The hook file or the hooks folder.
        path: PathBuf,
        /// The OS error, shown after the path.
        source: io::Error,
    },
    /// `--server` outside a bare repository.
    #[error("{} is not a bare repository: the server-side hook belongs in the repository people push to", .0.display())]
    NotBare(PathBuf),
    /// Both a foreign hook and a kept one exist, so chaining would lose one of them.
    #[error(
        "{} is not git-zen's and {} already exists: installing would lose one of them",
        hook.display(),
        chained.display()
    )]
    ChainTaken {
        /// The hook in place.
        hook: PathBuf,
        /// The chained hook already kept.
        chained: PathBuf,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> HooksError + '_ {
    move |source| HooksError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where one hook stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// git-zen's current shim.
    Installed,
    /// A git-zen shim from another version (`hooks install` updates it).
    Outdated,
    /// Someone else's hook; git-zen does not run there.
    Foreign,
    /// No hook.
    Missing,
}

/// One hook's file and state.
#[derive(Debug, Clone, Serialize)]
pub struct HookStatus {
    /// The hook.
    pub hook: Hook,
    /// Its file.
    pub path: PathBuf,
    /// Where it stands.
    pub state: State,
    /// The replaced hook the shim runs first, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chained: Option<PathBuf>,
}

/// What `install` or `uninstall` did to one hook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Wrote the shim where there was none.
    Installed,
    /// Kept the existing hook as `<hook>.zen-chained` and wrote the shim.
    Chained,
    /// Replaced an older shim.
    Updated,
    /// The current shim was already there.
    Unchanged,
    /// Removed the shim.
    Removed,
    /// Removed the shim and put the chained hook back.
    Restored,
    /// Not git-zen's hook: left alone.
    LeftAlone,
    /// No shim to remove.
    Absent,
}

/// The folder git runs hooks from (`git rev-parse --git-path hooks`, which honours
/// `core.hooksPath` and shares hooks between linked worktrees), made absolute.
pub fn hooks_dir(repo: &Repo) -> Result<PathBuf, HooksError> {
    let out = run_captured(repo.git().args(["rev-parse", "--git-path", "hooks"]))?;
    Ok(absolute_from(
        repo.workdir(),
        out.trim_end_matches(['\n', '\r']),
    ))
}

/// A path git printed relative to `base` (where it ran), made absolute.
fn absolute_from(base: &Path, printed: &str) -> PathBuf {
    let path = PathBuf::from(printed);
    if path.is_absolute() {
        path
    } else {
        base.join(path)
    }
}

fn chained_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(CHAINED_SUFFIX);
    path.with_file_name(name)
}

fn read_state(path: &Path, shim: &str) -> State {
    match fs::read_to_string(path) {
        Ok(text) if text == shim => State::Installed,
        Ok(text) if text.contains(SHIM_MARK) => State::Outdated,
        Ok(_) => State::Foreign,
        Err(e) if e.kind() == io::ErrorKind::NotFound => State::Missing,
        // Unreadable or not UTF-8: certainly not ours.
        Err(_) if path.exists() => State::Foreign,
        Err(_) => State::Missing,
    }
}

/// Where each hook stands.
pub fn status(repo: &Repo) -> Result<Vec<HookStatus>, HooksError> {
    Ok(status_in(&hooks_dir(repo)?))
}

/// Where each hook in `dir` stands.
fn status_in(dir: &Path) -> Vec<HookStatus> {
    Hook::ALL
        .iter()
        .map(|&hook| {
            let path = dir.join(hook.name());
            let chained = chained_path(&path);
            HookStatus {
                hook,
                state: read_state(&path, shim(hook)),
                chained: chained.exists().then_some(chained),
                path,
            }
        })
        .collect()
}

/// Writes the shims; a foreign hook is kept as `<hook>.zen-chained` and still runs first.
/// Running it twice changes nothing.
pub fn install(repo: &Repo) -> Result<Vec<(HookStatus, Action)>, HooksError> {
    // One `git rev-parse` for the folder, not one per look at it.
    let dir = hooks_dir(repo)?;
    fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let before = status_in(&dir);
    // Refuse before touching anything, so a refusal never leaves half the hooks installed.
    for s in &before {
        let chained = chained_path(&s.path);
        if s.state == State::Foreign && chained.exists() {
            return Err(HooksError::ChainTaken {
                hook: s.path.clone(),
                chained,
            });
        }
    }
    let mut done = Vec::new();
    for status in before {
        let action = install_shim(&status.path, shim(status.hook), status.state)?;
        done.push((status, action));
    }
    let now = status_in(&dir);
    Ok(now
        .into_iter()
        .zip(done)
        .map(|(s, (_, a))| (s, a))
        .collect())
}

/// Removes the shims and puts chained hooks back; other hooks are left alone.
pub fn uninstall(repo: &Repo) -> Result<Vec<(HookStatus, Action)>, HooksError> {
    let mut done = Vec::new();
    for status in status(repo)? {
        let action = uninstall_shim(&status.path, status.state)?;
        done.push((status, action));
    }
    Ok(done)
}

/// Puts shim text `shim` at `path`, whose hook is in `state`: a foreign hook is kept beside it
/// (the caller has checked that its chained name is free).
fn install_shim(path: &Path, shim: &str, state: State) -> Result<Action, HooksError> {
    Ok(match state {
        State::Installed => Action::Unchanged,
        State::Outdated => {
            write_text(path, shim)?;
            Action::Updated
        }
        State::Missing => {
            write_text(path, shim)?;
            Action::Installed
        }
        State::Foreign => {
            // A rename keeps the hook's bytes and mode exactly, for `uninstall` to restore.
            fs::rename(path, chained_path(path)).map_err(io_err(path))?;
            write_text(path, shim)?;
            Action::Chained
        }
    })
}

/// Takes a shim in `state` away from `path`, putting back the hook it chained; a hook that is
/// not git-zen's is left alone.
fn uninstall_shim(path: &Path, state: State) -> Result<Action, HooksError> {
    let chained = chained_path(path);
    Ok(match state {
        State::Installed | State::Outdated if chained.exists() => {
            fs::rename(&chained, path).map_err(io_err(&chained))?;
            Action::Restored
        }
        State::Installed | State::Outdated => {
            fs::remove_file(path).map_err(io_err(path))?;
            Action::Removed
        }
        State::Foreign => Action::LeftAlone,
        State::Missing => Action::Absent,
    })
}

fn write_text(path: &Path, text: &str) -> Result<(), HooksError> {
    write_atomic(path, text.as_bytes(), Existing::Replace).map_err(io_err(path))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).map_err(io_err(path))
}

/// The shipped shim of the server-side hook.
pub const PRE_RECEIVE: &str = include_str!("../../hooks/pre-receive");

/// The hooks folder of the bare repository at `dir`, refusing a repository with a work tree
/// (whose pushes are judged by the pre-push hook on the client, and which `hooks install` serves).
pub fn server_hooks_dir(dir: &Path) -> Result<PathBuf, HooksError> {
    // One git for both answers: one line each.
    let out = run_captured(crate::repo::git_command(dir).args([
        "rev-parse",
        "--is-bare-repository",
        "--git-path",
        "hooks",
    ]))?;
    let mut lines = out.lines();
    if lines.next() != Some("true") {
        return Err(HooksError::NotBare(dir.to_path_buf()));
    }
    Ok(absolute_from(dir, lines.next().unwrap_or("hooks")))
}

/// Installs the `pre-receive` shim in the bare repository at `dir` (a foreign hook is chained,
/// as on the client). Running it twice changes nothing.
pub fn install_server(dir: &Path) -> Result<(PathBuf, Action), HooksError> {
    let hooks = server_hooks_dir(dir)?;
    fs::create_dir_all(&hooks).map_err(io_err(&hooks))?;
    let path = hooks.join("pre-receive");
    let state = read_state(&path, PRE_RECEIVE);
    let chained = chained_path(&path);
    if state == State::Foreign && chained.exists() {
        return Err(HooksError::ChainTaken {
            hook: path,
            chained,
        });
    }
    let action = install_shim(&path, PRE_RECEIVE, state)?;
    Ok((path, action))
}

/// Removes the `pre-receive` shim from the bare repository at `dir`, putting back the hook it
/// replaced.
pub fn uninstall_server(dir: &Path) -> Result<(PathBuf, Action), HooksError> {
    let path = server_hooks_dir(dir)?.join("pre-receive");
    let action = uninstall_shim(&path, read_state(&path, PRE_RECEIVE))?;
    Ok((path, action))
}

impl Hint for HooksError {
    fn hint(&self) -> Option<String> {
        match self {
            HooksError::ChainTaken { .. } => {
                Some("merge the two by hand, then run `git zen hooks install` again".into())
            }
            HooksError::NotBare(_) => Some(
                "run it in the bare repository on the server (`git init --bare` makes one); in a clone, `git zen hooks install` sets up the client hooks".into(),
            ),
            HooksError::Git(e) => e.hint(),
            HooksError::Io { .. } => None,
        }
    }
}
