//! The rules' and allowlists' regexes: their syntax is checked cheaply when the scanner is
//! built, and each is compiled the first time a scan needs it.

use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};

/// A regex compiled on first use; its syntax was checked when the scanner was built.
pub(super) struct LazyRegex {
    /// As the policy wrote it (with its `line:` prefix, for allowlist entries).
    pub(super) written: String,
    /// What is compiled.
    source: String,
    cell: OnceLock<Result<Regex, String>>,
}

impl LazyRegex {
    pub(super) fn new(written: String, source: String) -> LazyRegex {
        LazyRegex {
            written,
            source,
            cell: OnceLock::new(),
        }
    }

    pub(super) fn get(&self) -> Result<&Regex, &str> {
        self.cell
            .get_or_init(|| Regex::new(&self.source).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(String::as_str)
    }

    /// Whether it matches; a regex that fails to compile (over the size limit) matches nothing.
    pub(super) fn is_match(&self, haystack: &[u8]) -> bool {
        self.get().is_ok_and(|r| r.is_match(haystack))
    }
}

/// Checks a regex's syntax without paying for its compilation: with a size limit of zero the
/// builder parses the pattern, then gives up at the first compiled state. Wrapped as
/// `^(?:…)`, the pattern is anchored, so the builder also skips extracting literals for a
/// prefilter (half the cost); the wrapper is used only when the pattern's parentheses balance,
/// so it cannot turn an invalid pattern such as `a)|(b` into a valid one, and an error is
/// reported for the pattern as written.
pub(super) fn check_regex(pattern: &str) -> Result<(), String> {
    let parse = |pattern: &str| match RegexBuilder::new(pattern).size_limit(0).build() {
        Ok(_) | Err(regex::Error::CompiledTooBig(_)) => Ok(()),
        Err(e) => Err(e.to_string()),
    };
    if parens(pattern).balanced && parse(&format!("^(?:{pattern})")).is_ok() {
        return Ok(());
    }
    parse(pattern)
}

/// What [`parens`] finds in a regex.
pub(super) struct Parens {
    /// Capture groups: `(` not followed by `?`, plus named groups `(?P<…>` and `(?<…>`.
    pub(super) groups: usize,
    /// Whether every `(` has its `)` and no `)` comes first.
    pub(super) balanced: bool,
}

/// Reads a regex's parentheses outside escapes and character classes. (It does not read `(?x)`
/// comments; callers check against the compiled regex where that matters.)
pub(super) fn parens(pattern: &str) -> Parens {
    let bytes = pattern.as_bytes();
    let mut groups = 0;
    let mut depth = 0usize;
    let mut balanced = true;
    let mut class_depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => {
                class_depth += 1;
                // A `]` right after `[` or `[^` is a literal.
                if bytes.get(i + 1) == Some(&b'^') {
                    i += 1;
                }
                if bytes.get(i + 1) == Some(&b']') {
                    i += 1;
                }
            }
            b']' if class_depth > 0 => class_depth -= 1,
            b'(' if class_depth == 0 => {
                depth += 1;
                let rest = &bytes[i + 1..];
                let named = rest.starts_with(b"?P<")
                    || (rest.starts_with(b"?<")
                        && !rest.starts_with(b"?<=")
                        && !rest.starts_with(b"?<!"));
                if !rest.starts_with(b"?") || named {
                    groups += 1;
                }
            }
            b')' if class_depth == 0 => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => balanced = false,
            },
            _ => {}
        }
        i += 1;
    }
    Parens {
        groups,
        balanced: balanced && depth == 0 && class_depth == 0,
    }
}
