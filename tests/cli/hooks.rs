//! The hooks in real commits and pushes: blocking, bypassing, chaining, worktrees, what is judged.

use std::os::unix::fs::PermissionsExt;

use crate::support::{Run, TestRepo};

/// An AWS access key id that is not a real one, built at run time.
pub(crate) fn fake_aws_key() -> String {
    format!("AKIA{}", "QYLPMN5HZQ3JDRW7")
}

/// A repository with one commit and git-zen's hooks installed.
pub(crate) fn hooked() -> TestRepo {
    let repo = TestRepo::initialized();
    repo.write("README.md", "# demo\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "start"]);
    repo.zen_ok(&["hooks", "install"]);
    repo
}

fn commits(repo: &TestRepo) -> usize {
    repo.git(&["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .unwrap()
}

fn blocked(run: &Run) -> String {
    assert_ne!(
        run.code,
        Some(0),
        "git should have been blocked:\n{}{}",
        run.stdout,
        run.stderr
    );
    run.stderr.clone()
}

#[test]
fn a_commit_with_a_secret_is_blocked_and_no_verify_still_commits() {
    let repo = hooked();
    let key = fake_aws_key();
    repo.write("config.py", format!("AWS_KEY = \"{key}\"\n"));
    repo.git(&["add", "config.py"]);
    let staged_before = repo.git(&["ls-files", "--stage"]);
    let work_before = repo.snapshot();

    let err = blocked(&repo.git_run(&["commit", "-m", "add config"]));
    assert!(err.contains("config.py:1 secret-aws-access-key"), "{err}");
    assert!(
        err.contains("AKIA…(20 chars)"),
        "the report masks the key:\n{err}"
    );
    assert!(
        !err.contains(&key),
        "the report must not print the secret:\n{err}"
    );
    assert!(
        err.contains("--no-verify") && err.contains("GIT_ZEN_SKIP=secret-aws-access-key"),
        "{err}"
    );
    assert_eq!(commits(&repo), 1);
    // The hook changed nothing: not what is staged, not the work tree.
    assert_eq!(repo.git(&["ls-files", "--stage"]), staged_before);
    assert_eq!(repo.snapshot(), work_before);

    repo.git_run(&["commit", "--no-verify", "-q", "-m", "add config anyway"])
        .ok();
    assert_eq!(commits(&repo), 2);
}

#[test]
fn git_zen_skip_skips_only_the_named_rules() {
    let repo = hooked();
    repo.write("config.py", format!("AWS_KEY = \"{}\"\n", fake_aws_key()));
    repo.write("prod.env", "x\n");
    repo.write(".env", "DEBUG=1\n");
    repo.git(&["add", "-A"]);
    let run = Run::from(
        repo.git_zen_path_cmd(&["commit", "-m", "both"])
            .env("GIT_ZEN_SKIP", "secret-aws-access-key")
            .output()
            .unwrap(),
    );
    let err = blocked(&run);
    assert!(err.contains(".env forbidden-env-files"), "{err}");
    assert!(!err.contains("secret-aws-access-key"), "{err}");
    let run = Run::from(
        repo.git_zen_path_cmd(&["commit", "-q", "-m", "both"])
            .env("GIT_ZEN_SKIP", "secret-aws-access-key, forbidden-env-files")
            .output()
            .unwrap(),
    );
    run.ok();
}

#[test]
fn a_partially_staged_file_is_judged_as_staged() {
    let repo = hooked();
    repo.write("app.py", "print('v1')\n");
    repo.git(&["add", "app.py"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "app"]);

    // Staged: clean. Work tree only: a secret. The commit takes the staged version: it passes.
    repo.write("app.py", "print('v2')\n");
    repo.git(&["add", "app.py"]);
    repo.write(
        "app.py",
        format!("print('v2')\nKEY = \"{}\"\n", fake_aws_key()),
    );
    repo.git_run(&["commit", "-q", "-m", "v2"]).ok();

    // Staged: a secret. Work tree: cleaned up but not staged. The commit would take the secret.
    repo.git(&["add", "app.py"]);
    repo.write("app.py", "print('v2')\n");
    let err = blocked(&repo.git_run(&["commit", "-m", "v3"]));
    assert!(err.contains("app.py:2 secret-aws-access-key"), "{err}");
}

#[test]
fn commit_all_and_commit_paths_judge_the_temporary_index() {
    let repo = hooked();
    repo.write("settings.py", "DEBUG = True\n");
    repo.git(&["add", "settings.py"]);
    repo.git_run(&["commit", "-q", "-m", "settings"]).ok();
    repo.write(
        "settings.py",
        format!("DEBUG = True\nKEY = \"{}\"\n", fake_aws_key()),
    );
    // Nothing is staged: only `-a` (or naming the path) brings the secret into the commit.
    let err = blocked(&repo.git_run(&["commit", "-a", "-m", "all"]));
    assert!(err.contains("settings.py:2 secret-aws-access-key"), "{err}");
    let err = blocked(&repo.git_run(&["commit", "settings.py", "-m", "path"]));
    assert!(err.contains("settings.py:2 secret-aws-access-key"), "{err}");
    assert_eq!(commits(&repo), 2);
}

#[test]
fn an_existing_hook_under_core_hooks_path_is_chained_and_restored_exactly() {
    let repo = TestRepo::initialized();
    repo.write("README.md", "# demo\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "start"]);
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    std::fs::create_dir_all(repo.path().join(".githooks")).unwrap();
    let own =
        "#!/bin/sh\necho ran >> \"$(git rev-parse --git-dir)/own-hook-ran\"\n[ ! -f block-me ]\n";
    let hook = repo.path().join(".githooks/pre-commit");
    std::fs::write(&hook, own).unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o750)).unwrap();

    let out = repo.zen_ok(&["hooks", "install"]).stdout;
    assert!(out.contains("pre-commit.zen-chained"), "{out}");
    assert!(repo.path().join(".githooks/commit-msg").exists());
    assert!(
        !repo.path().join(".git/hooks/pre-commit").exists(),
        "git does not read .git/hooks here"
    );
    let again = repo.zen_ok(&["hooks", "install"]).stdout;
    assert_eq!(again.matches("already installed").count(), 3, "{again}");

    // Both run: the chained hook first, then the policies.
    repo.write("ok.txt", "fine\n");
    repo.git(&["add", "ok.txt"]);
    repo.git_run(&["commit", "-q", "-m", "ok"]).ok();
    assert_eq!(repo.read(".git/own-hook-ran"), "ran\n");
    repo.write("id_rsa", "not really\n");
    repo.git(&["add", "id_rsa"]);
    let err = blocked(&repo.git_run(&["commit", "-m", "key"]));
    assert!(err.contains("id_rsa forbidden-private-key-files"), "{err}");
    // The chained hook's failure still blocks.
    repo.git(&["rm", "-q", "--cached", "id_rsa"]);
    repo.write("block-me", "x\n");
    repo.git(&["add", "block-me"]);
    blocked(&repo.git_run(&["commit", "-m", "blocked by the old hook"]));

    let status: serde_json::Value =
        serde_json::from_str(&repo.zen_ok(&["hooks", "status", "--json"]).stdout).unwrap();
    assert_eq!(status[0]["hook"], "pre-commit");
    assert_eq!(status[0]["state"], "installed");
    assert!(
        status[0]["chained"]
            .as_str()
            .unwrap()
            .ends_with("pre-commit.zen-chained")
    );

    repo.zen_ok(&["hooks", "uninstall"]);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), own);
    assert_eq!(
        std::fs::metadata(&hook).unwrap().permissions().mode() & 0o777,
        0o750
    );
    assert!(!repo.path().join(".githooks/commit-msg").exists());
    assert!(
        !repo
            .path()
            .join(".githooks/pre-commit.zen-chained")
            .exists()
    );
}

#[test]
fn a_shim_names_no_absolute_path_of_the_binary() {
    let repo = hooked();
    let shim = repo.read(".git/hooks/pre-commit");
    assert!(shim.contains("exec git-zen hook pre-commit"), "{shim}");
    assert!(!shim.contains(crate::support::BIN), "{shim}");
}

#[test]
fn a_linked_worktree_shares_the_hooks() {
    let repo = hooked();
    let wt = repo.outside("wt").join("tree");
    repo.git(&["worktree", "add", "-q", "-b", "side", wt.to_str().unwrap()]);
    std::fs::write(
        wt.join("token.py"),
        format!("KEY = \"{}\"\n", fake_aws_key()),
    )
    .unwrap();
    let git = |args: &[&str]| {
        let mut cmd = repo.git_zen_path_cmd(args);
        cmd.current_dir(&wt);
        Run::from(cmd.output().unwrap())
    };
    git(&["add", "token.py"]).ok();
    let err = blocked(&git(&["commit", "-m", "in the worktree"]));
    assert!(err.contains("token.py:1 secret-aws-access-key"), "{err}");
    let status = Run::from(repo.zen_cmd_in(&wt, &["hooks", "status"]).output().unwrap()).ok();
    assert_eq!(
        status.stdout.matches(" installed ").count(),
        3,
        "{}",
        status.stdout
    );
}

#[test]
fn a_long_subject_is_blocked_at_commit_msg_but_merges_and_fixups_pass() {
    let repo = hooked();
    repo.write("a.txt", "a\n");
    repo.git(&["add", "a.txt"]);
    let long = format!("Add {}", "a very long subject ".repeat(5));
    let err = blocked(&repo.git_run(&["commit", "-m", &long]));
    assert!(err.contains("commit message:1 commit-subject"), "{err}");
    assert!(err.contains("characters; keep it to 72"), "{err}");
    let fixup = format!("fixup! {long}");
    repo.git_run(&["commit", "-q", "-m", &fixup]).ok();
    // git's comments and the scissors part are not the message.
    repo.write("b.txt", "b\n");
    repo.git(&["add", "b.txt"]);
    let msg = format!(
        "Short subject\n\n# {long}\n# ------------------------ >8 ------------------------\n{long}\n"
    );
    repo.write("../msg.txt", &msg);
    repo.git_run(&["commit", "-q", "--cleanup=scissors", "-F", "../msg.txt"])
        .ok();
}

#[test]
fn pre_push_checks_every_commit_of_a_new_branch() {
    let repo = hooked();
    let remote = repo.outside("remote.git");
    Run::from(
        repo.git_cmd(&["init", "-q", "--bare", remote.to_str().unwrap()])
            .output()
            .unwrap(),
    )
    .ok();
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    repo.git_run(&["push", "-q", "origin", "main"]).ok();

    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("one.py", format!("KEY = \"{}\"\n", fake_aws_key()));
    repo.git(&["add", "one.py"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "sneak a key in"]);
    repo.write("one.py", "KEY = os.environ['KEY']\n");
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-a",
        "-m",
        "and take it out again",
    ]);

    // The tip is clean, but the history being pushed holds the key.
    let err = blocked(&repo.git_run(&["push", "origin", "feature"]));
    assert!(err.contains("one.py:1 secret-aws-access-key"), "{err}");
    let sneaky = repo.git(&["rev-parse", "--short=12", "HEAD~1"]);
    assert!(
        err.contains(sneaky.trim()),
        "the finding names the commit:\n{err}"
    );
    assert!(
        err.contains("push blocked") && err.contains("git push --no-verify"),
        "{err}"
    );
    assert!(
        repo.git(&["ls-remote", "origin"])
            .lines()
            .all(|l| !l.ends_with("feature"))
    );

    // Deleting a branch pushes no commits.
    repo.git_run(&["push", "-q", "--no-verify", "origin", "feature"])
        .ok();
    repo.git_run(&["push", "-q", "origin", ":feature"]).ok();
}

#[test]
fn a_failure_shows_the_memory_that_speaks_to_it() {
    let repo = hooked();
    let lesson = repo.record(&[
        "lesson",
        "A key in config.py leaked once",
        "--outcome",
        "failure",
        "--path",
        "config/**",
        "-m",
        "Load keys from the environment.",
    ]);
    let unrelated = repo.record(&["lesson", "Flaky tests", "--tag", "testing"]);
    let tagged = repo.record(&["decision", "Secrets live in Vault", "--tag", "secrets"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "memory"]);
    repo.write("config/app.py", format!("KEY = \"{}\"\n", fake_aws_key()));
    repo.git(&["add", "-A"]);
    let err = blocked(&repo.git_run(&["commit", "-m", "config"]));
    let memory = err.split("memory that speaks to this:").nth(1).expect(&err);
    let lines: Vec<&str> = memory.lines().filter(|l| !l.is_empty()).collect();
    assert!(
        lines[0].contains(&lesson[..10]),
        "the path match comes first:\n{err}"
    );
    assert!(
        lines[1].contains(&tagged[..10]),
        "then the tag match:\n{err}"
    );
    assert!(!memory.contains(&unrelated[..10]), "{err}");
}

#[test]
fn a_chained_pre_push_hook_gets_the_refs_and_git_zen_still_blocks() {
    let repo = hooked();
    let remote = repo.outside("remote.git");
    repo.git(&["init", "-q", "--bare", remote.to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    let own = "#!/bin/sh\ncat > \"$(git rev-parse --git-dir)/own-pre-push-stdin\"\n";
    let hook = repo.path().join(".git/hooks/pre-push");
    std::fs::write(&hook, own).unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    repo.zen_ok(&["hooks", "install"]);
    repo.write("k.py", format!("KEY = \"{}\"\n", fake_aws_key()));
    repo.git(&["add", "k.py"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "key"]);
    let err = blocked(&repo.git_run(&["push", "origin", "main"]));
    assert!(err.contains("k.py:1 secret-aws-access-key"), "{err}");
    assert!(
        repo.read(".git/own-pre-push-stdin")
            .starts_with("refs/heads/main ")
    );
    assert!(
        repo.git(&["ls-remote", "origin"]).is_empty(),
        "nothing was pushed"
    );
}

#[test]
fn a_merge_that_needs_no_new_decision_commits() {
    let repo = hooked();
    repo.write(
        ".datazentr/policies/arch.toml",
        "[[rule]]\nid = \"src-needs-decision\"\nkind = \"requires-decision\"\npaths = [\"src/**\"]\n",
    );
    let decision = repo.record(&["decision", "Layout of src", "--path", "src/**"]);
    repo.git(&["add", "-A"]);
    repo.git_run(&["commit", "-q", "-m", "policy"]).ok();
    repo.git(&["checkout", "-q", "-b", "feat"]);
    repo.write("src/a.rs", "fn a() {}\n");
    repo.git(&["add", "-A"]);
    let message = format!("Add a\n\nDecision: {}", &decision[..10]);
    repo.git_run(&["commit", "-q", "-m", &message]).ok();
    repo.git(&["checkout", "-q", "main"]);
    repo.write("other.txt", "x\n");
    repo.git(&["add", "-A"]);
    repo.git_run(&["commit", "-q", "-m", "Other work"]).ok();
    repo.git_run(&["merge", "-q", "--no-ff", "--no-edit", "feat"])
        .ok();
}

#[test]
fn install_refuses_before_touching_anything_when_a_chain_slot_is_taken() {
    let repo = TestRepo::initialized();
    let hooks = repo.path().join(".git/hooks");
    std::fs::write(hooks.join("pre-push"), "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::write(hooks.join("pre-push.zen-chained"), "#!/bin/sh\nexit 0\n").unwrap();
    let err = repo.zen_fails(&["hooks", "install"]).stderr;
    assert!(err.contains("pre-push.zen-chained already exists"), "{err}");
    assert!(!hooks.join("pre-commit").exists(), "nothing was installed");
    assert!(!hooks.join("commit-msg").exists(), "nothing was installed");
}
