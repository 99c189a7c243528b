//! Reading what a file says about itself into a [`Parser`]: the YAML front matter, `Key: value`
//! lines under the title, and the `## Status` and `## Links` sections. Status words and relation
//! phrases are read by [`super::status`], references by [`super::refs`], dates by
//! [`super::dates`].

use super::dates::{DateFound, find_date};
use super::markdown::{Line, strip_bullet, strip_html_comments, strip_indent};
use super::refs::{collect_ref_list, collect_refs, collect_refs_or_bare};
use super::status::{Relation, normalise_status, plain_status_text, split_relations, status_text};
use super::{AdrRef, strip_prefix_ci};

/// The kinds of metadata key git-zen understands.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Key {
    Status,
    Date,
    Tags,
    Supersedes,
    SupersededBy,
    Related,
    /// Who wrote it (`author:`, `authors:`): becomes the record's author.
    Authors,
    /// Who decided (`Deciders:`, `decision-makers:`): kept as the record's `deciders`.
    Deciders,
    /// Known metadata that git-zen does not keep (deciders, consulted, informed …).
    Ignored,
}

fn key_kind(key: &str) -> Option<Key> {
    let k = key.trim().to_ascii_lowercase().replace(['_', '-'], " ");
    Some(match k.as_str() {
        "status" => Key::Status,
        "date" | "introduced" | "decision date" | "date decided" => Key::Date,
        "tags" | "tag" => Key::Tags,
        "supersedes" | "supercedes" | "replaces" => Key::Supersedes,
        "superseded by" | "superceded by" | "replaced by" => Key::SupersededBy,
        "related" | "related to" | "relates to" | "amends" | "amended by" | "see also" => {
            Key::Related
        }
        "author" | "authors" => Key::Authors,
        "deciders" | "decision makers" | "decided by" => Key::Deciders,
        "consulted" | "informed" => Key::Ignored,
        _ => return None,
    })
}

pub(super) struct MetaLine<'a> {
    pub(super) key: Key,
    pub(super) value: &'a str,
    pub(super) bullet: bool,
}

/// Recognises `* Key: value`, `- **Key:** value` and plain `Key: value` lines with a known key.
pub(super) fn metadata_line(line: &str) -> Option<MetaLine<'_>> {
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
pub(super) struct Parser {
    pub(super) has_front_matter: bool,
    pub(super) has_bullet_meta: bool,
    pub(super) has_plain_meta: bool,
    pub(super) has_status_section: bool,
    pub(super) status: Option<&'static str>,
    /// The status as written (emphasis and brackets removed, case kept), from the first status
    /// value that had words of its own: what `imported_status` keeps when it was not a
    /// status word git-zen uses as is.
    pub(super) status_text: Option<String>,
    /// Whether a status problem (a placeholder) was already reported.
    pub(super) status_reported: bool,
    /// `title:` from the front matter (Docusaurus, MADR 4, Jekyll).
    pub(super) title: Option<(String, usize)>,
    /// `author:` / `authors:` values, in order.
    pub(super) authors: Vec<String>,
    /// `Deciders:` / `decision-makers:` values, in order.
    pub(super) deciders: Vec<String>,
    /// Line the status came from (for the "superseded without target" warning).
    pub(super) status_line: usize,
    pub(super) date: Option<jiff::civil::Date>,
    pub(super) tags: Vec<String>,
    pub(super) supersedes: Vec<AdrRef>,
    pub(super) superseded_by: Vec<AdrRef>,
    pub(super) related: Vec<AdrRef>,
    pub(super) warnings: Vec<(usize, String)>,
}

impl Parser {
    pub(super) fn new() -> Self {
        Parser {
            has_front_matter: false,
            has_bullet_meta: false,
            has_plain_meta: false,
            has_status_section: false,
            status: None,
            status_text: None,
            status_reported: false,
            title: None,
            authors: Vec::new(),
            deciders: Vec::new(),
            status_line: 1,
            date: None,
            tags: Vec::new(),
            supersedes: Vec::new(),
            superseded_by: Vec::new(),
            related: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub(super) fn warn(&mut self, line: usize, message: String) {
        self.warnings.push((line, message));
    }

    /// Reads the YAML front matter lines (between the `---` markers) with a minimal
    /// `key: value` / `key:` + `- item` reader; nested structures are ignored.
    pub(super) fn read_front_matter(&mut self, lines: &[Line<'_>]) {
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
            if t[..colon].trim().eq_ignore_ascii_case("title") {
                let title = yaml_scalar(&t[colon + 1..]);
                if !title.is_empty() && self.title.is_none() {
                    self.title = Some((title, line.no));
                }
                continue;
            }
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

    pub(super) fn apply_meta(&mut self, key: Key, value: &str, line: usize) {
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
            Key::Authors => push_people(value, &mut self.authors),
            Key::Deciders => push_people(value, &mut self.deciders),
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
            || is_status_list(value)
            || value == "STATUS"
            || (value.starts_with('{') && value.ends_with('}'))
        {
            if !self.status_reported {
                self.status_reported = true;
                self.warn(
                    line,
                    format!(
                        "the status is still the template placeholder `{value}`: stored as proposed"
                    ),
                );
            }
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
                Relation::Partly => {
                    collect_refs_or_bare(text, &mut self.related);
                    if self.status_text.is_none() {
                        self.status_text = Some("Partly superseded".to_owned());
                        self.status_line = line;
                    }
                }
                Relation::Other => collect_refs_or_bare(text, &mut self.related),
            }
        }
        let shown = status_text(lead);
        let word_text = shown.to_lowercase();
        if word_text.is_empty() {
            return;
        }
        let known = normalise_status(&word_text);
        if (report_unknown || known.is_some()) && self.status_text.is_none() {
            self.status_text = Some(shown.chars().take(80).collect());
            self.status_line = line;
        }
        if let Some(s) = known {
            // A trailing link after a plain word (`Deprecated by [..](..)`) is a related link.
            collect_refs(lead, &mut self.related);
            self.set_status(s, line, false);
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
    pub(super) fn read_status_section(&mut self, lines: &[Line<'_>]) {
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
    pub(super) fn read_links_section(&mut self, lines: &[Line<'_>]) {
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
                    Relation::Partly | Relation::Other => collect_refs(text, &mut self.related),
                }
            }
            collect_refs(segments.lead, &mut self.related);
        }
    }
}

/// A template's list of the choices (`Draft/Final/Postponed`, `proposed, approved, rejected`):
/// three or more status words and nothing else is a placeholder, not a status.
fn is_status_list(value: &str) -> bool {
    let parts: Vec<&str> = value.split(['/', ',', '|']).map(str::trim).collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            normalise_status(&plain_status_text(p)).is_some() || p.eq_ignore_ascii_case("postponed")
        })
}

/// Adds the people in a value: a YAML flow list (`[Ann, Bo]`) or a comma-separated line, each
/// name trimmed of quotes and Markdown emphasis; `{list everyone involved}` placeholders skipped.
fn push_people(value: &str, out: &mut Vec<String>) {
    let value = value.trim().trim_start_matches('[').trim_end_matches(']');
    for name in value.split([',', ';']) {
        let name = name
            .trim()
            .trim_matches(|c| matches!(c, '"' | '\'' | '*' | '_' | '`'))
            .trim();
        let placeholder = name.starts_with(['{', '<', '[']) || name.eq_ignore_ascii_case("tbd");
        if !name.is_empty() && !placeholder && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
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
