//! Rebuilds when the embedded template and skill folders change: `include_dir!` embeds them,
//! but rustc does not see files added to them.

fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=skills");
}
