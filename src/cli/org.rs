//! `git zen org …`: every team's hub in one PostgreSQL, indexed and recalled org-wide.

use std::io::Write;
use std::time::Duration;

use git_zen::org::index::{HubReport, IndexOptions, Outcome};
use git_zen::org::recall::OrgQuery;
use git_zen::org::{self, Db, OrgError};
use git_zen::record::Kind;
use git_zen::semantic::Mode;

use super::{CmdResult, UserError, output};

/// Search every team's memory at once: all hubs indexed in one PostgreSQL (with pgvector)
///
/// Hubs stay git remotes and the source of truth; the database holds an index rebuilt from
/// them, which any number of people and `git zen serve --database` processes share. The
/// database is given by --database or GIT_ZEN_DATABASE_URL, as
/// postgres://user[:password]@host[:port]/database[?sslmode=MODE&sslrootcert=PATH], TLS as
/// psql does it (prefer, require, verify-ca, verify-full, disable); the URL and its credentials
/// are never printed.
#[derive(Debug, clap::Args)]
pub struct OrgArgs {
    /// The database URL (default: $GIT_ZEN_DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,
    #[command(subcommand)]
    command: OrgCommand,
}

#[derive(Debug, clap::Subcommand)]
enum OrgCommand {
    /// Create or migrate the schema (versioned) and enable pgvector.
    Init,
    /// The hubs in the org index.
    Hub {
        #[command(subcommand)]
        command: OrgHubCommand,
    },
    /// Fetch every hub and index what changed since the last run (tree diff); embed new records.
    ///
    /// One transaction per hub: a killed run leaves the previous state and the next resumes. A
    /// hub that cannot be fetched is reported and skipped (exit 1 after the others are done).
    Index {
        /// Run again every SECONDS, until stopped.
        #[arg(long, value_name = "SECONDS")]
        watch: Option<u64>,
        /// Do not compute vectors (recall ranks those records by keyword until a later run).
        #[arg(long)]
        no_embed: bool,
        /// Only this hub (repeatable).
        #[arg(long, value_name = "NAME")]
        hub: Vec<String>,
        /// Hubs indexed at once (default: the cores, at most 4).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// Print one JSON array of hub reports (per run, with --watch).
        #[arg(long)]
        json: bool,
    },
    /// Find the records of every hub that answer a question, best first, each naming its hub.
    Recall {
        /// What to look for, in any words.
        text: String,
        /// At most this many hits.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// hybrid (default), semantic or keyword.
        #[arg(long, default_value = "hybrid")]
        mode: Mode,
        /// Only records of this kind.
        #[arg(long)]
        kind: Option<Kind>,
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Subcommand)]
enum OrgHubCommand {
    /// Add a team's hub under a name (indexed by the next `org index`).
    Add {
        /// The name every hit of it carries.
        name: String,
        /// Its git URL or path.
        url: String,
    },
    /// The hubs, with what was indexed last.
    List {
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Remove a hub and everything indexed from it.
    Remove {
        /// Its name.
        name: String,
    },
}

pub fn run(args: &OrgArgs) -> CmdResult {
    let db = Db::open(args.database.as_deref())?;
    let mut out = Vec::new();
    match &args.command {
        OrgCommand::Init => {
            let report = org::init(&db)?;
            if report.from == report.to {
                writeln!(
                    out,
                    "schema of {} is current (version {})",
                    db.target(),
                    report.to
                )?;
            } else {
                writeln!(
                    out,
                    "schema of {} migrated from version {} to {}",
                    db.target(),
                    report.from,
                    report.to
                )?;
            }
        }
        OrgCommand::Hub { command } => match command {
            OrgHubCommand::Add { name, url } => {
                let hub = org::hub_add(&db, name, url)?;
                writeln!(
                    out,
                    "added hub {} ({}); `git zen org index` indexes it",
                    hub.name, hub.url
                )?;
            }
            OrgHubCommand::List { json } => {
                let hubs = org::hub_list(&db)?;
                if *json {
                    output::json(&mut out, &hubs)?;
                } else if hubs.is_empty() {
                    writeln!(out, "no hubs yet: `git zen org hub add NAME URL`")?;
                } else {
                    for hub in &hubs {
                        let state = match (&hub.problem, &hub.indexed_at) {
                            (Some(problem), _) => format!("failed: {problem}"),
                            (None, Some(at)) => format!("{} records, indexed {at}", hub.records),
                            (None, None) => "not indexed yet".into(),
                        };
                        writeln!(out, "{}\t{}\t{state}", hub.name, hub.url)?;
                    }
                }
            }
            OrgHubCommand::Remove { name } => {
                org::hub_remove(&db, name)?;
                writeln!(out, "removed hub {name} from the org index")?;
            }
        },
        OrgCommand::Index {
            watch,
            no_embed,
            hub,
            jobs,
            json,
        } => {
            let mut options = IndexOptions::new(!*no_embed)?;
            options.only = hub.clone();
            if let Some(jobs) = jobs {
                options.jobs = *jobs;
            }
            return index(&db, &options, *watch, *json);
        }
        OrgCommand::Recall {
            text,
            limit,
            mode,
            kind,
            json,
        } => {
            let query = OrgQuery {
                text,
                limit: *limit,
                mode: *mode,
                kind: *kind,
            };
            let hits = org::recall::recall_question(&db, &query)?;
            if *json {
                output::json(&mut out, &hits)?;
            } else if hits.is_empty() {
                writeln!(out, "nothing found in any hub")?;
            } else {
                let plain: Vec<_> = hits.into_iter().map(|h| h.hit).collect();
                output::hits(&mut out, &plain, |_| None)?;
            }
        }
    }
    // Rendered whole, then written once: a closed pipe ends the command quietly.
    anstream::stdout().write_all(&out)?;
    Ok(())
}

fn index(db: &Db, options: &IndexOptions, watch: Option<u64>, json: bool) -> CmdResult {
    loop {
        let mut printed = Vec::new();
        let result = org::index::index(db, options, &mut |report| {
            if !json {
                let _ = print_report(report);
            }
            printed.push(report.clone());
        });
        if json {
            let mut out = Vec::new();
            output::json(&mut out, &printed)?;
            anstream::stdout().write_all(&out)?;
        }
        match (result, watch) {
            (Ok(_), None) => return Ok(()),
            (Err(e), None) => return Err(e.into()),
            (Err(OrgError::Partial { .. }) | Ok(_), Some(_)) => {}
            // A database that is down for a moment should not end a watching indexer.
            (Err(e), Some(_)) => {
                let e: UserError = e.into();
                output::warning(&mut anstream::stderr(), &e.message)?;
            }
        }
        std::thread::sleep(Duration::from_secs(watch.unwrap_or(60).max(1)));
    }
}

fn print_report(report: &HubReport) -> std::io::Result<()> {
    let mut out = Vec::new();
    let mut err = Vec::new();
    match &report.outcome {
        Outcome::Indexed {
            written,
            removed,
            files,
            full,
            malformed,
        } => {
            let how = if *full { "full" } else { "changes" };
            write!(
                out,
                "{}: indexed ({how}): {written} records written, {removed} removed, {files} other files",
                report.hub
            )?;
            if report.embedded > 0 {
                write!(out, ", {} embedded", report.embedded)?;
            }
            writeln!(out, " in {:.1}s", report.seconds)?;
            for problem in malformed {
                output::warning(
                    &mut err,
                    &format!("{}: malformed record {problem}", report.hub),
                )?;
            }
        }
        Outcome::Unchanged => {
            write!(out, "{}: unchanged", report.hub)?;
            if report.embedded > 0 {
                write!(out, ", {} embedded", report.embedded)?;
            }
            writeln!(out)?;
        }
        Outcome::Empty => writeln!(out, "{}: empty (no commits yet)", report.hub)?,
        Outcome::Busy => writeln!(
            out,
            "{}: skipped, another indexer is writing it",
            report.hub
        )?,
        Outcome::Failed { message } => {
            output::error(&mut err, &format!("{}: skipped: {message}", report.hub))?;
        }
    }
    std::io::stdout().write_all(&out)?;
    std::io::stdout().flush()?;
    anstream::stderr().write_all(&err)
}
