//! `git zen record`, `git zen edit`, `git zen supersede`

use std::io::{self, Read, Write};
use std::path::PathBuf;

use git_zen::draft::Drafts;
use git_zen::id::RecordId;
use git_zen::record::{self, FieldNames, Kind, NewRecord, Outcome, Record, RecordInput, Status};
use git_zen::repo::Repo;
use git_zen::store::{self, Store};
use git_zen::validate;

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
    ($vis:vis $arg:ident => $lib:ident { $($v:ident),+ }) => {
        #[derive(Debug, Clone, Copy, clap::ValueEnum)]
        $vis enum $arg { $($v),+ }
        impl From<$arg> for $lib {
            fn from(a: $arg) -> $lib {
                match a { $($arg::$v => $lib::$v),+ }
            }
        }
    };
}
value_enum_for!(pub(super) KindArg => Kind { Decision, Pattern, Lesson });
value_enum_for!(pub(super) StatusArg => Status { Proposed, Accepted, Superseded, Deprecated, Rejected });
value_enum_for!(OutcomeArg => Outcome { Success, Failure, Mixed, Unknown });

/// Checks what the command line says before anything is read or written, naming the flag, and
/// returns the record to write (its body, author, links and supersedes still to be filled in).
fn check_args(args: &RecordArgs, kind: Kind) -> Result<NewRecord, CommandError> {
    let input = RecordInput {
        kind,
        title: args.title.join(" "),
        status: args.status.into(),
        outcome: args.outcome.map(Outcome::from),
        tags: args.tags.clone(),
        paths: args.paths.clone(),
        links: args.links.clone(),
        body: None,
    };
    input
        .into_new_record(FieldNames::FLAGS)
        .map_err(|e| CommandError::Usage(e.to_string()))
}

pub fn run_record(args: &RecordArgs) -> CmdResult {
    let kind = Kind::from(args.kind);
    let mut new = check_args(args, kind)?;
    let (repo, store) = open_store()?;
    let body = read_body(args)?;
    let use_editor = body.is_none() && (args.edit || interactive());
    // Only a record that names others (on the command line or in the editor) needs to read them
    // all; a plain `record` stays O(1).
    let names_others = !args.supersedes.is_empty() || args.links.iter().any(|l| !l.contains("://"));
    let loaded = if names_others || use_editor {
        store.load_all()?
    } else {
        Default::default()
    };
    let superseded = args
        .supersedes
        .iter()
        .map(|q| store::resolve(&loaded.records, q))
        .collect::<Result<Vec<_>, _>>()?;
    new.links = args
        .links
        .iter()
        .map(|l| {
            if l.contains("://") {
                Ok(l.clone())
            } else {
                store::resolve(&loaded.records, l).map(|r| r.id.to_string())
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    new.supersedes = superseded.iter().map(|r| r.id.to_string()).collect();
    new.author = repo.author();
    if let Some(body) = body {
        new.body = body;
    }
    if new.author.is_none() {
        output::warning(
            &mut anstream::stderr(),
            "no author recorded: set one with `git config --global user.name \"Your Name\"` and user.email",
        )?;
    }
    let created = if use_editor {
        let drafts = Drafts::new(&repo);
        let text = record::render(&new);
        let created = finish_draft(&drafts, &new.id, || {
            let text = match edit_in_editor(&repo, &drafts, &new.id, &text)? {
                Some(text) => text,
                None => {
                    return Err(CommandError::Failed(
                        "the record was emptied in the editor; nothing was written".into(),
                    ));
                }
            };
            create_checked(&store, &drafts, &new.id, &text, &loaded.records)
        })?;
        for old in &superseded {
            if let Err(e) = store.supersede(&loaded.records, old, &created) {
                let _ = std::fs::remove_file(store.workdir().join(&created.file));
                return Err(e.into());
            }
        }
        created
    } else {
        store.create_superseding(&new, &superseded)?
    };
    let mut out = anstream::stdout();
    if args.json {
        output::json(&mut out, &created.to_json(false))?;
    } else {
        print_recorded(&mut out, &created)?;
    }
    let summary = git_zen::services::record_summary(&created);
    super::services::notify(
        &repo,
        "record.created",
        serde_json::json!({ "record": summary }),
    );
    for old in &superseded {
        notify_superseded(&repo, old, &created);
    }
    Ok(())
}

/// Tells the webhooks that `old` is replaced by `new`.
fn notify_superseded(repo: &git_zen::repo::Repo, old: &Record, new: &Record) {
    super::services::notify(
        repo,
        "record.superseded",
        serde_json::json!({
            "record": git_zen::services::record_summary(old),
            "superseded_by": git_zen::services::record_summary(new),
        }),
    );
}

/// Where a new record went, with its id as the last word (scripts take it from there).
fn print_recorded(out: &mut impl Write, record: &Record) -> io::Result<()> {
    writeln!(out, "wrote {}", record.file.display())?;
    writeln!(out, "recorded {} {}", record.kind, record.id)
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

/// Saves `text` as the draft of `id`, opens the editor on it and returns what the user left, or
/// `None` if they emptied it (the draft is then removed).
fn edit_in_editor(
    repo: &Repo,
    drafts: &Drafts,
    id: &RecordId,
    text: &str,
) -> Result<Option<String>, CommandError> {
    let path = drafts
        .save(id, text)
        .map_err(|e| CommandError::Failed(format!("cannot save the draft: {e}")))?;
    repo.edit_file(&path)?;
    let edited = drafts.read(id)?.unwrap_or_default();
    if edited.trim().is_empty() {
        drafts.remove(id);
        return Ok(None);
    }
    Ok(Some(edited))
}

/// Parses an edited text as the draft it is, so errors name the file the user will fix.
fn parse_draft(drafts: &Drafts, id: &RecordId, text: &str) -> Result<Record, CommandError> {
    let parsed = record::parse(&drafts.path(id), text)?;
    if &parsed.id != id {
        return Err(CommandError::Failed(format!(
            "{}:{}: the id was changed to {}; it must stay {id} (ids are made by git-zen)",
            drafts.path(id).display(),
            parsed.line_of_value(parsed.id.as_str()),
            parsed.id
        )));
    }
    Ok(parsed)
}

/// Refuses a text whose references `validate` would reject.
fn check_references(parsed: &Record, all: &[Record]) -> Result<(), CommandError> {
    let errors = validate::check_against(parsed, all);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CommandError::Failed(errors.join("\n")))
    }
}

/// Writes an edited new record after every check `validate` would make.
fn create_checked(
    store: &Store,
    drafts: &Drafts,
    id: &RecordId,
    text: &str,
    all: &[Record],
) -> Result<Record, CommandError> {
    let parsed = parse_draft(drafts, id, text)?;
    check_references(&parsed, all)?;
    Ok(store.create_from_text(text)?)
}

/// Runs an editor session; on failure the draft stays and the message says how to go on.
fn finish_draft(
    drafts: &Drafts,
    id: &RecordId,
    session: impl FnOnce() -> Result<Record, CommandError>,
) -> Result<Record, CommandError> {
    match session() {
        Ok(record) => {
            drafts.remove(id);
            Ok(record)
        }
        // A message that already says where the draft is and what to do keeps its own advice.
        Err(CommandError::Failed(message))
            if drafts.path(id).exists() && !message.contains("your text is kept in") =>
        {
            Err(CommandError::Failed(format!(
                "{message}\n  nothing was written; your text is kept in {}\n  hint: run `git zen edit {id}` to fix it, or `git zen edit {id} --discard-draft` to start over",
                drafts.path(id).display()
            )))
        }
        Err(other) => Err(other),
    }
}

pub fn run_edit(args: &EditArgs) -> CmdResult {
    let (repo, store) = open_store()?;
    let drafts = Drafts::new(&repo);
    let loaded = store.load_all()?;
    let record = match store::resolve(&loaded.records, &args.id) {
        Ok(record) => record,
        Err(e) => return edit_unlisted(&repo, &store, &drafts, &loaded, args, e),
    };
    let id = &record.id;
    let path = store.workdir().join(&record.file);
    let read_current = || -> Result<String, CommandError> {
        let bytes = std::fs::read(&path)
            .map_err(|e| CommandError::Failed(format!("{}: {e}", record.file.display())))?;
        Ok(record::decode(&record.file, bytes)?)
    };
    let current = read_current()?;
    if args.discard_draft {
        drafts.remove(id);
    }
    let start = match drafts.read(id)? {
        Some(draft) if draft != current => {
            if drafts.base(id).is_some_and(|base| base != current) {
                return Err(changed_underneath(&drafts, record));
            }
            output::warning(
                &mut anstream::stderr(),
                "continuing from the draft kept by your last edit (--discard-draft starts over)",
            )?;
            draft
        }
        _ => {
            drafts.save_base(id, &current)?;
            current.clone()
        }
    };
    let mut out = anstream::stdout();
    let updated = finish_draft(&drafts, id, || {
        let Some(text) = edit_in_editor(&repo, &drafts, id, &start)? else {
            return Err(CommandError::Failed(
                "the record was emptied in the editor; nothing was changed".into(),
            ));
        };
        if text == current {
            return Ok(record.clone());
        }
        if read_current()? != current {
            return Err(changed_underneath(&drafts, record));
        }
        let mut parsed = parse_draft(&drafts, id, &text)?;
        // Checked as the record it replaces, so it is not its own duplicate.
        parsed.file = record.file.clone();
        check_references(&parsed, &loaded.records)?;
        Ok(store.rewrite(record, &text)?)
    });
    let updated = updated?;
    if std::fs::read(&path).ok().as_deref() == Some(current.as_bytes()) {
        writeln!(out, "no changes to {id}")?;
    } else {
        writeln!(out, "updated {}", updated.file.display())?;
        writeln!(out, "edited {} {}", updated.kind, updated.id)?;
    }
    Ok(())
}

fn changed_underneath(drafts: &Drafts, record: &Record) -> CommandError {
    CommandError::Failed(format!(
        "{} changed since this edit started (a pull, a merge or another edit), so your draft was not written over it",
        record.file.display(),
    ))
    .keep_hint(drafts, &record.id)
}

impl CommandError {
    /// Adds where the draft is and how to go on.
    fn keep_hint(self, drafts: &Drafts, id: &RecordId) -> CommandError {
        match self {
            CommandError::Failed(m) => CommandError::Failed(format!(
                "{m}\n  your text is kept in {}\n  hint: copy what you need from it, then `git zen edit {id} --discard-draft` to edit the current version",
                drafts.path(id).display()
            )),
            other => other,
        }
    }
}

/// `edit` of something `resolve` did not find: a new record that exists only as a draft, or a
/// record whose file does not parse.
fn edit_unlisted(
    repo: &Repo,
    store: &Store,
    drafts: &Drafts,
    loaded: &store::Loaded,
    args: &EditArgs,
    not_found: store::StoreError,
) -> CmdResult {
    let ids = drafts.matching(&args.id.to_ascii_lowercase());
    let [id] = ids.as_slice() else {
        for problem in &loaded.errors {
            output::warning(&mut anstream::stderr(), &format!("skipped {problem}"))?;
        }
        return Err(not_found.into());
    };
    if let Some(file) = store.file_for_id(id)? {
        let problem = match store.load_file(&file) {
            Err(e) => e.to_string(),
            Ok(_) => format!("{} is ambiguous", args.id),
        };
        return Err(CommandError::Failed(format!(
            "{problem}\n  the record's file does not parse, so it cannot be edited through a draft; your draft is kept in {}\n  hint: fix {} by hand (`git zen validate` lists every problem), then `git zen edit {id}`",
            drafts.path(id).display(),
            store.relative(&file).display()
        )));
    }
    if args.discard_draft {
        drafts.remove(id);
        writeln!(
            anstream::stdout(),
            "discarded the draft of {id}; nothing was recorded"
        )?;
        return Ok(());
    }
    let start = drafts.read(id)?.unwrap_or_default();
    output::warning(
        &mut anstream::stderr(),
        &format!("{id} is not recorded yet; continuing from its kept draft"),
    )?;
    let created = finish_draft(drafts, id, || {
        let Some(text) = edit_in_editor(repo, drafts, id, &start)? else {
            return Err(CommandError::Failed(
                "the draft was emptied in the editor; nothing was written".into(),
            ));
        };
        create_checked(store, drafts, id, &text, &loaded.records)
    })?;
    print_recorded(&mut anstream::stdout(), &created)?;
    Ok(())
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
    let (repo, store) = open_store()?;
    let loaded = store.load_all()?;
    let old = store::resolve(&loaded.records, &args.old)?;
    let new = store::resolve(&loaded.records, &args.new)?;
    let (old, new) = store.supersede(&loaded.records, old, new)?;
    writeln!(
        anstream::stdout(),
        "{} \"{}\" is superseded by {} \"{}\"",
        old.id,
        old.title,
        new.id,
        new.title
    )?;
    notify_superseded(&repo, &old, &new);
    Ok(())
}
