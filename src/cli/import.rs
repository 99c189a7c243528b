//! `git zen import adr <dir>`

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use git_zen::import::{ImportReport, Imported, Source, SourceCounts};
use git_zen::usecase;

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

/// Import an adr-tools, MADR, log4brains or Docusaurus folder of decision records.
///
/// Reads every Markdown file in the folder and its sub-folders (a folder per record with its
/// index.md or README.md is one record). Keeps each ADR's title, status, date, authors, deciders,
/// tags and links (resolved to the new ids) and its number or file stem as an alias, so `git zen
/// show ADR-3` finds it. An unknown or missing status is stored as proposed, never accepted, with
/// the words written kept as `imported_status`. A file that cannot be imported is named with the
/// fix, and the rest are imported; the exit status is 1 when any file was skipped. Templates,
/// indexes and READMEs are left alone. The source files are only read; importing the same folder
/// again adds only the ADRs that are new.
#[derive(Debug, clap::Args)]
struct AdrArgs {
    /// The folder holding the ADR Markdown files (e.g. doc/adr or docs/decisions).
    dir: PathBuf,
    /// Show the whole mapping (file → kind, status, title, date, author, links) without writing.
    #[arg(long)]
    dry_run: bool,
    /// Print the imported records as one JSON array.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &ImportArgs) -> CmdResult {
    let ImportSource::Adr(args) = &args.source;
    let (repo, store) = open_store()?;
    let report = usecase::import::adr_folder(&repo, &store, &absolute(&args.dir), args.dry_run)?;
    // Rendered whole, then written once (see `read.rs`).
    let mut err = anstream::stderr();
    for warning in &report.warnings {
        output::warning(&mut err, &warning.to_string())?;
    }
    let mut skipped = String::new();
    for s in &report.skipped {
        let _ = writeln!(
            skipped,
            "skipped {}:{}: {}\n  fix: {}",
            s.file, s.line, s.reason, s.fix
        );
    }
    err.write_all(skipped.as_bytes())?;
    let mut out = anstream::stdout();
    if args.json {
        let json: Vec<_> = report
            .imported
            .iter()
            .map(|r| r.record.to_json(false))
            .collect();
        output::json(&mut out, &json)?;
    } else {
        out.write_all(render(&report, &args.dir.display().to_string(), args.dry_run).as_bytes())?;
    }
    match usecase::import::failed(&report) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn render(report: &ImportReport, dir: &str, dry_run: bool) -> String {
    let verb = if dry_run { "would import" } else { "imported" };
    let mut text = String::new();
    for imported in &report.imported {
        if dry_run {
            text += &mapping(imported);
        } else {
            let r = &imported.record;
            let _ = writeln!(
                text,
                "{verb} {} as {} ({}) {}",
                alias(imported),
                r.id,
                r.status,
                r.title
            );
        }
    }
    if !report.not_adrs.is_empty() {
        let list: Vec<String> = report
            .not_adrs
            .iter()
            .map(|(file, why)| format!("{file} ({why})"))
            .collect();
        let _ = writeln!(text, "not ADRs, left alone: {}", list.join(", "));
    }
    let _ = writeln!(
        text,
        "{verb} {} ADRs from {dir}; {} skipped; {} already there",
        report.imported.len(),
        report.skipped.len(),
        report.already_imported.len(),
    );
    if !report.imported.is_empty() {
        let _ = writeln!(
            text,
            "dates: {}; authors: {}",
            counts(report.dates, "the import time"),
            counts(report.authors, "you")
        );
    }
    text
}

/// One file's whole mapping, for a review before anything is written.
fn mapping(i: &Imported) -> String {
    let r = &i.record;
    let status = match &i.imported_status {
        Some(written) => format!("{} (written {written:?})", r.status),
        None => r.status.to_string(),
    };
    let date = r.created.as_deref().unwrap_or("").get(..10).unwrap_or("");
    let author = r.author.as_deref().unwrap_or("nobody");
    let mut line = format!(
        "{} -> {} {}, {status}, {:?}, {date} ({}), {author} ({})",
        i.source,
        alias(i),
        r.kind,
        r.title,
        source(i.date_from),
        source(i.author_from)
    );
    if !i.relations.is_empty() {
        line += &format!("; {}", i.relations.join(", "));
    }
    line + "\n"
}

fn alias(i: &Imported) -> String {
    i.record.adr.as_deref().map_or_else(String::new, |a| {
        if a.bytes().all(|b| b.is_ascii_digit()) {
            format!("ADR-{a}")
        } else {
            a.to_owned()
        }
    })
}

fn source(s: Source) -> &'static str {
    match s {
        Source::File => "file",
        Source::Git => "git",
        Source::Import => "import",
    }
}

fn counts(c: SourceCounts, import: &str) -> String {
    format!(
        "{} from the files, {} from git history, {} {import}",
        c.file, c.git, c.import
    )
}
