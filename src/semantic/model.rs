//! Loading the sentence-embedding model: the built-in one, or a team's folder.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use git_zen_embed::Model;

use crate::error::Hint;

/// Why the model could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("cannot load the recall model {}: {message}", path.display())]
pub struct ModelError {
    /// The folder `[recall] model` names.
    pub path: PathBuf,
    /// What was wrong with it (the file and the problem).
    pub message: String,
}

impl Hint for ModelError {
    fn hint(&self) -> Option<String> {
        Some(
            "`[recall] model` in .datazentr/config.toml must name a sentence-transformers folder \
             (config.json, vocab.txt, model.safetensors) of a BERT model; remove the line to use \
             the built-in model, or pass --mode keyword"
                .into(),
        )
    }
}

/// A loaded model, shared by everything in the process that embeds (the MCP and HTTP servers
/// load it once, not per request).
#[derive(Debug)]
pub struct Embedder {
    model: Model,
}

/// Models loaded so far in this process, by folder (`None`: the built-in one).
static LOADED: Mutex<Vec<(Option<PathBuf>, Arc<Embedder>)>> = Mutex::new(Vec::new());

impl Embedder {
    /// The model in `folder`, or the built-in one; loaded once per process.
    pub fn load(folder: Option<&Path>) -> Result<Arc<Embedder>, ModelError> {
        let key = folder.map(Path::to_path_buf);
        let mut loaded = LOADED.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, embedder)) = loaded.iter().find(|(k, _)| *k == key) {
            return Ok(embedder.clone());
        }
        let model = match folder {
            None => Model::embedded(),
            Some(folder) => Model::from_folder(folder, folder_id(folder)),
        }
        .map_err(|message| ModelError {
            path: key.clone().unwrap_or_else(|| PathBuf::from("(built in)")),
            message,
        })?;
        let embedder = Arc::new(Embedder { model });
        loaded.push((key, embedder.clone()));
        Ok(embedder)
    }

    /// The name this model's vectors are stored under.
    pub fn id(&self) -> &str {
        self.model.id()
    }

    /// The unit vector of a text.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        self.model.embed(text)
    }

    /// The vectors of many texts, on every core.
    pub fn embed_all(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        self.model.embed_all(texts, cores())
    }

    /// The vectors of many texts, on every core, each handed to `each` (the text's index and
    /// its vector) as soon as it is computed: see [`git_zen_embed::Model::embed_each`].
    pub fn embed_each(&self, texts: &[&str], each: &(dyn Fn(usize, Vec<f32>) + Sync)) {
        self.model.embed_each(texts, cores(), each);
    }

    /// How many numbers a vector has.
    pub fn dimensions(&self) -> usize {
        self.model.dimensions()
    }
}

/// The threads embedding runs on: one per core.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The id vectors of the model in `folder` (or the built-in one) are stored under, without
/// loading it: enough to tell whether a cache needs any embedding at all.
pub fn model_id(folder: Option<&Path>) -> String {
    folder.map_or_else(|| git_zen_embed::EMBEDDED_ID.to_owned(), folder_id)
}

/// A folder model's vectors are its own: named by the folder and its weights' size and time, so
/// replacing the weights (a new version of the model) asks for new vectors.
fn folder_id(folder: &Path) -> String {
    let weights = std::fs::metadata(folder.join("model.safetensors")).ok();
    let size = weights.as_ref().map_or(0, |m| m.len());
    let modified = weights
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    let name = folder
        .canonicalize()
        .unwrap_or_else(|_| folder.to_path_buf());
    format!("folder:{}:{size}:{modified}", name.display())
}
