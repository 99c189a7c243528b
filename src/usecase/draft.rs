//! One editor session on a draft: the text a person is writing is kept in the git dir until it
//! is checked and written, so a typo never loses it. `record` (new records), `edit` (existing
//! ones and kept drafts) and `distill` (AI drafts under review) all go through here.

use crate::draft::Drafts;
use crate::error::UserError;
use crate::id::RecordId;
use crate::record::{self, Record};
use crate::repo::Repo;
use crate::store::Store;
use crate::validate;

use super::Ui;

/// Why the `write` step of [`session`] refused the text; says whether the error still needs to
/// be told where the draft is kept.
pub enum Refusal {
    /// An error that does not know about the draft: the session adds where the text is kept
    /// and how to go on.
    Plain(UserError),
    /// An error that already says where the draft is and what to do with it.
    Explained(UserError),
}

impl<E: Into<UserError>> From<E> for Refusal {
    fn from(e: E) -> Self {
        Refusal::Plain(e.into())
    }
}

/// Saves `start` as the draft of `id`, lets the user edit it, and hands what they left to
/// `write`. The draft is removed once `write` succeeds; on any failure it stays, and the
/// error says where it is and how to continue. `None`: the user emptied the text, and the
/// draft is gone (nothing to write).
pub fn session(
    repo: &Repo,
    ui: &mut dyn Ui,
    drafts: &Drafts,
    id: &RecordId,
    start: &str,
    write: impl FnOnce(&str) -> Result<Record, Refusal>,
) -> Result<Option<Record>, UserError> {
    let attempt = || -> Result<Option<Record>, Refusal> {
        let path = drafts
            .save(id, start)
            .map_err(|e| UserError::failed(format!("cannot save the draft: {e}")))?;
        ui.edit(repo, &path)?;
        let edited = drafts.read(id)?.unwrap_or_default();
        if edited.trim().is_empty() {
            drafts.remove(id);
            return Ok(None);
        }
        write(&edited).map(Some)
    };
    match attempt() {
        Ok(record) => {
            drafts.remove(id);
            Ok(record)
        }
        Err(Refusal::Plain(e)) if drafts.path(id).exists() => Err(e
            .note(format!(
                "nothing was written; your text is kept in {}",
                drafts.path(id).display()
            ))
            .hint(format!(
                "run `git zen edit {id}` to fix it, or `git zen edit {id} --discard-draft` to start over"
            ))),
        Err(Refusal::Plain(e) | Refusal::Explained(e)) => Err(e),
    }
}

/// Parses an edited text as the draft it is, so errors name the file the user will fix.
pub fn parse_draft(drafts: &Drafts, id: &RecordId, text: &str) -> Result<Record, UserError> {
    let parsed = record::parse(&drafts.path(id), text)?;
    if &parsed.id != id {
        return Err(UserError::failed(format!(
            "{}:{}: the id was changed to {}; it must stay {id} (ids are made by git-zen)",
            drafts.path(id).display(),
            parsed.line_of_value(parsed.id.as_str()),
            parsed.id
        )));
    }
    Ok(parsed)
}

/// Refuses a text whose references `validate` would reject.
pub fn check_references(parsed: &Record, all: &[Record]) -> Result<(), UserError> {
    let errors = validate::check_against(parsed, all);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(UserError::failed(errors.join("\n")))
    }
}

/// Writes an edited new record after every check `validate` would make, and marks superseded
/// each record its `supersedes` names (those given, and any the user added in the editor) —
/// all of them or, if one cannot be rewritten, none and no new record.
pub fn create_checked(
    store: &Store,
    drafts: &Drafts,
    id: &RecordId,
    text: &str,
    all: &[Record],
) -> Result<Record, Refusal> {
    let parsed = parse_draft(drafts, id, text)?;
    check_references(&parsed, all)?;
    let olds: Vec<&Record> = all
        .iter()
        .filter(|r| parsed.supersedes.iter().any(|s| s == r.id.as_str()))
        .filter(|r| !r.superseded_by.iter().any(|s| s == id.as_str()))
        .collect();
    Ok(store.create_from_text_superseding(text, &olds)?)
}
