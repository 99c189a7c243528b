//! `git zen record`, `git zen edit`, `git zen supersede`

use std::io::{self, Read, Write};
use std::path::PathBuf;

use git_zen::draft::Drafts;
use git_zen::id::RecordId;
use git_zen::record::{self, Kind, NewRecord, Outcome, Record, Status};
use git_zen::repo::Repo;
use git_zen::store::{self, Store};

use super::{CmdResult, CommandError, absolute, interactive, open_store, output};

/// Record a decision, pattern or lesson.
///
/// Without -m or --body-file, on a terminal (or with --edit) the editor git would use opens on the
/// new record; elsewhere the record gets the kind's empty sections to fill in later. The new id is
/// the last word of the last line printed.
#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// What to record.
    #[arg(value_enum)]
    kind: KindArg,
    /// One-line title (several words are joined with spaces).
    #[arg(required = true, num_args = 1..)]
    title: Vec<String>,
    /// A tag; repeat or separate with commas.
    #[arg(short, long = "tag", value_name = "TAG", value_delimiter = ',')]
    tags: Vec<String>,
    /// A glob of the code this record governs (e.g. 'src/index/**'); repeatable.
    #[arg(short, long = "path", value_name = "GLOB")]
    paths: Vec<String>,
    /// Body text; several -m are joined as paragraphs, like `git commit -m`.
    #[arg(short, long = "message", value_name = "TEXT")]
    messages: Vec<String>,
    /// Read the body from a file ('-' for standard input).
    #[arg(short = 'F', long, value_name = "FILE", conflicts_with = "messages")]
    body_file: Option<PathBuf>,
    /// Status of the record.
    #[arg(long, value_enum, default_value_t = StatusArg::Accepted)]
    status: StatusArg,
    /// How a pattern or lesson turned out (default: unknown).
    #[arg(long, value_enum)]
    outcome: Option<OutcomeArg>,
    /// A related record id (or unique prefix) or URL; repeatable.
    #[arg(short, long = "link", value_name = "ID|URL")]
    links: Vec<String>,
    /// An older record this one replaces; it is marked superseded. Repeatable.
    #[arg(long = "supersedes", value_name = "ID")]
    supersedes: Vec<String>,
    /// Open the editor even when not on a terminal.
    #[arg(short, long)]
    edit: bool,
    /// Print the new record as JSON.
    #[arg(long)]
    json: bool,
}

macro_rules! value_enum_for {
    ($arg:ident => $lib:ident { $($v:ident),+ }) => {
        #[derive(Debug, Clone, Copy, clap::ValueEnum)]
        enum $arg { $($v),+ }
        impl From<$arg> for $lib {
            fn from(a: $arg) -> $lib {
                match a { $($arg::$v => $lib::$v),+ }
            }
        }
    };
}
value_enum_for!(KindArg => Kind { Decision, Pattern, Lesson });
value_enum_for!(StatusArg => Status { Proposed, Accepted, Superseded, Deprecated, Rejected });
value_enum_for!(OutcomeArg => Outcome { Success, Failure, Mixed, Unknown });

pub(super) use value_enum_for;

pub fn run_record(args: &RecordArgs) -> CmdResult {
    let (repo, store) = open_store()?;
    let kind = Kind::from(args.kind);
    if args.outcome.is_some() && !kind.has_outcome() {
        return Err(CommandError::Failed(
            "--outcome is for patterns and lessons; decisions have a --status".into(),
        ));
    }
    // Only a record that names others needs to read them all; a plain `record` stays O(1).
    let names_others = !args.supersedes.is_empty() || args.links.iter().any(|l| !l.contains("://"));
    let loaded = if names_others {
        store.load_all()?
    } else {
        Default::default()
    };
    let resolve_all = |queries: &[String]| -> Result<Vec<&Record>, CommandError> {
        queries
            .iter()
            .map(|q| store::resolve(&loaded.records, q).map_err(CommandError::from))
            .collect()
    };
    let superseded = resolve_all(&args.supersedes)?;
    let links = args
        .links
        .iter()
        .map(|l| {
            if l.contains("://") {
                Ok(l.clone())
            } else {
                store::resolve(&loaded.records, l)
                    .map(|r| r.id.to_string())
                    .map_err(CommandError::from)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let body = read_body(args)?;
    let use_editor = body.is_none() && (args.edit || interactive());
    let new = NewRecord {
        id: RecordId::generate(),
        kind,
        title: args.title.join(" "),
        status: args.status.into(),
        outcome: kind
            .has_outcome()
            .then(|| args.outcome.map_or(Outcome::Unknown, Outcome::from)),
        tags: args
            .tags
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect(),
        paths: args.paths.clone(),
        supersedes: Vec::new(),
        links,
        created: record::now_rfc3339(),
        author: repo.author(),
        adr: None,
        imported_from: None,
        body: body.unwrap_or_else(|| kind.body_template().to_owned()),
    };
    if new.author.is_none() {
        output::warning(
            &mut anstream::stderr(),
            "no author recorded: set one with `git config --global user.name \"Your Name\"` and user.email",
        )?;
    }
    let mut created = if use_editor {
        let text = record::render(&new);
        match edit_in_editor(&repo, &new.id, &text)? {
            Edited::Unchanged(text) | Edited::Changed(text) => {
                create_from_draft(&repo, &store, &new.id, &text)?
            }
            Edited::Emptied => {
                return Err(CommandError::Failed(
                    "the record was emptied in the editor; nothing was written".into(),
                ));
            }
        }
    } else {
        store.create(&new)?
    };
    for old in superseded {
        created = store.supersede(old, &created)?.1;
    }
    let mut out = anstream::stdout();
    if args.json {
        output::json(&mut out, &created.to_json(false))?;
    } else {
        writeln!(out, "wrote {}", created.file.display())?;
        writeln!(out, "recorded {} {}", created.kind, created.id)?;
    }
    Ok(())
}

fn read_body(args: &RecordArgs) -> Result<Option<String>, CommandError> {
    if !args.messages.is_empty() {
        return Ok(Some(args.messages.join("\n\n") + "\n"));
    }
    let Some(path) = &args.body_file else {
        return Ok(None);
    };
    let mut body = String::new();
    if path.as_os_str() == "-" {
        io::stdin().read_to_string(&mut body)?;
    } else {
        body = std::fs::read_to_string(absolute(path)).map_err(|e| {
            CommandError::Failed(format!(
                "{}: {e}\n  hint: --body-file takes a readable UTF-8 text file",
                path.display()
            ))
        })?;
    }
    Ok(Some(body))
}

/// Edit an existing record in the editor git would use.
///
/// The text is validated when the editor closes. If it is invalid, nothing is written: the draft is
/// kept in the git dir and the next `git zen edit` of the same id continues from it.
#[derive(Debug, clap::Args)]
pub struct EditArgs {
    /// Id, unique id prefix, or ADR alias (ADR-3) of the record.
    id: String,
    /// Throw away a kept draft and start again from the record as it is.
    #[arg(long)]
    discard_draft: bool,
}

enum Edited {
    Unchanged(String),
    Changed(String),
    Emptied,
}

/// Saves `text` as the draft of `id`, opens the editor on it and returns what the user left.
fn edit_in_editor(repo: &Repo, id: &RecordId, text: &str) -> Result<Edited, CommandError> {
    let drafts = Drafts::new(repo);
    let path = drafts.save(id, text)?;
    repo.edit_file(&path)?;
    let edited = std::fs::read_to_string(&path)?;
    Ok(if edited.trim().is_empty() {
        drafts.remove(id);
        Edited::Emptied
    } else if edited == text {
        Edited::Unchanged(edited)
    } else {
        Edited::Changed(edited)
    })
}

/// Writes an edited new record, or keeps the draft and explains what to fix.
fn create_from_draft(
    repo: &Repo,
    store: &Store,
    id: &RecordId,
    text: &str,
) -> Result<Record, CommandError> {
    let drafts = Drafts::new(repo);
    let draft_path = drafts.path(id);
    let result = record::parse(&draft_path, text)
        .map_err(CommandError::from)
        .and_then(|parsed| {
            if &parsed.id != id {
                return Err(CommandError::Failed(format!(
                    "the id was changed to {}; it must stay {id} (ids are made by git-zen)",
                    parsed.id
                )));
            }
            Ok(store.create_from_text(text)?)
        });
    finish_draft(&drafts, id, &draft_path, result)
}

fn finish_draft(
    drafts: &Drafts,
    id: &RecordId,
    draft_path: &std::path::Path,
    result: Result<Record, CommandError>,
) -> Result<Record, CommandError> {
    match result {
        Ok(record) => {
            drafts.remove(id);
            Ok(record)
        }
        Err(CommandError::Failed(message)) => Err(CommandError::Failed(format!(
            "{message}\n  nothing was written; your text is kept in {}\n  hint: run `git zen edit {id}` to fix it, or `git zen edit {id} --discard-draft` to start over",
            draft_path.display()
        ))),
        Err(other) => Err(other),
    }
}

pub fn run_edit(args: &EditArgs) -> CmdResult {
    let (repo, store) = open_store()?;
    let drafts = Drafts::new(&repo);
    let loaded = store.load_all()?;
    let existing = match store::resolve(&loaded.records, &args.id) {
        Ok(record) => Some(record),
        Err(e) => {
            // A new record whose first edit did not validate lives only as a draft.
            match drafts.matching(&args.id.to_ascii_lowercase()).as_slice() {
                [id] if !args.discard_draft => {
                    return continue_new_draft(&repo, &store, &drafts, id);
                }
                _ => return Err(e.into()),
            }
        }
    };
    let record = existing.expect("resolved above");
    let current = std::fs::read_to_string(store.workdir().join(&record.file))?;
    let start = match drafts.read(&record.id) {
        Some(draft) if !args.discard_draft && draft != current => {
            output::warning(
                &mut anstream::stderr(),
                "continuing from the draft kept by your last edit (--discard-draft starts over)",
            )?;
            draft
        }
        _ => current.clone(),
    };
    let text = match edit_in_editor(&repo, &record.id, &start)? {
        Edited::Emptied => {
            return Err(CommandError::Failed(
                "the record was emptied in the editor; nothing was changed".into(),
            ));
        }
        Edited::Unchanged(text) | Edited::Changed(text) => text,
    };
    let mut out = anstream::stdout();
    if text == current {
        drafts.remove(&record.id);
        writeln!(out, "no changes to {}", record.id)?;
        return Ok(());
    }
    let draft_path = drafts.path(&record.id);
    let result = store.rewrite(record, &text).map_err(CommandError::from);
    let updated = finish_draft(&drafts, &record.id, &draft_path, result)?;
    writeln!(out, "updated {}", updated.file.display())?;
    writeln!(out, "edited {} {}", updated.kind, updated.id)?;
    Ok(())
}

fn continue_new_draft(repo: &Repo, store: &Store, drafts: &Drafts, id: &RecordId) -> CmdResult {
    let start = drafts.read(id).unwrap_or_default();
    output::warning(
        &mut anstream::stderr(),
        &format!("{id} is not recorded yet; continuing from its kept draft"),
    )?;
    let text = match edit_in_editor(repo, id, &start)? {
        Edited::Emptied => {
            return Err(CommandError::Failed(
                "the draft was emptied in the editor; nothing was written".into(),
            ));
        }
        Edited::Unchanged(text) | Edited::Changed(text) => text,
    };
    let created = create_from_draft(repo, store, id, &text)?;
    let mut out = anstream::stdout();
    writeln!(out, "wrote {}", created.file.display())?;
    writeln!(out, "recorded {} {}", created.kind, created.id)?;
    Ok(())
}

/// Mark OLD as superseded by NEW, linking both ways.
///
/// NEW gains OLD in `supersedes`; OLD gets status "superseded" and NEW in `superseded_by`. Running it
/// again changes nothing.
#[derive(Debug, clap::Args)]
pub struct SupersedeArgs {
    /// The record being replaced (id, prefix or ADR alias).
    old: String,
    /// The record replacing it.
    new: String,
}

pub fn run_supersede(args: &SupersedeArgs) -> CmdResult {
    let (_repo, store) = open_store()?;
    let loaded = store.load_all()?;
    let old = store::resolve(&loaded.records, &args.old)?;
    let new = store::resolve(&loaded.records, &args.new)?;
    let (old, new) = store.supersede(old, new)?;
    writeln!(
        anstream::stdout(),
        "{} \"{}\" is superseded by {} \"{}\"",
        old.id,
        old.title,
        new.id,
        new.title
    )?;
    Ok(())
}
