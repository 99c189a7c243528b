//! `edit`: change a record in the editor, or finish a new record kept as a draft.
//!
//! The text is validated when the editor closes; an invalid text, or a record that changed
//! underneath (a pull, another edit), writes nothing and keeps the draft for the next `edit`.

use crate::draft::Drafts;
use crate::error::UserError;
use crate::id::RecordId;
use crate::record::{self, Record};
use crate::repo::Repo;
use crate::store::{self, Loaded, Store, StoreError};

use super::Ui;
use super::draft::{self, Refusal};

/// How an edit ended.
#[derive(Debug)]
pub enum Edited {
    /// The user left the text as it was (or put it back): nothing was written, the draft is gone.
    Unchanged(RecordId),
    /// The record's file was rewritten; the record as it now reads.
    Updated(Record),
    /// A new record that existed only as a draft was written.
    Created(Record),
    /// A kept draft of a new record was thrown away on request.
    Discarded(RecordId),
}

/// Edits the record `query` names (id, prefix or ADR alias), or the kept draft of a new record.
/// `discard_draft` starts over from the record as it is.
pub fn edit(
    repo: &Repo,
    ui: &mut dyn Ui,
    query: &str,
    discard_draft: bool,
) -> Result<Edited, UserError> {
    let store = Store::open(repo)?;
    let drafts = Drafts::new(repo);
    let loaded = store.load_all()?;
    let record = match store::resolve(&loaded.records, query) {
        Ok(record) => record,
        Err(e) => {
            return edit_unlisted(repo, ui, &store, &drafts, &loaded, query, discard_draft, e);
        }
    };
    let id = &record.id;
    let path = store.workdir().join(&record.file);
    let read_current = || -> Result<String, UserError> {
        let bytes = std::fs::read(&path)
            .map_err(|e| UserError::failed(format!("{}: {e}", record.file.display())))?;
        Ok(record::decode(&record.file, bytes)?)
    };
    let current = read_current()?;
    if discard_draft {
        drafts.remove(id);
    }
    let start = match drafts.read(id)? {
        Some(draft) if draft != current => {
            if drafts.base(id).is_some_and(|base| base != current) {
                return Err(changed_underneath(&drafts, record));
            }
            ui.warn(
                "continuing from the draft kept by your last edit (--discard-draft starts over)",
            );
            draft
        }
        _ => {
            drafts.save_base(id, &current)?;
            current.clone()
        }
    };
    let updated = draft::session(repo, ui, &drafts, id, &start, |text| {
        if text == current {
            return Ok(record.clone());
        }
        if read_current()? != current {
            return Err(Refusal::Explained(changed_underneath(&drafts, record)));
        }
        let mut parsed = draft::parse_draft(&drafts, id, text)?;
        // Checked as the record it replaces, so it is not its own duplicate.
        parsed.file = record.file.clone();
        draft::check_references(&parsed, &loaded.records)?;
        Ok(store.rewrite(record, text)?)
    })?
    .ok_or_else(|| {
        UserError::failed("the record was emptied in the editor; nothing was changed")
    })?;
    if std::fs::read(&path).ok().as_deref() == Some(current.as_bytes()) {
        Ok(Edited::Unchanged(id.clone()))
    } else {
        Ok(Edited::Updated(updated))
    }
}

fn changed_underneath(drafts: &Drafts, record: &Record) -> UserError {
    UserError::failed(format!(
        "{} changed since this edit started (a pull, a merge or another edit), so your draft was not written over it",
        record.file.display(),
    ))
    .note(format!("your text is kept in {}", drafts.path(&record.id).display()))
    .hint(format!(
        "copy what you need from it, then `git zen edit {} --discard-draft` to edit the current version",
        record.id
    ))
}

/// `edit` of something `resolve` did not find: a new record that exists only as a draft, or a
/// record whose file does not parse.
#[allow(clippy::too_many_arguments)]
fn edit_unlisted(
    repo: &Repo,
    ui: &mut dyn Ui,
    store: &Store,
    drafts: &Drafts,
    loaded: &Loaded,
    query: &str,
    discard_draft: bool,
    not_found: StoreError,
) -> Result<Edited, UserError> {
    let ids = drafts.matching(&query.to_ascii_lowercase());
    let [id] = ids.as_slice() else {
        for problem in &loaded.errors {
            ui.warn(&format!("skipped {problem}"));
        }
        return Err(not_found.into());
    };
    if let Some(file) = store.file_for_id(id)? {
        let problem = match store.load_file(&file) {
            Err(e) => e.to_string(),
            Ok(_) => format!("{query} is ambiguous"),
        };
        return Err(UserError::failed(problem)
            .note(format!(
                "the record's file does not parse, so it cannot be edited through a draft; your draft is kept in {}",
                drafts.path(id).display()
            ))
            .hint(format!(
                "fix {} by hand (`git zen validate` lists every problem), then `git zen edit {id}`",
                store.relative(&file).display()
            )));
    }
    if discard_draft {
        drafts.remove(id);
        return Ok(Edited::Discarded(id.clone()));
    }
    let start = drafts.read(id)?.unwrap_or_default();
    ui.warn(&format!(
        "{id} is not recorded yet; continuing from its kept draft"
    ));
    let created = draft::session(repo, ui, drafts, id, &start, |text| {
        draft::create_checked(store, drafts, id, text, &loaded.records)
    })?
    .ok_or_else(|| UserError::failed("the draft was emptied in the editor; nothing was written"))?;
    Ok(Edited::Created(created))
}
