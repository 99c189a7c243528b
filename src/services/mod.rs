//! Services: memory events delivered to the team's automation (webhooks, e.g. n8n) through a
//! durable outbox, and AI providers over HTTP with a cost ledger.
//!
//! Both share one SQLite file per worktree, `<git-dir>/datazentr/services.sqlite`: the outbox
//! (an event is stored before any delivery and removed only after a 2xx) and the ledger (one row
//! per AI call). HTTP goes through [`http`]: timeouts, retries with backoff and jitter,
//! `Retry-After`, and a rate limit per endpoint.

pub mod ai;
pub mod config;
pub mod distill;
pub mod http;
pub mod ledger;
pub mod outbox;
pub mod webhook;

use crate::error::Hint;
use std::path::PathBuf;

pub use config::{AiConfig, ServicesConfig, Webhook};
pub use outbox::{Outbox, Status};

use crate::event::Event;

/// Why a service operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ServicesError {
    /// `.datazentr/config.toml` is not valid TOML, or its webhooks or `[ai]` table are wrong.
    #[error("{}:{line}: {message}", file.display())]
    Config {
        /// `.datazentr/config.toml`, joined to the work tree.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong there and, where it helps, the accepted values.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder: the config file, or the git-dir state folder the database goes in.
        path: PathBuf,
        /// The OS error, shown after the path.
        source: std::io::Error,
    },
    /// `services.sqlite` could not be opened, created or queried.
    #[error("the services database {} cannot be used: {source}", path.display())]
    Sqlite {
        /// Its path, in the worktree's git-dir state folder.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The HTTP client could not be built.
    #[error("cannot set up HTTP: {0}")]
    Client(String),
    /// No `[ai]` table in `.datazentr/config.toml`, so `distill` has no provider.
    #[error("no AI provider configured")]
    NoAi,
    /// The environment variable that should hold the API key is unset or blank.
    #[error("{var} is not set, so {provider} cannot be called")]
    NoKey {
        /// `key_env` from `[ai]`, else `ANTHROPIC_API_KEY` or `OPENAI_API_KEY` by provider.
        var: String,
        /// The configured provider: `anthropic` or `openai` (any OpenAI-compatible endpoint).
        provider: String,
    },
    /// A request failed for good: refused, or retried until the attempts ran out.
    #[error(transparent)]
    Http(#[from] http::HttpFailure),
    /// The provider's answer is not what was asked for.
    #[error("{0}")]
    BadAnswer(String),
    /// A draft the AI wrote does not parse as a record.
    #[error(transparent)]
    Record(#[from] crate::record::RecordError),
    /// `git` failed while reading the commits of a range for `distill`.
    #[error(transparent)]
    Git(#[from] crate::repo::RepoError),
}

/// Queues `event` for the webhooks the project at `repo` configured; returns how many
/// deliveries were queued (none configured: 0, and nothing is created).
pub fn emit(repo: &crate::repo::Repo, event: &Event) -> Result<usize, ServicesError> {
    let config = ServicesConfig::load(repo.workdir())?;
    let name = event.name();
    if !config.webhooks.iter().any(|h| h.wants(name)) {
        return Ok(0);
    }
    let info = webhook::RepoInfo {
        name: repo
            .workdir()
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        path: repo.workdir().display().to_string(),
        head: repo.gix().head_id().ok().map(|id| id.to_string()),
    };
    Outbox::open(&repo.state_dir())?.enqueue(&config, &info, name, &event.data())
}

/// Starts `git-zen services flush --background` in the work tree at `workdir` and returns at
/// once: a hook or a command never waits for the network. `GIT_ZEN_BACKGROUND=0` turns it off
/// (the next `services flush` or command delivers instead).
pub fn flush_in_background(workdir: &std::path::Path) {
    if std::env::var_os("GIT_ZEN_BACKGROUND").is_some_and(|v| v == "0") {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let _ = std::process::Command::new(exe)
        .args(["services", "flush", "--background"])
        .current_dir(workdir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

impl Hint for ServicesError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            ServicesError::Config { .. } => {
                "`git zen services --help` lists the [[webhook]] and [ai] keys".into()
            }
            ServicesError::Sqlite { .. } => "check the disk; undelivered events are kept in it, so it is never deleted for you".into(),
            ServicesError::NoAi => "add to .datazentr/config.toml:\n    [ai]\n    provider = \"anthropic\"   # or \"openai\" for any OpenAI-compatible endpoint (base_url = …)\n    model = \"claude-sonnet-4-5\"".into(),
            ServicesError::NoKey { var, .. } => {
                format!("export {var}=… (or name another variable with key_env in [ai])")
            }
            ServicesError::Git(e) => return e.hint(),
            ServicesError::Io { .. }
            | ServicesError::Client(_)
            | ServicesError::Http(_)
            | ServicesError::BadAnswer(_)
            | ServicesError::Record(_) => return None,
        })
    }
}
