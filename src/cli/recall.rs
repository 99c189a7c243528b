//! `git zen recall`, `git zen index status|rebuild`

use std::io::Write;
use std::path::PathBuf;

use git_zen::index::Index;
use git_zen::record::{Kind, Status};
use git_zen::usecase::read::{self, ListFilter, RecallRequest};

use super::record::{KindArg as KindFilter, StatusArg as StatusFilter};
use super::{CmdResult, open_repo, open_store, output};

/// Search the team's memory, best first.
///
/// Words are matched with English stemming ("caching sessions" finds "Cache strategy for user
/// sessions"); `"quoted phrases"` match as phrases and `word*` as a prefix. Superseded, deprecated
/// and rejected records are hidden unless --all; failed lessons are shown as warnings.
#[derive(Debug, clap::Args)]
pub struct RecallArgs {
    /// What to look for. Without it, lists what the filters match, newest first.
    query: Option<String>,
    /// Only records of this kind.
    #[arg(short, long, value_enum)]
    kind: Option<KindFilter>,
    /// Only records with this status (shows it even if superseded, deprecated or rejected).
    #[arg(short, long, value_enum)]
    status: Option<StatusFilter>,
    /// Only records with this tag (repeat to require several).
    #[arg(short, long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Only records whose `paths` cover this file.
    #[arg(short, long, value_name = "FILE")]
    path: Option<PathBuf>,
    /// Include superseded, deprecated and rejected records.
    #[arg(short, long)]
    all: bool,
    /// At most this many hits.
    #[arg(short = 'n', long, default_value_t = 10)]
    limit: usize,
    /// Search a memory hub too (the project's, else the default one; or the one named): its
    /// records are ranked by relevance × the evidence of the projects that used them.
    #[arg(long, value_name = "HUB", num_args = 0..=1, default_missing_value = "")]
    hub: Option<String>,
    /// Print one JSON array, best first.
    #[arg(long)]
    json: bool,
}

pub fn run_recall(args: &RecallArgs) -> CmdResult {
    let repo = open_repo()?;
    // --path is relative to where the user stands; records' globs are relative to the work tree.
    let path = args.path.as_ref().map(|p| super::glob_path(&repo, p));
    let request = RecallRequest {
        text: args.query.clone(),
        filter: ListFilter {
            kind: args.kind.map(Kind::from),
            status: args.status.map(Status::from),
            tags: args.tags.clone(),
        },
        path,
        all: args.all,
        limit: args.limit,
        hub: args.hub.clone(),
    };
    let recalled = read::recall(&repo, &request)?;
    report_skipped(&recalled.skipped)?;
    let hits = &recalled.hits;
    let mut buf = Vec::new();
    if args.json {
        output::json(&mut buf, hits)?;
    } else {
        output::hits(&mut buf, hits, |id| {
            recalled.successor_titles.get(id).cloned()
        })?;
        if hits.is_empty() {
            writeln!(anstream::stderr(), "no records match")?;
        }
    }
    anstream::stdout().write_all(&buf)?;
    Ok(())
}

/// Warns about record files the cache could not parse (they are left out of every answer).
pub fn report_skipped(skipped: &[String]) -> CmdResult {
    let mut err = anstream::stderr();
    for problem in skipped {
        output::warning(&mut err, &format!("skipped {problem}"))?;
    }
    Ok(())
}

/// Warns about record files the cache could not parse.
fn report_broken(index: &Index) -> CmdResult {
    let skipped: Vec<String> = index.errors()?.iter().map(ToString::to_string).collect();
    report_skipped(&skipped)
}

/// Inspect or rebuild the memory cache (<git-dir>/datazentr/index.sqlite).
#[derive(Debug, clap::Args)]
pub struct IndexArgs {
    #[command(subcommand)]
    action: IndexAction,
}

#[derive(Debug, clap::Subcommand)]
enum IndexAction {
    /// Records, size, last refresh and schema version of the cache.
    Status {
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Bring the cache up to date now (every read does this anyway); prints what changed.
    Refresh,
    /// Delete the cache and build it again from every record.
    Rebuild,
}

pub fn run_index(args: &IndexArgs) -> CmdResult {
    let (repo, store) = open_store()?;
    match args.action {
        IndexAction::Status { json } => {
            let (index, _) = Index::open_fresh(&repo, &store)?;
            let status = index.status()?;
            let mut out = anstream::stdout();
            if json {
                output::json(&mut out, &status)?;
            } else {
                writeln!(out, "cache:          {}", status.path.display())?;
                writeln!(out, "records:        {}", status.records)?;
                writeln!(out, "broken files:   {}", status.errors)?;
                writeln!(
                    out,
                    "size:           {} KiB",
                    status.size_bytes.div_ceil(1024)
                )?;
                writeln!(
                    out,
                    "last refresh:   {}",
                    status.last_refresh.as_deref().unwrap_or("never")
                )?;
                writeln!(out, "schema version: {}", status.schema_version)?;
            }
        }
        IndexAction::Refresh => {
            let (index, report) = Index::open_fresh(&repo, &store)?;
            report_broken(&index)?;
            writeln!(
                anstream::stdout(),
                "{} record files: {} parsed, {} removed",
                report.scanned,
                report.parsed,
                report.removed
            )?;
        }
        IndexAction::Rebuild => {
            let bar = output::progress_bar("indexing");
            let (index, report) = Index::rebuild(&repo, &store, &bar)?;
            bar.finish_and_clear();
            report_broken(&index)?;
            writeln!(anstream::stdout(), "indexed {} records", report.parsed)?;
        }
    }
    Ok(())
}
