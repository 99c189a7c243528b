//! Reading what a file says about itself into a [`Parser`]: the YAML front matter, `Key: value`
//! lines under the title, and the `## Status` and `## Links` sections. Status words and relation
//! phrases are read by [`super::status`], references by [`super::refs`], dates by
//! [`super::dates`].

use super::dates::{DateFound, find_date};
use super::markdown::{Line, strip_bullet, strip_html_comments, strip_indent};
use super::refs::{collect_ref_list, collect_refs, collect_refs_or_bare};
use super::status::{Relation, normalise_status, plain_status_text, split_relations};
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
                    Relation::Other => collect_refs(text, &mut self.related),
                }
            }
            collect_refs(segments.lead, &mut self.related);
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
