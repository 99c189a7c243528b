//! The names records go by inside one imported folder — ADR number, file stem, folder-relative
//! path — and references from one ADR to another resolved to record ids by those names.
//!
//! Numbers restart in every folder, so only records imported from the same folder count. A
//! reference by web address resolves through the file name at its end; one that names no
//! record of the folder stays a link when it is a web address, and is reported otherwise.

use std::collections::HashMap;

use crate::id::RecordId;

use super::adr::{AdrRef, ParsedAdr, refs::ref_from_url};

/// The key an ADR is known by: its number, else its (lowercased) stem.
pub(super) fn alias_key(p: &ParsedAdr) -> String {
    match p.number {
        Some(n) => format!("n:{n}"),
        None => format!("s:{}", p.stem.to_ascii_lowercase()),
    }
}

/// The key of an alias stored in a record's `adr` field.
pub(super) fn alias_key_of(adr: &str) -> String {
    match adr.parse::<u32>() {
        Ok(n) => format!("n:{n}"),
        Err(_) => format!("s:{}", adr.to_ascii_lowercase()),
    }
}

/// The key a reference asks for; a web address asks for the file it names.
pub(super) fn ref_key(r: &AdrRef) -> Option<String> {
    match r {
        AdrRef::Number(n) => Some(format!("n:{n}")),
        AdrRef::Stem(s) => Some(format!("s:{}", s.to_ascii_lowercase())),
        AdrRef::Url(url) => ref_from_url(url).and_then(|r| ref_key(&r)),
    }
}

/// How a reference reads in a message: `ADR-5`, a stem, or the address.
pub(super) fn ref_label(r: &AdrRef) -> String {
    match r {
        AdrRef::Number(n) => format!("ADR-{n}"),
        AdrRef::Stem(s) | AdrRef::Url(s) => s.clone(),
    }
}

/// What a reference became.
pub(super) enum Resolved {
    /// A record of this folder.
    Record(RecordId),
    /// No record, but a web address worth keeping as a link.
    Url(String),
    /// Nothing: the message says why.
    Missing(String),
}

/// Resolves `r` against the folder's aliases (key → id).
pub(super) fn resolve(aliases: &HashMap<String, RecordId>, r: &AdrRef) -> Resolved {
    if let Some(id) = ref_key(r).and_then(|k| aliases.get(&k)) {
        return Resolved::Record(id.clone());
    }
    match r {
        AdrRef::Url(url) => Resolved::Url(url.clone()),
        _ => Resolved::Missing(format!(
            "links to {} which is not in this folder: the link was not imported",
            ref_label(r)
        )),
    }
}
