//! What of a record is embedded, and the key its vector is stored under.

use sha2::{Digest, Sha256};

use crate::record::Record;

/// The model reads at most 256 word pieces (about 1.5 KB of English); the first 4 KB of the
/// text always covers them, and bounds what is hashed for the key at every refresh.
const MAX_BYTES: usize = 4096;

/// The title (what the record is about, said most densely), its tags, then the body.
pub fn text(record: &Record) -> String {
    compose(&record.title, &record.tags, &record.body)
}

/// [`text`] from the columns of a cache row.
pub fn compose(title: &str, tags: &[String], body: &str) -> String {
    let mut text = String::with_capacity(title.len() + body.len().min(MAX_BYTES) + 32);
    text.push_str(title.trim());
    text.push_str(".\n");
    if !tags.is_empty() {
        text.push_str(&tags.join(", "));
        text.push_str(".\n");
    }
    text.push_str(body.trim());
    if text.len() > MAX_BYTES {
        let mut end = MAX_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// The key of a record's vector: a hash of [`text`], so an edit that changes the text (and only
/// such an edit) asks for a new vector, and identical texts share one.
pub fn key(record: &Record) -> String {
    key_of(&text(record))
}

/// The key of an already composed text.
pub fn key_of(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_bodies_are_cut_on_a_character_boundary() {
        let body = "é".repeat(5000);
        let text = compose("T", &[], &body);
        assert!(text.len() <= MAX_BYTES && text.starts_with("T.\n"));
    }

    #[test]
    fn the_key_follows_the_text() {
        let a = key_of(&compose("Use Redis", &["cache".into()], "Because."));
        assert_eq!(
            a,
            key_of(&compose("Use Redis", &["cache".into()], "Because."))
        );
        assert_ne!(
            a,
            key_of(&compose("Use Redis", &["cache".into()], "Because!"))
        );
        assert_eq!(a.len(), 24);
    }
}
