//! `git zen recall`, `git zen index status|rebuild`

use std::io::Write;
use std::path::PathBuf;

use git_zen::index::Index;
use git_zen::record::{Kind, Status};
use git_zen::semantic::Mode;
use git_zen::usecase::meaning;
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
    /// How to rank: by meaning and shared words fused (hybrid, the default unless `[recall]
    /// mode` says otherwise), by meaning alone, or by shared words alone (keyword: never loads
    /// the model).
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Print one JSON array, best first.
    #[arg(long)]
    json: bool,
}

/// `--mode` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ModeArg {
    /// Meaning and shared words, fused.
    Hybrid,
    /// Meaning alone.
    Semantic,
    /// Shared words alone (bm25).
    Keyword,
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::Hybrid => Mode::Hybrid,
            ModeArg::Semantic => Mode::Semantic,
            ModeArg::Keyword => Mode::Keyword,
        }
    }
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
        mode: args.mode.map(Mode::from),
    };
    let recalled = read::recall(&repo, &request)?;
    report_skipped(&recalled.skipped)?;
    for note in &recalled.notes {
        output::note(&mut anstream::stderr(), note)?;
    }
    let hits = &recalled.hits;
    let mut buf = Vec::new();
    if args.json {
        output::json(&mut buf, hits)?;
    } else {
        if !hits.is_empty() && args.query.is_some() && !recalled.answered() {
            output::no_strong_match(&mut buf)?;
        }
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

/// The current records closest in meaning to one record: what else was decided or learned
/// about the same thing, whatever words it used.
#[derive(Debug, clap::Args)]
pub struct RelatedArgs {
    /// Id, unique id prefix, or ADR alias (ADR-3) of the record.
    id: String,
    /// At most this many records.
    #[arg(short = 'n', long, default_value_t = 5)]
    limit: usize,
    /// Print one JSON array, most similar first (each hit as `recall --json` prints it).
    #[arg(long)]
    json: bool,
}

pub fn run_related(args: &RelatedArgs) -> CmdResult {
    let repo = open_repo()?;
    let related = meaning::related(&repo, &args.id, args.limit)?;
    let mut buf = Vec::new();
    if args.json {
        output::json(&mut buf, &related.hits)?;
    } else {
        output::hits(&mut buf, &related.hits, |_| None)?;
        if related.hits.is_empty() {
            writeln!(anstream::stderr(), "no other current records")?;
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
    /// Bring the cache up to date now (every read does this anyway), and embed the records
    /// recall by meaning has no vector for yet; prints what changed.
    Refresh,
    /// Delete the cache and build it again from every record (vectors of unchanged records are
    /// kept), then embed what has no vector.
    Rebuild,
    /// Embed every record that has no vector yet, for recall by meaning (what recall otherwise
    /// does in the background); with a progress bar on a terminal.
    Embed {
        /// A hub's cache instead of the project's (its name, URL or path).
        #[arg(long, value_name = "HUB")]
        hub: Option<String>,
        /// Print nothing (how recall starts it in the background).
        #[arg(long, short)]
        quiet: bool,
    },
}

/// Embeds what has no vector yet, with a progress bar on a terminal; says how many.
fn embed_missing(repo: &git_zen::repo::Repo, hub: Option<&str>, quiet: bool) -> CmdResult {
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        output::progress_bar("embedding")
    };
    let done = meaning::embed(repo, hub, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    if quiet {
        return Ok(());
    }
    if done.busy {
        writeln!(
            anstream::stdout(),
            "another git-zen is embedding these records now"
        )?;
    } else if done.embedded > 0 {
        writeln!(
            anstream::stdout(),
            "embedded {} records ({})",
            done.embedded,
            done.model
        )?;
    }
    Ok(())
}

/// Whether the project recalls by keyword only (`[recall] mode = "keyword"`): then refresh and
/// rebuild embed nothing (an explicit `index embed` still does).
fn keyword_only(repo: &git_zen::repo::Repo) -> bool {
    git_zen::semantic::settings::RecallSettings::load(repo.workdir()).mode == Some(Mode::Keyword)
}

pub fn run_index(args: &IndexArgs) -> CmdResult {
    if let IndexAction::Embed { hub, quiet } = &args.action {
        let repo = super::open_repo()?;
        return embed_missing(&repo, hub.as_deref(), *quiet);
    }
    let (repo, store) = open_store()?;
    match &args.action {
        IndexAction::Status { json } => {
            let (index, _) = Index::open_fresh(&repo, &store)?;
            let status = index.status()?;
            let vectors = meaning::vector_status(&repo, &index)?;
            let mut out = anstream::stdout();
            if *json {
                #[derive(serde::Serialize)]
                struct Status<'a> {
                    #[serde(flatten)]
                    cache: &'a git_zen::index::IndexStatus,
                    vectors: &'a meaning::VectorStatus,
                }
                output::json(
                    &mut out,
                    &Status {
                        cache: &status,
                        vectors: &vectors,
                    },
                )?;
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
            if !*json {
                writeln!(
                    out,
                    "vectors:        {} of {} records ({}){}",
                    vectors.embedded,
                    vectors.embedded + vectors.missing,
                    vectors.model,
                    if vectors.embedding {
                        ", embedding now"
                    } else {
                        ""
                    }
                )?;
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
            drop(index);
            if !keyword_only(&repo) {
                embed_missing(&repo, None, false)?;
            }
        }
        IndexAction::Rebuild => {
            let bar = output::progress_bar("indexing");
            let (index, report) = Index::rebuild(&repo, &store, &bar)?;
            bar.finish_and_clear();
            report_broken(&index)?;
            writeln!(anstream::stdout(), "indexed {} records", report.parsed)?;
            drop(index);
            if !keyword_only(&repo) {
                embed_missing(&repo, None, false)?;
            }
        }
        IndexAction::Embed { .. } => unreachable!("handled above"),
    }
    Ok(())
}
