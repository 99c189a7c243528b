//! The command line: clap definitions, dispatch, and turning errors into messages and exit codes.

mod agents;
mod check;
mod ci;
mod demo;
mod docs;
mod genesis;
mod hooks;
mod hub;
mod import;

mod init;
mod mcp;
mod org;
mod output;
mod read;
mod recall;
mod record;
mod review;
mod serve;
mod services;
mod ui;
mod validate;

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use git_zen::error::UserError;
use git_zen::repo::Repo;
use git_zen::store::Store;

/// Team memory inside git: decisions, patterns and lessons as reviewed files.
///
/// git-zen keeps what a team learns — why a choice was made, which approach failed, which setup
/// worked — as Markdown records with TOML front matter in a git-tracked `.datazentr/` folder, so
/// memory is reviewed in pull requests and travels with push and pull.
#[derive(Debug, Parser)]
#[command(
    name = "git-zen",
    bin_name = "git zen",
    version,
    propagate_version = true
)]
#[command(after_help = "Run `git zen demo` for a guided tour in a temporary repository.")]
pub struct Cli {
    /// When to color output: auto uses color only on a terminal and never with NO_COLOR.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(init::InitArgs),
    Record(record::RecordArgs),
    List(read::ListArgs),
    Show(read::ShowArgs),
    Recall(recall::RecallArgs),
    Related(recall::RelatedArgs),
    Edit(record::EditArgs),
    Supersede(record::SupersedeArgs),
    Validate(validate::ValidateArgs),
    Import(import::ImportArgs),
    Index(recall::IndexArgs),
    Check(check::CheckArgs),
    Policy(check::PolicyArgs),
    Trust(check::TrustArgs),
    Hooks(hooks::HooksArgs),
    Genesis(genesis::GenesisArgs),
    Template(genesis::TemplateArgs),
    Skill(genesis::SkillArgs),
    Update(genesis::UpdateArgs),
    Hub(hub::HubArgs),
    Promote(hub::PromoteArgs),
    Sync(hub::SyncArgs),
    Outcome(hub::OutcomeArgs),
    Review(review::ReviewArgs),
    Services(services::ServicesArgs),
    Distill(services::DistillArgs),
    Mcp(mcp::McpArgs),
    Agents(agents::AgentsArgs),
    Ci(ci::CiArgs),
    Org(org::OrgArgs),
    Serve(serve::ServeArgs),
    Site(serve::SiteArgs),
    #[command(hide = true)]
    Hook(hooks::HookArgs),

    Demo(demo::DemoArgs),
    Completions(docs::CompletionsArgs),
    Man(docs::ManArgs),
}

/// The result of a command.
pub type CmdResult = Result<(), UserError>;

/// Parses the command line, runs the command and returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.color {
        ColorWhen::Auto => {}
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = output::failure(&mut anstream::stderr(), &e);
            ExitCode::from(code)
        }
    }
}

fn run(command: Command) -> CmdResult {
    match command {
        Command::Init(args) => init::run(&args),
        Command::Record(args) => record::run_record(&args),
        Command::List(args) => read::run_list(&args),
        Command::Show(args) => read::run_show(&args),
        Command::Recall(args) => recall::run_recall(&args),
        Command::Related(args) => recall::run_related(&args),
        Command::Edit(args) => record::run_edit(&args),
        Command::Supersede(args) => record::run_supersede(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Index(args) => recall::run_index(&args),
        Command::Check(args) => check::run_check(&args),
        Command::Policy(args) => check::run_policy(&args),
        Command::Trust(args) => check::run_trust(&args),
        Command::Hooks(args) => hooks::run_hooks(&args),
        Command::Genesis(args) => genesis::run_genesis(&args),
        Command::Template(args) => genesis::run_template(&args),
        Command::Skill(args) => genesis::run_skill(&args),
        Command::Update(args) => genesis::run_update(&args),
        Command::Hub(args) => hub::run_hub(&args),
        Command::Promote(args) => hub::run_promote(&args),
        Command::Sync(args) => hub::run_sync(&args),
        Command::Outcome(args) => hub::run_outcome(&args),
        Command::Review(args) => review::run(&args),
        Command::Services(args) => services::run_services(&args),
        Command::Distill(args) => services::run_distill(&args),
        Command::Mcp(args) => mcp::run(&args),
        Command::Agents(args) => agents::run(&args),
        Command::Ci(args) => ci::run(&args),
        Command::Org(args) => org::run(&args),
        Command::Serve(args) => serve::run_serve(&args),
        Command::Site(args) => serve::run_site(&args),
        Command::Hook(args) => hooks::run_hook(&args),

        Command::Demo(args) => demo::run(&args),
        Command::Completions(args) => docs::run_completions(&args),
        Command::Man(args) => docs::run_man(&args),
    }
}

/// The repository around the current directory.
fn open_repo() -> Result<Repo, UserError> {
    let cwd = std::env::current_dir()
        .map_err(|e| UserError::failed(format!("cannot read the current directory: {e}")))?;
    Ok(Repo::discover(&cwd)?)
}

/// The repository and its store.
fn open_store() -> Result<(Repo, Store), UserError> {
    let repo = open_repo()?;
    let store = Store::open(&repo)?;
    Ok((repo, store))
}

/// Whether a person is at the keyboard (so an editor may be opened).
fn interactive() -> bool {
    io::stdin().is_terminal() && io::stderr().is_terminal()
}

/// A path given on the command line (relative to where the user stands) as records' globs see
/// it: relative to the work tree, with `/`.
fn glob_path(repo: &Repo, path: &std::path::Path) -> String {
    repo.glob_path(&absolute(path))
}

/// A path given on the command line, made absolute against the current directory.
fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_tree_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
