//! The `git-zen` binary: git runs it as `git zen`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
