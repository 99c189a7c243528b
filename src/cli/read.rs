//! `git zen list`, `git zen show`

use std::io::Write;

use git_zen::record::{Kind, Record, Status};
use git_zen::usecase::read::{self, ListFilter};

use super::record::{KindArg as KindFilter, StatusArg as StatusFilter};
use super::ui::Terminal;
use super::{CmdResult, open_repo, output};

/// List records, oldest first.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only records of this kind.
    #[arg(short, long, value_enum)]
    kind: Option<KindFilter>,
    /// Only records with this tag (repeat to require several).
    #[arg(short, long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Only records with this status.
    #[arg(short, long, value_enum)]
    status: Option<StatusFilter>,
    /// Print one JSON array.
    #[arg(long)]
    json: bool,
}

pub fn run_list(args: &ListArgs) -> CmdResult {
    let repo = open_repo()?;
    let filter = ListFilter {
        kind: args.kind.map(Kind::from),
        status: args.status.map(Status::from),
        tags: args.tags.clone(),
    };
    let listing = read::list(&repo, &filter)?;
    super::recall::report_skipped(&listing.skipped)?;
    let records: Vec<&Record> = listing.records.iter().collect();
    // Rendered whole, then written once: stdout is line-buffered, and a write per line was
    // most of the time `list --json` took at 1,000 records.
    let mut buf = Vec::new();
    if args.json {
        let json: Vec<_> = records.iter().map(|r| r.to_json(false)).collect();
        output::json(&mut buf, &json)?;
    } else {
        output::record_lines(&mut buf, &records)?;
    }
    anstream::stdout().write_all(&buf)?;
    Ok(())
}

/// Show one record in full.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Id, unique id prefix, or ADR alias (ADR-3) of the record.
    id: String,
    /// Print one JSON object, with the body.
    #[arg(long)]
    json: bool,
}

pub fn run_show(args: &ShowArgs) -> CmdResult {
    let repo = open_repo()?;
    let shown = read::show(&repo, &mut Terminal, &args.id)?;
    let mut buf = Vec::new();
    if args.json {
        output::json(&mut buf, &shown.record.to_json(true))?;
    } else {
        output::record_detail(&mut buf, &shown.record)?;
    }
    anstream::stdout().write_all(&buf)?;
    Ok(())
}
