//! The `[recall]` table of `.datazentr/config.toml`.
//!
//! ```toml
//! [recall]
//! mode = "hybrid"          # hybrid | semantic | keyword: what `recall` does without --mode
//! model = "tools/model"    # a sentence-transformers folder (BERT family), relative to the work
//!                          # tree; default: the built-in all-MiniLM-L6-v2
//! embed_inline = 8         # embed at most this many records on the spot; more go to the background
//! ```

use std::path::{Path, PathBuf};

use super::Mode;
use crate::store::DIR;

/// How many missing vectors a command computes itself before handing the rest to a background
/// process: eight full-length records take about half a second on two cores.
pub const EMBED_INLINE: usize = 8;

/// The project's recall settings (defaults when the config has none or cannot be read: a broken
/// config is reported by `validate`, never by a recall that can do without it).
#[derive(Debug, Clone, Default)]
pub struct RecallSettings {
    /// The mode `recall` uses when not told.
    pub mode: Option<Mode>,
    /// A model folder, absolute (resolved against the work tree).
    pub model: Option<PathBuf>,
    /// At most this many records are embedded on the spot.
    pub embed_inline: Option<usize>,
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
            embed_inline: table
                .get("embed_inline")
                .and_then(|n| n.as_integer())
                .map(|n| n.max(0) as usize),
        }
    }

    /// How many records a command embeds itself.
    pub fn inline_limit(&self) -> usize {
        self.embed_inline.unwrap_or(EMBED_INLINE)
    }
}
