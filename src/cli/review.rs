//! `git zen review`: the memory a range of commits meets, as text, Markdown or JSON.

use std::fmt::Write as _;
use std::io::Write;

use git_zen::policy::{Finding, Severity};
use git_zen::usecase::review::{self, FileMemory, Governing, MemoryChange, RecordChange, Review};

use super::ui::Terminal;
use super::{CmdResult, open_repo, output};

/// What a range of commits means for the team's memory, for a reviewer.
///
/// For each file the range changes: the decisions whose `paths` cover it (flagging ones only
/// proposed, superseded or deprecated) and the lessons of past failures there. Also the records
/// the range adds or changes, and the policy findings on its commits. Markdown is ready to post
/// as a pull request comment (it starts with the marker `<!-- git-zen-review -->`, so a bot can
/// update its one comment); JSON carries the same with ids.
#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// The commits: `A..B`, or `A` for `A..HEAD`. Default: the branch against its upstream (else
    /// origin/HEAD, main or master), from their merge base.
    range: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

/// The marker a bot finds its comment by.
pub const MARKER: &str = "<!-- git-zen-review -->";

pub fn run(args: &ReviewArgs) -> CmdResult {
    let repo = open_repo()?;
    let review = review::review(&repo, &mut Terminal, args.range.as_deref())?;
    let format = if args.json { Format::Json } else { args.format };
    let mut out = anstream::stdout();
    match format {
        Format::Json => output::json(&mut out, &review)?,
        Format::Markdown => out.write_all(markdown(&review).as_bytes())?,
        Format::Text => out.write_all(text(&review).as_bytes())?,
    }
    Ok(())
}

fn short(id: &str) -> &str {
    &id[..10.min(id.len())]
}

fn change_line(m: &MemoryChange) -> String {
    let status = |s: Option<git_zen::record::Status>| s.map_or("-", |s| s.as_str());
    match m.change {
        RecordChange::Added => format!("added {} ({})", m.kind, status(m.status_after)),
        RecordChange::Removed => format!("removed {}", m.kind),
        RecordChange::Edited if m.status_before != m.status_after => format!(
            "{} {} -> {}",
            m.kind,
            status(m.status_before),
            status(m.status_after)
        ),
        RecordChange::Edited => format!("edited {} ({})", m.kind, status(m.status_after)),
    }
}

fn finding_place(f: &Finding) -> String {
    let place = match (&f.path, f.line) {
        (Some(path), Some(line)) => format!("{path}:{line}"),
        (Some(path), None) => path.clone(),
        (None, _) => "commit message".to_owned(),
    };
    match &f.commit {
        Some(commit) => format!("{} {place}", short(commit)),
        None => place,
    }
}

fn counts(review: &Review) -> String {
    match (review.count(Severity::Error), review.count(Severity::Warn)) {
        (0, 0) => "no findings".to_owned(),
        (e, w) => format!("{e} error(s), {w} warning(s)"),
    }
}

/// Plain text for a terminal.
fn text(review: &Review) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "review of {} ({}..{}, {} commit(s), {} file(s) changed)",
        review.range,
        short(&review.base),
        short(&review.head),
        review.commits,
        review.files_changed
    );
    if !review.memory.is_empty() {
        let _ = writeln!(s, "memory changed:");
        for m in &review.memory {
            let _ = writeln!(s, "  {} {}: {}", short(&m.id), change_line(m), m.title);
        }
    }
    if review.files.is_empty() {
        let _ = writeln!(
            s,
            "no recorded decision or past failure covers the changed files"
        );
    } else {
        let _ = writeln!(s, "memory that governs the changed files:");
        for f in &review.files {
            let _ = writeln!(s, "  {}", f.path);
            for g in f.decisions.iter() {
                let _ = writeln!(s, "    {}", governing_text("decision", g));
            }
            for g in &f.failures {
                let _ = writeln!(s, "    {}", governing_text("past failure", g));
            }
        }
    }
    let _ = writeln!(s, "policies: {}", counts(review));
    for f in &review.findings.findings {
        let _ = writeln!(s, "  {} {} {}", finding_place(f), f.rule, f.message);
    }
    s
}

/// The caution, naming what replaced a superseded record.
fn caution(g: &Governing) -> Option<String> {
    let c = g.caution?;
    Some(if g.superseded_by.is_empty() {
        c.to_owned()
    } else {
        let by: Vec<&str> = g.superseded_by.iter().map(|id| short(id)).collect();
        format!("{c} by {}", by.join(", "))
    })
}

fn governing_text(label: &str, g: &Governing) -> String {
    let caution = caution(g).map(|c| format!(" [{c}]")).unwrap_or_default();
    format!(
        "{label} {} {}{caution} (git zen show {})",
        short(&g.id),
        g.title,
        short(&g.id)
    )
}

/// Record text is written by anyone with push access: in Markdown it must stay text, never
/// markup (no HTML, no links, no table breaks).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A pull request comment.
fn markdown(review: &Review) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{MARKER}");
    let _ = writeln!(
        s,
        "### git-zen review of `{}`\n\n{} commit(s), {} file(s) changed; policies: {}.\n",
        review.range.replace('`', "'"),
        review.commits,
        review.files_changed,
        if review.blocked {
            format!("**{}** ❌", counts(review))
        } else {
            counts(review)
        }
    );
    if !review.memory.is_empty() {
        let _ = writeln!(s, "**Memory changed in this range**\n");
        for m in &review.memory {
            let _ = writeln!(
                s,
                "- `{}` {}: {} ([file]({}))",
                short(&m.id),
                change_line(m),
                escape(&m.title),
                m.file
            );
        }
        s.push('\n');
    }
    if !review.files.is_empty() {
        let cautions = review
            .files
            .iter()
            .flat_map(|f| &f.decisions)
            .filter(|d| d.caution.is_some())
            .count();
        let failures: usize = review.files.iter().map(|f| f.failures.len()).sum();
        let _ = writeln!(
            s,
            "<details><summary>Decisions and past failures for {} changed file(s){}{}</summary>\n",
            review.files.len(),
            if failures > 0 {
                format!(" — ⚠️ {failures} past failure(s)")
            } else {
                String::new()
            },
            if cautions > 0 {
                format!(", {cautions} decision(s) not in force")
            } else {
                String::new()
            }
        );
        let _ = writeln!(s, "| File | Memory |\n|---|---|");
        for f in &review.files {
            let _ = writeln!(
                s,
                "| [{}]({}) | {} |",
                escape(&f.path),
                f.path,
                memory_cell(f)
            );
        }
        let _ = writeln!(s, "\n</details>\n");
    }
    if !review.findings.findings.is_empty() {
        let _ = writeln!(s, "<details><summary>Policy findings</summary>\n");
        for f in &review.findings.findings {
            let _ = writeln!(
                s,
                "- `{}` **{}** {}",
                escape(&finding_place(f)),
                escape(&f.rule),
                escape(&f.message)
            );
        }
        let _ = writeln!(s, "\n</details>\n");
    }
    let _ = writeln!(s, "<sub>`git zen show <id>` shows a record in full.</sub>");
    s
}

fn memory_cell(f: &FileMemory) -> String {
    let mut parts: Vec<String> = f
        .decisions
        .iter()
        .map(|g| {
            let caution = caution(g)
                .map(|c| format!(" _({})_", escape(&c)))
                .unwrap_or_default();
            format!("decision `{}` {}{caution}", short(&g.id), escape(&g.title))
        })
        .collect();
    parts.extend(
        f.failures
            .iter()
            .map(|g| format!("⚠️ past failure `{}` {}", short(&g.id), escape(&g.title))),
    );
    parts.join("<br>")
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn record_text_cannot_become_markup() {
        assert_eq!(
            escape("<img src=x onerror=alert(1)> | [link](http://x)"),
            "&lt;img src=x onerror=alert(1)&gt; \\| \\[link\\](http://x)"
        );
    }
}
