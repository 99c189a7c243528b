//! What a caller asks to record, checked the same way whoever asks: `git zen record` and the MCP
//! server's `record` tool share these checks, so both refuse the same input with the same words.

use super::{Kind, NewRecord, Outcome, Status};
use crate::id::RecordId;

/// How the caller spells each field, so a message names what the user typed.
#[derive(Debug, Clone, Copy)]
pub struct FieldNames {
    /// How the outcome field is named (`--outcome`, `outcome`).
    pub outcome: &'static str,
    /// How the status field is named (`--status`, `status`).
    pub status: &'static str,
    /// How the tags field is named (`--tag`, `tags`).
    pub tag: &'static str,
    /// How the paths field is named (`--path`, `paths`).
    pub path: &'static str,
    /// How the links field is named (`--link`, `links`).
    pub link: &'static str,
}

impl FieldNames {
    /// The command line's flags (`--tag`, …).
    pub const FLAGS: FieldNames = FieldNames {
        outcome: "--outcome",
        status: "--status",
        tag: "--tag",
        path: "--path",
        link: "--link",
    };

    /// Named parameters, as the MCP server's `record` tool takes them (`tags`, …).
    pub const PARAMS: FieldNames = FieldNames {
        outcome: "outcome",
        status: "status",
        tag: "tags",
        path: "paths",
        link: "links",
    };
}

/// Why the input cannot become a record; nothing has been read or written yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// A decision was given an outcome.
    #[error("{outcome} is for patterns and lessons; decisions have a {status}")]
    OutcomeOnDecision {
        /// How the caller spells the outcome field.
        outcome: &'static str,
        /// How the caller spells the status field.
        status: &'static str,
    },
    /// The title is empty once trimmed, or holds a line break or other control character.
    #[error("the title must be one non-empty line of text")]
    Title,
    /// The title is longer than [`MAX_TITLE_CHARS`].
    #[error(
        "the title is {chars} characters long: keep it under {MAX_TITLE_CHARS} and put the rest in the body"
    )]
    TitleTooLong {
        /// Its length.
        chars: usize,
    },
    /// The body is larger than [`MAX_BODY_BYTES`].
    #[error(
        "the body is {bytes} bytes: a record holds at most {MAX_BODY_BYTES} (1 MiB, what the default large-files rule lets through); put the bulk in the repository and link to it"
    )]
    BodyTooLarge {
        /// Its size.
        bytes: usize,
    },
    /// A tag, path or link holds a line break or another control character.
    #[error("{field} {value:?}: values must be one line without control characters")]
    ControlCharacter {
        /// How the caller spells the field.
        field: &'static str,
        /// The value as given.
        value: String,
    },
    /// A path is not a glob.
    #[error("{field} '{glob}' is not a valid glob: {reason}")]
    Glob {
        /// How the caller spells the field.
        field: &'static str,
        /// The glob as given.
        glob: String,
        /// Globset's reason, e.g. an unclosed character class.
        reason: String,
    },
}

/// The longest title: one line a listing can show, and the slug of a file name.
pub const MAX_TITLE_CHARS: usize = 300;

/// The largest body: what the default `large-files` rule lets through a commit. A longer text
/// belongs in the repository, linked from the record.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Refuses a body over [`MAX_BODY_BYTES`] (a record is a page of prose, not a data file).
pub fn check_body(body: &str) -> Result<(), InputError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(InputError::BodyTooLarge { bytes: body.len() });
    }
    Ok(())
}

/// The fields a caller gives for a new record, before any check.
#[derive(Debug, Clone)]
pub struct RecordInput {
    /// Decision, pattern or lesson: picks the folder, the body skeleton, and whether an outcome
    /// is allowed.
    pub kind: Kind,
    /// The title as given (trimmed when checked).
    pub title: String,
    /// Written as given: any status is allowed for any kind.
    pub status: Status,
    /// How a pattern or lesson turned out (`None`: unknown for those, absent for decisions).
    pub outcome: Option<Outcome>,
    /// Tags as given (trimmed, empty ones dropped).
    pub tags: Vec<String>,
    /// Globs of the code the record governs, relative to the work tree; each must compile.
    pub paths: Vec<String>,
    /// Related ids or URLs, as given (the caller resolves ids).
    pub links: Vec<String>,
    /// The Markdown body; `None` starts from the kind's empty sections.
    pub body: Option<String>,
}

impl RecordInput {
    /// Checks every field and returns the record to write: a new id, `created` now, no author,
    /// supersedes nothing, `links` as given. Messages name fields as `names` spells them.
    pub fn into_new_record(self, names: FieldNames) -> Result<NewRecord, InputError> {
        let title = self.check(names)?;
        let kind = self.kind;
        Ok(NewRecord {
            id: RecordId::generate(),
            kind,
            title,
            status: self.status,
            outcome: kind
                .has_outcome()
                .then(|| self.outcome.unwrap_or(Outcome::Unknown)),
            tags: self
                .tags
                .iter()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            paths: self.paths,
            supersedes: Vec::new(),
            links: self.links,
            created: super::now_rfc3339(),
            author: None,
            adr: None,
            imported_from: None,
            extra: Vec::new(),
            body: self.body.unwrap_or_else(|| kind.body_template().to_owned()),
        })
    }

    /// The checks, in the order a user meets them; returns the trimmed title.
    fn check(&self, names: FieldNames) -> Result<String, InputError> {
        if self.outcome.is_some() && !self.kind.has_outcome() {
            return Err(InputError::OutcomeOnDecision {
                outcome: names.outcome,
                status: names.status,
            });
        }
        let title = self.title.trim();
        if title.is_empty() || title.chars().any(char::is_control) {
            return Err(InputError::Title);
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(InputError::TitleTooLong {
                chars: title.chars().count(),
            });
        }
        if let Some(body) = &self.body {
            check_body(body)?;
        }
        let lists = [
            (names.tag, &self.tags),
            (names.path, &self.paths),
            (names.link, &self.links),
        ];
        for (field, values) in lists {
            if let Some(bad) = values.iter().find(|v| v.chars().any(char::is_control)) {
                return Err(InputError::ControlCharacter {
                    field,
                    value: bad.clone(),
                });
            }
        }
        for glob in &self.paths {
            if let Err(e) = globset::Glob::new(glob) {
                return Err(InputError::Glob {
                    field: names.path,
                    glob: glob.clone(),
                    reason: e.kind().to_string(),
                });
            }
        }
        Ok(title.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: Kind) -> RecordInput {
        RecordInput {
            kind,
            title: "  Use SQLite  ".into(),
            status: Status::Accepted,
            outcome: None,
            tags: vec![" storage ".into(), " ".into()],
            paths: vec!["src/**".into()],
            links: Vec::new(),
            body: None,
        }
    }

    #[test]
    fn a_good_input_becomes_a_record_with_defaults() {
        let new = input(Kind::Lesson)
            .into_new_record(FieldNames::FLAGS)
            .unwrap();
        assert_eq!(new.title, "Use SQLite");
        assert_eq!(new.tags, ["storage"]);
        assert_eq!(new.outcome, Some(Outcome::Unknown));
        assert_eq!(new.body, Kind::Lesson.body_template());
    }

    #[test]
    fn messages_name_fields_as_the_caller_spells_them() {
        let mut bad = input(Kind::Decision);
        bad.outcome = Some(Outcome::Success);
        let flags = bad.clone().into_new_record(FieldNames::FLAGS).unwrap_err();
        assert_eq!(
            flags.to_string(),
            "--outcome is for patterns and lessons; decisions have a --status"
        );
        let params = bad.into_new_record(FieldNames::PARAMS).unwrap_err();
        assert_eq!(
            params.to_string(),
            "outcome is for patterns and lessons; decisions have a status"
        );
        let mut glob = input(Kind::Pattern);
        glob.paths = vec!["src/[oops".into()];
        let e = glob.into_new_record(FieldNames::PARAMS).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("paths 'src/[oops' is not a valid glob")
        );
        let mut title = input(Kind::Pattern);
        title.title = "two\nlines".into();
        assert_eq!(
            title.into_new_record(FieldNames::PARAMS).unwrap_err(),
            InputError::Title
        );
    }
}
