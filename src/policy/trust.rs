//! Trust for the project's command gates: a gate from `.datazentr/policies/x.toml` runs only after
//! the user ran `git zen trust` on that file's current content (as direnv and mise do). The
//! content hashes live in `<git-dir>/datazentr/trust.toml`, which is never committed, so a pulled
//! change to a policy file must be trusted again before its commands run.

use crate::error::Hint;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fsutil::{Existing, write_atomic};

/// `GIT_ZEN_TRUST=1` trusts every policy file (for CI, where the checkout is what is being tested).
pub const TRUST_ALL_ENV: &str = "GIT_ZEN_TRUST";

/// Why the trust file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The trust file, its folder, or the policy file being hashed.
        path: PathBuf,
        /// The OS error, shown after the path.
        source: std::io::Error,
    },
    /// The trust file is malformed.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// `trust.toml` in the worktree's git-dir state folder.
        path: PathBuf,
        /// What TOML said.
        message: String,
    },
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct TrustFile {
    #[serde(default)]
    trusted: Vec<Trusted>,
}

/// One trusted policy file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trusted {
    /// The policy file, relative to the work tree.
    pub file: String,
    /// Its content's git blob id (`git hash-object <file>` prints the same).
    pub hash: String,
    /// When it was trusted (RFC 3339).
    pub trusted_at: String,
}

/// The trusted policy files of one worktree.
#[derive(Debug)]
pub struct TrustStore {
    path: PathBuf,
    entries: Vec<Trusted>,
    all: bool,
}

impl TrustStore {
    /// Reads `<state_dir>/trust.toml` (missing means nothing is trusted yet).
    pub fn load(state_dir: &Path) -> Result<TrustStore, TrustError> {
        let path = state_dir.join("trust.toml");
        let all = std::env::var(TRUST_ALL_ENV).is_ok_and(|v| v == "1");
        let entries = match fs::read_to_string(&path) {
            Ok(text) => {
                toml::from_str::<TrustFile>(&text)
                    .map_err(|e| TrustError::Invalid {
                        path: path.clone(),
                        message: e.message().to_owned(),
                    })?
                    .trusted
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => return Err(TrustError::Io { path, source }),
        };
        Ok(TrustStore { path, entries, all })
    }

    /// Whether `file` (relative to `workdir`) is trusted with its current content.
    pub fn is_trusted(&self, workdir: &Path, file: &Path) -> bool {
        if self.all {
            return true;
        }
        let Ok(content) = fs::read(workdir.join(file)) else {
            return false;
        };
        let hash = content_hash(&content);
        let key = file.to_string_lossy();
        self.entries.iter().any(|t| t.file == key && t.hash == hash)
    }

    /// Trusts `file`'s current content and saves the store atomically; returns the hash.
    pub fn trust(&mut self, workdir: &Path, file: &Path) -> Result<String, TrustError> {
        let full = workdir.join(file);
        let content = fs::read(&full).map_err(|source| TrustError::Io { path: full, source })?;
        let hash = content_hash(&content);
        let key = file.to_string_lossy().into_owned();
        self.entries.retain(|t| t.file != key);
        self.entries.push(Trusted {
            file: key,
            hash: hash.clone(),
            trusted_at: crate::record::now_rfc3339(),
        });
        self.entries.sort_by(|a, b| a.file.cmp(&b.file));
        let text = format!(
            "# Policy files whose command gates this worktree may run; written by `git zen trust`.\n{}",
            toml::to_string(&TrustFile {
                trusted: self.entries.clone(),
            })
            .expect("trust entries serialize")
        );
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir).map_err(|source| TrustError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        write_atomic(&self.path, text.as_bytes(), Existing::Replace).map_err(|source| {
            TrustError::Io {
                path: self.path.clone(),
                source,
            }
        })?;
        Ok(hash)
    }

    /// The trusted entries, sorted by file, whether or not the content still matches.
    pub fn entries(&self) -> &[Trusted] {
        &self.entries
    }
}

/// The git blob id of `content`, as `git hash-object` computes it.
pub fn blob_id(content: &[u8]) -> gix::ObjectId {
    gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, content)
        .unwrap_or_else(|_| gix::ObjectId::null(gix::hash::Kind::Sha1))
}

/// [`blob_id`] in hex, as the trust file stores it.
pub fn content_hash(content: &[u8]) -> String {
    blob_id(content).to_string()
}

impl Hint for TrustError {
    fn hint(&self) -> Option<String> {
        match self {
            TrustError::Invalid { .. } => Some("delete it and run `git zen trust` again".into()),
            TrustError::Io { .. } => None,
        }
    }
}
