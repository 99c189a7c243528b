//! `git zen import adr <dir>`

use std::io::Write;
use std::path::PathBuf;

use git_zen::import::import_adr_folder;

use super::{CmdResult, absolute, open_store, output};

/// Import records kept by other tools.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    source: ImportSource,
}

#[derive(Debug, clap::Subcommand)]
enum ImportSource {
    Adr(AdrArgs),
}

/// Import an adr-tools, MADR or log4brains folder as decisions.
///
/// Keeps each ADR's status, date, tags and supersede links (resolved to the new ids) and its number
/// or file stem as an alias, so `git zen show ADR-3` finds it. The source files are only read.
/// Importing the same folder again adds only the ADRs that are new.
#[derive(Debug, clap::Args)]
struct AdrArgs {
    /// The folder holding the ADR Markdown files (e.g. doc/adr or docs/decisions).
    dir: PathBuf,
    /// Show what would be imported without writing anything.
    #[arg(long)]
    dry_run: bool,
    /// Print the imported records as one JSON array.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &ImportArgs) -> CmdResult {
    let ImportSource::Adr(args) = &args.source;
    let (repo, store) = open_store()?;
    let report = import_adr_folder(&store, &absolute(&args.dir), repo.author(), args.dry_run)?;
    let mut err = anstream::stderr();
    for warning in &report.warnings {
        output::warning(&mut err, &warning.to_string())?;
    }
    let mut out = anstream::stdout();
    if args.json {
        let json: Vec<_> = report.imported.iter().map(|r| r.to_json(false)).collect();
        output::json(&mut out, &json)?;
        return Ok(());
    }
    let verb = if args.dry_run {
        "would import"
    } else {
        "imported"
    };
    for record in &report.imported {
        let alias = record.adr.as_deref().map_or_else(String::new, |a| {
            if a.bytes().all(|b| b.is_ascii_digit()) {
                format!("ADR-{a}")
            } else {
                a.to_owned()
            }
        });
        writeln!(
            out,
            "{verb} {alias} as {} ({}) {}",
            record.id, record.status, record.title
        )?;
    }
    let mut summary = format!(
        "{verb} {} ADRs from {}",
        report.imported.len(),
        args.dir.display()
    );
    if !report.already_imported.is_empty() {
        summary += &format!("; {} were imported before", report.already_imported.len());
    }
    if !report.not_adrs.is_empty() {
        summary += &format!("; skipped {} (not ADRs)", report.not_adrs.join(", "));
    }
    writeln!(out, "{summary}")?;
    Ok(())
}
