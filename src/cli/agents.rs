//! `git zen agents install|prime`

use std::io::Write;

use git_zen::fsutil::FileAction;
use git_zen::usecase::agents::{self, Clients, PrimeRequest, PrimeScope};

use super::{CmdResult, open_repo, output};

/// Set up coding agents to use the team's memory, and prime their sessions with it.
#[derive(Debug, clap::Args)]
pub struct AgentsArgs {
    #[command(subcommand)]
    command: AgentsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AgentsCommand {
    Install(InstallArgs),
    Prime(PrimeArgs),
}

/// Tell coding agents to recall before deciding, record after deciding and check before
/// committing: a marked section in AGENTS.md (and CLAUDE.md), plus the MCP server in each client's
/// configuration.
///
/// Only the section between the `<!-- git-zen:begin` and `<!-- git-zen:end -->` lines and the
/// `git-zen` MCP server entry are git-zen's; the rest of each file is kept byte for byte, and
/// running this twice changes nothing.
#[derive(Debug, clap::Args)]
struct InstallArgs {
    /// Claude Code too: the section in CLAUDE.md and the server in .mcp.json.
    #[arg(long)]
    claude: bool,
    /// Cursor too: the server in .cursor/mcp.json.
    #[arg(long)]
    cursor: bool,
    /// Print what was done as one JSON array.
    #[arg(long)]
    json: bool,
}

/// Print the decisions and failure lessons that govern the files at hand, compact, for a coding
/// agent's session-start hook.
///
/// Without --staged or --path: the staged files if there are any, else the decisions recorded
/// most recently. Most specific first; what does not fit in --max-chars is counted.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("which").args(["staged", "paths"]))]
struct PrimeArgs {
    /// The staged files.
    #[arg(long)]
    staged: bool,
    /// This file (repeat for several), relative to the current directory.
    #[arg(long = "path", value_name = "P")]
    paths: Vec<std::path::PathBuf>,
    /// The most characters to print.
    #[arg(long, value_name = "N", default_value_t = 4000)]
    max_chars: usize,
    /// Print one JSON object: the records shown and how many were left out.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &AgentsArgs) -> CmdResult {
    match &args.command {
        AgentsCommand::Install(args) => install(args),
        AgentsCommand::Prime(args) => prime(args),
    }
}

fn install(args: &InstallArgs) -> CmdResult {
    let repo = open_repo()?;
    let clients = Clients {
        claude: args.claude,
        cursor: args.cursor,
    };
    let installed = agents::install(&repo, clients)?;
    let mut buf = Vec::new();
    if args.json {
        output::json(&mut buf, &installed)?;
    } else {
        for i in &installed {
            let what = match i.action {
                FileAction::Created => "created",
                FileAction::Updated => "updated",
                FileAction::Unchanged => "unchanged",
            };
            let part = match i.part {
                "mcp" => "MCP server git-zen",
                _ => "agent instructions",
            };
            let same = i
                .same_as
                .as_ref()
                .map(|s| format!(" (a link to {s})"))
                .unwrap_or_default();
            writeln!(buf, "{what:<9}  {}{same}: {part}", i.file)?;
        }
    }
    anstream::stdout().write_all(&buf)?;
    Ok(())
}

fn prime(args: &PrimeArgs) -> CmdResult {
    let repo = open_repo()?;
    let scope = if args.staged {
        PrimeScope::Staged
    } else if !args.paths.is_empty() {
        PrimeScope::Paths(
            args.paths
                .iter()
                .map(|p| super::glob_path(&repo, p))
                .collect(),
        )
    } else {
        PrimeScope::Auto
    };
    let request = PrimeRequest {
        scope,
        max_chars: args.max_chars,
    };
    let primed = agents::prime(&repo, &request)?;
    super::recall::report_skipped(&primed.skipped)?;
    let mut buf = Vec::new();
    if args.json {
        output::json(&mut buf, &primed)?;
    } else {
        buf.extend_from_slice(primed.text.as_bytes());
    }
    anstream::stdout().write_all(&buf)?;
    Ok(())
}
