//! Parsing of adr-tools, MADR and log4brains decision files into a neutral form.
//!
//! [`parse_adr`] reads one Markdown file written by
//! [adr-tools](https://github.com/npryce/adr-tools), [MADR](https://adr.github.io/madr/)
//! (versions 2, 3 and 4) or [log4brains](https://github.com/thomvaill/log4brains) and returns a
//! [`ParsedAdr`]: number, title, date, normalised status, links to other decisions, tags and the
//! remaining Markdown body. The source text is only read, never changed.
//!
//! # What is recognised
//!
//! * **YAML front matter** (MADR 3/4) between `---` lines: `status`, `date`, `tags`, `supersedes`,
//!   `superseded-by`, `related`; `deciders`, `decision-makers`, `consulted`, `informed` and any
//!   other key are dropped with the front matter.
//! * **Header metadata** between the `# Title` and the first following heading, either as bullets
//!   (`* Status: accepted`, `- Date: 2020-09-25`, `- Tags: [doc, process]`, MADR 2 and log4brains)
//!   or as plain lines (`Date: 2016-02-12`, adr-tools). Keys may be bold (`**Status:**`) and values
//!   may carry a trailing `<!-- optional -->` comment. Bullets with other keys stay in the body.
//! * **A `## Status` section** (adr-tools): its first paragraph holds the status word, and lines
//!   such as `Superseded by [5. Use X](0005-use-x.md)` (also adr-tools' own spelling
//!   `Superceded by` / `Supercedes`), `Supersedes …`, `Amended by …`, `Amends …` carry links.
//! * **A `## Links` section** (MADR 2 and log4brains): `Supersedes [..](..)`, `Superseded by ..`
//!   and other link lines; this section stays in the body, only the references are collected.
//!
//! # Status mapping
//!
//! The first word of a status value (case-insensitive, Markdown emphasis and strike-through text
//! removed) is mapped as follows; anything else gives `None` and a warning:
//!
//! | normalised     | accepted words                                                                   |
//! |----------------|----------------------------------------------------------------------------------|
//! | `proposed`     | proposed, proposal, draft, pending, open, suggested, wip, rfc, review, "in review", "under review", "in discussion", "in progress", "on hold" |
//! | `accepted`     | accepted, approved, agreed, adopted, decided, done, implemented, active, final, current, valid, "in effect" |
//! | `superseded`   | superseded, superceded, superseeded, replaced (also any "superseded by …" link)  |
//! | `deprecated`   | deprecated, obsolete, obsoleted, retired, outdated, archived, expired, legacy, sunset |
//! | `rejected`     | rejected, declined, denied, refused, withdrawn, abandoned, cancelled, canceled, dropped, "not accepted", "won't do" |
//!
//! A `superseded by …` phrase anywhere in the status always makes the status `superseded`
//! (adr-tools files sometimes keep `Accepted` next to the `Superseded by` line).

mod dates;
mod markdown;
mod metadata;
mod names;
pub(crate) mod refs;
mod status;
#[cfg(test)]
mod tests;

use dates::stem_date;
use markdown::{FrontMatter, build_body, front_matter_end, heading, split_lines};
use metadata::{Parser, metadata_line};
use names::{
    clean_title, is_non_adr_name, is_placeholder_title, split_title_number, stem_number,
    title_from_stem,
};
pub use names::{file_stem, is_index_name, not_adr_reason};
use refs::dedup_refs;

/// Which tool's conventions a file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdrFormat {
    /// Nat Pryce's adr-tools: `# 3. Title`, a `Date:` line and a `## Status` section.
    AdrTools,
    /// MADR 2 (bullet metadata under the title) or MADR 3/4 (YAML front matter).
    Madr,
    /// log4brains: date-prefixed file names (`20200925-slug.md`) with bullet metadata.
    Log4brains,
}

/// A reference from one ADR to another, as written in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdrRef {
    /// An ADR number, e.g. from `[5. Use X](0005-use-x.md)` or `ADR-0005`.
    Number(u32),
    /// A file stem without `.md`, e.g. `20201016-use-x` (log4brains, or a link whose file has no number).
    Stem(String),
    /// A web address of a Markdown file: resolved by its file name when that record is in the
    /// folder, else kept as a link.
    Url(String),
}

/// A decision file parsed into what git-zen keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedAdr {
    /// The tool whose conventions the file follows (detected from its content and name).
    pub format: AdrFormat,
    /// Leading number of the file name (`0003-…` → 3) or of the `# 3. Title` heading; None for log4brains.
    pub number: Option<u32>,
    /// The file stem (file name without `.md`), used as the alias when there is no number.
    pub stem: String,
    /// Title without the number prefix, label, anchor and Markdown escapes, trimmed.
    pub title: String,
    /// Where the title came from.
    pub title_from: TitleFrom,
    /// Whether cleaning changed the title as written (a number, a placeholder, an escape).
    pub title_changed: bool,
    /// The decision date if present and parseable (YYYY-MM-DD; log4brains stems also carry one).
    pub date: Option<jiff::civil::Date>,
    /// Normalised status: one of "proposed", "accepted", "superseded", "deprecated", "rejected";
    /// None if absent. Synonyms are mapped as described in the [module documentation](self); an
    /// unknown word gives None plus an entry in `warnings`.
    pub status: Option<String>,
    /// ADRs this one supersedes.
    pub supersedes: Vec<AdrRef>,
    /// ADRs that supersede this one.
    pub superseded_by: Vec<AdrRef>,
    /// Other ADR links found in the status section (amends, relates to, partly superseded by …).
    pub related: Vec<AdrRef>,
    /// The status as written when it was not one of git-zen's words as is (`Approved`,
    /// `On hold`): kept in the record as `imported_status`, so nothing the team wrote is lost.
    pub imported_status: Option<String>,
    /// `author:` / `authors:` from the file.
    pub authors: Vec<String>,
    /// `Deciders:` / `decision-makers:` from the file.
    pub deciders: Vec<String>,
    /// Every reference in the file outside code blocks: an index lists many of its siblings.
    pub listed: Vec<AdrRef>,
    /// Tags (log4brains `Tags:`), lowercased, trimmed; empty when none.
    pub tags: Vec<String>,
    /// The remaining Markdown body: everything after the title and the metadata (front matter,
    /// bullet metadata, `Date:` line, `## Status` section), with leading/trailing blank lines
    /// trimmed and a final newline. Text written above the title (other than front matter) is kept
    /// at the start. Empty when nothing remains.
    pub body: String,
    /// Non-fatal observations a user should see (unknown status word, unparseable date …), each with its 1-based line.
    pub warnings: Vec<(usize, String)>,
}

/// Where a title was found, in order of trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleFrom {
    /// `title:` in the front matter (Docusaurus, Jekyll, MADR 4).
    FrontMatter,
    /// The first heading of any level that is not a section name such as `## Context`.
    Heading,
    /// Neither: made from the file name.
    FileName,
}

/// Why a file could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdrParseError {
    /// The file is a template, an index or a README, not a decision: skip it quietly.
    NotAnAdr,
    /// The file looks like an ADR but is missing something required; `line` is 1-based.
    Invalid {
        /// 1-based line the problem was found on.
        line: usize,
        /// What is wrong, in words meant for the user.
        message: String,
        /// What to do about it.
        fix: String,
    },
}

impl std::fmt::Display for AdrParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdrParseError::NotAnAdr => {
                f.write_str("not a decision record (template, index or README)")
            }
            AdrParseError::Invalid { line, message, fix } => {
                write!(f, "line {line}: {message}: {fix}")
            }
        }
    }
}

impl std::error::Error for AdrParseError {}

/// Parses one file. `file_name` is the bare name (e.g. `0003-use-postgres.md`); `text` its UTF-8 content.
///
/// Returns [`AdrParseError::NotAnAdr`] for templates (`template.md`, `adr-template*.md`, or a title
/// that is still a placeholder such as `# {short title of solved problem and solution}`), indexes
/// and READMEs, and [`AdrParseError::Invalid`] when the file has no `# Title` heading. Never panics.
pub fn parse_adr(file_name: &str, text: &str) -> Result<ParsedAdr, AdrParseError> {
    let stem = file_stem(file_name);
    if is_non_adr_name(&stem) {
        return Err(AdrParseError::NotAnAdr);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = split_lines(text);

    let mut p = Parser::new();

    // 1. YAML front matter.
    let body_start = match front_matter_end(&lines) {
        FrontMatter::None => 0,
        FrontMatter::Unclosed => {
            return Err(AdrParseError::Invalid {
                line: 1,
                message: "the front matter opened by `---` on line 1 is never closed by another `---` line"
                    .to_string(),
                fix: "end the front matter with a `---` line".to_string(),
            });
        }
        FrontMatter::Closed(end) => {
            p.has_front_matter = true;
            p.read_front_matter(&lines[1..end]);
            end + 1
        }
    };

    // 2. The title: front matter `title:`, else the first heading of any level (outside code
    //    blocks and HTML comments) unless it is a section name, else the file name.
    let first_heading = (body_start..lines.len())
        .find(|&i| !lines[i].in_code && !lines[i].in_comment && heading(lines[i].text).is_some());
    let heading_title = first_heading.and_then(|i| {
        let (level, text) = heading(lines[i].text)?;
        let usable = !text.is_empty() && (level == 1 || !is_section_name(text));
        usable.then_some((i, level, text))
    });
    if let Some((_, _, text)) = heading_title
        && is_placeholder_title(text)
    {
        return Err(AdrParseError::NotAnAdr);
    }
    if let Some((title, _)) = &p.title
        && is_placeholder_title(title)
    {
        return Err(AdrParseError::NotAnAdr);
    }

    let mut removed = vec![false; lines.len()];
    for flag in removed.iter_mut().take(body_start) {
        *flag = true;
    }
    // The heading is the title, or repeats the front matter's as the page's `# ` heading.
    let title_idx = match heading_title {
        Some((i, level, _)) if p.title.is_none() || level == 1 => {
            removed[i] = true;
            Some(i)
        }
        _ => None,
    };
    let after_title = title_idx.map_or(body_start, |i| i + 1);

    // 3. Metadata between the title and the first heading after it.
    let mut i = after_title;
    while i < lines.len() && (lines[i].in_code || heading(lines[i].text).is_none()) {
        let line = &lines[i];
        if !line.in_code
            && let Some(meta) = metadata_line(line.text)
        {
            if meta.bullet {
                p.has_bullet_meta = true;
            } else {
                p.has_plain_meta = true;
            }
            p.apply_meta(meta.key, meta.value, line.no);
            removed[i] = true;
        }
        i += 1;
    }

    // 4. `## Status` and `## Links` sections anywhere after the title.
    let mut status_section_seen = false;
    let mut links_section_seen = false;
    let mut i = after_title;
    while i < lines.len() {
        let line = &lines[i];
        let section = if line.in_code {
            None
        } else {
            heading(line.text)
        };
        let Some((level, text)) = section else {
            i += 1;
            continue;
        };
        let name = text.trim_end_matches(':').trim().to_ascii_lowercase();
        let end = (i + 1..lines.len())
            .find(|&j| !lines[j].in_code && heading(lines[j].text).is_some())
            .unwrap_or(lines.len());
        if (level == 2 || level == 3) && name == "status" && !status_section_seen {
            status_section_seen = true;
            p.has_status_section = true;
            for flag in &mut removed[i..end] {
                *flag = true;
            }
            p.read_status_section(&lines[i + 1..end]);
        } else if level == 2 && name == "links" && !links_section_seen {
            links_section_seen = true;
            p.read_links_section(&lines[i + 1..end]);
        }
        i = end.max(i + 1);
    }

    // 5. Format, number, title, date.
    let date_stem = stem_date(&stem);
    let format = if p.has_front_matter {
        AdrFormat::Madr
    } else if p.has_plain_meta || p.has_status_section {
        AdrFormat::AdrTools
    } else if p.has_bullet_meta {
        if date_stem.is_some() {
            AdrFormat::Log4brains
        } else {
            AdrFormat::Madr
        }
    } else if date_stem.is_some() {
        AdrFormat::Log4brains
    } else if heading_title.is_some_and(|h| split_title_number(h.2).0.is_some()) {
        AdrFormat::AdrTools
    } else {
        AdrFormat::Madr
    };

    let file_number = if date_stem.is_some() {
        None
    } else {
        stem_number(&stem)
    };
    let (title_from, raw_title, title_line) = match (&p.title, heading_title) {
        (Some((t, line)), _) => (TitleFrom::FrontMatter, t.clone(), *line),
        (None, Some((i, _, t))) => (TitleFrom::Heading, t.to_string(), lines[i].no),
        (None, None) => (TitleFrom::FileName, title_from_stem(&stem), 1),
    };
    let (heading_number, title) = match title_from {
        TitleFrom::FileName => (None, raw_title.clone()),
        _ => clean_title(&raw_title, file_number),
    };
    if let (Some(f), Some(h)) = (file_number, heading_number)
        && f != h
    {
        p.warn(
            title_line,
            format!("the title says number {h} but the file name says {f}; using {f}"),
        );
    }
    let number = match format {
        AdrFormat::Log4brains => None,
        _ => file_number.or(heading_number),
    };

    let date = p.date.or(date_stem);
    if p.status == Some("superseded") && p.superseded_by.is_empty() {
        let line = p.status_line;
        p.warn(
            line,
            "the status is superseded but names no superseding decision".to_string(),
        );
    }
    let imported_status = p
        .status_text
        .clone()
        .filter(|t| Some(t.to_lowercase().as_str()) != p.status);
    match (&p.status, &imported_status) {
        (Some(_), _) => {}
        (None, Some(text)) => {
            let line = p.status_line;
            p.warn(
                line,
                format!(
                    "status `{text}` is not one git-zen knows (proposed, accepted, superseded, deprecated, rejected): stored as proposed, with imported_status = \"{text}\""
                ),
            );
        }
        (None, None) if !p.status_reported => {
            p.warn(1, "no status found: stored as proposed".to_string());
        }
        (None, None) => {}
    }

    let body = build_body(&lines, &removed);
    if title_from == TitleFrom::FileName && p.status.is_none() && body.trim().is_empty() {
        return Err(AdrParseError::Invalid {
            line: 1,
            message: "the file has no title, no status and no text".to_string(),
            fix: "write the decision into it, or remove it".to_string(),
        });
    }
    let mut listed = Vec::new();
    for line in lines.iter().filter(|l| !l.in_code) {
        refs::collect_refs(line.text, &mut listed);
    }
    let mut warnings = p.warnings;
    warnings.sort_by_key(|w| w.0);

    Ok(ParsedAdr {
        format,
        number,
        stem,
        title_changed: title != raw_title.trim(),
        title,
        title_from,
        date,
        status: p.status.map(str::to_string),
        imported_status,
        authors: p.authors,
        deciders: p.deciders,
        listed: dedup_refs(listed),
        supersedes: dedup_refs(p.supersedes),
        superseded_by: dedup_refs(p.superseded_by),
        related: dedup_refs(p.related),
        tags: p.tags,
        body,
        warnings,
    })
}

/// Headings that open a section of a record; one of these first means the record has no title.
fn is_section_name(text: &str) -> bool {
    let t = text.trim_end_matches(':').trim().to_ascii_lowercase();
    [
        "status",
        "context",
        "decision",
        "consequences",
        "background",
        "summary",
        "problem",
        "introduction",
        "overview",
        "context and problem statement",
        "decision outcome",
        "decision drivers",
        "considered options",
        "links",
        "rationale",
        "table of contents",
    ]
    .contains(&t.as_str())
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}
