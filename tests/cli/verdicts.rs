//! The hooks' journal of verdicts: what real commits and pushes leave in the git dir, and
//! `git zen policy verdicts` reading it back.

use std::path::Path;
use std::process::Stdio;

use crate::hooks::{fake_aws_key, hooked};
use crate::support::{Run, TestRepo};

/// `policy verdicts --json` run in `dir`, parsed: newest first.
fn verdicts_in(repo: &TestRepo, dir: &Path) -> Vec<serde_json::Value> {
    let run = Run::from(
        repo.zen_cmd_in(dir, &["policy", "verdicts", "--limit", "100", "--json"])
            .output()
            .unwrap(),
    )
    .ok();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn verdicts(repo: &TestRepo) -> Vec<serde_json::Value> {
    verdicts_in(repo, &repo.path())
}

/// `(hook, outcome, rules joined by commas)` of each verdict, newest first.
fn summary(verdicts: &[serde_json::Value]) -> Vec<(String, String, String)> {
    verdicts
        .iter()
        .map(|v| {
            let rules: Vec<&str> = v["rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect();
            (
                v["hook"].as_str().unwrap().to_owned(),
                v["outcome"].as_str().unwrap().to_owned(),
                rules.join(","),
            )
        })
        .collect()
}

fn row(hook: &str, outcome: &str, rules: &str) -> (String, String, String) {
    (hook.to_owned(), outcome.to_owned(), rules.to_owned())
}

fn journal_file(repo: &TestRepo) -> std::path::PathBuf {
    repo.path().join(".git/datazentr/verdicts.jsonl")
}

#[test]
fn a_blocked_and_a_passing_commit_are_journaled_with_their_rules() {
    let repo = hooked();
    assert!(verdicts(&repo).is_empty());
    repo.zen_ok(&["policy", "verdicts"])
        .stdout_has("no verdicts yet");

    repo.write("config.py", format!("AWS_KEY = \"{}\"\n", fake_aws_key()));
    repo.write("notes.txt", "trailing space \n");
    repo.git(&["add", "-A"]);
    let run = repo.git_run(&["commit", "-m", "add config"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    repo.write("config.py", "AWS_KEY = os.environ[\"AWS_KEY\"]\n");
    repo.git(&["add", "-A"]);
    repo.git_run(&["commit", "-q", "-m", "add config"]).ok();

    let all = verdicts(&repo);
    assert_eq!(
        summary(&all),
        [
            row("commit-msg", "passed", ""),
            row("pre-commit", "passed", ""),
            row("pre-commit", "blocked", "secret-aws-access-key"),
        ]
    );
    let blocked = &all[2];
    assert_eq!(blocked["errors"], 1);
    assert_eq!(blocked["warnings"], 1, "the trailing space: {blocked}");
    assert_eq!(blocked["files"], 2);
    assert!(blocked.get("range").is_none(), "{blocked}");
    assert!(
        blocked["time"].as_str().unwrap().ends_with('Z'),
        "{blocked}"
    );

    let table = repo.zen_ok(&["policy", "verdicts", "--limit", "2"]).stdout;
    assert_eq!(table.lines().count(), 2, "{table}");
    let oldest = repo
        .zen_ok(&["policy", "verdicts"])
        .stdout
        .lines()
        .last()
        .unwrap()
        .to_owned();
    assert!(
        oldest.contains("pre-commit  blocked  secret-aws-access-key  (2 files)"),
        "{oldest}"
    );

    // Kept in the git dir: nothing for git to see.
    assert!(journal_file(&repo).is_file());
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn check_by_hand_and_no_verify_leave_no_verdict() {
    let repo = hooked();
    repo.write("config.py", format!("AWS_KEY = \"{}\"\n", fake_aws_key()));
    repo.git(&["add", "-A"]);
    repo.zen_fails(&["check"]);
    repo.zen_fails(&["check", "--all", "--json"]);
    repo.git_run(&["commit", "-q", "--no-verify", "-m", "anyway"])
        .ok();
    assert!(verdicts(&repo).is_empty());
    assert!(!journal_file(&repo).exists());
}

#[test]
fn the_journal_can_be_turned_off_in_the_config() {
    let repo = hooked();
    let config = repo.read(".datazentr/config.toml");
    repo.write(
        ".datazentr/config.toml",
        format!("{config}\n[policies]\njournal = false\n"),
    );
    repo.git(&["add", "-A"]);
    repo.git_run(&["commit", "-q", "-m", "No journal"]).ok();
    assert!(!journal_file(&repo).exists());
    assert!(verdicts(&repo).is_empty());
}

#[test]
fn a_torn_last_line_is_skipped_and_the_next_verdict_still_read() {
    let repo = hooked();
    repo.write("a.txt", "a\n");
    repo.git(&["add", "-A"]);
    repo.git_run(&["commit", "-q", "-m", "A"]).ok();
    let journal = journal_file(&repo);
    let whole = std::fs::read_to_string(&journal).unwrap();
    let last = whole.lines().last().unwrap();
    // A hook killed half-way through its line (as a full disk could leave it).
    let mut torn = whole.clone();
    torn.push_str(&last[..last.len() / 2]);
    std::fs::write(&journal, &torn).unwrap();
    assert_eq!(verdicts(&repo).len(), 2);

    repo.write("b.txt", "b\n");
    repo.git(&["add", "-A"]);
    repo.git_run(&["commit", "-q", "-m", "B"]).ok();
    assert_eq!(
        summary(&verdicts(&repo)),
        [
            row("commit-msg", "passed", ""),
            row("pre-commit", "passed", ""),
            row("commit-msg", "passed", ""),
            row("pre-commit", "passed", ""),
        ]
    );
}

#[test]
fn a_linked_worktree_journals_into_the_clone() {
    let repo = hooked();
    let wt = repo.outside("wt").join("tree");
    repo.git(&["worktree", "add", "-q", "-b", "side", wt.to_str().unwrap()]);
    std::fs::write(wt.join(".env"), "DEBUG=1\n").unwrap();
    let mut add = repo.git_zen_path_cmd(&["add", ".env"]);
    Run::from(add.current_dir(&wt).output().unwrap()).ok();
    let mut commit = repo.git_zen_path_cmd(&["commit", "-m", "env"]);
    let run = Run::from(commit.current_dir(&wt).output().unwrap());
    assert_eq!(run.code, Some(1), "{}", run.stderr);

    let expected = [row("pre-commit", "blocked", "forbidden-env-files")];
    assert_eq!(summary(&verdicts(&repo)), expected);
    assert_eq!(summary(&verdicts_in(&repo, &wt)), expected);
}

#[test]
fn concurrent_hooks_append_whole_lines() {
    let repo = hooked();
    repo.write("a.txt", "a\n");
    repo.git(&["add", "-A"]);
    let children: Vec<_> = (0..12)
        .map(|_| {
            repo.zen_cmd(&["hook", "pre-commit"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let text = std::fs::read_to_string(journal_file(&repo)).unwrap();
    assert_eq!(text.lines().count(), 12, "{text}");
    for line in text.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(v["outcome"], "passed");
    }
    assert_eq!(verdicts(&repo).len(), 12);
}

#[test]
fn pushes_are_journaled_on_the_client_and_on_the_server() {
    let repo = hooked();
    let bare = repo.outside("server").join("hub.git");
    repo.git(&["init", "-q", "--bare", bare.to_str().unwrap()]);
    Run::from(
        repo.zen_cmd_in(&bare, &["hooks", "install", "--server"])
            .output()
            .unwrap(),
    )
    .ok();
    repo.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    repo.git_run(&["push", "-q", "origin", "HEAD:main"]).ok();
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();

    repo.write("certs/server.pem", "not really a certificate\n");
    repo.git(&["add", "-A"]);
    repo.git_run(&["commit", "-q", "--no-verify", "-m", "Key"])
        .ok();
    let key_commit = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let run = repo.git_run(&["push", "origin", "HEAD:main"]);
    assert_ne!(run.code, Some(0), "{}", run.stderr);

    let client = verdicts(&repo);
    assert_eq!(
        summary(&client),
        [
            row("pre-push", "blocked", "forbidden-private-key-files"),
            row("pre-push", "passed", ""),
        ]
    );
    assert_eq!(
        client[0]["range"],
        format!("refs/heads/main {}..{}", &head[..12], &key_commit[..12])
    );
    assert_eq!(
        client[1]["range"],
        format!("refs/heads/main {}", &head[..12])
    );

    // The server judged the clean push; the blocked one never left the client. Past the client's
    // hook, it is the server's turn.
    let run = Run::from(
        repo.git_zen_path_cmd(&["push", "--no-verify", "origin", "HEAD:main"])
            .output()
            .unwrap(),
    );
    assert_ne!(run.code, Some(0), "{}", run.stderr);
    let server = verdicts_in(&repo, &bare);
    assert_eq!(
        summary(&server),
        [
            row("pre-receive", "blocked", "forbidden-private-key-files"),
            row("pre-receive", "passed", ""),
        ]
    );
    assert_eq!(
        server[0]["range"],
        format!("refs/heads/main {}..{}", &head[..12], &key_commit[..12])
    );
    assert!(bare.join("datazentr/verdicts.jsonl").is_file());
}
