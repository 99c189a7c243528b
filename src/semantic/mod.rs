//! Recall by meaning: records and questions as vectors of a sentence-embedding model, so a
//! question finds the record that answers it even when they share no word.
//!
//! The model ([`model`]) is built into the binary (all-MiniLM-L6-v2, see `crates/embed`), or a
//! team's own in a local folder (`[recall] model`). Each record's text ([`text`]) is embedded
//! once per model and kept in the cache ([`vector`] for the format, `index::vectors` for the
//! table), filled in incrementally ([`embed`]): a few missing vectors are computed on the spot,
//! many in a background process, and until a record has its vector, recall ranks it by keyword
//! alone. [`fuse`] merges the keyword and the semantic ranking.

pub mod embed;
pub mod fuse;
pub mod model;
pub mod settings;
pub mod text;
pub mod vector;

pub use fuse::{Match, Mode};
pub use model::Embedder;
