//! Secrets baselines: the findings a repository already holds, so that adopting git-zen on an old
//! repository does not block every commit until history is cleaned.
//!
//! `.datazentr/secrets-baseline.toml` lists one fingerprint per known secret: the rule, the path
//! and the SHA-256 of the secret. The secret itself is never written (the file is committed),
//! and a fingerprint ignores the line, so a known secret stays known when lines move above it;
//! the same secret pasted into another file, or a new secret in the same file, still blocks.
//! Entries whose secret is gone are stale: `validate` reports them, so the baseline shrinks as
//! secrets are removed rather than silently allowing them back.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::report::{Finding, Report};
use crate::fsutil::{Existing, write_atomic};
use crate::store::DIR;

/// The baseline's file name, in `.datazentr/`.
pub const FILE: &str = "secrets-baseline.toml";

/// One known secret.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The id of the rule that found it.
    pub rule: String,
    /// The file, relative to the work tree.
    pub path: String,
    /// The SHA-256 of the secret, in lowercase hex.
    pub sha256: String,
}

/// The known secrets of a repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Sorted, so the file is stable and merges cleanly.
    #[serde(default, rename = "secret")]
    pub entries: BTreeSet<Entry>,
}

/// A baseline that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file exists but cannot be read.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// The baseline file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The file is not a baseline.
    #[error("{}: not a secrets baseline: {reason}", path.display())]
    Parse {
        /// The baseline file.
        path: PathBuf,
        /// What the TOML parser said.
        reason: String,
    },
    /// The file cannot be written.
    #[error("writing {}: {source}", path.display())]
    Write {
        /// The baseline file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
}

impl crate::error::Hint for BaselineError {
    fn hint(&self) -> Option<String> {
        match self {
            BaselineError::Parse { .. } => Some(
                "write it again with `git zen check --all --write-baseline`, or fix it by hand"
                    .into(),
            ),
            BaselineError::Read { .. } | BaselineError::Write { .. } => None,
        }
    }
}

/// Where the baseline of the work tree at `workdir` lives.
pub fn path(workdir: &Path) -> PathBuf {
    workdir.join(DIR).join(FILE)
}

impl Baseline {
    /// The fingerprints of the secrets among `findings` (findings of other rules carry none).
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        Baseline {
            entries: findings.iter().filter_map(entry).collect(),
        }
    }

    /// The work tree's baseline; `None` when it has none.
    pub fn load(workdir: &Path) -> Result<Option<Baseline>, BaselineError> {
        let path = path(workdir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(BaselineError::Read { path, source }),
        };
        toml::from_str(&text)
            .map(Some)
            .map_err(|e| BaselineError::Parse {
                path,
                reason: e.message().to_owned(),
            })
    }

    /// Writes it (atomically) and returns the file's path.
    pub fn write(&self, workdir: &Path) -> Result<PathBuf, BaselineError> {
        let path = path(workdir);
        let body = toml::to_string(self).unwrap_or_default();
        let text = format!(
            "# Known secrets: git zen check and the hooks do not block on these. Written by\n\
             # `git zen check --all --write-baseline`; fingerprints only (SHA-256), never a secret.\n\
             # Rotate each secret, remove it, then write the baseline again.\n\n{body}"
        );
        write_atomic(&path, text.as_bytes(), Existing::Replace).map_err(|source| {
            BaselineError::Write {
                path: path.clone(),
                source,
            }
        })?;
        Ok(path)
    }

    /// Drops the findings this baseline knows from `report`; returns how many were dropped.
    pub fn apply(&self, report: &mut Report) -> usize {
        let before = report.findings.len();
        report
            .findings
            .retain(|f| entry(f).is_none_or(|e| !self.entries.contains(&e)));
        before - report.findings.len()
    }

    /// The entries no finding of a whole-tree check matches any more: their secret is gone.
    pub fn stale(&self, findings: &[Finding]) -> Vec<&Entry> {
        let current: BTreeSet<Entry> = findings.iter().filter_map(entry).collect();
        self.entries
            .iter()
            .filter(|e| !current.contains(e))
            .collect()
    }
}

fn entry(finding: &Finding) -> Option<Entry> {
    Some(Entry {
        rule: finding.rule.clone(),
        path: finding.path.clone()?,
        sha256: finding.fingerprint.clone()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Severity;

    fn finding(rule: &str, path: &str, fingerprint: Option<&str>) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Error,
            path: Some(path.into()),
            line: Some(3),
            commit: None,
            message: "m".into(),
            detail: Some("ghp_…(40 chars)".into()),
            fingerprint: fingerprint.map(str::to_owned),
        }
    }

    #[test]
    fn known_secrets_are_dropped_and_new_ones_kept() {
        let known = finding("secret-github-token", "a.env", Some("aa"));
        let baseline = Baseline::from_findings(std::slice::from_ref(&known));
        let mut report = Report {
            findings: vec![
                known.clone(),
                finding("secret-github-token", "a.env", Some("bb")),
                finding("secret-github-token", "b.env", Some("aa")),
                finding("large-files", "a.env", None),
            ],
            ..Report::default()
        };
        assert_eq!(baseline.apply(&mut report), 1);
        assert_eq!(report.findings.len(), 3);
        assert_eq!(baseline.stale(&report.findings).len(), 1);
        assert!(baseline.stale(std::slice::from_ref(&known)).is_empty());
    }

    #[test]
    fn a_baseline_round_trips_and_never_holds_a_secret() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join(DIR)).expect("mkdir");
        assert_eq!(Baseline::load(dir.path()).expect("absent"), None);
        let baseline =
            Baseline::from_findings(&[finding("secret-generic", "config/app.yml", Some("cafe"))]);
        let written = baseline.write(dir.path()).expect("write");
        let text = std::fs::read_to_string(written).expect("read");
        assert!(text.contains("sha256 = \"cafe\""), "{text}");
        assert!(!text.contains("ghp_"), "{text}");
        assert_eq!(Baseline::load(dir.path()).expect("load"), Some(baseline));
    }
}
