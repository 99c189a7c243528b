//! `git zen hooks install|uninstall|status`, and `git zen hook <name>`, which the shims run.

use std::io::{BufRead, Write};

use git_zen::error::UserError;
use git_zen::hooks::{self, Action, HookStatus, State};
use git_zen::policy::Hook;
use git_zen::usecase::check::{self, Target};

use super::check::{Blocked, print_report, read_message};
use super::ui::{Terminal, deliver};
use super::{CmdResult, open_repo, output};

/// Install, remove or inspect git-zen's git hooks (pre-commit, commit-msg, pre-push).
#[derive(Debug, clap::Args)]
pub struct HooksArgs {
    #[command(subcommand)]
    command: HooksCommand,
}

#[derive(Debug, clap::Subcommand)]
enum HooksCommand {
    /// Write the hook shims into the folder git runs hooks from (honours core.hooksPath and
    /// worktrees). A hook already there is kept and still runs first; running this twice changes
    /// nothing.
    Install {
        /// In a bare repository on the server: a pre-receive hook that judges every pushed
        /// commit by the policies the push carries (no `--no-verify` gets around it).
        #[arg(long)]
        server: bool,
    },
    /// Remove the shims and put back the hooks they replaced.
    Uninstall {
        /// The server-side pre-receive hook of a bare repository.
        #[arg(long)]
        server: bool,
    },
    /// Where each hook stands.
    Status {
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
}

pub fn run_hooks(args: &HooksArgs) -> CmdResult {
    let mut out = anstream::stdout();
    match args.command {
        HooksCommand::Install { server: true } | HooksCommand::Uninstall { server: true } => {
            let dir = std::env::current_dir()?;
            let (path, action) = if matches!(args.command, HooksCommand::Install { .. }) {
                hooks::install_server(&dir)?
            } else {
                hooks::uninstall_server(&dir)?
            };
            let what = match action {
                Action::Installed => "installed",
                Action::Updated => "updated",
                Action::Unchanged => "already installed",
                Action::Chained => "installed; the hook that was there runs first",
                Action::Removed => "removed",
                Action::Restored => "removed; the hook it replaced is back",
                Action::LeftAlone => "not git-zen's; left alone",
                Action::Absent => "not installed",
            };
            writeln!(out, "pre-receive {what}  {}", path.display())?;
            return Ok(());
        }
        _ => {}
    }
    let repo = open_repo()?;
    match args.command {
        HooksCommand::Install { .. } => {
            for (status, action) in hooks::install(&repo)? {
                let what = match action {
                    Action::Installed => "installed".to_owned(),
                    Action::Updated => "updated".to_owned(),
                    Action::Unchanged => "already installed".to_owned(),
                    Action::Chained => format!(
                        "installed; the hook that was there runs first, kept as {}",
                        file_name(status.chained.as_deref())
                    ),
                    _ => format!("{action:?}"),
                };
                writeln!(out, "{:<11} {what}  {}", status.hook, status.path.display())?;
            }
        }
        HooksCommand::Uninstall { .. } => {
            for (status, action) in hooks::uninstall(&repo)? {
                let what = match action {
                    Action::Removed => "removed",
                    Action::Restored => "removed; the hook it replaced is back",
                    Action::LeftAlone => "not git-zen's; left alone",
                    Action::Absent => "not installed",
                    _ => "unchanged",
                };
                writeln!(out, "{:<11} {what}  {}", status.hook, status.path.display())?;
            }
        }
        HooksCommand::Status { json } => {
            let statuses = hooks::status(&repo)?;
            if json {
                output::json(&mut out, &statuses)?;
            } else {
                for s in &statuses {
                    print_status(&mut out, s)?;
                }
            }
        }
    }
    Ok(())
}

fn file_name(path: Option<&std::path::Path>) -> String {
    path.and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn print_status(out: &mut impl Write, s: &HookStatus) -> std::io::Result<()> {
    let state = match s.state {
        State::Installed => "installed",
        State::Outdated => "outdated (run `git zen hooks install`)",
        State::Foreign => "another tool's hook (run `git zen hooks install` to chain it)",
        State::Missing => "not installed",
    };
    write!(out, "{:<11} {state}  {}", s.hook, s.path.display())?;
    if let Some(chained) = &s.chained {
        write!(out, " (runs {} first)", file_name(Some(chained)))?;
    }
    writeln!(out)
}

/// Run a hook's policies, as the installed shims do. Not for typing by hand.
#[derive(Debug, clap::Args)]
pub struct HookArgs {
    /// The hook git is running.
    #[arg(value_enum)]
    hook: HookName,
    /// The arguments git gave the hook (commit-msg: the message file; pre-push: remote name and
    /// URL).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum HookName {
    PreCommit,
    CommitMsg,
    PrePush,
    PreReceive,
}

pub fn run_hook(args: &HookArgs) -> CmdResult {
    let (hook, action) = match args.hook {
        HookName::PreCommit => (Hook::PreCommit, "commit"),
        HookName::CommitMsg => (Hook::CommitMsg, "commit"),
        HookName::PrePush => (Hook::PrePush, "push"),
        HookName::PreReceive => return run_pre_receive(),
    };
    let repo = open_repo()?;
    let target = match hook {
        Hook::PreCommit => Target::Staged { message: None },
        Hook::CommitMsg => {
            let file = args
                .args
                .first()
                .ok_or_else(|| UserError::usage("commit-msg needs the message file git passes"))?;
            Target::Staged {
                message: Some(read_message(std::path::Path::new(file))?),
            }
        }
        Hook::PrePush => Target::Push {
            remote: args.args.first().cloned().unwrap_or_default(),
            lines: std::io::stdin().lock().lines().collect::<Result<_, _>>()?,
        },
    };
    let Some(checked) = check::check(&repo, &mut Terminal, target, Some(hook))? else {
        return Ok(());
    };
    let mut err = anstream::stderr();
    let blocked = Blocked {
        action,
        bypass: true,
    };
    print_report(&mut err, &checked, Some(blocked))?;
    print_past_failures(&mut err, &checked.past_failures)?;
    // Queued only: the hook never waits for the network.
    deliver(repo.workdir(), &checked.emitted);
    if checked.report.blocks() {
        Err(UserError::reported())
    } else {
        Ok(())
    }
}

/// One line per past failure where the commit makes its change; never blocking.
fn print_past_failures(
    out: &mut impl Write,
    failures: &[git_zen::record::Record],
) -> std::io::Result<()> {
    for r in failures {
        let id = &r.id.as_str()[..10];
        writeln!(out, "past failure here: {} (git zen show {id})", r.title)?;
    }
    Ok(())
}

/// The server-side hook: every pushed ref's new commits, judged in the bare repository git runs
/// it in; any blocking finding refuses the whole push (git's pre-receive is all or nothing).
fn run_pre_receive() -> CmdResult {
    let dir = std::env::current_dir()?;
    let lines: Vec<String> = std::io::stdin().lock().lines().collect::<Result<_, _>>()?;
    let verdicts = git_zen::usecase::server::pre_receive(&dir, &lines)?;
    let mut err = anstream::stderr();
    let mut blocked = false;
    for v in &verdicts {
        if v.checked.report.findings.is_empty() && v.checked.untrusted.is_empty() {
            continue;
        }
        writeln!(err, "{} ({} new commit(s)):", v.refname, v.commits)?;
        let refused = Blocked {
            action: "push",
            bypass: false,
        };
        print_report(&mut err, &v.checked, Some(refused))?;
        blocked |= v.checked.report.blocks();
    }
    if blocked {
        Err(UserError::reported())
    } else {
        Ok(())
    }
}
