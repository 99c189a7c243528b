//! Converts a sentence-transformers folder (f32 safetensors) into git-zen's compact int8 file.
//!
//! Run by `scripts/prepare-model`; the output is deterministic, so a re-run shows no diff.
//!
//!     cargo run --release -p git-zen-embed --example prepare_model -- <model folder> <out file>

use std::collections::BTreeMap;
use std::path::PathBuf;

use git_zen_embed::{Tensor, folder_settings, read_safetensors, write_compact};

fn main() -> Result<(), String> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [folder, out] = args.as_slice() else {
        return Err("usage: prepare_model <sentence-transformers folder> <out file>".into());
    };
    let settings = folder_settings(folder)?;
    let bytes = std::fs::read(folder.join("model.safetensors")).map_err(|e| e.to_string())?;
    let tensors: BTreeMap<String, Tensor> = read_safetensors(&bytes)?
        .into_iter()
        // The pooler is not used by mean pooling; position and type tables are small and
        // summed into every token, so they stay exact.
        .filter(|(name, _)| !name.contains("pooler"))
        .map(|(name, tensor)| {
            let keep_f32 = name.contains("position_embeddings") || name.contains("token_type");
            let stored = if keep_f32 { tensor } else { tensor.quantized() };
            (name, stored)
        })
        .collect();
    let settings = serde_json::to_value(&settings).map_err(|e| e.to_string())?;
    let file = write_compact(&settings, &tensors);
    std::fs::write(out, &file).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!(
        "wrote {} ({} bytes, {} tensors)",
        out.display(),
        file.len(),
        tensors.len()
    );
    Ok(())
}
