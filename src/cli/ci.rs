//! `git zen ci github|gitlab`

use std::io::Write;

use git_zen::fsutil::FileAction;
use git_zen::usecase::ci::{self, CiRequest, Provider};

use super::{CmdResult, open_repo, output};

/// Write a CI workflow that checks each pull request with the project's policies (SARIF to code
/// scanning) and posts `git zen review` as one comment it updates.
///
/// github: .github/workflows/git-zen.yml. gitlab: .gitlab/git-zen.yml, a job for .gitlab-ci.yml to
/// include. The workflow installs git-zen with `cargo install --locked --git <source>`. An existing
/// file that differs is kept unless --force.
#[derive(Debug, clap::Args)]
pub struct CiArgs {
    /// The CI service.
    #[arg(value_enum)]
    provider: ProviderArg,
    /// The git URL CI installs git-zen from (without it, a placeholder to edit in the file).
    #[arg(long, value_name = "URL")]
    source: Option<String>,
    /// Replace an existing workflow file that differs.
    #[arg(long)]
    force: bool,
    /// Print what was done as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ProviderArg {
    Github,
    Gitlab,
}

pub fn run(args: &CiArgs) -> CmdResult {
    let repo = open_repo()?;
    let request = CiRequest {
        provider: match args.provider {
            ProviderArg::Github => Provider::Github,
            ProviderArg::Gitlab => Provider::Gitlab,
        },
        source: args.source.clone(),
        force: args.force,
    };
    let written = ci::write(&repo, &request)?;
    let mut buf = Vec::new();
    if args.json {
        output::json(&mut buf, &written)?;
    } else {
        let what = match written.action {
            FileAction::Created => "created",
            FileAction::Updated => "replaced",
            FileAction::Unchanged => "unchanged",
        };
        writeln!(buf, "{what:<9}  {}", written.file)?;
        if written.placeholder {
            writeln!(
                buf,
                "next: set GIT_ZEN_SOURCE in {} to the git URL CI installs git-zen from (or run this again with --source URL --force)",
                written.file
            )?;
        }
        if let Some(next) = &written.next {
            writeln!(buf, "next: {next}")?;
        }
    }
    anstream::stdout().write_all(&buf)?;
    Ok(())
}
