//! Behaving like a git subcommand: subdirectories, worktrees, GIT_DIR, `git zen`, man pages, color.

use std::process::Command;

use crate::support::{BIN, Run, TestRepo, hermetic};

#[test]
fn works_from_a_subdirectory_in_a_repo_without_commits() {
    let repo = TestRepo::initialized();
    assert!(
        !repo
            .git_cmd(&["rev-parse", "--verify", "HEAD"])
            .output()
            .unwrap()
            .status
            .success(),
        "no commits yet"
    );
    let deep = repo.path().join("src/deep");
    std::fs::create_dir_all(&deep).unwrap();
    Run::from(
        repo.zen_cmd_in(&deep, &["record", "decision", "From below"])
            .output()
            .unwrap(),
    )
    .ok();
    assert_eq!(repo.list_json(&[]).len(), 1);
    assert!(!deep.join(".datazentr").exists());
}

#[test]
fn linked_worktrees_keep_their_own_memory_and_drafts() {
    let repo = TestRepo::initialized();
    repo.record(&["decision", "On main"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "memory"]);
    let wt = repo.outside("wt").join("tree");
    repo.git(&["worktree", "add", "-q", "-b", "side", wt.to_str().unwrap()]);

    Run::from(
        repo.zen_cmd_in(&wt, &["record", "lesson", "In the worktree"])
            .output()
            .unwrap(),
    )
    .ok();
    let listed = repo.zen_cmd_in(&wt, &["list", "--json"]).output().unwrap();
    let records: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(records.len(), 2, "sees the committed record and its own");
    assert!(wt.join(".datazentr/lessons").read_dir().unwrap().count() >= 1);
    assert_eq!(
        repo.list_json(&[]).len(),
        1,
        "main's work tree is untouched"
    );
}

#[test]
fn git_dir_and_git_work_tree_are_honoured() {
    let repo = TestRepo::initialized();
    let elsewhere = repo.outside("elsewhere");
    Run::from(
        repo.zen_cmd_in(&elsewhere, &["record", "decision", "Via GIT_DIR"])
            .env("GIT_DIR", repo.path().join(".git"))
            .env("GIT_WORK_TREE", repo.path())
            .output()
            .unwrap(),
    )
    .ok();
    assert_eq!(repo.list_json(&[]).len(), 1);
    assert!(!elsewhere.join(".datazentr").exists());
}

/// `git` with the directory of the built binary first on PATH, as after `cargo install`.
fn git_with_zen_on_path(repo: &TestRepo, args: &[&str]) -> Command {
    let bin_dir = std::path::Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("git");
    hermetic(&mut cmd, &repo.home());
    cmd.args(args).current_dir(repo.path()).env("PATH", path);
    cmd
}

#[test]
fn git_runs_it_as_git_zen() {
    let repo = TestRepo::initialized();
    Run::from(
        git_with_zen_on_path(&repo, &["zen", "record", "pattern", "Through git"])
            .output()
            .unwrap(),
    )
    .ok();
    let list = git_with_zen_on_path(&repo, &["zen", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("Through git"));
}

#[test]
fn the_man_page_installs_where_git_help_finds_it() {
    let repo = TestRepo::new();
    let page = repo.zen_ok(&["man"]).stdout;
    assert!(
        page.contains(".TH git-zen 1") && page.contains("record"),
        "{}",
        &page[..page.len().min(400)]
    );

    let man_dir = repo.outside("share/man");
    let run = repo.zen_ok(&["man", "--install", man_dir.to_str().unwrap()]);
    assert!(run.stdout.contains("installed"), "{}", run.stdout);
    for name in [
        "git-zen.1",
        "git-zen-record.1",
        "git-zen-list.1",
        "git-zen-validate.1",
    ] {
        assert!(man_dir.join("man1").join(name).is_file(), "{name} missing");
    }
    // Without DIR: beside the binary (<prefix>/bin/git-zen -> <prefix>/share/man), as the README's
    // set-up command does after `cargo install`.
    let run = repo.zen_ok(&["man", "--install"]);
    let beside = std::path::Path::new(BIN)
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("share/man/man1/git-zen.1");
    assert!(
        run.stdout.contains("installed") && beside.is_file(),
        "{}",
        run.stdout
    );
    // `git zen --help` is git's `git help zen`, which runs `man git-zen`.
    let out = git_with_zen_on_path(&repo, &["zen", "--help"])
        .env("MANPATH", &man_dir)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("git-zen"),
        "git zen --help did not show the man page:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn completions_are_generated_for_common_shells() {
    let repo = TestRepo::new();
    for shell in ["bash", "zsh", "fish"] {
        let script = repo.zen_ok(&["completions", shell]).stdout;
        assert!(
            script.contains("git-zen") && script.contains("supersede"),
            "{shell}"
        );
    }
}

#[test]
fn color_only_when_asked_or_on_a_terminal_and_never_with_no_color() {
    let repo = TestRepo::initialized();
    repo.record(&["decision", "Colorful"]);
    assert!(
        !repo.zen_ok(&["list"]).stdout.contains('\u{1b}'),
        "piped output is plain"
    );
    assert!(
        repo.zen_ok(&["list", "--color", "always"])
            .stdout
            .contains('\u{1b}')
    );
    let out = repo
        .zen_cmd(&["list"])
        .env("NO_COLOR", "1")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains('\u{1b}'),
        "NO_COLOR wins"
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let repo = TestRepo::initialized();
    let big = "line of a long body\n".repeat(20_000);
    repo.write("big.md", &big);
    let id = repo.record(&["lesson", "Long", "--body-file", "big.md"]);
    let mut cmd = Command::new("bash");
    hermetic(&mut cmd, &repo.home());
    let out = cmd
        .arg("-c")
        .arg(format!("set -o pipefail; '{BIN}' show {id} | head -n 1"))
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_demo_runs_end_to_end() {
    let repo = TestRepo::empty();
    let target = repo.outside("demo-parent").join("demo");
    let run = repo.zen_ok(&["demo", "--dir", target.to_str().unwrap()]);
    assert!(
        run.stdout.contains("$ git zen validate") && run.stdout.contains("0 errors"),
        "{}",
        run.stdout
    );
    assert!(target.join(".datazentr/decisions").is_dir());
    // The question shares no distinctive word with the lesson; recall by meaning finds it first.
    let recalled = run
        .stdout
        .split("$ git zen recall")
        .nth(1)
        .and_then(|rest| rest.lines().nth(1))
        .unwrap_or_default();
    assert!(recalled.contains("Mocked the DB"), "{}", run.stdout);
}
