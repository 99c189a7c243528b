//! Styles and printers shared by the commands. Color goes through anstream, which drops it when the
//! output is not a terminal or `NO_COLOR` is set.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use git_zen::error::{ErrorKind, UserError};
use git_zen::record::{Kind, Outcome, Record, Status};
use git_zen::store::unique_prefix_lengths;

const ID: Style = AnsiColor::Yellow.on_default();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();
const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();

/// `error: message` on stderr.
pub fn error(out: &mut impl Write, message: &str) -> io::Result<()> {
    writeln!(out, "{ERROR}error:{ERROR:#} {message}")
}

/// Shows a failed command's error the way its kind asks for, and returns the exit code: nothing
/// for a broken pipe (exit 0) or a failure already shown (exit 1), `error: …` with its notes
/// and hints otherwise (exit 1), plus a pointer to `--help` for a usage error (exit 2).
pub fn failure(out: &mut impl Write, e: &UserError) -> u8 {
    let _ = match e.kind {
        ErrorKind::BrokenPipe => return 0,
        ErrorKind::Reported => return 1,
        ErrorKind::Failed => error(out, &e.to_string()),
        ErrorKind::Usage => error(out, &e.to_string())
            .and_then(|()| writeln!(out, "\nFor more information, try '--help'.")),
    };
    if e.kind == ErrorKind::Usage { 2 } else { 1 }
}

/// `warning: message` on stderr.
pub fn warning(out: &mut impl Write, message: &str) -> io::Result<()> {
    writeln!(out, "{WARN}warning:{WARN:#} {message}")
}

/// Something worth knowing about an answer that is not wrong (`note: …` on stderr).
pub fn note(out: &mut impl Write, message: &str) -> io::Result<()> {
    writeln!(out, "{DIM}note:{DIM:#} {message}")
}

/// Said above hits none of which is a strong match, so they are not taken for answers.
pub fn no_strong_match(out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "{DIM}Nothing in memory answers this closely; the nearest records:{DIM:#}"
    )
}

fn kind_style(kind: Kind) -> Style {
    match kind {
        Kind::Decision => AnsiColor::Blue.on_default(),
        Kind::Pattern => AnsiColor::Green.on_default(),
        Kind::Lesson => AnsiColor::Magenta.on_default(),
    }
}

fn status_style(status: Status) -> Style {
    match status {
        Status::Accepted => AnsiColor::Green.on_default(),
        Status::Proposed => AnsiColor::Cyan.on_default(),
        Status::Superseded | Status::Deprecated | Status::Rejected => DIM,
    }
}

fn outcome_style(outcome: Outcome) -> Style {
    match outcome {
        Outcome::Success => AnsiColor::Green.on_default(),
        Outcome::Failure => AnsiColor::Red.on_default(),
        Outcome::Mixed => AnsiColor::Yellow.on_default(),
        Outcome::Unknown => DIM,
    }
}

/// What a listing shows of where a record stands: how a current pattern or lesson turned out,
/// otherwise its status.
fn state(status: Status, outcome: Option<Outcome>) -> (Style, &'static str) {
    match outcome {
        Some(o) if status.is_current() => (outcome_style(o), o.as_str()),
        _ => (status_style(status), status.as_str()),
    }
}

/// One line per record: short unique id, kind, status (or outcome), title, tags.
pub fn record_lines(out: &mut impl Write, records: &[&Record]) -> io::Result<()> {
    let ids: Vec<_> = records.iter().map(|r| &r.id).collect();
    let lengths = unique_prefix_lengths(&ids, 8);
    for (record, len) in records.iter().zip(lengths) {
        let (s, label) = state(record.status, record.outcome);
        let state = format!("{s}{label:<10}{s:#}");
        let k = kind_style(record.kind);
        write!(
            out,
            "{ID}{:<10}{ID:#} {k}{:<8}{k:#} {state} {}",
            &record.id.as_str()[..len],
            record.kind.as_str(),
            record.title
        )?;
        if !record.tags.is_empty() {
            write!(out, " {DIM}[{}]{DIM:#}", record.tags.join(", "))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// A record in full: a header of its fields, then the Markdown body.
pub fn record_detail(out: &mut impl Write, record: &Record) -> io::Result<()> {
    let k = kind_style(record.kind);
    let s = status_style(record.status);
    writeln!(
        out,
        "{k}{}{k:#} {ID}{}{ID:#} {s}({}){s:#}",
        record.kind, record.id, record.status
    )?;
    writeln!(out, "{BOLD}{}{BOLD:#}", record.title)?;
    let mut field = |name: &str, value: String| -> io::Result<()> {
        if value.is_empty() {
            Ok(())
        } else {
            writeln!(out, "{DIM}{name:<15}{DIM:#}{value}")
        }
    };
    if let Some(outcome) = record.outcome {
        field("Outcome:", outcome.to_string())?;
    }
    field("Tags:", record.tags.join(", "))?;
    field("Paths:", record.paths.join(", "))?;
    field("Supersedes:", record.supersedes.join(", "))?;
    field("Superseded by:", record.superseded_by.join(", "))?;
    field("Links:", record.links.join(", "))?;
    field("ADR:", record.adr.clone().unwrap_or_default())?;
    field("Created:", record.created.clone().unwrap_or_default())?;
    field("Author:", record.author.clone().unwrap_or_default())?;
    field("File:", record.file.display().to_string())?;
    let body = record.body.trim_matches('\n');
    if !body.is_empty() {
        writeln!(out)?;
        writeln!(out, "{body}")?;
    }
    Ok(())
}

/// Pretty JSON followed by a newline.
pub fn json(out: &mut impl Write, value: &impl serde::Serialize) -> io::Result<()> {
    // From keeps the io::ErrorKind (a closed pipe stays a BrokenPipe).
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    writeln!(out)
}

/// Recall hits: a line like `list`'s, then the matching passage; failures as warnings and
/// replaced records with their successor.
pub fn hits(
    out: &mut impl Write,
    hits: &[git_zen::index::Hit],
    successor_title: impl Fn(&str) -> Option<String>,
) -> io::Result<()> {
    const MATCH: Style = AnsiColor::Yellow.on_default().bold();
    for hit in hits {
        let k = kind_style(hit.kind);
        if hit.warning {
            write!(out, "{WARN}warning:{WARN:#} ")?;
        }
        let (s, label) = state(hit.status, hit.outcome);
        let state = format!("{s}{label}{s:#}");
        write!(
            out,
            "{ID}{}{ID:#} {k}{}{k:#} {state} {BOLD}{}{BOLD:#}",
            &hit.id[..10.min(hit.id.len())],
            hit.kind,
            hit.title
        )?;
        if hit.location != "local" {
            write!(out, " {DIM}[{}]{DIM:#}", hit.location)?;
        }
        writeln!(out)?;
        if let Some(evidence) = hit.evidence.as_ref().filter(|e| e.projects > 0) {
            writeln!(out, "    {DIM}evidence:{DIM:#} {}", evidence.summary())?;
        }
        if !hit.marked_snippet.is_empty() {
            let snippet = hit
                .marked_snippet
                .replace('\u{2}', &MATCH.render().to_string())
                .replace('\u{3}', &MATCH.render_reset().to_string());
            writeln!(out, "    {snippet}")?;
        }
        for next in &hit.superseded_by {
            let title = successor_title(next).unwrap_or_default();
            writeln!(
                out,
                "    {DIM}superseded by{DIM:#} {ID}{}{ID:#} {title}",
                &next[..10.min(next.len())]
            )?;
        }
    }
    Ok(())
}

/// Whether progress may be drawn: stderr is a terminal and this is not CI (hooks and pipes stay
/// quiet).
fn progress_wanted() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("CI").is_none()
}

/// A progress bar on a terminal; hidden in pipes, hooks and CI.
pub fn progress_bar(what: &str) -> indicatif::ProgressBar {
    if !progress_wanted() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({eta})")
    {
        bar.set_style(style);
    }
    bar.set_message(what.to_owned());
    bar
}

/// A spinner for work of unknown length (a clone, a fetch, a push) on a terminal; hidden
/// elsewhere. Finish it with `finish_and_clear`.
pub fn spinner(what: &str) -> indicatif::ProgressBar {
    if !progress_wanted() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(what.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(80));
    bar
}
