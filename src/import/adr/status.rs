//! Status words and relation phrases: mapping a status text to one of the five normalised
//! statuses (the table in the [module documentation](super)), and splitting a value such as
//! `Accepted; supersedes [2. X](0002-x.md)` into its status word and its relation phrases.

use super::refs::{find_links, link_texts};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Relation {
    SupersededBy,
    Supersedes,
    /// `Partly superseded by …`: the decision stands, the newer one is a link.
    Partly,
    Other,
}

/// Relation phrases, matched case-insensitively at word starts. Longer phrases first where one
/// is a prefix of another (`superseded by` before `supersedes` is not needed: they differ).
const RELATIONS: &[(&str, Relation)] = &[
    // A decision partly replaced still stands: the newer one is a link, not a supersede.
    ("partly superseded by", Relation::Partly),
    ("partially superseded by", Relation::Partly),
    ("partly replaced by", Relation::Partly),
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

pub(super) struct Segments<'a> {
    /// Text before the first relation phrase.
    pub(super) lead: &'a str,
    /// Each relation phrase with the text after it up to the next phrase.
    pub(super) relations: Vec<(Relation, &'a str)>,
}

/// Splits `Accepted; supersedes [2. X](0002-x.md)` into the lead text and its relation phrases.
pub(super) fn split_relations(s: &str) -> Segments<'_> {
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
pub(super) fn plain_status_text(s: &str) -> String {
    status_text(s).to_lowercase()
}

/// Status text with links, strike-through, emphasis, brackets (`[Approved]`) and leading symbols
/// removed, in the case it was written: what a user recognises as their own status.
pub(super) fn status_text(s: &str) -> String {
    // `[Deprecated](https://…/pull/395)`: the words of a link are the status, its target is not.
    let without_links = link_texts(s);
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
        .filter(|c| !matches!(c, '*' | '`' | '_' | '[' | ']'))
        .collect();
    cleaned
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim()
        .trim_end_matches(['.', ','])
        .to_string()
}

/// Maps a status text (already lowercased) to a normalised status by its first word(s).
pub(super) fn normalise_status(text: &str) -> Option<&'static str> {
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
