//! Prints the cosine similarity of texts to the first, and how long loading and embedding took:
//! a hand check of a model (the built-in one, or a folder's with `--folder DIR`).
//!
//!     cargo run --release -p git-zen-embed --example similarity -- [--folder DIR] TEXT TEXT…

use std::path::PathBuf;
use std::time::Instant;

use git_zen_embed::{Model, cosine};

fn main() -> Result<(), String> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    let model = if args.first().is_some_and(|a| a == "--folder") {
        let folder = PathBuf::from(args.get(1).ok_or("--folder needs a folder")?);
        args.drain(..2);
        Model::from_folder(&folder, "folder".into())?
    } else {
        Model::embedded()?
    };
    eprintln!("loaded in {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
    let Some(first) = args.first() else {
        return Err("give at least one text".into());
    };
    let started = Instant::now();
    let anchor = model.embed(first);
    eprintln!(
        "{} tokens embedded in {:.1} ms",
        model.tokens(first).len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    for text in &args[1..] {
        println!("{:.4}  {text}", cosine(&anchor, &model.embed(text)));
    }
    Ok(())
}
