//! `git zen validate`

use std::io::Write;

use git_zen::validate::{self, Severity};

use super::{CmdResult, UserError, open_store, output};

/// Lint every record: front matter, ids, file names, folders, and the links between records.
///
/// Prints `file:line: error: message` for each problem and exits 1 if any is an error.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Print the problems as one JSON array.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &ValidateArgs) -> CmdResult {
    let (repo, store) = open_store()?;
    let report = validate::validate_repo(&repo, &store)?;
    let mut out = anstream::stdout();
    if args.json {
        output::json(&mut out, &report.problems)?;
    } else {
        for p in &report.problems {
            let label = match p.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            writeln!(
                out,
                "{}:{}: {label}: {}",
                p.file.display(),
                p.line,
                p.message
            )?;
        }
        let errors = report
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        let warnings = report.problems.len() - errors;
        writeln!(
            anstream::stderr(),
            "checked {} records: {errors} errors, {warnings} warnings",
            report.records
        )?;
    }
    if report.has_errors() {
        Err(UserError::reported())
    } else {
        Ok(())
    }
}
