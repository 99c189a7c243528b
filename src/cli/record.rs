//! `git zen record`, `git zen edit`, `git zen supersede`

use std::io::{self, Read, Write};
use std::path::PathBuf;

use git_zen::error::UserError;
use git_zen::record::{FieldNames, Kind, NewRecord, Outcome, Record, RecordInput, Status};
use git_zen::usecase::{self, edit::Edited, record::RecordRequest};

use super::ui::{Terminal, deliver};
use super::{CmdResult, absolute, interactive, open_repo, output};

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
fn check_args(args: &RecordArgs, kind: Kind) -> Result<NewRecord, UserError> {
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
        .map_err(|e| UserError::usage(e.to_string()))
}

pub fn run_record(args: &RecordArgs) -> CmdResult {
    let kind = Kind::from(args.kind);
    let mut new = check_args(args, kind)?;
    let repo = open_repo()?;
    let body = read_body(args)?;
    let edit = body.is_none() && (args.edit || interactive());
    if let Some(body) = body {
        new.body = body;
    }
    let request = RecordRequest {
        new,
        supersedes: args.supersedes.clone(),
        edit,
    };
    let recorded = usecase::record::record(&repo, &mut Terminal, request)?;
    let mut out = anstream::stdout();
    if args.json {
        output::json(&mut out, &recorded.record.to_json(false))?;
    } else {
        print_recorded(&mut out, &recorded.record)?;
    }
    deliver(repo.workdir(), &recorded.emitted);
    Ok(())
}

/// Where a new record went, with its id as the last word (scripts take it from there).
fn print_recorded(out: &mut impl Write, record: &Record) -> io::Result<()> {
    writeln!(out, "wrote {}", record.file.display())?;
    writeln!(out, "recorded {} {}", record.kind, record.id)
}

fn read_body(args: &RecordArgs) -> Result<Option<String>, UserError> {
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
            UserError::failed(format!("{}: {e}", path.display()))
                .hint("--body-file takes a readable UTF-8 text file")
        })?;
    }
    Ok(Some(body))
}

pub fn run_edit(args: &EditArgs) -> CmdResult {
    let repo = open_repo()?;
    let edited = usecase::edit::edit(&repo, &mut Terminal, &args.id, args.discard_draft)?;
    let mut out = anstream::stdout();
    match edited {
        Edited::Unchanged(id) => writeln!(out, "no changes to {id}")?,
        Edited::Updated(record) => {
            writeln!(out, "updated {}", record.file.display())?;
            writeln!(out, "edited {} {}", record.kind, record.id)?;
        }
        Edited::Created(record) => print_recorded(&mut out, &record)?,
        Edited::Discarded(id) => {
            writeln!(out, "discarded the draft of {id}; nothing was recorded")?;
        }
    }
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
    let repo = open_repo()?;
    let done = usecase::record::supersede(&repo, &mut Terminal, &args.old, &args.new)?;
    writeln!(
        anstream::stdout(),
        "{} \"{}\" is superseded by {} \"{}\"",
        done.old.id,
        done.old.title,
        done.new.id,
        done.new.title
    )?;
    deliver(repo.workdir(), &done.emitted);
    Ok(())
}
