//! `git zen hub …`, `promote`, `sync` and `outcome`: the team's shared memory.

use std::io::Write;

use git_zen::hub::registry::{self, Stage};
use git_zen::hub::{self, Hub, SyncReport};
use git_zen::record::Outcome;
use git_zen::usecase;

use super::ui::{Terminal, deliver};
use super::{CmdResult, UserError, open_repo, output};

/// Work with memory hubs: shared repositories of the team's records, templates and projects.
#[derive(Debug, clap::Args)]
pub struct HubArgs {
    #[command(subcommand)]
    command: HubCommand,
}

#[derive(Debug, clap::Subcommand)]
enum HubCommand {
    /// Lay out a repository as a hub (a local path that does not exist becomes a bare repository).
    Init {
        /// Where: any URL git can push to, or a path.
        url: String,
    },
    /// Add a hub under a name; clones it now, so a wrong URL is caught here.
    Add {
        /// The name (`--hub NAME`).
        name: String,
        /// Its URL or path.
        url: String,
        /// Use it when no hub is named.
        #[arg(long)]
        default: bool,
    },
    /// The configured hubs, with their queued writes.
    List {
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Forget a hub and delete its local clone (refused while writes wait for it).
    Remove {
        /// The name.
        name: String,
        /// Delete even queued writes.
        #[arg(long)]
        force: bool,
    },
    /// Projects born by genesis from the hub: template, skills, stage, inherited records.
    Projects {
        /// The hub (name, URL or path); default: the project's, else the default hub.
        #[arg(long, value_name = "HUB")]
        hub: Option<String>,
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
    /// A hub's cache, read from its local clone (no network): records, broken files, outcome
    /// events, queued writes.
    Status {
        /// The hub (name, URL or path); default: the project's, else the default hub.
        #[arg(long, value_name = "HUB")]
        hub: Option<String>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Move this project along planning → active → graduated in its hub's registry.
    Stage {
        /// The new stage.
        #[arg(value_enum)]
        stage: StageArg,
        /// The hub; default: the project's.
        #[arg(long, value_name = "HUB")]
        hub: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum StageArg {
    Planning,
    Active,
    Graduated,
}

impl From<StageArg> for Stage {
    fn from(s: StageArg) -> Stage {
        match s {
            StageArg::Planning => Stage::Planning,
            StageArg::Active => Stage::Active,
            StageArg::Graduated => Stage::Graduated,
        }
    }
}

#[derive(serde::Serialize)]
struct StatusJson<'a> {
    hub: &'a str,
    url: &'a str,
    #[serde(flatten)]
    index: &'a usecase::hub::HubIndex,
}

/// The project around the current directory, if any (for its `hub = …`).
fn project_dir() -> Option<std::path::PathBuf> {
    open_repo().ok().map(|r| r.workdir().to_path_buf())
}

fn resolve(spec: Option<&str>) -> Result<Hub, UserError> {
    Ok(Hub::resolve(spec, project_dir().as_deref())?)
}

pub fn run_hub(args: &HubArgs) -> CmdResult {
    let mut out = anstream::stdout();
    match &args.command {
        HubCommand::Init { url } => {
            let report = hub::layout::init(url)?;
            if report.created_repository {
                writeln!(out, "created a bare repository at {}", report.url)?;
            }
            if report.added.is_empty() {
                writeln!(out, "{} already is a memory hub", report.url)?;
            } else {
                writeln!(out, "laid out {} as a memory hub:", report.url)?;
                for file in &report.added {
                    writeln!(out, "  {file}")?;
                }
            }
            writeln!(out, "next: git zen hub add <name> {} --default", report.url)?;
        }
        HubCommand::Add { name, url, default } => {
            // Cloned now: an unreachable or non-hub URL is refused before anything is saved.
            let spinner = output::spinner(&format!("cloning {url}"));
            let added = usecase::hub::add(name, url, *default);
            spinner.finish_and_clear();
            let added = added?;
            let marker = if added.default { " (default)" } else { "" };
            writeln!(
                out,
                "added hub {name}{marker}: {}, {} records",
                added.hub.url, added.records
            )?;
        }
        HubCommand::List { json } => {
            let list = usecase::hub::list()?;
            if *json {
                output::json(&mut out, &list)?;
            } else if list.is_empty() {
                writeln!(
                    anstream::stderr(),
                    "no hubs configured\n  hint: git zen hub add team <url-or-path> --default"
                )?;
            } else {
                for h in &list {
                    let default = if h.default { " (default)" } else { "" };
                    let pending = if h.pending > 0 {
                        format!(", {} write(s) pending", h.pending)
                    } else {
                        String::new()
                    };
                    writeln!(out, "{:<12} {}{default}{pending}", h.name, h.url)?;
                }
            }
        }
        HubCommand::Remove { name, force } => {
            let hub = usecase::hub::remove(name, *force)?;
            writeln!(out, "removed hub {name} ({})", hub.url)?;
        }
        HubCommand::Projects { hub, json } => {
            let hub = resolve(hub.as_deref())?;
            let (sync, listing) = usecase::hub::projects(&hub)?;
            report_sync(&hub, &sync)?;
            let registry::Listing { projects, problems } = listing;
            for (file, problem) in &problems {
                output::warning(
                    &mut anstream::stderr(),
                    &format!("skipped {file}: {problem}"),
                )?;
            }
            if *json {
                output::json(&mut out, &projects)?;
            } else {
                for p in &projects {
                    writeln!(
                        out,
                        "{:<20} {:<10} {} {}  skills: {}  inherited: {}",
                        p.entry.name,
                        p.current_stage.as_str(),
                        p.entry.template,
                        p.entry.version,
                        if p.entry.skills.is_empty() {
                            "-".to_owned()
                        } else {
                            p.entry.skills.join(", ")
                        },
                        p.entry.inherited.len()
                    )?;
                }
                if projects.is_empty() {
                    writeln!(
                        anstream::stderr(),
                        "no projects registered in hub {}",
                        hub.name
                    )?;
                }
            }
        }
        HubCommand::Status { hub, json } => {
            let hub = resolve(hub.as_deref())?;
            if !hub.has_clone() {
                report_sync(&hub, &usecase::hub::sync(&hub)?)?;
            }
            let index = usecase::hub::index(&hub, &indicatif::ProgressBar::hidden())?;
            let status = StatusJson {
                hub: &hub.name,
                url: &hub.url,
                index: &index,
            };
            if *json {
                output::json(&mut out, &status)?;
            } else {
                writeln!(out, "hub:          {} ({})", hub.name, hub.url)?;
                writeln!(out, "records:      {}", index.cache.records)?;
                writeln!(out, "broken files: {}", index.cache.errors)?;
                writeln!(out, "outcomes:     {}", index.outcomes)?;
                writeln!(out, "pending:      {}", index.pending)?;
                writeln!(out, "cache:        {}", index.cache.path.display())?;
            }
        }
        HubCommand::Stage { stage, hub } => {
            let repo = open_repo()?;
            let stage = Stage::from(*stage);
            let (hub, report) = usecase::hub::stage(&repo, hub.as_deref(), stage)?;
            writeln!(out, "stage {} in hub {}", stage.as_str(), hub.name)?;
            report_sync(&hub, &report)?;
        }
    }
    Ok(())
}
/// Tells the user what did not reach the hub yet, and why.
pub fn report_sync(hub: &Hub, report: &SyncReport) -> CmdResult {
    if let Some(why) = &report.offline {
        output::warning(
            &mut anstream::stderr(),
            &format!(
                "hub {} not reached ({why}); {} write(s) pending\n  hint: `git zen sync` pushes them later",
                hub.name, report.pending
            ),
        )?;
    }
    Ok(())
}

/// Copy a record to a hub with its provenance (this project and commit), and push it. Promoting
/// it again updates the hub's copy. Offline, it waits in a queue for `git zen sync`.
#[derive(Debug, clap::Args)]
pub struct PromoteArgs {
    /// The record: id, unique prefix or ADR alias.
    id: String,
    /// The hub (name, URL or path); default: the project's, else the default hub.
    #[arg(long, value_name = "HUB")]
    hub: Option<String>,
}

pub fn run_promote(args: &PromoteArgs) -> CmdResult {
    let repo = open_repo()?;
    let promoted = usecase::hub::promote(&repo, &mut Terminal, &args.id, args.hub.as_deref())?;
    let state = if promoted.sync.offline.is_some() {
        "queued for"
    } else {
        "promoted to"
    };
    let record = &promoted.record;
    writeln!(
        anstream::stdout(),
        "{state} hub {}: {} {} {}",
        promoted.hub.name,
        record.kind,
        record.id,
        record.title
    )?;
    deliver(repo.workdir(), &promoted.emitted);
    report_sync(&promoted.hub, &promoted.sync)
}

/// Fetch a hub, refresh its cache, and push the writes waiting for it.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// The hub (name, URL or path); default: the project's, else the default hub.
    #[arg(long, value_name = "HUB")]
    hub: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(serde::Serialize)]
struct SyncJson<'a> {
    hub: &'a str,
    #[serde(flatten)]
    report: &'a SyncReport,
    records: u64,
    broken: usize,
    outcomes: u64,
    parsed: usize,
}

pub fn run_sync(args: &SyncArgs) -> CmdResult {
    let hub = resolve(args.hub.as_deref())?;
    let spinner = output::spinner(&format!("syncing hub {}", hub.name));
    let report = usecase::hub::sync(&hub);
    spinner.finish_and_clear();
    let report = report?;
    let bar = output::progress_bar("indexing the hub");
    let index = usecase::hub::index(&hub, &bar);
    bar.finish_and_clear();
    let index = index?;
    let records = index.cache.records;
    let mut out = anstream::stdout();
    if args.json {
        output::json(
            &mut out,
            &SyncJson {
                hub: &hub.name,
                report: &report,
                records,
                broken: index.broken.len(),
                outcomes: index.outcomes,
                parsed: index.parsed,
            },
        )?;
    } else {
        for e in &index.broken {
            output::warning(&mut anstream::stderr(), &format!("hub record skipped: {e}"))?;
        }
        writeln!(
            out,
            "hub {}: {records} records ({} re-read), {} pushed, {} pending",
            hub.name, index.parsed, report.pushed, report.pending
        )?;
    }
    report_sync(&hub, &report)
}

/// Record this project's verdict on a hub record (a pattern it used, a lesson it heeded): the
/// hub aggregates every project's verdicts into the record's evidence.
#[derive(Debug, clap::Args)]
pub struct OutcomeArgs {
    /// The hub record: id or unique prefix.
    id: String,
    /// How it turned out here.
    #[arg(value_enum)]
    verdict: VerdictArg,
    /// What happened.
    #[arg(short, long)]
    message: String,
    /// The hub (name, URL or path); default: the project's, else the default hub.
    #[arg(long, value_name = "HUB")]
    hub: Option<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum VerdictArg {
    Success,
    Failure,
    Mixed,
}

pub fn run_outcome(args: &OutcomeArgs) -> CmdResult {
    let repo = open_repo()?;
    let verdict = match args.verdict {
        VerdictArg::Success => Outcome::Success,
        VerdictArg::Failure => Outcome::Failure,
        VerdictArg::Mixed => Outcome::Mixed,
    };
    let done = usecase::hub::outcome(&repo, &args.id, verdict, &args.message, args.hub.as_deref())?;
    writeln!(
        anstream::stdout(),
        "{verdict} recorded for {} {} in hub {}",
        done.record.id,
        done.record.title,
        done.hub.name
    )?;
    report_sync(&done.hub, &done.sync)
}
