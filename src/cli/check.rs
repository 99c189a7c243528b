//! `git zen check`, `git zen policy list|verdicts`, `git zen trust`, and the report printer the
//! hooks share.

use std::io::Write;
use std::path::PathBuf;

use anstyle::{AnsiColor, Style};
use git_zen::error::UserError;
use git_zen::policy::Severity;
use git_zen::policy::journal::{Outcome, Verdict};
use git_zen::record::Record;
use git_zen::repo::{Repo, RepoError};
use git_zen::usecase::check::{self, Checked, Target};

use super::ui::Terminal;
use super::{CmdResult, open_repo, output};

const ID: Style = AnsiColor::Yellow.on_default();
const DIM: Style = Style::new().dimmed();
const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();

/// Run the policies outside a hook: on the staged changes, a range of commits or the whole tree.
///
/// Every rule in effect runs, whatever hooks it is set for. Exits 1 when a rule with severity
/// `error` fails.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("what").args(["staged", "range", "all"]))]
pub struct CheckArgs {
    /// The staged changes (the default).
    #[arg(long)]
    staged: bool,
    /// Every commit of a range, e.g. `main..HEAD` (anything `git rev-list` takes).
    #[arg(long, value_name = "RANGE")]
    range: Option<String>,
    /// Every file in the index.
    #[arg(long)]
    all: bool,
    /// With --all: record every secret found as known in .datazentr/secrets-baseline.toml
    /// (fingerprints, never the secrets), so that only new secrets block.
    #[arg(long, requires = "all")]
    write_baseline: bool,
    /// With --staged: also check this commit message file (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    message_file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
}

pub fn run_check(args: &CheckArgs) -> CmdResult {
    let repo = open_repo()?;
    if args.write_baseline {
        let written = check::write_baseline(&repo, &mut Terminal)?;
        let path = written
            .path
            .strip_prefix(repo.workdir())
            .unwrap_or(&written.path);
        let mut out = anstream::stdout();
        writeln!(
            out,
            "wrote {} secret fingerprint(s) to {}: these no longer block; new secrets still do",
            written.secrets,
            path.display()
        )?;
        return Ok(());
    }
    let target = if let Some(range) = &args.range {
        Target::Range(range.clone())
    } else if args.all {
        Target::All
    } else {
        let message = match &args.message_file {
            Some(file) => Some(read_message(file)?),
            None => None,
        };
        Target::Staged { message }
    };
    let Some(checked) = check::check(&repo, &mut Terminal, target, None)? else {
        return Ok(());
    };
    let format = if args.json { Format::Json } else { args.format };
    let mut out = anstream::stdout();
    match format {
        Format::Json => output::json(&mut out, &checked.report.to_json())?,
        Format::Sarif => output::json(&mut out, &checked.report.to_sarif(&checked.policies))?,
        Format::Text => {
            print_report(&mut out, &checked, None)?;
            if checked.baselined > 0 {
                writeln!(
                    out,
                    "{} known secret(s) not reported: listed in .datazentr/secrets-baseline.toml",
                    checked.baselined
                )?;
            }
        }
    }
    if checked.report.blocks() {
        Err(UserError::reported())
    } else {
        Ok(())
    }
}

pub(super) fn read_message(file: &std::path::Path) -> Result<String, UserError> {
    let bytes = if file.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)?;
        buf
    } else {
        std::fs::read(file).map_err(|e| UserError::failed(format!("{}: {e}", file.display())))?
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// What a hook is about to do, for the bypass hint.
pub(super) struct Blocked<'a> {
    /// `commit` or `push`.
    pub action: &'a str,
    /// Whether the pusher or committer can bypass (not on the server).
    pub bypass: bool,
}

/// One line per finding (`path:line rule-id message`), a summary, how to bypass, and the memory
/// that speaks to what failed. Prints nothing when there is nothing to say.
pub(super) fn print_report(
    out: &mut impl Write,
    checked: &Checked,
    hook: Option<Blocked<'_>>,
) -> std::io::Result<()> {
    let report = &checked.report;
    for f in &report.findings {
        let place = match (&f.path, f.line) {
            (Some(path), Some(line)) => format!("{path}:{line}"),
            (Some(path), None) => path.clone(),
            (None, Some(line)) => format!("commit message:{line}"),
            (None, None) => "(gate)".to_owned(),
        };
        let commit = f
            .commit
            .as_deref()
            .map(|c| format!("{DIM}{c}{DIM:#} "))
            .unwrap_or_default();
        let style = if f.severity == Severity::Error {
            ERROR
        } else {
            WARN
        };
        write!(
            out,
            "{commit}{place} {style}{}{style:#} {}",
            f.rule, f.message
        )?;
        match f
            .detail
            .as_deref()
            .map(|d| d.split_once('\n').unwrap_or((d, "")))
        {
            Some((first, rest)) => {
                writeln!(out, " {DIM}({first}){DIM:#}")?;
                for line in rest.lines() {
                    writeln!(out, "    {line}")?;
                }
            }
            None => writeln!(out)?,
        }
    }
    for gate in &checked.untrusted {
        let files = gate
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        output::warning(
            out,
            &format!(
                "command gate `{}` not run: {files} is not trusted\n  hint: read it, then run `git zen trust`",
                gate.rule
            ),
        )?;
    }
    let (errors, warnings) = (report.count(Severity::Error), report.count(Severity::Warn));
    if errors + warnings == 0 {
        return Ok(());
    }
    let mut rules: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.rule.as_str())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    let counts = match (errors, warnings) {
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    };
    match (&hook, errors > 0) {
        (Some(Blocked { action, bypass }), true) => {
            writeln!(out, "{ERROR}git zen:{ERROR:#} {action} blocked: {counts}")?;
            if !bypass {
                writeln!(
                    out,
                    "  the server checks every pushed commit: fix the commits (e.g. `git rebase -i`), then push again"
                )?;
                return print_memory(out, &checked.memory);
            }
            let git_cmd = if *action == "push" {
                "git push"
            } else {
                "git commit"
            };
            writeln!(
                out,
                "  bypass: {git_cmd} --no-verify (every rule), or GIT_ZEN_SKIP={} {git_cmd} … (these rules)",
                rules.join(",")
            )?;
        }
        (None, true) => writeln!(out, "{ERROR}git zen:{ERROR:#} check failed: {counts}")?,
        (_, false) => writeln!(out, "{WARN}git zen:{WARN:#} {counts}, not blocking")?,
    }
    print_memory(out, &checked.memory)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The recorded lessons and decisions related to what failed; quiet when there are none.
fn print_memory(out: &mut impl Write, memory: &[Record]) -> std::io::Result<()> {
    if memory.is_empty() {
        return Ok(());
    }
    writeln!(out, "memory that speaks to this:")?;
    for r in memory {
        writeln!(
            out,
            "  {ID}{}{ID:#} {} {} {DIM}(git zen show {}){DIM:#}",
            &r.id.as_str()[..10],
            r.kind,
            r.title,
            &r.id.as_str()[..10]
        )?;
    }
    Ok(())
}

/// Inspect the policies.
#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    command: PolicyCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PolicyCommand {
    /// The effective rules: the built-in sets merged with the project's `.datazentr/policies/`.
    List {
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
    /// The hooks' recent verdicts in this clone, newest first: blocked or passed, and which rules
    /// blocked. Kept in the git dir (never committed, bounded); `[policies] journal = false` in
    /// `.datazentr/config.toml` stops the hooks from keeping it. In a bare repository: the
    /// server hook's verdicts.
    Verdicts {
        /// How many verdicts to show.
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: usize,
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
}

#[derive(serde::Serialize)]
struct RuleJson<'a> {
    id: &'a str,
    kind: &'a str,
    severity: Severity,
    hooks: &'a [git_zen::policy::Hook],
    message: &'a str,
    source: String,
    disabled: bool,
}

pub fn run_policy(args: &PolicyArgs) -> CmdResult {
    match args.command {
        PolicyCommand::List { json } => run_policy_list(json),
        PolicyCommand::Verdicts { limit, json } => run_verdicts(limit, json),
    }
}

fn run_policy_list(json: bool) -> CmdResult {
    let repo = open_repo()?;
    let policies = check::policies(&repo)?;
    let mut rules: Vec<RuleJson> = policies
        .rules
        .iter()
        .map(|r| RuleJson {
            id: &r.id,
            kind: r.kind.name(),
            severity: r.severity,
            hooks: &r.hooks,
            message: &r.message,
            source: format!("{}:{}", r.source.file.display(), r.source.line),
            disabled: false,
        })
        .collect();
    rules.extend(policies.disabled.iter().map(|id| RuleJson {
        id,
        kind: "",
        severity: Severity::Warn,
        hooks: &[],
        message: "",
        source: String::new(),
        disabled: true,
    }));
    let mut buf = Vec::new();
    if json {
        output::json(&mut buf, &rules)?;
    } else {
        for r in &rules {
            if r.disabled {
                writeln!(buf, "{DIM}{:<32} disabled{DIM:#}", r.id)?;
                continue;
            }
            let hooks: Vec<&str> = r.hooks.iter().map(|h| h.name()).collect();
            let style = if r.severity == Severity::Error {
                ERROR
            } else {
                WARN
            };
            writeln!(
                buf,
                "{:<32} {:<17} {style}{:<5}{style:#} {:<28} {DIM}{}{DIM:#}",
                r.id,
                r.kind,
                r.severity.to_string(),
                hooks.join(","),
                r.source
            )?;
        }
    }
    anstream::stdout().write_all(&buf)?;
    Ok(())
}

fn run_verdicts(limit: usize, json: bool) -> CmdResult {
    let cwd = std::env::current_dir()?;
    let verdicts = match Repo::discover(&cwd) {
        Ok(repo) => check::verdicts(&repo, limit)?,
        // A server: the pre-receive hook keeps its journal in the bare repository.
        Err(RepoError::Bare(_)) => git_zen::usecase::server::verdicts(&cwd, limit)?,
        Err(e) => return Err(e.into()),
    };
    let mut buf = Vec::new();
    if json {
        output::json(&mut buf, &verdicts)?;
    } else {
        print_verdicts(&mut buf, &verdicts)?;
    }
    // Rendered whole, then written once: a closed pipe (`| head`) stops one write, not many.
    anstream::stdout().write_all(&buf)?;
    Ok(())
}

/// One line per verdict: local time, hook, outcome, the rules that blocked (or the warnings),
/// then dimmed the files read, the rules skipped and what a push judged.
fn print_verdicts(out: &mut impl Write, verdicts: &[Verdict]) -> std::io::Result<()> {
    if verdicts.is_empty() {
        return writeln!(
            out,
            "no verdicts yet: the hooks keep one each time they judge a commit or a push"
        );
    }
    let zone = jiff::tz::TimeZone::system();
    for v in verdicts {
        let time = v
            .time
            .to_zoned_datetime(zone.clone())
            .strftime("%Y-%m-%d %H:%M:%S");
        let (style, outcome) = match v.outcome {
            Outcome::Blocked => (ERROR, "blocked"),
            Outcome::Passed => (Style::new(), "passed"),
        };
        let what = match (v.outcome, v.warnings) {
            (Outcome::Blocked, _) => v.rules.join(","),
            (Outcome::Passed, 0) => "-".to_owned(),
            (Outcome::Passed, w) => plural(w, "warning"),
        };
        let mut details = vec![plural(v.files, "file")];
        if !v.skipped.is_empty() {
            details.push(format!("skipped {}", v.skipped.join(",")));
        }
        details.extend(v.range.clone());
        if v.truncated {
            details.push("some rules not kept".to_owned());
        }
        writeln!(
            out,
            "{time}  {:<11} {style}{outcome:<7}{style:#}  {what}  {DIM}({}){DIM:#}",
            v.hook,
            details.join("; ")
        )?;
    }
    Ok(())
}

/// Allow the command gates of the project's policy files to run.
///
/// A gate from `.datazentr/policies/` runs programs on your machine, so it runs only after you
/// trusted its file's current content. A changed file must be trusted again. Without FILE, trusts
/// every project policy file that defines a gate, after printing the commands.
#[derive(Debug, clap::Args)]
pub struct TrustArgs {
    /// Policy files to trust (relative to the current directory).
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub fn run_trust(args: &TrustArgs) -> CmdResult {
    let repo = open_repo()?;
    let mut files = Vec::new();
    for file in &args.files {
        let abs = super::absolute(file);
        let relative = abs.strip_prefix(repo.workdir()).map_err(|_| {
            UserError::failed(format!(
                "{} is outside this repository's work tree",
                file.display()
            ))
        })?;
        files.push(relative.to_path_buf());
    }
    let trusted = check::trust(&repo, &files)?;
    let mut out = anstream::stdout();
    if trusted.is_empty() {
        writeln!(
            out,
            "no project policy file defines a command gate; nothing to trust"
        )?;
    }
    for t in &trusted {
        writeln!(out, "trusted {} ({})", t.file.display(), &t.hash[..12])?;
        for (rule, command) in &t.gates {
            writeln!(out, "  {rule} runs: {command}")?;
        }
    }
    Ok(())
}
