//! Small text helpers: line numbers for messages that name a file and a line, and shortening.

/// 1-based line of byte `offset` in `text`.
pub fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The line a TOML parse error of `text` points at (1 when it points nowhere).
pub fn toml_error_line(text: &str, error: &toml::de::Error) -> usize {
    error.span().map_or(1, |s| line_at(text, s.start))
}

/// The line where `needle` first appears in `text` (1 when it does not).
pub fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle).map_or(1, |at| line_at(text, at))
}

/// `text` cut to at most `max` characters, ending in `…` when it was cut.
pub fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
