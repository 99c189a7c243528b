//! Times loading the built-in model and embedding a short question (minimum of many runs, so
//! other work on the machine does not count).
use std::time::{Duration, Instant};
fn main() {
    let t = Instant::now();
    let m = git_zen_embed::Model::embedded().unwrap();
    let load = t.elapsed();
    let question = "how do we retry failed calls";
    let mut best = Duration::MAX;
    for _ in 0..30 {
        let t = Instant::now();
        std::hint::black_box(m.embed(question));
        best = best.min(t.elapsed());
    }
    println!(
        "load {load:?}, embed (best of 30) {best:?}, {} tokens",
        m.tokens(question).len()
    );
}
