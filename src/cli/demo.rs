//! `git zen demo`: a guided tour in a temporary repository, run through the real commands.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

use anstyle::Style;

use super::{CmdResult, UserError};

/// Try git-zen in a new temporary repository: init, record, list, show, supersede, validate, commit.
///
/// Every step runs the real `git zen` command and prints what it printed. The repository is kept
/// afterwards so you can look around; its path is printed at the end.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Make the demo repository here instead of in a new temporary folder (must not exist yet).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

const PROMPT: Style = Style::new().bold();

struct Tour {
    exe: PathBuf,
    dir: PathBuf,
}

impl Tour {
    /// Runs one step, echoing it like a shell session; returns its stdout.
    fn step(&self, program: &str, args: &[&str]) -> Result<String, UserError> {
        self.run_step(program, args, true)
    }

    /// A step that shows a refusal: it must fail.
    fn step_refused(&self, program: &str, args: &[&str]) -> Result<String, UserError> {
        self.run_step(program, args, false)
    }

    fn run_step(&self, program: &str, args: &[&str], succeed: bool) -> Result<String, UserError> {
        let mut out = anstream::stdout();
        let shown: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
        writeln!(out, "{PROMPT}$ {program} {}{PROMPT:#}", shown.join(" "))?;
        let mut cmd = if program == "git zen" {
            let mut c = Command::new(&self.exe);
            c.arg("--color=always");
            c
        } else {
            Command::new(program)
        };
        // The installed hooks run `git-zen` from PATH: let them find this very binary.
        let mut path = vec![self.exe.parent().unwrap_or(&self.dir).to_path_buf()];
        path.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let result = cmd
            .args(args)
            .current_dir(&self.dir)
            .env("PATH", std::env::join_paths(path).unwrap_or_default())
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env("GIT_EDITOR", ":")
            .output()?;
        let stdout = String::from_utf8_lossy(&result.stdout).into_owned();
        out.write_all(stdout.as_bytes())?;
        out.write_all(&result.stderr)?;
        writeln!(out)?;
        if result.status.success() != succeed {
            return Err(UserError::failed(format!(
                "the demo step `{program} {}` ended with {}, which the tour did not expect",
                args.join(" "),
                result.status
            )));
        }
        Ok(stdout)
    }
}

fn last_word(text: &str) -> String {
    text.split_whitespace()
        .last()
        .unwrap_or_default()
        .to_owned()
}

pub fn run(args: &DemoArgs) -> CmdResult {
    let dir = match &args.dir {
        Some(dir) => {
            let dir = super::absolute(dir);
            std::fs::create_dir(&dir)
                .map_err(|e| UserError::failed(format!("{}: {e}", dir.display())))?;
            dir
        }
        None => tempfile::Builder::new()
            .prefix("git-zen-demo-")
            .tempdir()?
            .keep(),
    };
    let tour = Tour {
        exe: std::env::current_exe()?,
        dir: dir.clone(),
    };
    tour.step("git", &["init", "-q", "-b", "main"])?;
    tour.step("git", &["config", "user.name", "Dana Demo"])?;
    tour.step("git", &["config", "user.email", "dana@example.com"])?;
    tour.step("git zen", &["init"])?;
    let fts = tour.step(
        "git zen",
        &[
            "record",
            "decision",
            "Cache memory in SQLite FTS5",
            "--tag",
            "storage,search",
            "--path",
            "src/index/**",
            "-m",
            "## Context\nRecall must answer in milliseconds without a server.",
            "-m",
            "## Decision\nA disposable SQLite FTS5 cache in the git dir, rebuilt from the records.",
        ],
    )?;
    tour.step(
        "git zen",
        &[
            "record",
            "pattern",
            "Table-driven parser tests",
            "--outcome",
            "success",
            "--tag",
            "testing",
            "-m",
            "One table of (input, expected) rows per parser; a new bug becomes a new row.",
        ],
    )?;
    tour.step(
        "git zen",
        &[
            "record", "lesson", "Mocked the DB and missed a migration bug", "--outcome", "failure",
            "--tag", "testing",
            "-m", "The mocks agreed with the code, not with the schema. Integration tests now run on a real database.",
        ],
    )?;
    let redis = tour.step(
        "git zen",
        &[
            "record",
            "decision",
            "Cache memory in Redis",
            "--status",
            "proposed",
            "--tag",
            "storage",
        ],
    )?;
    tour.step(
        "git zen",
        &["supersede", &last_word(&redis), &last_word(&fts)],
    )?;
    tour.step("git zen", &["list"])?;
    tour.step("git zen", &["list", "--kind", "lesson", "--json"])?;
    // Recall by meaning: the question shares no distinctive word with the lesson it finds.
    tour.step(
        "git zen",
        &[
            "recall",
            "why did our unit tests not catch the schema change",
        ],
    )?;
    tour.step("git zen", &["show", &last_word(&fts)[..12]])?;
    tour.step("git zen", &["validate"])?;
    tour.step("git", &["add", ".datazentr"])?;
    tour.step(
        "git",
        &["commit", "-q", "-m", "Record the team's first memories"],
    )?;
    tour.step("git", &["log", "--stat", "--format=%h %s"])?;
    tour.step(
        "git zen",
        &[
            "record",
            "lesson",
            "An AWS key in config.py reached the remote",
            "--outcome",
            "failure",
            "--path",
            "config.py",
            "-m",
            "Keys come from the environment; the pre-commit hook now stops them.",
        ],
    )?;
    tour.step("git zen", &["hooks", "install"])?;
    // A made-up key, in two parts so that this source file holds none.
    let key_line = format!("AWS_KEY = \"AKIA{}\"", "QYLPMN5HZQ3JDRW7");
    tour.step("sh", &["-c", &format!("echo '{key_line}' > config.py")])?;
    tour.step("git", &["add", "-A"])?;
    tour.step_refused("git", &["commit", "-q", "-m", "Add the AWS config"])?;
    tour.step(
        "sh",
        &["-c", "echo 'AWS_KEY = os.environ[\"AWS_KEY\"]' > config.py"],
    )?;
    tour.step("git", &["add", "-A"])?;
    tour.step("git", &["commit", "-q", "-m", "Add the AWS config"])?;
    tour.step("git zen", &["policy", "list"])?;
    writeln!(
        anstream::stdout(),
        "The demo repository is kept at {}\nLook around, then remove it with: rm -rf {}",
        dir.display(),
        shell_quote(&dir.display().to_string())
    )?;
    Ok(())
}

/// `word` as a POSIX shell would need it typed.
fn shell_quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=,@+".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
