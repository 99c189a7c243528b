//! Crash and concurrency promises, tested by breaking them for real: `kill -9` of a real
//! `git-zen` at a named point (`GIT_ZEN_PAUSE_AT`), real concurrent processes, real symbolic
//! links. Each test reproduces a fault a probe found before it was fixed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{Run, TestRepo};

/// Starts `cmd` with `GIT_ZEN_PAUSE_AT=point`, waits until it pauses there and kills it with
/// SIGKILL, as a crash or `kill -9` would.
pub fn kill_at(mut cmd: Command, point: &str) {
    let mut child = cmd
        .env("GIT_ZEN_PAUSE_AT", point)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut said = String::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        said.push_str(&line);
        said.push('\n');
        if line == format!("paused at {point}") {
            break;
        }
    }
    assert!(
        said.contains(&format!("paused at {point}")),
        "never reached {point}:\n{said}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Files whose name starts with `prefix` directly in `dir`.
fn named(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

/// A committed project (so `git status` shows only what a command leaves).
fn committed() -> TestRepo {
    let repo = TestRepo::initialized();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "start"]);
    repo
}

#[test]
fn a_record_killed_half_way_leaves_nothing_for_git_add_and_the_next_command_sweeps_it() {
    let repo = committed();
    kill_at(
        repo.zen_cmd(&["record", "decision", "Killed while writing", "-m", "x"]),
        "write",
    );
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
        "",
        "the half-written record's temp file is not in the work tree"
    );
    let temps = repo.path().join(".git/datazentr/tmp");
    assert_eq!(named(&temps, ".zen-").len(), 1, "it waits in the git dir");
    repo.zen_ok(&["list"]);
    assert!(
        named(&temps, ".zen-").is_empty(),
        "the next command swept it"
    );
    // A temp file beside the records, as older versions left them, goes too.
    let stale = repo
        .path()
        .join(".datazentr/decisions/.zen-4194304-00000000000000aa.tmp");
    std::fs::write(&stale, "half a record").unwrap();
    repo.zen_ok(&["list"]);
    assert!(!stale.exists());
}

#[test]
fn killed_cache_builds_leave_at_most_one_build_file_and_the_next_build_removes_it() {
    let repo = TestRepo::initialized();
    for i in 0..20 {
        repo.record(&["decision", &format!("Decision {i}"), "-m", "cache words"]);
    }
    let state = repo.path().join(".git/datazentr");
    for _ in 0..3 {
        kill_at(repo.zen_cmd(&["index", "rebuild"]), "index.build");
        assert!(named(&state, "index.sqlite.build-").len() <= 1);
    }
    let run = repo.zen_ok(&["recall", "cache"]);
    assert!(run.stdout.contains("Decision"), "{}", run.stdout);
    repo.zen_ok(&["index", "rebuild"]);
    assert!(named(&state, "index.sqlite.build-").is_empty());
}

#[test]
fn recall_answers_while_the_cache_is_rebuilt_beside_writes() {
    let repo = TestRepo::initialized();
    for i in 0..600 {
        repo.write(
            &format!(".datazentr/decisions/1m86a{i:017}-cache-{i}.md"),
            format!(
                "+++\nid = \"1m86a{i:017}\"\nkind = \"decision\"\ntitle = \"Cache decision {i}\"\nstatus = \"accepted\"\ncreated = 2026-11-24T10:00:00Z\n+++\nWhy we cache things, part {i}.\n"
            ),
        );
    }
    repo.zen_ok(&["index", "rebuild"]);
    let spawn_loop = |args: &[&str], times: usize| {
        let mut cmd = Command::new("sh");
        crate::support::hermetic(&mut cmd, &repo.home());
        let line = args
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" ");
        cmd.args([
            "-c",
            &format!(
                "i=0; while [ $i -lt {times} ]; do '{}' {line} >/dev/null 2>&1; i=$((i+1)); done",
                crate::support::BIN
            ),
        ])
        .current_dir(repo.path())
        .spawn()
        .unwrap()
    };
    let loops = [
        spawn_loop(&["index", "rebuild"], 30),
        spawn_loop(&["record", "lesson", "Written meanwhile", "-m", "x"], 30),
        spawn_loop(&["recall", "part"], 30),
    ];
    let mut failed = Vec::new();
    for _ in 0..80 {
        let run = repo.zen(&["recall", "cache"]);
        if run.code != Some(0) {
            failed.push(run.stderr);
        }
    }
    for mut child in loops {
        child.wait().unwrap();
    }
    assert!(
        failed.is_empty(),
        "{} of 80 recalls failed: {failed:?}",
        failed.len()
    );
}

#[test]
fn a_killed_hub_write_does_not_wedge_the_hub() {
    let repo = committed();
    let hub = repo.outside("remote").join("hub.git");
    repo.zen_ok(&["hub", "init", hub.to_str().unwrap()]);
    repo.zen_ok(&["hub", "add", "team", hub.to_str().unwrap(), "--default"]);
    let first = repo.record(&["pattern", "Promoted before the crash", "-m", "x"]);
    repo.zen_ok(&["promote", &first]);
    let listed: serde_json::Value =
        serde_json::from_str(&repo.zen_ok(&["hub", "list", "--json"]).stdout).unwrap();
    let clone = PathBuf::from(listed[0]["clone"].as_str().unwrap());

    // git killed inside the clone (by a `kill -9` of the promote that ran it) leaves its locks.
    let branch = crate::support::git_at(&repo.home(), &clone, &["symbolic-ref", "HEAD"]);
    let branch_lock = clone.join(format!("{}.lock", branch.trim()));
    std::fs::write(clone.join("HEAD.lock"), "").unwrap();
    std::fs::write(&branch_lock, "").unwrap();
    let second = repo.record(&["pattern", "Promoted through a crash", "-m", "y"]);
    repo.zen_ok(&["promote", &second]);
    assert!(!clone.join("HEAD.lock").exists());
    assert!(!branch_lock.exists());

    // A promote killed while queueing its write leaves a temp file in the queue.
    let third = repo.record(&["pattern", "Queued through a crash", "-m", "z"]);
    kill_at(repo.zen_cmd(&["promote", &third]), "write");
    repo.zen_ok(&["promote", &third]);
    repo.zen_ok(&["sync"]);
    let queue = clone.parent().unwrap().join("pending");
    assert!(
        named(&queue, ".zen-").is_empty(),
        "no temp file in the queue"
    );
    let hits = repo.zen_ok(&["recall", "--hub", "team", "crash"]).stdout;
    assert!(hits.contains("Promoted through a crash"), "{hits}");
}

#[test]
fn an_import_refuses_a_symbolic_link_out_of_its_folder() {
    let repo = TestRepo::initialized();
    let secret = repo.outside("home-of-secrets").join("notes.md");
    std::fs::write(&secret, "# Notes\n\naws_secret = very-private\n").unwrap();
    repo.write(
        "doc/adr/0001-record-decisions.md",
        "# 1. Record decisions\n\nDate: 2026-01-01\n\n## Status\n\nAccepted\n\n## Context\n\nWhy.\n",
    );
    std::os::unix::fs::symlink(&secret, repo.path().join("doc/adr/0002-notes.md")).unwrap();
    let run = repo.zen_fails(&["import", "adr", "doc/adr"]);
    assert!(
        run.stderr
            .contains("doc/adr/0002-notes.md:1: is a symbolic link"),
        "{}",
        run.stderr
    );
    // Changed by issue 16: the link is skipped (and never read); the real file is imported.
    let records = repo.list_json(&[]);
    assert_eq!(records.len(), 1);
    assert!(
        !repo
            .read(&repo.file_of(records[0]["id"].as_str().unwrap()))
            .contains("very-private")
    );
}

#[test]
fn a_gate_killed_half_way_leaves_no_copy_of_staged_files_in_the_shared_temp_dir() {
    let repo = committed();
    repo.write(
        ".datazentr/policies/gates.toml",
        "[[rule]]\nid = \"look\"\nkind = \"command\"\ncommand = [\"true\", \"{files}\"]\nfiles = [\"*.py\"]\n",
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "gate"]);
    repo.zen_ok(&["trust"]);
    // Staged content differs from the work tree, so the gate gets a copy of the staged blob.
    repo.write("app.py", "token = 'staged'\n");
    repo.git(&["add", "app.py"]);
    repo.write("app.py", "token = 'edited since'\n");
    let tmp = repo.outside("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut cmd = repo.zen_cmd(&["check", "--staged"]);
    cmd.env("TMPDIR", &tmp);
    kill_at(cmd, "gate");
    assert!(
        named(&tmp, "git-zen").is_empty(),
        "nothing in the shared temp dir"
    );
    let gates = repo.path().join(".git/datazentr/gates");
    assert_eq!(
        named(&gates, "staged-").len(),
        1,
        "the copy waits in the git dir"
    );
    Run::from(repo.zen_cmd(&["check", "--staged"]).output().unwrap()).ok();
    assert!(
        named(&gates, "staged-").is_empty(),
        "the next run removed it"
    );
}

#[test]
fn validate_speaks_of_a_huge_record_and_a_file_name_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let repo = TestRepo::initialized();
    let id = repo.record(&["decision", "Huge", "-m", "x"]);
    let file = repo.file_of(&id);
    let mut text = repo.read(&file);
    text.push_str(&"padding line\n".repeat(200_000));
    repo.write(&file, text);
    let odd = "1m86a00000000000000001";
    let name = std::ffi::OsStr::from_bytes(b"1m86a00000000000000001-caf\xe9.md");
    std::fs::write(
        repo.path().join(".datazentr/decisions").join(name),
        format!("+++\nid = \"{odd}\"\nkind = \"decision\"\ntitle = \"Latin-1 name\"\nstatus = \"accepted\"\n+++\nx\n"),
    )
    .unwrap();
    let run = repo.zen(&["validate"]);
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    assert!(
        run.stdout.contains("MiB: a record is a page of prose"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("is not valid UTF-8"), "{}", run.stdout);
}
