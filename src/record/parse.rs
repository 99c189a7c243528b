//! From file text to a [`Record`], with line-precise errors.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{Kind, Outcome, Record, RecordError, Status};
use crate::id::RecordId;

/// The front matter as TOML gives it, before validation. Keys this version does not know are
/// ignored here and kept in the raw text.
#[derive(Deserialize)]
struct RawFrontMatter {
    id: Option<Spanned<String>>,
    kind: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    status: Option<Spanned<String>>,
    outcome: Option<Spanned<String>>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    supersedes: Vec<Spanned<String>>,
    #[serde(default)]
    superseded_by: Vec<Spanned<String>>,
    #[serde(default)]
    links: Vec<Spanned<String>>,
    created: Option<Spanned<toml::value::Datetime>>,
    author: Option<String>,
    adr: Option<Spanned<toml::Value>>,
    imported_from: Option<String>,
}

/// Where the front matter sits in the file text.
struct Sections<'a> {
    front_matter: &'a str,
    /// 1-based line of the front matter's first line.
    first_line: usize,
    body: &'a str,
}

/// Parses and validates one record. `file` is the path shown in errors (relative to the work tree).
pub fn parse(file: &Path, text: &str) -> Result<Record, RecordError> {
    let err = |line: usize, message: String| RecordError::new(file, line, message);
    let sections = split(text).map_err(|(line, message)| err(line, message))?;
    let line_of = |span: Range<usize>| {
        sections.first_line
            + sections.front_matter[..span.start.min(sections.front_matter.len())]
                .matches('\n')
                .count()
    };
    let raw: RawFrontMatter = toml::from_str(sections.front_matter).map_err(|e| {
        let line = e.span().map_or(sections.first_line, &line_of);
        err(
            line,
            format!(
                "invalid front matter: {}; fix the TOML between the `+++` lines",
                e.message()
            ),
        )
    })?;
    let missing = |key: &str, example: &str| {
        err(
            1,
            format!("missing required key `{key}`: add `{key} = {example}` to the front matter"),
        )
    };

    let id_field = raw.id.ok_or_else(|| missing("id", "\"…\""))?;
    let id: RecordId = id_field.get_ref().parse().map_err(|e| {
        err(
            line_of(id_field.span()),
            format!("{e}; ids are made by `git zen record`"),
        )
    })?;
    let kind_field = raw.kind.ok_or_else(|| missing("kind", "\"decision\""))?;
    let kind: Kind = kind_field
        .get_ref()
        .parse()
        .map_err(|e| err(line_of(kind_field.span()), e))?;
    let title_field = raw.title.ok_or_else(|| missing("title", "\"…\""))?;
    let title = title_field.get_ref().trim().to_owned();
    if title.is_empty() || title.contains('\n') {
        return Err(err(
            line_of(title_field.span()),
            "the title must be one non-empty line".into(),
        ));
    }
    let status = match raw.status {
        None => Status::Accepted,
        Some(s) => s.get_ref().parse().map_err(|e| err(line_of(s.span()), e))?,
    };
    let outcome = match raw.outcome {
        None if kind.has_outcome() => Some(Outcome::Unknown),
        None => None,
        Some(o) if !kind.has_outcome() => {
            return Err(err(
                line_of(o.span()),
                "`outcome` is for patterns and lessons, not decisions: remove it or change `kind`"
                    .into(),
            ));
        }
        Some(o) => Some(o.get_ref().parse().map_err(|e| err(line_of(o.span()), e))?),
    };
    for glob in &raw.paths {
        globset::Glob::new(glob.get_ref()).map_err(|e| {
            err(
                line_of(glob.span()),
                format!("invalid path glob '{}': {}", glob.get_ref(), e.kind()),
            )
        })?;
    }
    let ids = |list: Vec<Spanned<String>>, key: &str| -> Result<Vec<String>, RecordError> {
        list.into_iter()
            .map(|item| {
                item.get_ref().parse::<RecordId>().map_err(|e| {
                    err(
                        line_of(item.span()),
                        format!("`{key}`: {e}; name records by their full id"),
                    )
                })?;
                Ok(item.into_inner())
            })
            .collect()
    };
    let supersedes = ids(raw.supersedes, "supersedes")?;
    let superseded_by = ids(raw.superseded_by, "superseded_by")?;
    let adr = match raw.adr {
        None => None,
        Some(v) => Some(match v.get_ref() {
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::String(s) => s.clone(),
            _ => {
                return Err(err(
                    line_of(v.span()),
                    "`adr` must be a number or a string".into(),
                ));
            }
        }),
    };
    let plain = |list: Vec<Spanned<String>>| list.into_iter().map(Spanned::into_inner).collect();

    Ok(Record {
        id,
        kind,
        title,
        status,
        outcome,
        tags: plain(raw.tags),
        paths: plain(raw.paths),
        supersedes,
        superseded_by,
        links: plain(raw.links),
        created: raw.created.map(|c| c.into_inner().to_string()),
        author: raw.author,
        adr,
        imported_from: raw.imported_from,
        body: sections.body.to_owned(),
        front_matter: sections.front_matter.to_owned(),
        file: file.to_path_buf(),
    })
}

/// Splits `+++\n<toml>+++\n<body>`; errors carry a 1-based line.
fn split(text: &str) -> Result<Sections<'_>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "+++" {
        return Err((
            1,
            "a record starts with a `+++` line: put the TOML front matter between two `+++` lines"
                .into(),
        ));
    }
    let start = first.len();
    let mut offset = start;
    for line in lines {
        if line.trim_end() == "+++" {
            return Ok(Sections {
                front_matter: &text[start..offset],
                first_line: 2,
                body: &text[offset + line.len()..],
            });
        }
        offset += line.len();
    }
    Err((
        1,
        "the front matter is never closed: add a `+++` line after the TOML".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "+++\nid = \"01kbx0000000000000000a\"\nkind = \"decision\"\ntitle = \"Use FTS5\"\nfuture_key = 1\n+++\n## Context\nbody\n";

    #[test]
    fn parses_a_minimal_record_and_keeps_the_body() {
        let r = parse(Path::new("d.md"), GOOD).unwrap();
        assert_eq!(r.kind, Kind::Decision);
        assert_eq!(r.status, Status::Accepted);
        assert_eq!(r.outcome, None);
        assert_eq!(r.body, "## Context\nbody\n");
        assert!(r.front_matter.contains("future_key"));
    }

    #[test]
    fn errors_point_at_the_offending_line() {
        let bad = GOOD.replace("kind = \"decision\"", "kind = \"decison\"");
        let e = parse(Path::new("d.md"), &bad).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("unknown kind 'decison'"), "{e}");

        let bad = GOOD.replace("title = \"Use FTS5\"", "title = \"Use FTS5");
        let e = parse(Path::new("d.md"), &bad).unwrap_err();
        assert_eq!(e.line, 4, "{e}");
    }

    #[test]
    fn unclosed_or_missing_front_matter_is_an_error() {
        assert!(parse(Path::new("d.md"), "# just markdown\n").is_err());
        assert!(parse(Path::new("d.md"), "+++\nid = \"x\"\n").is_err());
        assert!(parse(Path::new("d.md"), "").is_err());
    }

    #[test]
    fn crlf_files_parse() {
        let crlf = GOOD.replace('\n', "\r\n");
        let r = parse(Path::new("d.md"), &crlf).unwrap();
        assert_eq!(r.title, "Use FTS5");
    }
}
