//! Which hubs a user has: `$XDG_CONFIG_HOME/git-zen/hubs.toml` (names, URLs, the default), and a
//! project's own hub (`hub = "…"` in `.datazentr/config.toml`, written by genesis).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::HubError;
use crate::fsutil::{Existing, write_atomic};

/// The user's hubs, saved in `hubs.toml` under [`config_dir`].
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Hubs {
    /// The name of the hub used when none is named and the project names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Hubs by name (names pass [`check_name`]: they are folder names under [`data_dir`]).
    #[serde(default)]
    pub hubs: BTreeMap<String, HubEntry>,
}

/// One configured hub.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HubEntry {
    /// Its remote: any URL git can clone, or a path.
    pub url: String,
}

/// `$XDG_CONFIG_HOME/git-zen` (else `~/.config/git-zen`).
pub fn config_dir() -> Result<PathBuf, HubError> {
    xdg("XDG_CONFIG_HOME", ".config")
}

/// `$XDG_DATA_HOME/git-zen` (else `~/.local/share/git-zen`): hub clones, queues and caches.
pub fn data_dir() -> Result<PathBuf, HubError> {
    xdg("XDG_DATA_HOME", ".local/share")
}

fn xdg(var: &str, fallback: &str) -> Result<PathBuf, HubError> {
    let base = match std::env::var_os(var).map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(home).join(fallback),
            None => {
                return Err(HubError::Io {
                    path: PathBuf::from(format!("${var}")),
                    source: std::io::Error::other(
                        "neither it nor $HOME is set, so git-zen has nowhere to keep hub clones",
                    ),
                });
            }
        },
    };
    Ok(base.join("git-zen"))
}

impl Hubs {
    /// `hubs.toml` in [`config_dir`]; it may not exist yet.
    pub fn file() -> Result<PathBuf, HubError> {
        Ok(config_dir()?.join("hubs.toml"))
    }

    /// Reads the configuration (none yet: empty).
    pub fn load() -> Result<Hubs, HubError> {
        let file = Hubs::file()?;
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Hubs::default()),
            Err(e) => return Err(HubError::io(&file)(e)),
        };
        toml::from_str(&text).map_err(|e| HubError::Config {
            line: crate::text::toml_error_line(&text, &e),
            message: e.message().to_owned(),
            file,
        })
    }

    /// Writes the configuration atomically.
    pub fn save(&self) -> Result<(), HubError> {
        let file = Hubs::file()?;
        let dir = file.parent().expect("the config file is in a folder");
        std::fs::create_dir_all(dir).map_err(HubError::io(dir))?;
        let text = format!(
            "# git-zen's memory hubs: `git zen hub add|remove|list`.\n{}",
            toml::to_string(self).expect("hub configuration serializes")
        );
        write_atomic(&file, text.as_bytes(), Existing::Replace).map_err(HubError::io(&file))
    }
}

/// Checks that `name` can name a folder and a config key.
pub fn check_name(name: &str) -> Result<(), HubError> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(HubError::BadName(name.to_owned()))
    }
}

/// The hub a project names in `.datazentr/config.toml` (`hub = "team"` or a URL), if any.
pub fn project_hub(workdir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(workdir.join(crate::store::DIR).join("config.toml")).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    Some(table.get("hub")?.as_str()?.to_owned())
}

/// A remote as git takes it: a URL unchanged, an existing local path made absolute; `None` for
/// text that is neither (a mistyped hub name).
pub fn normalize_url(spec: &str) -> Option<String> {
    let path = Path::new(spec);
    if path.exists() {
        let abs = std::path::absolute(path).ok()?;
        return Some(abs.to_string_lossy().into_owned());
    }
    let url_like = is_url(spec);
    let path_like = spec.starts_with('/') || spec.starts_with("./") || spec.starts_with("../");
    (url_like || path_like).then(|| spec.to_owned())
}

/// Whether `spec` is a URL (`scheme://…` or scp-like `host:path`) rather than a local path.
pub fn is_url(spec: &str) -> bool {
    spec.contains("://") || (spec.contains(':') && !spec.starts_with('/'))
}

/// FNV-1a, 64 bits: a stable name for a hub given only by URL (std's hasher may change between
/// Rust versions, which would orphan clones).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_plain_folder_names() {
        for good in ["team", "team-2", "a.b_c"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in ["", ".hidden", "a/b", "..", "a b", "ü"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn urls_pass_and_bare_words_do_not() {
        assert_eq!(
            normalize_url("https://example.com/hub.git").as_deref(),
            Some("https://example.com/hub.git")
        );
        assert_eq!(
            normalize_url("git@example.com:team/hub.git").as_deref(),
            Some("git@example.com:team/hub.git")
        );
        assert_eq!(
            normalize_url("/no/such/hub").as_deref(),
            Some("/no/such/hub")
        );
        assert_eq!(normalize_url("teem"), None);
    }
}
