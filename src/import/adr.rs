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

use std::collections::HashSet;

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
    /// Title without the number prefix, trimmed.
    pub title: String,
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
    /// Other ADR links found in the status section (amends, relates to, …).
    pub related: Vec<AdrRef>,
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
    },
}

impl std::fmt::Display for AdrParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdrParseError::NotAnAdr => {
                f.write_str("not a decision record (template, index or README)")
            }
            AdrParseError::Invalid { line, message } => write!(f, "line {line}: {message}"),
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
            });
        }
        FrontMatter::Closed(end) => {
            p.has_front_matter = true;
            p.read_front_matter(&lines[1..end]);
            end + 1
        }
    };

    // 2. The `# Title` heading.
    let Some(title_idx) = (body_start..lines.len())
        .find(|&i| !lines[i].in_code && heading(lines[i].text).is_some_and(|h| h.0 == 1))
    else {
        return Err(AdrParseError::Invalid {
            line: 1,
            message: "the file has no `# Title` heading (a line starting with `# `, e.g. `# 3. Use Postgres`)"
                .to_string(),
        });
    };
    let title_line = &lines[title_idx];
    let raw_title = heading(title_line.text).map(|h| h.1).unwrap_or_default();
    if raw_title.is_empty() {
        return Err(AdrParseError::Invalid {
            line: title_line.no,
            message: "the `#` title heading is empty".to_string(),
        });
    }
    if is_placeholder_title(raw_title) {
        return Err(AdrParseError::NotAnAdr);
    }

    let mut removed = vec![false; lines.len()];
    for flag in removed.iter_mut().take(body_start) {
        *flag = true;
    }
    removed[title_idx] = true;

    // 3. Metadata between the title and the first heading after it.
    let mut i = title_idx + 1;
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
    let mut i = title_idx + 1;
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
        i = end;
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
    } else if split_title_number(raw_title).0.is_some() {
        AdrFormat::AdrTools
    } else {
        AdrFormat::Madr
    };

    let (heading_number, title) = split_title_number(raw_title);
    let file_number = if date_stem.is_some() {
        None
    } else {
        stem_number(&stem)
    };
    if let (Some(f), Some(h)) = (file_number, heading_number)
        && f != h
    {
        p.warn(
            title_line.no,
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

    let body = build_body(&lines, &removed);
    let mut warnings = p.warnings;
    warnings.sort_by_key(|w| w.0);

    Ok(ParsedAdr {
        format,
        number,
        stem,
        title: title.to_string(),
        date,
        status: p.status.map(str::to_string),
        supersedes: dedup_refs(p.supersedes),
        superseded_by: dedup_refs(p.superseded_by),
        related: dedup_refs(p.related),
        tags: p.tags,
        body,
        warnings,
    })
}

// ---------------------------------------------------------------------------------------------
// Lines
// ---------------------------------------------------------------------------------------------

/// One source line with its 1-based number and whether it sits inside a fenced code block.
struct Line<'a> {
    text: &'a str,
    no: usize,
    /// True for fence lines and everything between them.
    in_code: bool,
}

/// Splits on `\n`, dropping a trailing `\r`, and marks fenced code blocks (``` and ~~~).
fn split_lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for (idx, raw) in text.split('\n').enumerate() {
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        let mut in_code = fence.is_some();
        let candidate = strip_indent(text).map(|t| (t.chars().next(), t));
        if let Some((Some(c @ ('`' | '~')), t)) = candidate {
            let run = t.chars().take_while(|&x| x == c).count();
            if run >= 3 {
                match fence {
                    None => {
                        fence = Some((c, run));
                        in_code = true;
                    }
                    Some((open_c, open_len)) => {
                        if c == open_c
                            && run >= open_len
                            && t[run * c.len_utf8()..].trim().is_empty()
                        {
                            fence = None;
                        }
                    }
                }
            }
        }
        out.push(Line {
            text,
            no: idx + 1,
            in_code,
        });
    }
    // `split` yields one empty piece after a final newline; it is not a line of its own.
    if out.len() > 1 && out.last().is_some_and(|l| l.text.is_empty()) && text.ends_with('\n') {
        out.pop();
    }
    out
}

/// Removes up to three leading spaces (Markdown block indentation); None for deeper indentation.
fn strip_indent(line: &str) -> Option<&str> {
    let spaces = line.bytes().take_while(|&b| b == b' ').count();
    if spaces > 3 {
        None
    } else {
        Some(&line[spaces..])
    }
}

/// An ATX heading: its level and text (closing `#`s removed, trimmed).
fn heading(line: &str) -> Option<(usize, &str)> {
    let t = strip_indent(line)?;
    let level = t.bytes().take_while(|&b| b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &t[level..];
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
        return None;
    }
    let mut text = rest.trim();
    let without_closing = text.trim_end_matches('#');
    if without_closing.is_empty() {
        text = "";
    } else if without_closing.ends_with([' ', '\t']) {
        text = without_closing.trim_end();
    }
    Some((level, text))
}

enum FrontMatter {
    None,
    Unclosed,
    /// Index of the closing `---` line.
    Closed(usize),
}

fn front_matter_end(lines: &[Line<'_>]) -> FrontMatter {
    match lines.first() {
        Some(first) if first.text.trim_end() == "---" => {}
        _ => return FrontMatter::None,
    }
    match (1..lines.len()).find(|&i| matches!(lines[i].text.trim_end(), "---" | "...")) {
        Some(end) => FrontMatter::Closed(end),
        None => FrontMatter::Unclosed,
    }
}

/// Joins the kept lines, trimming blank lines at both ends and collapsing the blank lines left
/// around removed blocks.
fn build_body(lines: &[Line<'_>], removed: &[bool]) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut removed_since_kept = false;
    for (line, &gone) in lines.iter().zip(removed) {
        if gone {
            removed_since_kept = true;
            continue;
        }
        let blank = line.text.trim().is_empty();
        if blank
            && !line.in_code
            && (kept.is_empty()
                || (removed_since_kept && kept.last().is_some_and(|l| l.trim().is_empty())))
        {
            continue;
        }
        if !blank {
            removed_since_kept = false;
        }
        kept.push(line.text);
    }
    while kept.last().is_some_and(|l| l.trim().is_empty()) {
        kept.pop();
    }
    if kept.is_empty() {
        return String::new();
    }
    let mut body = kept.join("\n");
    body.push('\n');
    body
}

// ---------------------------------------------------------------------------------------------
// Metadata collection
// ---------------------------------------------------------------------------------------------

/// The kinds of metadata key git-zen understands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Status,
    Date,
    Tags,
    Supersedes,
    SupersededBy,
    Related,
    /// Known metadata that git-zen does not keep (deciders, consulted, informed …).
    Ignored,
}

fn key_kind(key: &str) -> Option<Key> {
    let k = key.trim().to_ascii_lowercase().replace(['_', '-'], " ");
    Some(match k.as_str() {
        "status" => Key::Status,
        "date" => Key::Date,
        "tags" | "tag" => Key::Tags,
        "supersedes" | "supercedes" | "replaces" => Key::Supersedes,
        "superseded by" | "superceded by" | "replaced by" => Key::SupersededBy,
        "related" | "related to" | "relates to" | "amends" | "amended by" | "see also" => {
            Key::Related
        }
        "deciders" | "decision makers" | "consulted" | "informed" => Key::Ignored,
        _ => return None,
    })
}

struct MetaLine<'a> {
    key: Key,
    value: &'a str,
    bullet: bool,
}

/// Recognises `* Key: value`, `- **Key:** value` and plain `Key: value` lines with a known key.
fn metadata_line(line: &str) -> Option<MetaLine<'_>> {
    let t = strip_indent(line)?;
    let (bullet, rest) = match t.as_bytes().first() {
        Some(b'*' | b'-' | b'+') if t[1..].starts_with([' ', '\t']) => (true, t[1..].trim_start()),
        _ => (false, t),
    };
    let colon = rest.find(':')?;
    let raw_key = &rest[..colon];
    let mut value = &rest[colon + 1..];
    // `**Status:** accepted` puts the closing emphasis after the colon.
    let mut key = raw_key.trim();
    for marks in ["**", "__", "*", "_"] {
        if let Some(k) = key.strip_prefix(marks) {
            key = k.strip_suffix(marks).unwrap_or(k);
            value = value.strip_prefix(marks).unwrap_or(value);
            break;
        }
    }
    if key.is_empty() || key.len() > 40 {
        return None;
    }
    let kind = key_kind(key)?;
    Some(MetaLine {
        key: kind,
        value,
        bullet,
    })
}

/// Accumulates everything found while reading one file.
struct Parser {
    has_front_matter: bool,
    has_bullet_meta: bool,
    has_plain_meta: bool,
    has_status_section: bool,
    status: Option<&'static str>,
    /// Line the status came from (for the "superseded without target" warning).
    status_line: usize,
    date: Option<jiff::civil::Date>,
    tags: Vec<String>,
    supersedes: Vec<AdrRef>,
    superseded_by: Vec<AdrRef>,
    related: Vec<AdrRef>,
    warnings: Vec<(usize, String)>,
}

impl Parser {
    fn new() -> Self {
        Parser {
            has_front_matter: false,
            has_bullet_meta: false,
            has_plain_meta: false,
            has_status_section: false,
            status: None,
            status_line: 1,
            date: None,
            tags: Vec::new(),
            supersedes: Vec::new(),
            superseded_by: Vec::new(),
            related: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn warn(&mut self, line: usize, message: String) {
        self.warnings.push((line, message));
    }

    /// Reads the YAML front matter lines (between the `---` markers) with a minimal
    /// `key: value` / `key:` + `- item` reader; nested structures are ignored.
    fn read_front_matter(&mut self, lines: &[Line<'_>]) {
        let mut current: Option<Key> = None;
        for line in lines {
            let t = line.text;
            let trimmed = t.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if t.starts_with([' ', '\t', '-']) {
                // A block-list item belonging to the last key.
                if let (Some(key), Some(item)) = (current, trimmed.strip_prefix('-')) {
                    let item = yaml_scalar(item);
                    self.apply_meta(key, &item, line.no);
                }
                continue;
            }
            current = None;
            let Some(colon) = t.find(':') else { continue };
            let Some(key) = key_kind(&t[..colon]) else {
                continue;
            };
            let value = yaml_scalar(&t[colon + 1..]);
            if value.is_empty() {
                current = Some(key);
            } else {
                // Flow lists (`[a, b]`) are split by the individual handlers.
                self.apply_meta(key, &value, line.no);
            }
        }
    }

    fn apply_meta(&mut self, key: Key, value: &str, line: usize) {
        let value = strip_html_comments(value);
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        match key {
            Key::Status => self.read_status_value(value, line, true),
            Key::Date => self.read_date(value, line),
            Key::Tags => self.read_tags(value),
            Key::Supersedes => collect_ref_list(value, &mut self.supersedes),
            Key::SupersededBy => collect_ref_list(value, &mut self.superseded_by),
            Key::Related => collect_ref_list(value, &mut self.related),
            Key::Ignored => {}
        }
    }

    fn read_date(&mut self, value: &str, line: usize) {
        if self.date.is_some() {
            return;
        }
        match find_date(value) {
            DateFound::Date(d) => self.date = Some(d),
            DateFound::MonthFirst(d, shown) => {
                self.date = Some(d);
                self.warn(
                    line,
                    format!("read the date `{shown}` as month/day/year because it is not a valid day/month/year"),
                );
            }
            DateFound::None => {
                let lower = value.to_ascii_lowercase();
                let msg = if lower.contains("yyyy") || value.contains('{') || value == "DATE" {
                    format!("the date is still the template placeholder `{value}`")
                } else {
                    format!("could not read the date `{value}` (expected YYYY-MM-DD)")
                };
                self.warn(line, msg);
            }
        }
    }

    fn read_tags(&mut self, value: &str) {
        for tag in value.split(|c: char| c == ',' || c.is_whitespace()) {
            let tag = tag
                .trim_matches(|c: char| matches!(c, '[' | ']' | '"' | '\'' | '`' | '#'))
                .trim()
                .to_lowercase();
            if !tag.is_empty() && !self.tags.contains(&tag) {
                self.tags.push(tag);
            }
        }
    }

    /// Reads one status value: status word, and any `superseded by` / `supersedes` / other links.
    /// `report_unknown` is false for the later paragraphs of a `## Status` section.
    fn read_status_value(&mut self, value: &str, line: usize, report_unknown: bool) {
        let value = strip_html_comments(value);
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        let value = strip_prefix_ci(value, "status:")
            .map(str::trim)
            .unwrap_or(value);
        if value.is_empty() {
            return;
        }
        if value.contains(" | ")
            || value == "STATUS"
            || (value.starts_with('{') && value.ends_with('}'))
        {
            self.warn(
                line,
                format!("the status is still the template placeholder `{value}`"),
            );
            return;
        }
        let segments = split_relations(value);
        let lead = segments.lead;
        for (relation, text) in segments.relations {
            match relation {
                Relation::SupersededBy => {
                    collect_refs_or_bare(text, &mut self.superseded_by);
                    self.set_status("superseded", line, true);
                }
                Relation::Supersedes => collect_refs_or_bare(text, &mut self.supersedes),
                Relation::Other => collect_refs_or_bare(text, &mut self.related),
            }
        }
        let word_text = plain_status_text(lead);
        if word_text.is_empty() {
            return;
        }
        match normalise_status(&word_text) {
            Some(s) => {
                // A trailing link after a plain word (`Deprecated by [..](..)`) is a related link.
                collect_refs(lead, &mut self.related);
                self.set_status(s, line, false);
            }
            None if report_unknown => {
                let shown: String = word_text.chars().take(60).collect();
                self.warn(
                    line,
                    format!(
                        "unknown status `{shown}` (expected proposed, accepted, superseded, deprecated or rejected); status left empty"
                    ),
                );
            }
            None => {}
        }
    }

    fn set_status(&mut self, status: &'static str, line: usize, force: bool) {
        if self.status.is_none() || (force && self.status != Some("superseded")) {
            self.status = Some(status);
            self.status_line = line;
        }
    }

    /// The adr-tools `## Status` section: the first line that is not a relation holds the status
    /// word; relation lines (`Supersedes [..](..)`, `Amended by ..`) and bare link lines give
    /// references; anything else is reported once, since the section is not imported.
    fn read_status_section(&mut self, lines: &[Line<'_>]) {
        let mut status_read = false;
        let mut extra_reported = false;
        for line in lines {
            let t = line.text.trim();
            if t.is_empty() || line.in_code || t.starts_with("<!--") {
                continue;
            }
            let t = strip_bullet(t);
            let cleaned = strip_html_comments(t);
            if !split_relations(cleaned.trim()).relations.is_empty() {
                self.read_status_value(t, line.no, false);
                continue;
            }
            if !status_read {
                status_read = true;
                self.read_status_value(t, line.no, true);
                continue;
            }
            let mut refs = Vec::new();
            collect_refs(t, &mut refs);
            if !refs.is_empty() {
                self.related.extend(refs);
            } else if self.status.is_none() && normalise_status(&plain_status_text(t)).is_some() {
                self.read_status_value(t, line.no, false);
            } else if !extra_reported {
                extra_reported = true;
                self.warn(
                    line.no,
                    "the `## Status` section has text besides the status and links; it was not imported".to_string(),
                );
            }
        }
    }

    /// The `## Links` section of MADR 2 and log4brains: `Supersedes [..](..)` and friends.
    fn read_links_section(&mut self, lines: &[Line<'_>]) {
        for line in lines {
            if line.in_code {
                continue;
            }
            let t = strip_bullet(line.text.trim());
            if t.is_empty() {
                continue;
            }
            let t = strip_html_comments(t);
            let segments = split_relations(t.trim());
            for (relation, text) in segments.relations {
                match relation {
                    Relation::SupersededBy => collect_refs(text, &mut self.superseded_by),
                    Relation::Supersedes => collect_refs(text, &mut self.supersedes),
                    Relation::Other => collect_refs(text, &mut self.related),
                }
            }
            collect_refs(segments.lead, &mut self.related);
        }
    }
}

/// Removes a leading list marker (`*`, `-`, `+`).
fn strip_bullet(t: &str) -> &str {
    match t.as_bytes().first() {
        Some(b'*' | b'-' | b'+') if t[1..].starts_with([' ', '\t']) => t[1..].trim_start(),
        _ => t,
    }
}

/// A YAML scalar: surrounding quotes removed, or for unquoted values a ` #` comment removed.
fn yaml_scalar(raw: &str) -> String {
    let v = raw.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q)
            && let Some(end) = inner.rfind(q)
        {
            return inner[..end].trim().to_string();
        }
    }
    let v = match v.find(" #") {
        Some(i) => &v[..i],
        None => v,
    };
    v.trim().to_string()
}

/// Removes `<!-- … -->` comments (an unclosed one runs to the end of the text).
fn strip_html_comments(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("<!--") {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start + 4..].find("-->") {
            Some(end) => rest = &rest[start + 4 + end + 3..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Status words and relations
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Relation {
    SupersededBy,
    Supersedes,
    Other,
}

/// Relation phrases, matched case-insensitively at word starts. Longer phrases first where one
/// is a prefix of another (`superseded by` before `supersedes` is not needed: they differ).
const RELATIONS: &[(&str, Relation)] = &[
    ("superseded by", Relation::SupersededBy),
    ("superceded by", Relation::SupersededBy),
    ("superseeded by", Relation::SupersededBy),
    ("replaced by", Relation::SupersededBy),
    ("supersedes", Relation::Supersedes),
    ("supercedes", Relation::Supersedes),
    ("replaces", Relation::Supersedes),
    ("amended by", Relation::Other),
    ("amends", Relation::Other),
    ("clarified by", Relation::Other),
    ("clarifies", Relation::Other),
    ("refined by", Relation::Other),
    ("refines", Relation::Other),
    ("extended by", Relation::Other),
    ("extends", Relation::Other),
    ("related to", Relation::Other),
    ("relates to", Relation::Other),
    ("see also", Relation::Other),
];

struct Segments<'a> {
    /// Text before the first relation phrase.
    lead: &'a str,
    /// Each relation phrase with the text after it up to the next phrase.
    relations: Vec<(Relation, &'a str)>,
}

/// Splits `Accepted; supersedes [2. X](0002-x.md)` into the lead text and its relation phrases.
fn split_relations(s: &str) -> Segments<'_> {
    let lower = s.to_ascii_lowercase(); // same byte offsets as `s`
    let bytes = lower.as_bytes();
    let mut hits: Vec<(usize, usize, Relation)> = Vec::new();
    for &(phrase, rel) in RELATIONS {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(phrase) {
            let at = from + pos;
            let end = at + phrase.len();
            let starts_word = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
            let ends_word = end >= bytes.len() || !bytes[end].is_ascii_alphanumeric();
            if starts_word && ends_word {
                hits.push((at, end, rel));
            }
            from = end;
        }
    }
    hits.sort_by_key(|h| h.0);
    // A phrase inside a link (`[2. Replaces Y](0002-replaces-y.md)`) is not a relation of its own.
    let links = find_links(s);
    let mut li = 0;
    hits.retain(|h| {
        while li < links.len() && links[li].end <= h.0 {
            li += 1;
        }
        !(li < links.len() && links[li].start <= h.0)
    });
    let mut relations = Vec::new();
    let lead_end = hits.first().map_or(s.len(), |h| h.0);
    let mut last_end = 0;
    for (k, &(at, end, rel)) in hits.iter().enumerate() {
        if at < last_end {
            continue; // overlapping phrase
        }
        let next = hits[k + 1..]
            .iter()
            .find(|h| h.0 >= end)
            .map_or(s.len(), |h| h.0);
        relations.push((rel, s.get(end..next).unwrap_or("")));
        last_end = end;
    }
    Segments {
        lead: s.get(..lead_end).unwrap_or(""),
        relations,
    }
}

/// Status text with links, strike-through, emphasis and leading symbols removed, lowercased.
fn plain_status_text(s: &str) -> String {
    let without_links = remove_links(s);
    let mut out = String::with_capacity(without_links.len());
    let mut rest = without_links.as_str();
    while let Some(start) = rest.find("~~") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("~~") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => {
                rest = &rest[start + 2..];
                break;
            }
        }
    }
    out.push_str(rest);
    let cleaned: String = out
        .chars()
        .filter(|c| !matches!(c, '*' | '`' | '_'))
        .collect();
    cleaned
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim()
        .to_lowercase()
}

/// Maps a status text (already lowercased) to a normalised status by its first word(s).
fn normalise_status(text: &str) -> Option<&'static str> {
    let mut words = text
        .split(|c: char| {
            c.is_whitespace() || matches!(c, ',' | ';' | ':' | '.' | '(' | ')' | '!' | '-' | '/')
        })
        .filter(|w| !w.is_empty());
    let first = words.next()?;
    let second = words.next().unwrap_or("");
    let two = match (first, second) {
        ("in" | "under", "review") | ("in", "discussion") | ("in", "progress") | ("on", "hold") => {
            Some("proposed")
        }
        ("in", "effect") => Some("accepted"),
        ("not", "accepted") | ("won't" | "wont" | "will", "do" | "not") => Some("rejected"),
        _ => None,
    };
    if two.is_some() {
        return two;
    }
    Some(match first {
        "proposed" | "proposal" | "draft" | "pending" | "open" | "suggested" | "wip" | "rfc"
        | "review" => "proposed",
        "accepted" | "approved" | "agreed" | "adopted" | "decided" | "done" | "implemented"
        | "active" | "final" | "current" | "valid" => "accepted",
        "superseded" | "superceded" | "superseeded" | "replaced" => "superseded",
        "deprecated" | "obsolete" | "obsoleted" | "retired" | "outdated" | "archived"
        | "expired" | "legacy" | "sunset" => "deprecated",
        "rejected" | "declined" | "denied" | "refused" | "withdrawn" | "abandoned"
        | "cancelled" | "canceled" | "dropped" => "rejected",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------------------------

/// A Markdown inline link: byte span in the line, text and target.
struct Link<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    target: &'a str,
}

/// Finds `[text](target)` links in one pass (no nesting inside targets; linear time).
fn find_links(s: &str) -> Vec<Link<'_>> {
    let bytes = s.as_bytes();
    let mut links = Vec::new();
    let mut opens: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'[' => opens.push(i),
            b']' => {
                if let Some(open) = opens.pop()
                    && bytes.get(i + 1) == Some(&b'(')
                {
                    match s[i + 2..].find(')') {
                        Some(rel) => {
                            let close = i + 2 + rel;
                            // An image `![alt](src)` is not a reference.
                            let image = open > 0 && bytes[open - 1] == b'!';
                            if !image {
                                links.push(Link {
                                    start: open,
                                    end: close + 1,
                                    text: &s[open + 1..i],
                                    target: &s[i + 2..close],
                                });
                            }
                            opens.clear();
                            i = close + 1;
                            continue;
                        }
                        None => break, // no `)` anywhere further: no more links possible
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    links
}

fn remove_links(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for link in find_links(s) {
        out.push_str(&s[last..link.start]);
        out.push(' ');
        last = link.end;
    }
    out.push_str(&s[last..]);
    out
}

/// Collects references from links (by the linked file's leading number, else `ADR-n` in the
/// link text, else the file stem) and from `ADR-0005` text outside links.
fn collect_refs(s: &str, out: &mut Vec<AdrRef>) {
    let links = find_links(s);
    let mut last = 0;
    let mut rest = String::new();
    for link in &links {
        rest.push_str(&s[last..link.start]);
        rest.push(' ');
        last = link.end;
        if let Some(r) = ref_from_target(link.target) {
            let r = match r {
                AdrRef::Stem(stem) => {
                    adr_number_in_text(link.text).map_or(AdrRef::Stem(stem), AdrRef::Number)
                }
                n => n,
            };
            out.push(r);
        } else if !is_external(link.target)
            && let Some(n) = adr_number_in_text(link.text)
        {
            out.push(AdrRef::Number(n));
        }
    }
    rest.push_str(&s[last..]);
    adr_numbers_in_text(&rest, out);
}

/// Like [`collect_refs`], but when nothing is found also accepts a bare token right after the
/// phrase: `superseded by 0005`, `superseded by 20201016-use-x`.
fn collect_refs_or_bare(s: &str, out: &mut Vec<AdrRef>) {
    let before = out.len();
    collect_refs(s, out);
    if out.len() > before {
        return;
    }
    let token = s
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '#' | '"' | '\''))
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ')' | '"' | '\''))
        .next()
        .unwrap_or("")
        .trim_end_matches('.');
    let token = token.strip_suffix(".md").unwrap_or(token);
    if token.is_empty() {
        return;
    }
    if token.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = token.parse::<u32>() {
            out.push(AdrRef::Number(n));
        }
    } else if token.bytes().take_while(u8::is_ascii_digit).count() >= 1
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/'))
    {
        let stem = token.rsplit('/').next().unwrap_or(token);
        out.push(ref_from_stem(stem));
    }
}

/// References from a metadata value that may be a list: links and `ADR-n` text, else each
/// comma-separated item as a bare number or stem (`supersedes: [3, 20201016-use-x]`).
fn collect_ref_list(s: &str, out: &mut Vec<AdrRef>) {
    let before = out.len();
    collect_refs(s, out);
    if out.len() > before {
        return;
    }
    for item in s.split(',') {
        collect_refs_or_bare(item.trim().trim_matches(|c| matches!(c, '[' | ']')), out);
    }
}

fn is_external(target: &str) -> bool {
    let t = target.trim().to_ascii_lowercase();
    t.contains("://") || t.starts_with("mailto:") || t.starts_with('#')
}

/// The reference a link target points at, or None for external links and non-Markdown files.
fn ref_from_target(target: &str) -> Option<AdrRef> {
    let t = target.trim().trim_start_matches('<');
    let t = t.split([' ', '>']).next().unwrap_or("");
    if t.is_empty() || is_external(t) {
        return None;
    }
    let t = t.split(['#', '?']).next().unwrap_or("");
    let name = t.rsplit(['/', '\\']).next().unwrap_or("");
    let lower = name.to_ascii_lowercase();
    let stem = [".md", ".markdown", ".html", ".htm"]
        .iter()
        .find_map(|ext| {
            lower
                .ends_with(ext)
                .then(|| &name[..name.len() - ext.len()])
        });
    let stem = match stem {
        Some(s) => s,
        None if !name.contains('.') => name,
        None => return None,
    };
    if stem.is_empty() {
        return None;
    }
    Some(ref_from_stem(stem))
}

/// `0005-use-x` → Number(5); `ADR-0013-x` → Number(13); `20201016-use-x` → Stem; `foo` → Stem.
fn ref_from_stem(stem: &str) -> AdrRef {
    if stem_date(stem).is_some() {
        return AdrRef::Stem(stem.to_string());
    }
    match stem_number(stem) {
        Some(n) => AdrRef::Number(n),
        None => AdrRef::Stem(stem.to_string()),
    }
}

/// First `ADR-0005` / `ADR 5` / `ADR0005` in a text.
fn adr_number_in_text(s: &str) -> Option<u32> {
    let mut found = Vec::new();
    adr_numbers_in_text(s, &mut found);
    match found.first() {
        Some(AdrRef::Number(n)) => Some(*n),
        _ => None,
    }
}

/// Every `ADR-0005` / `ADR 5` / `ADR0005` (case-insensitive, at a word start) in a text.
fn adr_numbers_in_text(s: &str, out: &mut Vec<AdrRef>) {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i + 3 < bytes.len() {
        let at_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if at_word && bytes[i..i + 3].eq_ignore_ascii_case(b"adr") {
            let mut j = i + 3;
            if matches!(bytes.get(j), Some(b'-' | b'_' | b' ')) {
                j += 1;
            }
            let digits = bytes[j..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 0 {
                if let Some(n) = s.get(j..j + digits).and_then(|d| d.parse::<u32>().ok()) {
                    out.push(AdrRef::Number(n));
                }
                i = j + digits;
                continue;
            }
        }
        i += 1;
    }
}

/// Removes duplicates, keeping the first occurrence (linear, unlike `Vec::dedup` over all pairs).
fn dedup_refs(refs: Vec<AdrRef>) -> Vec<AdrRef> {
    let mut seen: HashSet<(Option<u32>, String)> = HashSet::new();
    refs.into_iter()
        .filter(|r| {
            let key = match r {
                AdrRef::Number(n) => (Some(*n), String::new()),
                AdrRef::Stem(s) => (None, s.clone()),
            };
            seen.insert(key)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// File names, titles, dates
// ---------------------------------------------------------------------------------------------

/// The bare file name without directories and without a `.md`/`.markdown` extension.
fn file_stem(file_name: &str) -> String {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let lower = name.to_ascii_lowercase();
    for ext in [".md", ".markdown"] {
        if lower.ends_with(ext) && name.len() > ext.len() {
            return name[..name.len() - ext.len()].to_string();
        }
    }
    name.to_string()
}

/// Names of files that sit in ADR folders but are not decisions. Numbered files never match.
fn is_non_adr_name(stem: &str) -> bool {
    if stem.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let s = stem.to_ascii_lowercase();
    matches!(
        s.as_str(),
        "index" | "readme" | "toc" | "contents" | "table-of-contents" | "_sidebar"
    ) || s.starts_with("template")
        || s.starts_with("adr-template")
        || s.starts_with("adr_template")
        || s.ends_with("-template")
        || s.ends_with("_template")
}

/// True for titles that are still a template's placeholder.
fn is_placeholder_title(title: &str) -> bool {
    if title == "TITLE" || title == "NUMBER. TITLE" {
        return true;
    }
    let wrapped = matches!(
        (title.chars().next(), title.chars().last()),
        (Some('{'), Some('}')) | (Some('['), Some(']')) | (Some('<'), Some('>'))
    );
    wrapped && title.to_lowercase().contains("title")
}

/// Leading number of a stem: `0003-x` → 3, also `ADR-0013-x`, `adr_15-x`. None if there are no
/// digits or the number does not fit.
fn stem_number(stem: &str) -> Option<u32> {
    let s = match strip_prefix_ci(stem, "adr") {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        Some(rest) if rest.starts_with(['-', '_']) => &rest[1..],
        _ => stem,
    };
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    s[..digits].parse().ok()
}

/// The date of a log4brains-style stem `YYYYMMDD-slug` (or a bare `YYYYMMDD`).
fn stem_date(stem: &str) -> Option<jiff::civil::Date> {
    let bytes = stem.as_bytes();
    if bytes.len() < 8 || !bytes[..8].iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes.len() > 8 && bytes[8] != b'-' && bytes[8] != b'_' {
        return None;
    }
    let y: i16 = stem.get(..4)?.parse().ok()?;
    let m: i8 = stem.get(4..6)?.parse().ok()?;
    let d: i8 = stem.get(6..8)?.parse().ok()?;
    if !(1900..=2199).contains(&y) {
        return None;
    }
    jiff::civil::Date::new(y, m, d).ok()
}

/// Splits a number prefix off a title: `3. Use X`, `ADR-0003: Use X`, `ADR 3 - Use X`, `0003 - Use X`.
fn split_title_number(title: &str) -> (Option<u32>, &str) {
    let t = title.trim();
    let (after_adr, had_adr) = match strip_prefix_ci(t, "adr") {
        Some(rest) => {
            let rest = rest.strip_prefix(['-', '_', ' ']).unwrap_or(rest);
            (rest, true)
        }
        None => (t, false),
    };
    let digits = after_adr.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return (None, t);
    }
    let Ok(n) = after_adr[..digits].parse::<u32>() else {
        return (None, t);
    };
    let rest = &after_adr[digits..];
    let stripped = if let Some(r) = rest.strip_prefix('.') {
        // `3. Title` needs whitespace after the dot (so `3.5 GHz` is not a number prefix).
        r.starts_with([' ', '\t']).then_some(r)
    } else {
        let r = rest.trim_start();
        let sep = ['-', ':', '–', '—', '|']
            .iter()
            .find_map(|&c| r.strip_prefix(c));
        match sep {
            Some(after) if had_adr || after.starts_with([' ', '\t']) => Some(after),
            None if had_adr && rest.starts_with([' ', '\t']) => Some(r),
            _ => None,
        }
    };
    match stripped.map(str::trim) {
        Some(rest) if !rest.is_empty() => (Some(n), rest),
        _ => (None, t),
    }
}

enum DateFound {
    Date(jiff::civil::Date),
    /// Parsed as month/day/year because day/month/year was impossible; carries the text shown.
    MonthFirst(jiff::civil::Date, String),
    None,
}

/// Finds the first date in a text: `YYYY-MM-DD` (also `/` or `.`), or `DD/MM/YYYY` (adr-tools'
/// pre-2017 default, also `DD.MM.YYYY`), falling back to `MM/DD/YYYY` when the day/month reading is
/// impossible. Trailing times and surrounding link syntax are ignored.
fn find_date(s: &str) -> DateFound {
    let b = s.as_bytes();
    let read_num = |from: usize| -> (usize, usize) {
        let len = b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
        let value = s
            .get(from..from + len.min(9))
            .and_then(|d| d.parse::<usize>().ok())
            .unwrap_or(usize::MAX);
        (len, value)
    };
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let (l1, n1) = read_num(i);
        let next = i + l1;
        let sep = b.get(next).copied();
        if matches!(sep, Some(b'-' | b'/' | b'.')) {
            let (l2, n2) = read_num(next + 1);
            let after2 = next + 1 + l2;
            if l2 > 0 && b.get(after2).copied() == sep {
                let (l3, n3) = read_num(after2 + 1);
                if l3 > 0 {
                    let shown = s.get(i..after2 + 1 + l3).unwrap_or("").to_string();
                    if l1 == 4 && l2 <= 2 && l3 <= 2 {
                        if let Some(d) = make_date(n1, n2, n3) {
                            return DateFound::Date(d);
                        }
                    } else if l1 <= 2 && l2 <= 2 && l3 == 4 && sep != Some(b'-') {
                        if let Some(d) = make_date(n3, n2, n1) {
                            return DateFound::Date(d);
                        }
                        if let Some(d) = make_date(n3, n1, n2) {
                            return DateFound::MonthFirst(d, shown);
                        }
                    }
                }
            }
        }
        i = next.max(i + 1);
    }
    DateFound::None
}

fn make_date(y: usize, m: usize, d: usize) -> Option<jiff::civil::Date> {
    let y = i16::try_from(y).ok()?;
    let m = i8::try_from(m).ok()?;
    let d = i8::try_from(d).ok()?;
    jiff::civil::Date::new(y, m, d).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOOLS_1: &str =
        include_str!("../../tests/fixtures/adr/adr-tools/0001-record-architecture-decisions.md");
    const TOOLS_2: &str =
        include_str!("../../tests/fixtures/adr/adr-tools/0002-use-mysql-for-persistence.md");
    const TOOLS_3: &str =
        include_str!("../../tests/fixtures/adr/adr-tools/0003-use-postgresql-for-persistence.md");
    const TOOLS_4: &str = include_str!(
        "../../tests/fixtures/adr/adr-tools/0004-partition-the-invoice-table-by-month.md"
    );
    const TOOLS_README: &str = include_str!("../../tests/fixtures/adr/adr-tools/README.md");
    const MADR_1: &str = include_str!(
        "../../tests/fixtures/adr/madr/0001-use-markdown-architectural-decision-records.md"
    );
    const MADR_2: &str =
        include_str!("../../tests/fixtures/adr/madr/0002-use-rest-for-the-public-api.md");
    const MADR_3: &str = include_str!("../../tests/fixtures/adr/madr/0003-log-in-json.md");
    const MADR_4: &str =
        include_str!("../../tests/fixtures/adr/madr/0004-use-graphql-for-the-public-api.md");
    const MADR_TEMPLATE: &str = include_str!("../../tests/fixtures/adr/madr/adr-template.md");
    const L4B_1: &str = include_str!(
        "../../tests/fixtures/adr/log4brains/20200925-use-markdown-architectural-decision-records.md"
    );
    const L4B_2: &str =
        include_str!("../../tests/fixtures/adr/log4brains/20201002-store-sessions-in-redis.md");
    const L4B_3: &str =
        include_str!("../../tests/fixtures/adr/log4brains/20210114-store-sessions-in-postgres.md");
    const L4B_INDEX: &str = include_str!("../../tests/fixtures/adr/log4brains/index.md");
    const L4B_TEMPLATE: &str = include_str!("../../tests/fixtures/adr/log4brains/template.md");

    /// Every fixture with its file name.
    const FIXTURES: &[(&str, &str)] = &[
        ("0001-record-architecture-decisions.md", TOOLS_1),
        ("0002-use-mysql-for-persistence.md", TOOLS_2),
        ("0003-use-postgresql-for-persistence.md", TOOLS_3),
        ("0004-partition-the-invoice-table-by-month.md", TOOLS_4),
        ("README.md", TOOLS_README),
        (
            "0001-use-markdown-architectural-decision-records.md",
            MADR_1,
        ),
        ("0002-use-rest-for-the-public-api.md", MADR_2),
        ("0003-log-in-json.md", MADR_3),
        ("0004-use-graphql-for-the-public-api.md", MADR_4),
        ("adr-template.md", MADR_TEMPLATE),
        (
            "20200925-use-markdown-architectural-decision-records.md",
            L4B_1,
        ),
        ("20201002-store-sessions-in-redis.md", L4B_2),
        ("20210114-store-sessions-in-postgres.md", L4B_3),
        ("index.md", L4B_INDEX),
        ("template.md", L4B_TEMPLATE),
    ];

    fn parse(name: &str, text: &str) -> ParsedAdr {
        match parse_adr(name, text) {
            Ok(adr) => adr,
            Err(e) => panic!("{name} did not parse: {e:?}"),
        }
    }

    fn date(y: i16, m: i8, d: i8) -> Option<jiff::civil::Date> {
        Some(jiff::civil::date(y, m, d))
    }

    fn stem(s: &str) -> AdrRef {
        AdrRef::Stem(s.to_string())
    }

    // ----- adr-tools -----------------------------------------------------------------------

    #[test]
    fn adr_tools_first_record() {
        let adr = parse("0001-record-architecture-decisions.md", TOOLS_1);
        assert_eq!(adr.format, AdrFormat::AdrTools);
        assert_eq!(adr.number, Some(1));
        assert_eq!(adr.stem, "0001-record-architecture-decisions");
        assert_eq!(adr.title, "Record architecture decisions");
        assert_eq!(adr.date, date(2016, 2, 12));
        assert_eq!(adr.status.as_deref(), Some("accepted"));
        assert!(
            adr.supersedes.is_empty() && adr.superseded_by.is_empty() && adr.related.is_empty()
        );
        assert!(adr.tags.is_empty());
        assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
        assert!(
            adr.body.starts_with("## Context\n\nDecisions about"),
            "{}",
            adr.body
        );
        assert!(adr.body.ends_with("by a newer one.\n"));
        assert!(!adr.body.contains("## Status"));
        assert!(!adr.body.contains("Date:"));
        assert!(!adr.body.contains("# 1."));
    }

    #[test]
    fn adr_tools_superseded_record_with_uk_date() {
        let adr = parse("0002-use-mysql-for-persistence.md", TOOLS_2);
        assert_eq!(adr.format, AdrFormat::AdrTools);
        assert_eq!(adr.number, Some(2));
        assert_eq!(adr.title, "Use MySQL for persistence");
        // adr-tools wrote dd/mm/yyyy before it switched to ISO 8601.
        assert_eq!(adr.date, date(2016, 3, 3));
        assert_eq!(adr.status.as_deref(), Some("superseded"));
        assert_eq!(adr.superseded_by, vec![AdrRef::Number(3)]);
        assert!(adr.supersedes.is_empty());
        assert!(adr.related.is_empty());
        assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
        assert!(adr.body.starts_with("## Context\n"));
        assert!(!adr.body.contains("Superceded"));
    }

    #[test]
    fn adr_tools_superseding_record_with_amendment_and_code_block() {
        let adr = parse("0003-use-postgresql-for-persistence.md", TOOLS_3);
        assert_eq!(adr.number, Some(3));
        assert_eq!(adr.title, "Use PostgreSQL for persistence");
        assert_eq!(adr.date, date(2017, 6, 20));
        assert_eq!(adr.status.as_deref(), Some("accepted"));
        assert_eq!(adr.supersedes, vec![AdrRef::Number(2)]);
        assert!(adr.superseded_by.is_empty());
        assert_eq!(adr.related, vec![AdrRef::Number(4)]);
        assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
        assert!(
            adr.body
                .contains("# not a heading: this is inside a code block\n```\n")
        );
        assert!(adr.body.contains("## Consequences\n"));
    }

    #[test]
    fn adr_tools_amends_is_related() {
        let adr = parse("0004-partition-the-invoice-table-by-month.md", TOOLS_4);
        assert_eq!(adr.status.as_deref(), Some("proposed"));
        assert_eq!(adr.related, vec![AdrRef::Number(3)]);
        assert!(adr.supersedes.is_empty() && adr.superseded_by.is_empty());
    }

    #[test]
    fn adr_tools_readme_is_skipped() {
        assert_eq!(
            parse_adr("README.md", TOOLS_README),
            Err(AdrParseError::NotAnAdr)
        );
    }

    #[test]
    fn adr_tools_template_is_skipped_by_content() {
        let template = "# NUMBER. TITLE\n\nDate: DATE\n\n## Status\n\nSTATUS\n\n## Context\n\nContext here...\n";
        assert_eq!(
            parse_adr("some-file.md", template),
            Err(AdrParseError::NotAnAdr)
        );
        assert_eq!(
            parse_adr("templates/template.md", template),
            Err(AdrParseError::NotAnAdr)
        );
    }

    #[test]
    fn adr_tools_keeps_accepted_next_to_superseded_line_as_superseded() {
        let text = "# 5. Cache\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\nSuperseded by [7. Other](0007-other.md)\n\n## Context\n\nX\n";
        let adr = parse("0005-cache.md", text);
        assert_eq!(adr.status.as_deref(), Some("superseded"));
        assert_eq!(adr.superseded_by, vec![AdrRef::Number(7)]);
    }

    #[test]
    fn adr_tools_status_section_extra_text_is_reported() {
        let text = "# 6. X\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\nAgreed in the March review.\n\n## Context\n\nC\n";
        let adr = parse("0006-x.md", text);
        assert_eq!(adr.status.as_deref(), Some("accepted"));
        assert_eq!(adr.warnings.len(), 1);
        assert_eq!(adr.warnings[0].0, 9);
        assert!(adr.warnings[0].1.contains("not imported"));
    }

    #[test]
    fn adr_tools_link_text_with_relation_words_is_not_split() {
        let text = "# 9. Y\n\nDate: 2021-01-01\n\n## Status\n\nAccepted\n\nSupercedes [8. Replaces the cache](0008-replaces-the-cache.md)\n";
        let adr = parse("0009-y.md", text);
        assert_eq!(adr.supersedes, vec![AdrRef::Number(8)]);
        assert!(adr.related.is_empty());
        assert_eq!(adr.body, "");
    }

    // ----- MADR ----------------------------------------------------------------------------

    #[test]
    fn madr4_front_matter() {
        let adr = parse(
            "0001-use-markdown-architectural-decision-records.md",
            MADR_1,
        );
        assert_eq!(adr.format, AdrFormat::Madr);
        assert_eq!(adr.number, Some(1));
        assert_eq!(adr.title, "Use Markdown Architectural Decision Records");
        assert_eq!(adr.date, date(2019, 3, 11));
        assert_eq!(adr.status.as_deref(), Some("accepted"));
        assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
        assert!(adr.body.starts_with("## Context and Problem Statement\n"));
        assert!(!adr.body.contains("decision-makers"));
        assert!(adr.body.ends_with("plain Markdown.\n"));
    }

    #[test]
    fn madr2_bullets_superseded() {
        let adr = parse("0002-use-rest-for-the-public-api.md", MADR_2);
        assert_eq!(adr.format, AdrFormat::Madr);
        assert_eq!(adr.number, Some(2));
        assert_eq!(adr.title, "Use REST for the public API");
        assert_eq!(adr.date, date(2019, 5, 14));
        assert_eq!(adr.status.as_deref(), Some("superseded"));
        assert_eq!(adr.superseded_by, vec![AdrRef::Number(4)]);
        assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
        assert!(
            adr.body
                .starts_with("Technical Story: https://tracker.example.com/API-112\n\n## Context")
        );
        assert!(!adr.body.contains("Deciders"));
        assert!(adr.body.contains("### Negative Consequences\n"));
    }

    #[test]
    fn madr3_quoted_status_tags_and_block_lists() {
        let adr = parse("0003-log-in-json.md", MADR_3);
        assert_eq!(adr.format, AdrFormat::Madr);
        assert_eq!(adr.number, Some(3));
        assert_eq!(adr.title, "Log in JSON");
        assert_eq!(adr.date, date(2022, 10, 3));
        assert_eq!(adr.status.as_deref(), Some("proposed"));
        assert_eq!(
            adr.tags,
            vec!["observability".to_string(), "logging".to_string()]
        );
        assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
        assert!(adr.body.starts_with("## Context and Problem Statement\n"));
        assert!(!adr.body.contains("support"));
    }

    #[test]
    fn madr_superseding_record_via_links_section() {
        let adr = parse("0004-use-graphql-for-the-public-api.md", MADR_4);
        assert_eq!(adr.format, AdrFormat::Madr);
        assert_eq!(adr.status.as_deref(), Some("accepted"));
        assert_eq!(adr.date, date(2023, 2, 27));
        assert_eq!(adr.supersedes, vec![AdrRef::Number(2)]);
        assert!(adr.superseded_by.is_empty());
        // The Links section is content: it stays in the body.
        assert!(adr.body.ends_with(
            "## Links\n\n* Supersedes [ADR-0002](0002-use-rest-for-the-public-api.md)\n"
        ));
        assert!(adr.body.starts_with("## Context and Problem Statement\n"));
    }

    #[test]
    fn madr_template_is_skipped() {
        assert_eq!(
            parse_adr("adr-template.md", MADR_TEMPLATE),
            Err(AdrParseError::NotAnAdr)
        );
        // Also when a copy of the template sits under another name.
        assert_eq!(
            parse_adr("0099-new.md", MADR_TEMPLATE),
            Err(AdrParseError::NotAnAdr)
        );
        let madr2 = "# [short title of solved problem and solution]\n\n* Status: [proposed | rejected | accepted]\n";
        assert_eq!(
            parse_adr("template.md", madr2),
            Err(AdrParseError::NotAnAdr)
        );
        assert_eq!(parse_adr("0000-x.md", madr2), Err(AdrParseError::NotAnAdr));
        let madr1 = "# <Short Title of the Issue>\n\n## Considered Alternatives\n";
        assert_eq!(parse_adr("0001-x.md", madr1), Err(AdrParseError::NotAnAdr));
    }

    #[test]
    fn madr_front_matter_superseded_by_quoted_link() {
        let text = "---\nstatus: \"superseded by [ADR-0005](0005-example.md)\"\ndate: 2023-01-01\n---\n\n# Old\n\nBody\n";
        let adr = parse("0003-old.md", text);
        assert_eq!(adr.status.as_deref(), Some("superseded"));
        assert_eq!(adr.superseded_by, vec![AdrRef::Number(5)]);
        assert_eq!(adr.body, "Body\n");
    }

    #[test]
    fn madr4_bare_adr_number_and_jekyll_keys() {
        let text = "---\nparent: Decisions\nnav_order: 3\nstatus: superseded by ADR-0123\n---\n# Old way\n";
        let adr = parse("0003-old-way.md", text);
        assert_eq!(adr.status.as_deref(), Some("superseded"));
        assert_eq!(adr.superseded_by, vec![AdrRef::Number(123)]);
        assert_eq!(adr.date, None);
        assert_eq!(adr.body, "");
        assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
    }

    #[test]
    fn front_matter_reference_lists() {
        let text = "---\nstatus: accepted\nsupersedes: [3, 20201016-use-x]\nrelated:\n  - \"[ADR-0002](0002-y.md)\"\n---\n# T\n";
        let adr = parse("0004-t.md", text);
        assert_eq!(
            adr.supersedes,
            vec![AdrRef::Number(3), stem("20201016-use-x")]
        );
        assert_eq!(adr.related, vec![AdrRef::Number(2)]);
    }

    #[test]
    fn front_matter_that_is_never_closed_is_invalid() {
        let err = parse_adr("0001-x.md", "---\nstatus: accepted\n# Title\n").unwrap_err();
        match err {
            AdrParseError::Invalid { line, message } => {
                assert_eq!(line, 1);
                assert!(message.contains("never closed"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn front_matter_comment_is_not_a_title() {
        let text = "---\n# a YAML comment\nstatus: accepted\n---\n";
        assert!(matches!(
            parse_adr("0001-x.md", text),
            Err(AdrParseError::Invalid { line: 1, .. })
        ));
    }

    // ----- log4brains ----------------------------------------------------------------------

    #[test]
    fn log4brains_first_record_with_bracket_tags() {
        let adr = parse(
            "20200925-use-markdown-architectural-decision-records.md",
            L4B_1,
        );
        assert_eq!(adr.format, AdrFormat::Log4brains);
        assert_eq!(adr.number, None);
        assert_eq!(
            adr.stem,
            "20200925-use-markdown-architectural-decision-records"
        );
        assert_eq!(adr.title, "Use Markdown Architectural Decision Records");
        assert_eq!(adr.date, date(2020, 9, 25));
        assert_eq!(adr.status.as_deref(), Some("accepted"));
        assert_eq!(adr.tags, vec!["doc".to_string(), "process".to_string()]);
        assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
        assert!(adr.body.starts_with("## Context and Problem Statement\n"));
    }

    #[test]
    fn log4brains_superseded_by_slug() {
        let adr = parse("20201002-store-sessions-in-redis.md", L4B_2);
        assert_eq!(adr.format, AdrFormat::Log4brains);
        assert_eq!(adr.status.as_deref(), Some("superseded"));
        assert_eq!(
            adr.superseded_by,
            vec![stem("20210114-store-sessions-in-postgres")]
        );
        assert_eq!(adr.tags, vec!["backend".to_string(), "cache".to_string()]);
        assert_eq!(adr.date, date(2020, 10, 2));
        assert!(
            adr.body
                .starts_with("Technical Story: SHOP-231\n\n## Context")
        );
    }

    #[test]
    fn log4brains_date_from_stem_intro_and_links_section() {
        let adr = parse("20210114-store-sessions-in-postgres.md", L4B_3);
        assert_eq!(adr.format, AdrFormat::Log4brains);
        assert_eq!(adr.number, None);
        assert_eq!(adr.date, date(2021, 1, 14));
        assert_eq!(adr.status.as_deref(), Some("accepted"));
        assert_eq!(
            adr.tags,
            vec!["backend".to_string(), "persistence".to_string()]
        );
        assert_eq!(
            adr.supersedes,
            vec![stem("20201002-store-sessions-in-redis")]
        );
        assert_eq!(
            adr.related,
            vec![stem("20200925-use-markdown-architectural-decision-records")]
        );
        assert!(
            adr.body
                .starts_with("Running a separate Redis only for sessions turned out not to be worth it.\n\n## Context"),
            "{}",
            adr.body
        );
    }

    #[test]
    fn log4brains_index_and_template_are_skipped() {
        assert_eq!(
            parse_adr("index.md", L4B_INDEX),
            Err(AdrParseError::NotAnAdr)
        );
        assert_eq!(
            parse_adr("template.md", L4B_TEMPLATE),
            Err(AdrParseError::NotAnAdr)
        );
        // The template is recognised by its title too.
        assert_eq!(
            parse_adr("20240101-copy.md", L4B_TEMPLATE),
            Err(AdrParseError::NotAnAdr)
        );
    }

    #[test]
    fn log4brains_bare_slug_and_draft() {
        let text = "# A\n\n- Status: superseded by 20201016-use-x\n";
        let adr = parse("20200101-a.md", text);
        assert_eq!(adr.superseded_by, vec![stem("20201016-use-x")]);
        let adr = parse(
            "20200101-b.md",
            "# B\n\n- Status: draft\n- Date: 2020-01-05\n",
        );
        assert_eq!(adr.status.as_deref(), Some("proposed"));
        assert_eq!(adr.date, date(2020, 1, 5));
    }

    // ----- supersede pairs -----------------------------------------------------------------

    #[test]
    fn supersede_pairs_agree_in_both_directions() {
        let old = parse("0002-use-mysql-for-persistence.md", TOOLS_2);
        let new = parse("0003-use-postgresql-for-persistence.md", TOOLS_3);
        assert_eq!(old.superseded_by, vec![AdrRef::Number(3)]);
        assert_eq!(new.supersedes, vec![AdrRef::Number(2)]);

        let old = parse("0002-use-rest-for-the-public-api.md", MADR_2);
        let new = parse("0004-use-graphql-for-the-public-api.md", MADR_4);
        assert_eq!(old.superseded_by, vec![AdrRef::Number(4)]);
        assert_eq!(new.supersedes, vec![AdrRef::Number(2)]);

        let old = parse("20201002-store-sessions-in-redis.md", L4B_2);
        let new = parse("20210114-store-sessions-in-postgres.md", L4B_3);
        assert_eq!(old.superseded_by, vec![AdrRef::Stem(new.stem.clone())]);
        assert_eq!(new.supersedes, vec![AdrRef::Stem(old.stem.clone())]);
    }

    // ----- line endings, errors, robustness ------------------------------------------------

    #[test]
    fn crlf_gives_the_same_result() {
        for &(name, text) in FIXTURES {
            let crlf = text.replace('\n', "\r\n");
            assert_eq!(parse_adr(name, text), parse_adr(name, &crlf), "{name}");
        }
        let adr = parse(
            "0002-use-mysql-for-persistence.md",
            &TOOLS_2.replace('\n', "\r\n"),
        );
        assert!(!adr.body.contains('\r'));
    }

    #[test]
    fn byte_order_mark_is_ignored() {
        let with_bom = format!("\u{feff}{MADR_1}");
        assert_eq!(
            parse_adr(
                "0001-use-markdown-architectural-decision-records.md",
                &with_bom
            ),
            parse_adr(
                "0001-use-markdown-architectural-decision-records.md",
                MADR_1
            )
        );
    }

    #[test]
    fn missing_title_is_invalid_at_line_one() {
        for text in [
            "",
            "\n\n",
            "Just prose.\n\n## Context\n\nX\n",
            "#NoSpace\n",
            "```\n# in code\n```\n",
        ] {
            match parse_adr("0001-x.md", text) {
                Err(AdrParseError::Invalid { line, message }) => {
                    assert_eq!(line, 1);
                    assert!(message.contains("# Title"), "{message}");
                }
                other => panic!("{text:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn empty_title_is_invalid_at_its_line() {
        assert_eq!(
            parse_adr("0001-x.md", "\n\n#   \n\nBody\n"),
            Err(AdrParseError::Invalid {
                line: 3,
                message: "the `#` title heading is empty".to_string()
            })
        );
    }

    #[test]
    fn unknown_status_gives_warning_with_line() {
        let adr = parse(
            "0007-x.md",
            "# 7. X\n\nDate: 2020-02-02\n\n## Status\n\nPondering\n\n## Context\n",
        );
        assert_eq!(adr.status, None);
        assert_eq!(adr.warnings.len(), 1);
        assert_eq!(adr.warnings[0].0, 7);
        assert!(
            adr.warnings[0].1.contains("unknown status `pondering`"),
            "{:?}",
            adr.warnings
        );

        let adr = parse("0008-y.md", "# Y\n\n* Status: maybe later\n");
        assert_eq!(adr.status, None);
        assert_eq!(adr.warnings[0].0, 3);
    }

    #[test]
    fn status_synonyms() {
        let cases = [
            ("Accepted", Some("accepted")),
            ("APPROVED", Some("accepted")),
            ("done", Some("accepted")),
            ("Accepted (2026-04-30)", Some("accepted")),
            ("**Accepted**", Some("accepted")),
            ("~~Proposed~~ Accepted", Some("accepted")),
            ("✅ accepted", Some("accepted")),
            ("draft", Some("proposed")),
            ("In review", Some("proposed")),
            ("WIP", Some("proposed")),
            ("obsolete", Some("deprecated")),
            ("Deprecated", Some("deprecated")),
            ("retired", Some("deprecated")),
            ("rejected", Some("rejected")),
            ("Withdrawn", Some("rejected")),
            ("won't do", Some("rejected")),
            ("superseded", Some("superseded")),
            ("Superceded", Some("superseded")),
            ("frobnicated", None),
        ];
        for (word, want) in cases {
            let adr = parse("0001-x.md", &format!("# X\n\n* Status: {word}\n"));
            assert_eq!(adr.status.as_deref(), want, "{word}");
            assert_eq!(
                adr.warnings.is_empty(),
                want.is_some() && want != Some("superseded"),
                "{word}: {:?}",
                adr.warnings
            );
        }
    }

    #[test]
    fn status_placeholder_in_a_real_record_is_reported() {
        let text = "# Result types\n\n* Status: [proposed | rejected | accepted | deprecated] <!-- optional -->\n\nBody\n";
        let adr = parse("0004-result-types.md", text);
        assert_eq!(adr.status, None);
        assert_eq!(adr.warnings.len(), 1);
        assert!(adr.warnings[0].1.contains("placeholder"));
        assert_eq!(adr.body, "Body\n");
    }

    #[test]
    fn superseded_without_target_is_reported() {
        let adr = parse(
            "0004-x.md",
            "# X\n\n* Status: superseded by the new caching approach\n",
        );
        assert_eq!(adr.status.as_deref(), Some("superseded"));
        assert!(adr.superseded_by.is_empty());
        assert_eq!(adr.warnings.len(), 1);
        assert_eq!(adr.warnings[0].0, 3);
    }

    #[test]
    fn bare_numbers_after_superseded_by() {
        let adr = parse(
            "003-x.md",
            "# ADR003 - X\n\n* Date: 2026-07-01\n* Status: SUPERSEDED by 004\n",
        );
        assert_eq!(adr.number, Some(3));
        assert_eq!(adr.title, "X");
        assert_eq!(adr.superseded_by, vec![AdrRef::Number(4)]);
    }

    #[test]
    fn dates_in_other_shapes() {
        let linked = "# X\n\n* Date: [2020-06-15](https://example.com/pull/34) <!-- optional -->\n";
        assert_eq!(parse("0001-x.md", linked).date, date(2020, 6, 15));

        let with_time = "---\ndate: 2021-03-04T10:00:00Z\n---\n# X\n";
        assert_eq!(parse("0001-x.md", with_time).date, date(2021, 3, 4));

        let month_first = parse("0001-x.md", "# 1. X\n\nDate: 12/31/2016\n");
        assert_eq!(month_first.date, date(2016, 12, 31));
        assert_eq!(month_first.warnings.len(), 1);
        assert_eq!(month_first.warnings[0].0, 3);

        let placeholder = parse(
            "0001-x.md",
            "# X\n\n* Date: [YYYY-MM-DD when the decision was last updated]\n",
        );
        assert_eq!(placeholder.date, None);
        assert!(placeholder.warnings[0].1.contains("placeholder"));

        let bad = parse("0001-x.md", "# 1. X\n\nDate: last Tuesday\n");
        assert_eq!(bad.date, None);
        assert_eq!(
            bad.warnings,
            vec![(
                3,
                "could not read the date `last Tuesday` (expected YYYY-MM-DD)".to_string()
            )]
        );

        let impossible = parse("0001-x.md", "# 1. X\n\nDate: 2020-02-30\n");
        assert_eq!(impossible.date, None);
        assert_eq!(impossible.warnings.len(), 1);

        // log4brains: an unreadable Date falls back to the stem's date.
        let fallback = parse("20200101-x.md", "# X\n\n- Date: soon\n");
        assert_eq!(fallback.date, date(2020, 1, 1));
        assert_eq!(fallback.warnings.len(), 1);
    }

    #[test]
    fn title_number_prefixes() {
        assert_eq!(
            split_title_number("3. Use Postgres"),
            (Some(3), "Use Postgres")
        );
        assert_eq!(
            split_title_number("ADR-0003: Use Postgres"),
            (Some(3), "Use Postgres")
        );
        assert_eq!(split_title_number("ADR 12 — Split"), (Some(12), "Split"));
        assert_eq!(split_title_number("adr-7 Use X"), (Some(7), "Use X"));
        assert_eq!(split_title_number("0004 - Use Y"), (Some(4), "Use Y"));
        assert_eq!(
            split_title_number("3.5 GHz is enough"),
            (None, "3.5 GHz is enough")
        );
        assert_eq!(split_title_number("2024 roadmap"), (None, "2024 roadmap"));
        assert_eq!(split_title_number("Adrenaline"), (None, "Adrenaline"));
        assert_eq!(split_title_number("3."), (None, "3."));
        assert_eq!(
            split_title_number("99999999999. Huge"),
            (None, "99999999999. Huge")
        );
    }

    #[test]
    fn numbers_from_heading_and_file_names() {
        let adr = parse("use-x.md", "# 12. Use X\n\nDate: 2020-01-01\n");
        assert_eq!(adr.number, Some(12));
        assert_eq!(adr.stem, "use-x");
        let adr = parse("ADR-0013-submissions.md", "# ADR-0013: Submissions\n");
        assert_eq!(adr.number, Some(13));
        assert_eq!(adr.title, "Submissions");
        assert!(adr.warnings.is_empty());
        let adr = parse("0005-x.md", "# 6. X\n\nDate: 2020-01-01\n");
        assert_eq!(adr.number, Some(5));
        assert_eq!(adr.warnings.len(), 1);
        assert_eq!(adr.warnings[0].0, 1);
        let adr = parse("hello.md", "# Hello ##\n");
        assert_eq!(adr.number, None);
        assert_eq!(adr.title, "Hello");
        assert_eq!(adr.format, AdrFormat::Madr);
        assert_eq!(adr.stem, "hello");
    }

    #[test]
    fn link_targets_resolve_to_numbers_or_stems() {
        assert_eq!(ref_from_target("0005-use-x.md"), Some(AdrRef::Number(5)));
        assert_eq!(
            ref_from_target("./0005-use-x.md#decision"),
            Some(AdrRef::Number(5))
        );
        assert_eq!(
            ref_from_target("../other/ADR-015-states.md"),
            Some(AdrRef::Number(15))
        );
        assert_eq!(ref_from_target("0005-use-x"), Some(AdrRef::Number(5)));
        assert_eq!(
            ref_from_target("20201016-use-x.md"),
            Some(stem("20201016-use-x"))
        );
        assert_eq!(ref_from_target("notes.md"), Some(stem("notes")));
        assert_eq!(ref_from_target("https://example.com/0005-x.md"), None);
        assert_eq!(ref_from_target("diagram.png"), None);
        assert_eq!(ref_from_target("#section"), None);
        let mut refs = Vec::new();
        collect_refs(
            "[ADR-0007](example.md) and ADR-0009, also [x](https://e.com)",
            &mut refs,
        );
        assert_eq!(refs, vec![AdrRef::Number(7), AdrRef::Number(9)]);
    }

    #[test]
    fn bold_keys_and_plain_status_line() {
        let text =
            "# Bold\n\n- **Status:** Accepted\n- **Date**: 2021-05-06\n- Owner: Team A\n\nIntro.\n";
        let adr = parse("0001-bold.md", text);
        assert_eq!(adr.status.as_deref(), Some("accepted"));
        assert_eq!(adr.date, date(2021, 5, 6));
        assert_eq!(adr.body, "- Owner: Team A\n\nIntro.\n");

        let plain = parse(
            "0002-plain.md",
            "# ADR-0002: Plain\n\nStatus: Superseded by [ADR-0003](0003-x.md)\nDate: 2026-08-31\n\n## Context\n",
        );
        assert_eq!(plain.format, AdrFormat::AdrTools);
        assert_eq!(plain.superseded_by, vec![AdrRef::Number(3)]);
        assert_eq!(plain.body, "## Context\n");
    }

    #[test]
    fn text_above_the_title_is_kept() {
        let adr = parse(
            "0001-x.md",
            "<!-- keep -->\n\n# 1. X\n\nDate: 2020-01-01\n\n## Context\n",
        );
        assert_eq!(adr.body, "<!-- keep -->\n\n## Context\n");
    }

    #[test]
    fn skips_by_name_but_not_numbered_files() {
        for name in [
            "template.md",
            "TEMPLATE.md",
            "adr-template-minimal.md",
            "index.md",
            "README.md",
            "my-template.md",
        ] {
            assert_eq!(
                parse_adr(name, "# Real title\n"),
                Err(AdrParseError::NotAnAdr),
                "{name}"
            );
        }
        assert!(parse_adr("0005-choose-a-template.md", "# 5. Choose a template\n").is_ok());
    }

    /// A tiny deterministic generator so the fuzz-style tests need no extra crates.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
    }

    #[test]
    fn garbage_never_panics() {
        #[rustfmt::skip]
        let pieces = [
            "#", "# ", "## Status", "---", "...", "\n", "\r\n", "\r", "[", "]", "(", ")", "](",
            "~~", "```", "~~~", "* ", "- ", "Status:", "Date:", "superseded by ", "supersedes ",
            "ADR-", "0", "9", "99999999999", "2020-", "/", ".", "<!--", "-->", "{", "}", "|",
            "\u{0}", "\u{feff}", "é", "🦀", "\u{fffd}", " ", "\t", "**", "_", "`", ":", "20201016-x",
            ".md", "http://", "Tags: [", "\"", "'",
        ];
        let mut rng = Lcg(42);
        for _ in 0..3000 {
            let n = (rng.next() % 40) as usize;
            let mut text = String::new();
            for _ in 0..n {
                text.push_str(pieces[(rng.next() as usize) % pieces.len()]);
            }
            let name = if rng.next() & 1 == 0 {
                "0001-x.md"
            } else {
                "20200101-x.md"
            };
            let _ = parse_adr(name, &text);
        }
        // Every byte value, as lossy text.
        let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        let _ = parse_adr("0001-bin.md", &String::from_utf8_lossy(&bytes));
        // Every prefix of every fixture (at char boundaries) parses or fails cleanly.
        for &(name, text) in FIXTURES {
            for (i, _) in text.char_indices() {
                let _ = parse_adr(name, &text[..i]);
            }
        }
        for name in [
            "",
            ".md",
            "/",
            "é.md",
            "0",
            "99999999999999999999-x.md",
            "20201340-x.md",
        ] {
            let _ = parse_adr(name, "# T\n");
        }
    }

    #[test]
    fn large_hostile_input_is_fast() {
        let n = 200_000;
        let mut text = String::from("# 1. X\n\nDate: 2020-01-01\n\n## Status\n\n");
        text.push_str(&"[".repeat(n));
        text.push_str(&"](".repeat(n));
        text.push('\n');
        text.push_str(&"superseded by ".repeat(n / 10));
        text.push('\n');
        text.push_str(&"ADR-".repeat(n));
        text.push('\n');
        text.push_str("* Status: ");
        text.push_str(&"[a](0001-x.md) ".repeat(n / 10));
        text.push('\n');
        text.push_str(&"#".repeat(n));
        text.push('\n');
        text.push_str(&"1/".repeat(n));
        text.push('\n');
        text.push_str(&"- Date: 1-1-1-1-".repeat(n / 10));
        let start = std::time::Instant::now();
        let _ = parse_adr("0001-x.md", &text);
        let _ = parse_adr("0001-x.md", &"\n".repeat(n));
        let _ = parse_adr("0001-x.md", &"# T\n".repeat(n));
        let _ = parse_adr("0001-x.md", &format!("# T\n\n{}", "## Status\n".repeat(n)));
        let _ = parse_adr("0001-x.md", &format!("---\n{}", "tags: a, b\n".repeat(n)));
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "took {:?}",
            start.elapsed()
        );
    }
}
