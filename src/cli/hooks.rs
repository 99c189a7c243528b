//! `git zen hooks install|uninstall|status`, and `git zen hook <name>`, which the shims run.

use std::io::{BufRead, Write};

use git_zen::changes::{self, CommitChanges};
use git_zen::hooks::{self, Action, HookStatus, State};
use git_zen::policy::Hook;
use git_zen::policy::run::Checker;
use gix::ObjectId;

use super::check::{Blocked, print_report, read_message};
use super::{CmdResult, CommandError, open_repo, output};

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
    Install,
    /// Remove the shims and put back the hooks they replaced.
    Uninstall,
    /// Where each hook stands.
    Status {
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
}

pub fn run_hooks(args: &HooksArgs) -> CmdResult {
    let repo = open_repo()?;
    let mut out = anstream::stdout();
    match args.command {
        HooksCommand::Install => {
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
        HooksCommand::Uninstall => {
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
}

pub fn run_hook(args: &HookArgs) -> CmdResult {
    let repo = open_repo()?;
    let (hook, action) = match args.hook {
        HookName::PreCommit => (Hook::PreCommit, "commit"),
        HookName::CommitMsg => (Hook::CommitMsg, "commit"),
        HookName::PrePush => (Hook::PrePush, "push"),
    };
    let mut commits = Vec::new();
    let mut message = None;
    let staged = match hook {
        Hook::PreCommit => changes::staged(repo.gix())?,
        Hook::CommitMsg => {
            let file = args.args.first().ok_or_else(|| {
                CommandError::Usage("commit-msg needs the message file git passes".into())
            })?;
            message = Some(read_message(std::path::Path::new(file))?);
            changes::staged(repo.gix())?
        }
        Hook::PrePush => {
            let remote = args.args.first().map(String::as_str).unwrap_or("");
            commits = pushed_commits(&repo, remote)?;
            Vec::new()
        }
    };
    // Nothing to judge: skip loading the policies at all.
    if staged.is_empty() && commits.is_empty() && message.is_none() {
        return Ok(());
    }
    let policies = git_zen::policy::load(repo.workdir())?;
    let checker = Checker::new(&repo, &policies, Some(hook), Checker::skip_from_env());
    let mut report = checker.report();
    if hook == Hook::PrePush {
        checker.commits(&commits, &mut report)?;
    } else {
        checker.staged(&staged, message.as_deref(), &mut report)?;
    }
    let mut err = anstream::stderr();
    print_report(
        &mut err,
        &repo,
        &policies,
        &report,
        Some(Blocked { action }),
    )?;
    if report.blocks() {
        // Queued only: the hook never waits for the network.
        super::services::notify(
            &repo,
            "policy.failed",
            serde_json::json!({ "hook": hook, "report": report }),
        );
        Err(CommandError::Silent)
    } else {
        Ok(())
    }
}

/// The commits a push sends, from the `<local ref> <local id> <remote ref> <remote id>` lines git
/// writes to the hook's stdin: for an existing branch what the remote lacks, for a new branch
/// every commit no remote-tracking branch of `remote` has, for a deletion nothing.
fn pushed_commits(
    repo: &git_zen::repo::Repo,
    remote: &str,
) -> Result<Vec<CommitChanges>, CommandError> {
    let mut ids: Vec<ObjectId> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, local, _, remote_id] = fields[..] else {
            continue;
        };
        let (Ok(local), Ok(remote_id)) = (
            ObjectId::from_hex(local.as_bytes()),
            ObjectId::from_hex(remote_id.as_bytes()),
        ) else {
            continue;
        };
        if local.is_null() {
            continue;
        }
        let local_hex = local.to_string();
        let known = !remote_id.is_null() && repo.gix().has_object(remote_id);
        let range = if known {
            changes::rev_list(repo, &[&format!("{remote_id}..{local_hex}")])?
        } else {
            let remotes = if remote.is_empty() || remote.contains(['/', ':']) {
                "--remotes".to_owned()
            } else {
                format!("--remotes={remote}")
            };
            changes::rev_list(repo, &[&local_hex, "--not", &remotes])?
        };
        for id in range {
            if seen.insert(id) {
                ids.push(id);
            }
        }
    }
    ids.into_iter()
        .map(|id| changes::commit_changes(repo.gix(), id).map_err(CommandError::from))
        .collect()
}
