//! Composite rules: a secret that counts only with its partner nearby.
//!
//! Some credentials are a pair — a Twilio account SID and its auth token, an AWS access key id
//! and its secret — and the secret half alone looks like any hex or base64 string. A rule with
//! `near = { regex = "…", lines = 3 }` reports its match only when the partner's regex matches a
//! line within that many lines of it (on either side, changed or not: the id may have been
//! committed long ago), and the pair is reported once, as the secret. The partner is not a
//! finding of its own.

use serde::Deserialize;

use super::compile::LazyRegex;

/// Lines looked at on each side when a rule gives none.
const DEFAULT_LINES: u32 = 3;

fn default_lines() -> u32 {
    DEFAULT_LINES
}

/// The `near` key of a secrets rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Near {
    /// A Rust regex (`regex::bytes`) for the partner, matched against one line.
    pub regex: String,
    /// How many lines before and after the secret's line to look in.
    #[serde(default = "default_lines")]
    pub lines: u32,
}

/// A compiled `near`.
pub(super) struct Partner {
    regex: LazyRegex,
    lines: u32,
}

impl Partner {
    pub(super) fn new(near: &Near) -> Partner {
        Partner {
            regex: LazyRegex::new(near.regex.clone(), near.regex.clone()),
            lines: near.lines,
        }
    }

    /// The regex as written, for `compile_all`'s errors.
    pub(super) fn written(&self) -> &str {
        &self.regex.written
    }

    /// Compiles the regex now, for `compile_all`.
    pub(super) fn compile(&self) -> Result<(), String> {
        self.regex.get().map(|_| ()).map_err(str::to_owned)
    }

    /// Whether the partner appears within `lines` of 1-based line `line` of `content`.
    pub(super) fn is_near(&self, content: &[u8], line: u32) -> bool {
        let Ok(regex) = self.regex.get() else {
            return false;
        };
        let first = line.saturating_sub(self.lines).max(1);
        let last = line.saturating_add(self.lines);
        content
            .split(|&b| b == b'\n')
            .enumerate()
            .map(|(i, text)| (u32::try_from(i + 1).unwrap_or(u32::MAX), text))
            .skip_while(|&(n, _)| n < first)
            .take_while(|&(n, _)| n <= last)
            .any(|(_, text)| regex.is_match(text))
    }
}
