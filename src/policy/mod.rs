//! Policies: rules loaded from the built-in sets and the project's `.datazentr/policies/`, run
//! against what a commit or a push changes, by the hooks and by `git zen check`.
//!
//! A policy file is TOML with `[[rule]]` tables. Every rule has an `id`, a `kind`, the `hooks` that
//! run it, a `severity` (`error` blocks, `warn` only reports) and a `message`, plus its kind's own
//! keys. The project's files add rules and override built-in ones key by key (same `id`), or turn
//! them off with `disabled = true`. `.datazentr/config.toml` picks the built-in sets:
//! `[policies] sets = ["security", "quality"]` (both by default).

pub mod baseline;
pub mod command;
pub mod decision;
pub mod journal;
pub mod lines;
mod load;
pub mod memory;
pub mod message;
pub mod paths;
pub mod report;
pub mod run;
pub mod secrets;
pub mod size;
pub mod trust;

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

pub use load::{BUILT_IN_SETS, load};
pub use report::{Finding, Report};

/// Why the policies could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A policy file, or the `policies` part of `.datazentr/config.toml`, is malformed.
    #[error("{}:{line}: {message}", file.display())]
    Invalid {
        /// The file, relative to the work tree (or `<built-in>/name.toml`).
        file: PathBuf,
        /// 1-based line of the offending rule or key.
        line: usize,
        /// What is wrong and what to do, naming the key.
        message: String,
    },
    /// A policy file or the policies folder could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder, joined to the work tree.
        path: PathBuf,
        /// The OS error, shown after the path.
        source: std::io::Error,
    },
}

/// The git hooks that run policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hook {
    /// Before a commit is created: the staged changes.
    PreCommit,
    /// With the commit message: message rules, and decisions named in it.
    CommitMsg,
    /// Before a push: every commit being pushed.
    PrePush,
}

impl Hook {
    /// Every hook git-zen installs, in the order a commit and a push meet them.
    pub const ALL: [Hook; 3] = [Hook::PreCommit, Hook::CommitMsg, Hook::PrePush];

    /// The hook's file name, as git calls it.
    pub fn name(self) -> &'static str {
        match self {
            Hook::PreCommit => "pre-commit",
            Hook::CommitMsg => "commit-msg",
            Hook::PrePush => "pre-push",
        }
    }
}

impl fmt::Display for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Whether a failed rule blocks; set per rule (`severity = "warn"` or `"error"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Reported; the commit or push goes on.
    Warn,
    /// Blocks the commit or push.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Severity::Warn => "warn",
            Severity::Error => "error",
        })
    }
}

/// Where a rule was defined (the last file that set any of its keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// `.datazentr/policies/x.toml`, or `<built-in>/security.toml`.
    pub file: PathBuf,
    /// 1-based line of its `[[rule]]` table.
    pub line: usize,
    /// The project's files that set any of the rule's keys (a command gate runs only when all of
    /// them are trusted).
    pub project_files: Vec<PathBuf>,
}

/// One effective rule.
#[derive(Debug)]
pub struct Rule {
    /// Unique id (`GIT_ZEN_SKIP` and overrides use it).
    pub id: String,
    /// The hooks that run it; `git zen check` runs every rule whatever this says.
    pub hooks: Vec<Hook>,
    /// Whether a finding of this rule blocks.
    pub severity: Severity,
    /// What it guards and what to do when it fails.
    pub message: String,
    /// Where it was defined, for messages and for trust.
    pub source: Source,
    /// The kind and its compiled keys.
    pub kind: RuleKind,
}

/// A rule's kind with its compiled keys.
#[derive(Debug)]
pub enum RuleKind {
    /// Paths that must not be added (a `.env`, a private key).
    ForbiddenPaths(paths::ForbiddenPaths),
    /// A size limit for added and modified files.
    FileSize(size::FileSize),
    /// Secrets in added lines (compiled together into one scanner).
    Secrets(secrets::SecretsSpec),
    /// A pattern that must not appear in added lines.
    AddedLines(lines::AddedLinesRule),
    /// Rules for the commit message.
    CommitMessage(message::CommitMessage),
    /// Changes under paths that need an accepted decision.
    RequiresDecision(decision::RequiresDecision),
    /// An external program run on the matched files.
    Command(command::CommandGate),
}

impl RuleKind {
    /// The `kind` value as written in a policy file.
    pub fn name(&self) -> &'static str {
        match self {
            RuleKind::ForbiddenPaths(_) => "forbidden-paths",
            RuleKind::FileSize(_) => "file-size",
            RuleKind::Secrets(_) => "secrets",
            RuleKind::AddedLines(_) => "added-lines",
            RuleKind::CommitMessage(_) => "commit-message",
            RuleKind::RequiresDecision(_) => "requires-decision",
            RuleKind::Command(_) => "command",
        }
    }
}

/// The effective rules: the enabled built-in sets merged with the project's files.
#[derive(Debug, Default)]
pub struct Policies {
    /// Rules in definition order (built-in first), disabled ones left out.
    pub rules: Vec<Rule>,
    /// Ids of rules turned off with `disabled = true`.
    pub disabled: Vec<String>,
    /// The union of every file's `[secrets.allowlist]`.
    pub secrets_allowlist: secrets::Allowlist,
    /// Whether a project file added to the global allowlist (built-in parts need no checking).
    pub project_allowlist: bool,
    /// The project's policy files, relative to the work tree.
    pub project_files: Vec<PathBuf>,
    /// Whether the pre-commit hook names the recorded failures whose `paths` cover a staged
    /// file (`[policies] past_failures = false` in `.datazentr/config.toml` turns it off).
    pub past_failure_notes: bool,
    /// Whether the hooks keep their journal of verdicts in the git dir (`[policies] journal =
    /// false` in `.datazentr/config.toml` turns it off).
    pub journal: bool,
}

impl Policies {
    /// The rule with `id`, if it is in effect.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}
