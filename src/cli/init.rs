//! `git zen init`

use std::io::Write;

use git_zen::store::Store;

use super::{CmdResult, open_repo};

/// Create .datazentr/ (config.toml, decisions/, patterns/, lessons/, policies/) in this repository.
///
/// Safe to run again: existing files are kept, missing ones are created.
#[derive(Debug, clap::Args)]
pub struct InitArgs {}

pub fn run(_args: &InitArgs) -> CmdResult {
    let repo = open_repo()?;
    let (store, report) = Store::init(&repo)?;
    let mut out = anstream::stdout();
    if report.created.is_empty() {
        writeln!(out, "{} is already set up", store.root().display())?;
    } else {
        for path in &report.created {
            writeln!(out, "created {}", path.display())?;
        }
        writeln!(
            out,
            "Initialized git-zen memory in {}",
            store.root().display()
        )?;
    }
    Ok(())
}
