//! From the fields of a new record to its file text.

use toml_edit::{Array, DocumentMut, value};

use super::{Kind, Outcome, Status};
use crate::id::RecordId;

/// Everything needed to write a new record.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// Its id (see [`RecordId::generate`]).
    pub id: RecordId,
    /// Decision, pattern or lesson; picks the folder the file goes to.
    pub kind: Kind,
    /// One-line title.
    pub title: String,
    /// Life-cycle status, written as given.
    pub status: Status,
    /// Outcome (patterns and lessons only).
    pub outcome: Option<Outcome>,
    /// Free-form tags, written as given.
    pub tags: Vec<String>,
    /// Globs of the code it governs.
    pub paths: Vec<String>,
    /// Full ids of the records it supersedes; marking those records is the caller's job.
    pub supersedes: Vec<String>,
    /// Links (ids or URLs).
    pub links: Vec<String>,
    /// Creation time, RFC 3339; written as a TOML datetime, or as a string if it does not parse.
    pub created: String,
    /// `Name <email>` of whoever records it; `None` leaves `author` out of the file.
    pub author: Option<String>,
    /// Alias from an imported ADR folder.
    pub adr: Option<AdrAlias>,
    /// Source file of an import, relative to the work tree.
    pub imported_from: Option<String>,
    /// Further front-matter keys, written after the known ones in this order: what an import
    /// keeps from the source that git-zen has no field for (`deciders`, `imported_status`).
    pub extra: Vec<(String, Extra)>,
    /// Markdown body; leading blank lines are dropped (one blank line follows the front matter).
    pub body: String,
}

/// The value of an extra front-matter key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extra {
    /// A string.
    Text(String),
    /// An array of strings.
    List(Vec<String>),
}

/// The number or stem an imported ADR was known by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdrAlias {
    /// A numbered ADR (`0003-use-x.md`), written `adr = 3`.
    Number(u32),
    /// An ADR file with no number (log4brains), written `adr = "20201016-use-x"`.
    Stem(String),
}

fn array(items: &[String]) -> Array {
    items.iter().map(String::as_str).collect()
}

/// The file text of a new record: `+++`, the TOML front matter, `+++`, a blank line, the body,
/// ending in a newline.
pub fn render(record: &NewRecord) -> String {
    let mut doc = DocumentMut::new();
    doc["id"] = value(record.id.as_str());
    doc["kind"] = value(record.kind.as_str());
    doc["title"] = value(record.title.trim());
    doc["status"] = value(record.status.as_str());
    if let Some(outcome) = record.outcome {
        doc["outcome"] = value(outcome.as_str());
    }
    doc["tags"] = value(array(&record.tags));
    doc["paths"] = value(array(&record.paths));
    doc["supersedes"] = value(array(&record.supersedes));
    doc["links"] = value(array(&record.links));
    match record.created.parse::<toml_edit::Datetime>() {
        Ok(created) => doc["created"] = value(created),
        Err(_) => doc["created"] = value(record.created.as_str()),
    }
    if let Some(author) = &record.author {
        doc["author"] = value(author.as_str());
    }
    match &record.adr {
        Some(AdrAlias::Number(n)) => doc["adr"] = value(i64::from(*n)),
        Some(AdrAlias::Stem(s)) => doc["adr"] = value(s.as_str()),
        None => {}
    }
    if let Some(from) = &record.imported_from {
        doc["imported_from"] = value(from.as_str());
    }
    for (key, extra) in &record.extra {
        doc[key.as_str()] = match extra {
            Extra::Text(text) => value(text.as_str()),
            Extra::List(items) => value(array(items)),
        };
    }
    let body = record.body.trim_start_matches(['\n', '\r']);
    let mut text = format!("+++\n{doc}+++\n\n{body}");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// A file-name-safe slug of a title: lowercase ASCII letters and digits joined by `-`, at most
/// 60 characters, cut at a word boundary.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !slug.is_empty() && slug.len() + 1 + word.len() > 60 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.extend(word.chars().take(60).map(|c| c.to_ascii_lowercase()));
    }
    if slug.is_empty() {
        slug.push_str("record");
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn rendered_records_parse_back() {
        let new = NewRecord {
            id: RecordId::generate(),
            kind: Kind::Pattern,
            title: "Quotes \" and \\ survive".into(),
            status: Status::Accepted,
            outcome: Some(Outcome::Success),
            tags: vec!["testing".into()],
            paths: vec!["src/**".into()],
            supersedes: vec![],
            links: vec!["https://example.com".into()],
            created: "2026-11-24T10:00:00Z".into(),
            author: Some("A <a@b.c>".into()),
            adr: Some(AdrAlias::Number(3)),
            imported_from: None,
            extra: Vec::new(),
            body: "text".into(),
        };
        let text = render(&new);
        let parsed = crate::record::parse(Path::new("x.md"), &text).unwrap();
        assert_eq!(parsed.title, new.title);
        assert_eq!(parsed.outcome, Some(Outcome::Success));
        assert_eq!(parsed.created.as_deref(), Some("2026-11-24T10:00:00Z"));
        assert_eq!(parsed.adr.as_deref(), Some("3"));
        assert_eq!(parsed.body, "\ntext\n");
    }

    #[test]
    fn slugs_are_short_and_safe() {
        assert_eq!(
            slugify("Use SQLite FTS5 for the memory cache!"),
            "use-sqlite-fts5-for-the-memory-cache"
        );
        assert_eq!(slugify("Ünïcode ✓"), "n-code");
        assert_eq!(slugify("!!!"), "record");
        assert!(slugify(&"word ".repeat(40)).len() <= 60);
    }
}
