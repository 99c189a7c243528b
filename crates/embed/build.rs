//! Builds the built-in model's vocabulary table at compile time (see `src/vocab_table.rs`):
//! the text of its `vocab.txt`, the byte range of each piece and the lookup table, written to
//! `OUT_DIR` and included in the binary, so that loading the model does not build them.

#[allow(dead_code)]
#[path = "src/vocab_table.rs"]
mod vocab_table;

use std::path::PathBuf;

const MODEL: &str = "model/all-minilm-l6-v2.q8";

fn main() {
    println!("cargo:rerun-if-changed={MODEL}");
    println!("cargo:rerun-if-changed=src/vocab_table.rs");
    let bytes = std::fs::read(MODEL).unwrap_or_else(|e| panic!("{MODEL}: {e}"));
    assert_eq!(
        &bytes[..8],
        b"ZENEMB01",
        "{MODEL} is not a git-zen model file"
    );
    let length = u32::from_le_bytes(bytes[8..12].try_into().expect("four bytes")) as usize;
    let header: serde_json::Value =
        serde_json::from_slice(&bytes[12..12 + length]).expect("the model's directory is JSON");
    let vocabulary = header["settings"]["vocabulary"]
        .as_str()
        .expect("the model's settings hold its vocabulary");
    let lines = vocab_table::line_ranges(vocabulary);
    let slots = vocab_table::slots(vocabulary, &lines);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for (name, data) in [
        ("vocab.txt", vocabulary.as_bytes()),
        ("vocab.lines", &lines),
        ("vocab.slots", &slots),
    ] {
        std::fs::write(out.join(name), data).expect("OUT_DIR is writable");
    }
}
