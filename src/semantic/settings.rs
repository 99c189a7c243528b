//! The `[recall]` table of `.datazentr/config.toml`.
//!
//! ```toml
//! [recall]
//! mode = "hybrid"          # hybrid | semantic | keyword: what `recall` does without --mode
//! model = "tools/model"    # a sentence-transformers folder (BERT family), relative to the work
//!                          # tree; default: the built-in all-MiniLM-L6-v2
//! inline_tokens = 1024     # embed missing records on the spot up to about this many word
//!                          # pieces (a third of a second); more go to a background process
//! ```

use std::path::{Path, PathBuf};

use super::Mode;
use crate::store::DIR;

/// How much embedding a command does itself before handing the rest to a background process, in
/// word pieces: about a third of a second on two cores (four full-length records, or a hundred
/// one-line ones).
pub const INLINE_TOKENS: usize = 1024;

/// The project's recall settings (defaults when the config has none or cannot be read: a broken
/// config is reported by `validate`, never by a recall that can do without it).
#[derive(Debug, Clone, Default)]
pub struct RecallSettings {
    /// The mode `recall` uses when not told.
    pub mode: Option<Mode>,
    /// A model folder, absolute (resolved against the work tree).
    pub model: Option<PathBuf>,
    /// Missing records are embedded on the spot up to about this many word pieces.
    pub inline_tokens: Option<usize>,
}

impl RecallSettings {
    /// Reads `[recall]` from the project's config.
    pub fn load(workdir: &Path) -> Self {
        let table = std::fs::read_to_string(workdir.join(DIR).join("config.toml"))
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .and_then(|t| t.get("recall")?.as_table().cloned())
            .unwrap_or_default();
        RecallSettings {
            mode: table.get("mode").and_then(|m| m.as_str()?.parse().ok()),
            model: table
                .get("model")
                .and_then(|m| m.as_str())
                .map(|m| workdir.join(m)),
            inline_tokens: table
                .get("inline_tokens")
                .and_then(|n| n.as_integer())
                .map(|n| n.max(0) as usize),
        }
    }

    /// How many word pieces a command embeds itself.
    pub fn inline_limit(&self) -> usize {
        self.inline_tokens.unwrap_or(INLINE_TOKENS)
    }
}
