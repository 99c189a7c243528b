//! The `command` rule kind: a program run on the matched files — a formatter check, a linter —
//! with a timeout, its output captured and shown only when it fails.
//!
//! Gates from the project's own policy files run only once the file is [trusted](super::trust).

use std::fs::File;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::paths::FileFilter;

/// The argument that expands to the matched files.
pub const FILES: &str = "{files}";

/// Longest total size of the file arguments of one run; longer lists are split into batches.
const MAX_ARGS_BYTES: usize = 64 * 1024;

/// The keys of a `command` rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    command: Vec<String>,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    except: Vec<String>,
    #[serde(default = "default_timeout")]
    timeout_secs: u64,
}

fn default_timeout() -> u64 {
    60
}

impl Spec {
    /// Checks the command and compiles the globs.
    pub fn compile(self) -> Result<CommandGate, String> {
        if self.command.first().is_none_or(|p| p.trim().is_empty()) {
            return Err("`command` is empty; give the program and its arguments, e.g. [\"rustfmt\", \"--check\", \"{files}\"]".into());
        }
        if self.timeout_secs == 0 {
            return Err("`timeout_secs` must be at least 1".into());
        }
        Ok(CommandGate {
            filter: FileFilter::new(&self.files, &self.except)?,
            command: self.command,
            timeout: Duration::from_secs(self.timeout_secs),
        })
    }
}

/// A program to run on the matched files.
#[derive(Debug)]
pub struct CommandGate {
    /// Program and arguments; an argument `{files}` expands to the files.
    pub command: Vec<String>,
    /// Which of the changed files it runs on (`files` minus `except`).
    pub filter: FileFilter,
    /// How long one batch may run before it is killed (`timeout_secs`, default 60).
    pub timeout: Duration,
}

/// How a gate's run ended.
#[derive(Debug)]
pub enum GateOutcome {
    /// Every batch exited 0.
    Passed,
    /// A batch failed; what it printed (stdout and stderr interleaved).
    Failed {
        /// `exit status 1`, `killed by signal 9`, `timed out after 60s`, `cannot start: …`.
        why: String,
        /// What it printed, stdout and stderr interleaved; shown only on failure.
        output: String,
    },
}

impl CommandGate {
    /// Runs the gate in `dir` on `files` (paths as the program should see them), batched so no
    /// command line grows too long. Stops at the first failing batch.
    pub fn run(&self, dir: &Path, files: &[PathBuf]) -> GateOutcome {
        let takes_files = self.command.iter().any(|a| a == FILES);
        let batches: Vec<&[PathBuf]> = if takes_files {
            batches(files)
        } else {
            vec![&[]]
        };
        for batch in batches {
            let mut cmd = Command::new(&self.command[0]);
            for arg in &self.command[1..] {
                if arg == FILES {
                    cmd.args(batch);
                } else {
                    cmd.arg(arg);
                }
            }
            if let Err(why) = self.run_one(cmd, dir) {
                return why;
            }
        }
        GateOutcome::Passed
    }

    fn run_one(&self, mut cmd: Command, dir: &Path) -> Result<(), GateOutcome> {
        let failed = |why: String, output: String| GateOutcome::Failed { why, output };
        let mut log = tempfile::tempfile()
            .map_err(|e| failed(format!("cannot capture output: {e}"), String::new()))?;
        let clone = |f: &File| f.try_clone().map(Stdio::from);
        let (out, err) = match (clone(&log), clone(&log)) {
            (Ok(o), Ok(e)) => (o, e),
            (Err(e), _) | (_, Err(e)) => {
                return Err(failed(format!("cannot capture output: {e}"), String::new()));
            }
        };
        // The gate stays in git-zen's process group, so Ctrl-C on the terminal stops it too.
        cmd.current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        crate::fault::point("gate");
        let mut child = cmd.spawn().map_err(|e| {
            failed(
                format!("cannot start `{}`: {e}", self.command[0]),
                String::new(),
            )
        })?;
        let started = Instant::now();
        let mut pause = Duration::from_millis(1);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) if started.elapsed() >= self.timeout => {
                    kill_children(child.id());
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(format!("timed out after {}s", self.timeout.as_secs()));
                }
                Ok(None) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(25));
                }
                Err(e) => break Err(format!("cannot wait for it: {e}")),
            }
        };
        let mut output = Vec::new();
        let _ = log.rewind().and_then(|_| log.read_to_end(&mut output));
        let output = String::from_utf8_lossy(&output).into_owned();
        match status {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(failed(describe(status), output)),
            Err(why) => Err(failed(why, output)),
        }
    }
}

/// Kills the processes a timed-out gate started (a shell's `sleep`, a test runner's workers), so
/// they do not outlive it; best effort, as `pkill` may be missing.
fn kill_children(pid: u32) {
    let _ = Command::new("pkill")
        .args(["-KILL", "-P", &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        _ => status.to_string(),
    }
}

fn batches(files: &[PathBuf]) -> Vec<&[PathBuf]> {
    let mut out = Vec::new();
    let (mut start, mut size) = (0, 0);
    for (i, f) in files.iter().enumerate() {
        let len = f.as_os_str().len() + 1;
        if i > start && size + len > MAX_ARGS_BYTES {
            out.push(&files[start..i]);
            (start, size) = (i, 0);
        }
        size += len;
    }
    if start < files.len() {
        out.push(&files[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_file_lists_are_split_into_batches() {
        let files: Vec<PathBuf> = (0..10_000)
            .map(|i| PathBuf::from(format!("src/file{i:05}.rs")))
            .collect();
        let parts = batches(&files);
        assert!(parts.len() > 1);
        assert_eq!(parts.iter().map(|b| b.len()).sum::<usize>(), files.len());
        assert!(parts.iter().all(|b| b.iter().map(|f| f.as_os_str().len() + 1).sum::<usize>() <= MAX_ARGS_BYTES));
    }

    #[test]
    fn a_gate_times_out_and_reports_what_it_printed() {
        let gate = CommandGate {
            command: vec!["sh".into(), "-c".into(), "echo started; sleep 5".into()],
            filter: FileFilter::new(&[], &[]).unwrap(),
            timeout: Duration::from_millis(1000),
        };
        let started = Instant::now();
        match gate.run(Path::new("."), &[]) {
            GateOutcome::Failed { why, output } => {
                assert!(why.contains("timed out"), "{why}");
                // The shell may also report its killed child ("Killed") before it goes itself.
                assert!(output.starts_with("started\n"), "{output:?}");
            }
            GateOutcome::Passed => panic!("a sleeping gate passed"),
        }
        assert!(started.elapsed() < Duration::from_secs(4));
    }
}
