//! Opening the repository the way git does, and the one helper that runs the `git` CLI.

use crate::error::Hint;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Why the repository could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// No repository at or above the directory (or `GIT_DIR` names none).
    #[error("not a git repository: {}{detail}", dir.display())]
    NotARepo {
        /// Where the search started.
        dir: PathBuf,
        /// What git would have said about `GIT_DIR`, if it is set.
        detail: String,
    },
    /// The repository has no work tree to keep `.datazentr/` in.
    #[error(
        "{} is a bare repository: git-zen keeps memory in a work tree",
        .0.display()
    )]
    Bare(PathBuf),
    /// A `git` process could not be started or failed.
    #[error("`git {args}` failed: {message}")]
    Git {
        /// The arguments, joined by spaces.
        args: String,
        /// What git said, or why it could not run.
        message: String,
    },
}

/// A repository with a work tree, opened like git would open it (honouring `GIT_DIR`,
/// `GIT_WORK_TREE` and linked worktrees).
pub struct Repo {
    inner: gix::Repository,
    workdir: PathBuf,
    /// Opened by path, not the way git would from the environment: `git` run for it must not
    /// see the caller's `GIT_DIR` and friends either.
    exact: bool,
}

impl Repo {
    /// Finds the repository containing `dir`, as git would.
    pub fn discover(dir: &Path) -> Result<Self, RepoError> {
        let inner =
            gix::discover_with_environment_overrides(dir).map_err(|e| RepoError::NotARepo {
                dir: dir.to_path_buf(),
                detail: match std::env::var_os("GIT_DIR") {
                    Some(git_dir) => format!(" (GIT_DIR={}: {e})", Path::new(&git_dir).display()),
                    None => String::new(),
                },
            })?;
        Repo::with_workdir(inner, false)
    }

    /// The repository whose work tree is exactly `dir`, ignoring `GIT_DIR`, `GIT_WORK_TREE` and
    /// the like (a repository just created, whatever the caller's environment points at).
    pub fn open_exact(dir: &Path) -> Result<Self, RepoError> {
        let inner = gix::open(dir).map_err(|e| RepoError::NotARepo {
            dir: dir.to_path_buf(),
            detail: format!(" ({e})"),
        })?;
        Repo::with_workdir(inner, true)
    }

    /// `inner` with its work tree made absolute; a bare repository is refused.
    fn with_workdir(inner: gix::Repository, exact: bool) -> Result<Self, RepoError> {
        let workdir = inner
            .workdir()
            .ok_or_else(|| RepoError::Bare(inner.git_dir().to_path_buf()))?;
        let workdir = std::path::absolute(workdir).unwrap_or_else(|_| workdir.to_path_buf());
        Ok(Repo {
            inner,
            workdir,
            exact,
        })
    }

    /// The work tree's root.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// `path` as records' `paths` globs see it: relative to the work tree (when it lies inside),
    /// with `/` separators.
    pub fn glob_path(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.workdir).unwrap_or(path);
        relative.to_string_lossy().replace('\\', "/")
    }

    /// This worktree's private git dir (`.git`, or `.git/worktrees/<name>` in a linked worktree).
    pub fn git_dir(&self) -> &Path {
        self.inner.git_dir()
    }

    /// Where git-zen keeps per-worktree state that is never committed: drafts, the cache.
    pub fn state_dir(&self) -> PathBuf {
        self.git_dir().join("datazentr")
    }

    /// Where git-zen keeps state that belongs to the clone rather than to one worktree (the
    /// hooks' journal of verdicts): `datazentr/` in git's common dir, which linked worktrees
    /// share, as they share the hooks.
    pub fn shared_state_dir(&self) -> PathBuf {
        self.inner.common_dir().join("datazentr")
    }

    /// `Name <email>` of the author git would use for a commit now, if one is configured.
    pub fn author(&self) -> Option<String> {
        let sig = self.inner.author()?.ok()?;
        Some(format!("{} <{}>", sig.name, sig.email))
    }

    /// The gix handle, for reading objects and config.
    pub fn gix(&self) -> &gix::Repository {
        &self.inner
    }

    /// A `git` command run in the work tree.
    pub fn git(&self) -> Command {
        if self.exact {
            git_at(&self.workdir)
        } else {
            git_command(&self.workdir)
        }
    }

    /// The editor git would use (`GIT_EDITOR`, `core.editor`, `VISUAL`, `EDITOR`, then `vi`).
    pub fn editor(&self) -> Result<String, RepoError> {
        let out = run_captured(self.git().args(["var", "GIT_EDITOR"]))?;
        Ok(out.trim().to_owned())
    }

    /// Opens `file` in the user's editor and waits for it, the way git does (through `sh`, so an
    /// editor setting with arguments works).
    pub fn edit_file(&self, file: &Path) -> Result<(), RepoError> {
        let editor = self.editor()?;
        if editor == ":" {
            return Ok(());
        }
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$@\""))
            .arg(&editor)
            .arg(file)
            .current_dir(&self.workdir)
            .status()
            .map_err(|e| RepoError::Git {
                args: format!("editor {editor}"),
                message: e.to_string(),
            })?;
        if status.success() {
            Ok(())
        } else {
            Err(RepoError::Git {
                args: format!("editor {editor}"),
                message: format!(
                    "the editor exited with {status}; your text is kept in {}",
                    file.display()
                ),
            })
        }
    }
}

/// The environment variables that point git at another repository than the one it runs in.
const REPOSITORY_VARIABLES: [&str; 7] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_PREFIX",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
];

/// The one way git-zen starts `git`: in `dir`, with no terminal prompts. The environment is
/// inherited so `GIT_DIR`, `GIT_WORK_TREE` and config overrides apply as they do to the user's git.
/// `LC_ALL=C` keeps git's messages untranslated, since some are matched (hub sync reads push
/// errors); under the `C` locale gettext also ignores `LANGUAGE` (under `C.UTF-8` it does not).
pub fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    cmd
}

/// [`git_command`] for the repository at `dir` itself — one being created, a hub's clone — with
/// none of the caller's repository variables (`GIT_DIR`, `GIT_WORK_TREE`, …) applying.
pub fn git_at(dir: &Path) -> Command {
    let mut cmd = git_command(dir);
    for var in REPOSITORY_VARIABLES {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `cmd` and returns its standard output, or an error with what it printed on stderr.
pub fn run_captured(cmd: &mut Command) -> Result<String, RepoError> {
    let args = cmd
        .get_args()
        .map(OsStr::to_string_lossy)
        .collect::<Vec<_>>()
        .join(" ");
    let out = cmd.output().map_err(|e| RepoError::Git {
        args: args.clone(),
        message: e.to_string(),
    })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(RepoError::Git {
            args,
            message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }
}

impl Hint for RepoError {
    fn hint(&self) -> Option<String> {
        match self {
            RepoError::NotARepo { .. } => {
                Some("run `git init` first, or cd into a repository".into())
            }
            RepoError::Bare(_) => {
                Some("run it in a clone or a worktree (`git worktree add`)".into())
            }
            RepoError::Git { .. } => None,
        }
    }
}
