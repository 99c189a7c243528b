//! `git zen list`, `git zen show`

use std::io::Write;

use git_zen::index::Index;
use git_zen::record::{Kind, Record, Status};

use super::record::{KindArg as KindFilter, StatusArg as StatusFilter};
use super::{CmdResult, open_store, output};

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
    let (repo, store) = open_store()?;
    let (index, _) = Index::open_fresh(&repo, &store)?;
    super::recall::report_broken(&index)?;
    let all = index.records()?;
    let kind = args.kind.map(Kind::from);
    let status = args.status.map(Status::from);
    let records: Vec<&Record> = all
        .iter()
        .filter(|r| kind.is_none_or(|k| r.kind == k))
        .filter(|r| status.is_none_or(|s| r.status == s))
        .filter(|r| {
            args.tags
                .iter()
                .all(|t| r.tags.iter().any(|rt| rt.eq_ignore_ascii_case(t)))
        })
        .collect();
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
    let (repo, store) = open_store()?;
    let (index, _) = Index::open_fresh(&repo, &store)?;
    let record = match index.resolve(&args.id) {
        Ok(record) => record,
        Err(e) => {
            // A broken file is the likely reason a record cannot be found: say so.
            super::recall::report_broken(&index)?;
            return Err(e.into());
        }
    };
    let mut buf = Vec::new();
    if args.json {
        output::json(&mut buf, &record.to_json(true))?;
    } else {
        output::record_detail(&mut buf, &record)?;
    }
    anstream::stdout().write_all(&buf)?;
    Ok(())
}
