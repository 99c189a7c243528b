//! Records: one Markdown file with TOML front matter between `+++` lines.
//!
//! Parsing is strict and precise: every problem names the file, the line and the fix. The raw front
//! matter is kept beside the typed view so rewrites ([`Record::edit_front_matter`]) preserve keys this
//! version does not know, comments and formatting.

pub mod input;
mod kind;
mod parse;
pub mod render;

use std::path::PathBuf;

pub use input::{FieldNames, InputError, MAX_BODY_BYTES, MAX_TITLE_CHARS, RecordInput, check_body};
pub use kind::{Kind, Outcome, Status};
pub use parse::parse;
pub use render::{NewRecord, render, slugify};

use crate::id::RecordId;

/// The current time as written in `created`: RFC 3339 in UTC, whole seconds.
pub fn now_rfc3339() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string()
}

/// Decodes a record file's bytes, naming the line of the first byte that is not UTF-8.
pub fn decode(file: &std::path::Path, bytes: Vec<u8>) -> Result<String, RecordError> {
    String::from_utf8(bytes).map_err(|e| {
        let bad = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..bad].iter().filter(|&&b| b == b'\n').count();
        RecordError::new(
            file,
            line,
            "the file is not valid UTF-8: re-save it as UTF-8 in your editor",
        )
    })
}

/// A record as parsed from its file; only a file that passes every check becomes one.
#[derive(Debug, Clone)]
pub struct Record {
    /// The full id from the front matter; it also starts the file name and never changes.
    pub id: RecordId,
    /// Decision, pattern or lesson.
    pub kind: Kind,
    /// One-line title.
    pub title: String,
    /// Life-cycle status (defaults to accepted when absent).
    pub status: Status,
    /// How a pattern or lesson turned out; `None` for decisions.
    pub outcome: Option<Outcome>,
    /// Free-form tags, as written (filters match them case-insensitively).
    pub tags: Vec<String>,
    /// Globs of the code this record governs, relative to the work tree (see [`Record::governs`]).
    pub paths: Vec<String>,
    /// Ids of records this one replaces; `supersede` keeps it in step with their `superseded_by`.
    pub supersedes: Vec<String>,
    /// Ids of records that replace this one; non-empty exactly when the status is `superseded`
    /// (`git zen validate` checks it).
    pub superseded_by: Vec<String>,
    /// Related record ids or URLs.
    pub links: Vec<String>,
    /// Creation time as written (RFC 3339).
    pub created: Option<String>,
    /// `Name <email>` of whoever recorded it; `None` when git had no identity then.
    pub author: Option<String>,
    /// The number or file stem the record had in an imported ADR folder (`ADR-3`).
    pub adr: Option<String>,
    /// The file the record was imported from, relative to the work tree.
    pub imported_from: Option<String>,
    /// Everything after the closing `+++` line, verbatim, so a rewrite keeps it byte for byte.
    pub body: String,
    /// The TOML between the `+++` lines, verbatim.
    pub front_matter: String,
    /// Where the record lives, relative to the work tree root.
    pub file: PathBuf,
}

/// A problem with one record file: where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", file.display())]
pub struct RecordError {
    /// The file, relative to the work tree root.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl RecordError {
    /// A problem at `line` of `file`.
    pub fn new(file: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        RecordError {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

/// The JSON shape of a record, shared by every command that prints records.
#[derive(Debug, serde::Serialize)]
pub struct RecordJson<'a> {
    /// Full 22-character id.
    pub id: &'a str,
    /// `decision`, `pattern` or `lesson`.
    pub kind: Kind,
    /// One-line title.
    pub title: &'a str,
    /// Life-cycle status (`accepted` when the file has none).
    pub status: Status,
    /// Outcome (null for decisions).
    pub outcome: Option<Outcome>,
    /// Free-form tags, as written.
    pub tags: &'a [String],
    /// Globs of the code it governs, relative to the work tree.
    pub paths: &'a [String],
    /// Ids of the records it replaces.
    pub supersedes: &'a [String],
    /// Ids of the records that replace it.
    pub superseded_by: &'a [String],
    /// Related record ids or URLs.
    pub links: &'a [String],
    /// Creation time as written (RFC 3339); `null` when the file has none.
    pub created: Option<&'a str>,
    /// `Name <email>`; `null` when none was recorded.
    pub author: Option<&'a str>,
    /// The alias it had in an imported ADR folder (`ADR-3`); `null` when not imported.
    pub adr: Option<&'a str>,
    /// File relative to the work tree root, with `/` separators.
    pub file: String,
    /// Markdown body (only with `show`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<&'a str>,
}

impl Record {
    /// The record as JSON, with or without its body.
    pub fn to_json(&self, with_body: bool) -> RecordJson<'_> {
        RecordJson {
            id: self.id.as_str(),
            kind: self.kind,
            title: &self.title,
            status: self.status,
            outcome: self.outcome,
            tags: &self.tags,
            paths: &self.paths,
            supersedes: &self.supersedes,
            superseded_by: &self.superseded_by,
            links: &self.links,
            created: self.created.as_deref(),
            author: self.author.as_deref(),
            adr: self.adr.as_deref(),
            file: self.file.to_string_lossy().replace('\\', "/"),
            body: with_body.then_some(self.body.as_str()),
        }
    }

    /// The full file text with the front matter changed by `change`; unknown keys, comments and
    /// the body are kept as they are.
    pub fn edit_front_matter(&self, change: impl FnOnce(&mut toml_edit::DocumentMut)) -> String {
        let mut doc: toml_edit::DocumentMut = self
            .front_matter
            .parse()
            .expect("front matter was parsed when the record was loaded");
        change(&mut doc);
        let mut fm = doc.to_string();
        if !fm.ends_with('\n') {
            fm.push('\n');
        }
        format!("+++\n{fm}+++\n{}", self.body)
    }
}

impl Record {
    /// Whether one of the record's `paths` globs matches `path` (relative to the work tree).
    pub fn governs(&self, path: &str) -> bool {
        self.globs_covering(path).next().is_some()
    }

    /// The record's `paths` globs that match `path`.
    pub fn globs_covering<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a str> {
        self.paths.iter().map(String::as_str).filter(move |glob| {
            globset::Glob::new(glob).is_ok_and(|g| g.compile_matcher().is_match(path))
        })
    }

    /// The line of the front matter where `needle` first appears (quoted value or key), for
    /// pointing a finding at the right place; line 1 when it is not found.
    pub fn line_of_value(&self, needle: &str) -> usize {
        let quoted = format!("\"{needle}\"");
        let at = self
            .front_matter
            .find(&quoted)
            .or_else(|| self.front_matter.find(needle));
        at.map_or(1, |offset| {
            2 + self.front_matter[..offset].matches('\n').count()
        })
    }
}
