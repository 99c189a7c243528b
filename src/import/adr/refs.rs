//! References from one decision to another, as an [`AdrRef`]: Markdown links (by the linked
//! file's number or stem), `ADR-0005` mentions, and bare numbers or stems after a relation phrase.

use std::collections::HashSet;

use super::AdrRef;
use super::dates::stem_date;
use super::names::stem_number;

/// A Markdown inline link: byte span in the line, text and target.
pub(super) struct Link<'a> {
    pub(super) start: usize,
    pub(super) end: usize,
    text: &'a str,
    target: &'a str,
}

/// Finds `[text](target)` links in one pass (no nesting inside targets; linear time).
pub(super) fn find_links(s: &str) -> Vec<Link<'_>> {
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

/// The text with every link replaced by its words (`[Deprecated](url)` → `Deprecated`).
pub(super) fn link_texts(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for link in find_links(s) {
        out.push_str(&s[last..link.start]);
        out.push_str(link.text);
        last = link.end;
    }
    out.push_str(&s[last..]);
    out
}

/// Collects references from links (by the linked file's leading number, else `ADR-n` in the
/// link text, else the file stem) and from `ADR-0005` text outside links.
pub(super) fn collect_refs(s: &str, out: &mut Vec<AdrRef>) {
    let links = find_links(s);
    let mut last = 0;
    let mut rest = String::new();
    for link in &links {
        rest.push_str(&s[last..link.start]);
        rest.push(' ');
        last = link.end;
        if is_external(link.target) {
            if let Some(url) = web_record_url(link.target) {
                out.push(AdrRef::Url(url));
            }
            continue;
        }
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
pub(super) fn collect_refs_or_bare(s: &str, out: &mut Vec<AdrRef>) {
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
pub(super) fn collect_ref_list(s: &str, out: &mut Vec<AdrRef>) {
    let before = out.len();
    collect_refs(s, out);
    if out.len() > before {
        return;
    }
    for item in s.split(',') {
        collect_refs_or_bare(item.trim().trim_matches(|c| matches!(c, '[' | ']')), out);
    }
}

/// A web address that names a Markdown file (`https://github.com/o/r/blob/main/doc/adr/0005-x.md`):
/// it may point at a record of the same folder, which the import then links by id.
fn web_record_url(target: &str) -> Option<String> {
    let t = target.trim().trim_start_matches('<').trim_end_matches('>');
    let t = t.split_whitespace().next()?;
    let lower = t.to_ascii_lowercase();
    let path = lower.split(['#', '?']).next().unwrap_or("");
    (lower.starts_with("http://") || lower.starts_with("https://"))
        .then_some(())
        .filter(|()| path.ends_with(".md") || path.ends_with(".markdown"))
        .map(|()| t.to_string())
}

/// What a web address of a record names in the folder: its file's number or stem.
pub(crate) fn ref_from_url(url: &str) -> Option<AdrRef> {
    let path = url.split("://").nth(1)?.split_once('/')?.1;
    ref_from_target(path)
}

fn is_external(target: &str) -> bool {
    let t = target.trim().to_ascii_lowercase();
    t.contains("://") || t.starts_with("mailto:") || t.starts_with('#')
}

/// The reference a link target points at, or None for external links and non-Markdown files.
pub(super) fn ref_from_target(target: &str) -> Option<AdrRef> {
    let t = target.trim().trim_start_matches('<');
    let t = t.split([' ', '>']).next().unwrap_or("");
    if t.is_empty() || is_external(t) {
        return None;
    }
    let t = t.split(['#', '?']).next().unwrap_or("");
    let t = t.trim_end_matches('/');
    let mut parts = t.rsplit(['/', '\\']);
    let mut name = parts.next().unwrap_or("");
    // Folder-per-record: `../0005-use-x/index.md` and `../0005-use-x/` name the folder.
    let lower_name = name.to_ascii_lowercase();
    if matches!(
        lower_name.as_str(),
        "index.md" | "readme.md" | "index" | "readme"
    ) && let Some(folder) = parts.next().filter(|f| !f.is_empty() && *f != "..")
    {
        name = folder;
    }
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
pub(super) fn dedup_refs(refs: Vec<AdrRef>) -> Vec<AdrRef> {
    let mut seen: HashSet<(Option<u32>, String)> = HashSet::new();
    refs.into_iter()
        .filter(|r| {
            let key = match r {
                AdrRef::Number(n) => (Some(*n), String::new()),
                AdrRef::Stem(s) => (None, s.clone()),
                AdrRef::Url(u) => (None, format!("url:{u}")),
            };
            seen.insert(key)
        })
        .collect()
}
