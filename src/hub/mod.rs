//! Hubs: one team memory shared by every project over any git remote.
//!
//! A hub is an ordinary git repository with the `.datazentr/` layout plus `templates/`,
//! `projects/` (the registry of projects born by genesis) and `outcomes/` (what projects said
//! about the hub's records). Every write is a new file or one record's own file, so concurrent
//! writers never conflict: a rejected push fetches, replays the writes on the new tip and tries
//! again. Each hub has a local clone under the user's data directory, fetched and pushed with the
//! `git` CLI and read with gix; writes wait in a local queue until a push lands.

pub mod config;
pub mod layout;
mod objects;
pub mod outcome;
mod pending;
pub mod promote;
pub mod recall;
pub mod registry;
mod sync;

use crate::error::Hint;
use std::path::{Path, PathBuf};

pub use config::{HubEntry, Hubs};
pub use pending::{Write, count as pending_count};
pub use sync::SyncReport;

use crate::index::{Index, IndexError};

/// Why a hub operation failed. Nothing is half-written when it does: a write that could not be
/// pushed stays queued.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// No hub was named and none is configured.
    #[error("no memory hub given and none configured")]
    NotConfigured,
    /// A name that is neither a configured hub nor a path or URL.
    #[error("no hub named `{0}`")]
    Unknown(String),
    /// A hub of that name is already configured.
    #[error("a hub named `{name}` is already configured ({url})")]
    Exists {
        /// The name `hub add` was asked to use.
        name: String,
        /// The URL the hub already configured under that name has (not the one being added).
        url: String,
    },
    /// A hub name that cannot be a folder name: empty, over 64 characters, starting with `.`, or
    /// with characters other than ASCII letters, digits, `-`, `_` and `.`.
    #[error("`{0}` cannot be a hub name: use letters, digits, `-`, `_` and `.`")]
    BadName(String),
    /// `hubs.toml`, or a file in a hub's write queue, is not valid TOML.
    #[error("{}:{line}: {message}", file.display())]
    Config {
        /// The file, as an absolute path.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// What the TOML parser said (the position is in `line`).
        message: String,
    },
    /// The hub's remote could not be cloned or fetched.
    #[error("cannot reach the memory hub {url}: {message}")]
    Unreachable {
        /// The hub's URL.
        url: String,
        /// What git said, or why it could not run.
        message: String,
    },
    /// The repository has no `.datazentr/` folder.
    #[error("{url} is not a memory hub: it has no .datazentr/ folder")]
    NotAHub {
        /// The hub's URL.
        url: String,
    },
    /// The local clone's branch has history the hub does not (someone committed in it by hand).
    #[error("the local clone of hub `{name}` at {} has diverged from its remote: {message}", dir.display())]
    Diverged {
        /// The hub's name.
        name: String,
        /// The local bare clone that diverged; deleting it is the fix (queued writes are kept).
        dir: PathBuf,
        /// How it diverged (how many local commits git-zen did not make).
        message: String,
    },
    /// No record with that id in the hub (or in this project, for promote).
    #[error("no record `{id}` in {place}")]
    NotFound {
        /// The id or prefix as given.
        id: String,
        /// Where it was looked for, as the message names it (`` hub `team` ``).
        place: String,
        /// What to do: returned by [`Hint::hint`], not part of the message.
        hint: String,
    },
    /// This project was not made by genesis from a hub, so it has no registry entry.
    #[error("{0}")]
    NotRegistered(String),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder; for a failed gix read, what was read ("the hub's tree"); with no
        /// `$HOME`, the variable itself (`$XDG_DATA_HOME`).
        path: PathBuf,
        /// The OS error, or gix's error wrapped as one; shown after the path.
        source: std::io::Error,
    },
    /// A `git` process (clone, fetch, push) could not start or failed.
    #[error(transparent)]
    Git(#[from] crate::repo::RepoError),
    /// Laying out `.datazentr/` in a hub's clone (`hub init`) failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The hub's cache failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A record is malformed.
    #[error(transparent)]
    Record(#[from] crate::record::RecordError),
}

impl HubError {
    /// For `map_err`: an I/O error about `path`.
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HubError + use<> {
        let path = path.to_path_buf();
        move |source| HubError::Io { path, source }
    }
}

/// A hub: its name, its remote, and where its local clone, queue and cache live.
#[derive(Debug, Clone)]
pub struct Hub {
    /// The configured name (for a hub given by URL only, `url-<hash>`).
    pub name: String,
    /// The remote, as git takes it (a local path is made absolute).
    pub url: String,
    dir: PathBuf,
}

impl Hub {
    /// A hub of `name` at `url`, its local state under the user's data directory.
    pub fn new(name: &str, url: &str) -> Result<Hub, HubError> {
        Ok(Hub {
            name: name.to_owned(),
            url: url.to_owned(),
            dir: config::data_dir()?.join("hubs").join(name),
        })
    }

    /// The hub `spec` names — a configured name, else a path or URL — or, with no spec, the
    /// project's hub (`hub = …` in `.datazentr/config.toml`), else the user's default hub.
    pub fn resolve(spec: Option<&str>, project: Option<&Path>) -> Result<Hub, HubError> {
        let hubs = Hubs::load()?;
        let spec = match spec.filter(|s| !s.is_empty()) {
            Some(spec) => spec.to_owned(),
            None => project
                .and_then(config::project_hub)
                .or_else(|| hubs.default.clone())
                .ok_or(HubError::NotConfigured)?,
        };
        if let Some(entry) = hubs.hubs.get(&spec) {
            return Hub::new(&spec, &entry.url);
        }
        let url = config::normalize_url(&spec).ok_or_else(|| HubError::Unknown(spec.clone()))?;
        if let Some((name, _)) = hubs.hubs.iter().find(|(_, e)| e.url == url) {
            return Hub::new(name, &url);
        }
        Hub::new(&format!("url-{:016x}", config::fnv1a(url.as_bytes())), &url)
    }

    /// Whether some hub is given or configured (for commands where a hub is optional).
    pub fn configured(spec: Option<&str>, project: Option<&Path>) -> Result<Option<Hub>, HubError> {
        match Hub::resolve(spec, project) {
            Ok(hub) => Ok(Some(hub)),
            Err(HubError::NotConfigured) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The local clone: a bare repository whose branch is the hub's tip plus queued writes.
    pub fn clone_dir(&self) -> PathBuf {
        self.dir.join("clone")
    }

    /// Whether the local clone exists (a first sync makes it).
    pub fn has_clone(&self) -> bool {
        self.clone_dir().join("HEAD").is_file()
    }

    /// The hub's SQLite cache file, rebuilt from the clone whenever it is missing or stale.
    pub fn cache_path(&self) -> PathBuf {
        self.dir.join("index.sqlite")
    }

    /// Deletes the hub's local clone, cache and queue.
    pub fn delete_local(&self) -> Result<(), HubError> {
        let _lock = self.lock()?;
        match std::fs::remove_dir_all(&self.dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(HubError::io(&self.dir)(e)),
            _ => Ok(()),
        }
    }

    /// The hub's cache, brought up to date with the clone's `HEAD` (no network).
    pub fn index(&self) -> Result<Index, HubError> {
        let (index, _) = Index::open_tree(&self.cache_path(), &self.clone_dir())?;
        Ok(index)
    }
}

impl Hint for HubError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            HubError::NotConfigured => {
                "`git zen hub add team <url-or-path> --default`, or pass --hub <name|url|path>"
                    .into()
            }
            HubError::Unknown(_) => {
                "`git zen hub list` shows the configured hubs; a path or URL works too".into()
            }
            HubError::Exists { name, .. } => {
                format!("`git zen hub remove {name}` first, or pick another name")
            }
            HubError::Config { .. } => "fix the file, or remove it and add the hubs again".into(),
            HubError::Unreachable { .. } => {
                "check the URL and the network; `git zen hub list` shows what is configured".into()
            }
            HubError::NotAHub { url } => format!("`git zen hub init {url}` lays it out as one"),
            HubError::Diverged { .. } => {
                "remove that folder; the next command clones the hub again (queued writes are kept)"
                    .into()
            }
            HubError::NotFound { hint, .. } => hint.clone(),
            HubError::Git(e) => return e.hint(),
            HubError::Store(e) => return e.hint(),
            HubError::Index(e) => return e.hint(),
            HubError::BadName(_)
            | HubError::NotRegistered(_)
            | HubError::Io { .. }
            | HubError::Record(_) => return None,
        })
    }
}
