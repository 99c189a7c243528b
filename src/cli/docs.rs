//! `git zen completions`, `git zen man`

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::CommandFactory;

use super::{Cli, CmdResult, UserError};

/// Print a shell completion script.
///
/// Example: `git zen completions bash > ~/.local/share/bash-completion/completions/git-zen`
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn run_completions(args: &CompletionsArgs) -> CmdResult {
    let mut cmd = Cli::command();
    // Generated into memory: clap_complete panics when its writer fails (e.g. a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "git-zen", &mut script);
    std::io::stdout().write_all(&script)?;
    Ok(())
}

/// Print the man page, or install the man pages so `git zen --help` (which runs `man git-zen`) works.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write git-zen.1 and one page per subcommand into DIR/man1 instead of printing. Without DIR:
    /// the share/man folder beside the installed binary (e.g. ~/.cargo/share/man), which `man` finds
    /// through PATH.
    #[arg(long, value_name = "DIR", num_args = 0..=1)]
    install: Option<Option<PathBuf>>,
}

pub fn run_man(args: &ManArgs) -> CmdResult {
    let cmd = Cli::command().name("git-zen");
    let Some(dir) = &args.install else {
        clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
        return Ok(());
    };
    let dir = match dir {
        Some(dir) => super::absolute(dir),
        None => default_man_dir()?,
    };
    let man1 = dir.join("man1");
    fs::create_dir_all(&man1).map_err(|e| UserError::failed(format!("{}: {e}", man1.display())))?;
    let mut written = vec![write_page(&man1, "git-zen", cmd.clone())?];
    for sub in cmd.get_subcommands() {
        let name = format!("git-zen-{}", sub.get_name());
        written.push(write_page(&man1, &name, sub.clone().name(name.clone()))?);
    }
    let mut out = std::io::stdout();
    writeln!(
        out,
        "installed {} man pages in {}",
        written.len(),
        man1.display()
    )?;
    Ok(())
}

fn write_page(dir: &Path, name: &str, cmd: clap::Command) -> Result<PathBuf, UserError> {
    let path = dir.join(format!("{name}.1"));
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut page)?;
    git_zen::fsutil::write_atomic(&path, &page, git_zen::fsutil::Existing::Replace)
        .map_err(|e| UserError::failed(format!("{}: {e}", path.display())))?;
    Ok(path)
}

/// `<prefix>/share/man` for a binary installed as `<prefix>/bin/git-zen`.
fn default_man_dir() -> Result<PathBuf, UserError> {
    let exe = std::env::current_exe()?;
    let prefix = exe.parent().and_then(Path::parent).ok_or_else(|| {
        UserError::failed("cannot tell where git-zen is installed: pass --install DIR")
    })?;
    Ok(prefix.join("share").join("man"))
}
