//! Memory where changes are judged: `git zen review` of a real range in three formats, the
//! pre-commit note about past failures, `validate`'s hygiene warnings, and the server-side hook
//! of a real bare repository behind real `git push`.

use crate::support::TestRepo;

/// A repository whose `main` has a decision over `src/storage/**` (and an older, superseded
/// one), a failure lesson over `src/net/client.py`, and a branch `feature` that changes both and
/// records a lesson of its own.
fn project() -> (TestRepo, String, String) {
    let repo = TestRepo::initialized();
    repo.write("src/storage/db.rs", "fn open() {}\n");
    repo.write("src/net/client.py", "RETRIES = 5\n");
    repo.write("README.md", "# demo\n");
    let old = repo.record(&[
        "decision",
        "Keep data in flat files",
        "--path",
        "src/storage/**",
        "-m",
        "x",
    ]);
    let decision = repo.record(&[
        "decision",
        "Store data in SQLite <b>not</b> | flat files",
        "--path",
        "src/storage/**",
        "--supersedes",
        &old,
        "-m",
        "Why.",
    ]);
    let lesson = repo.record(&[
        "lesson",
        "Lowering client retries caused the payment outage",
        "--outcome",
        "failure",
        "--path",
        "src/net/client.py",
        "-m",
        "What happened.",
    ]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "start"]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("src/storage/db.rs", "fn open() { connect() }\n");
    repo.write("src/net/client.py", "RETRIES = 1\n");
    repo.write("README.md", "# demo, changed\n");
    repo.record(&["lesson", "Retries need jitter", "-m", "Learned here."]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "Tune storage and retries"]);
    (repo, decision, lesson)
}

#[test]
fn review_names_the_governing_decision_the_past_failure_and_the_new_lesson() {
    let (repo, decision, lesson) = project();
    let text = repo.zen_ok(&["review", "main..feature"]).stdout;
    assert!(text.contains("1 commit(s), 3 file(s) changed"), "{text}");
    assert!(
        text.contains("added lesson (accepted): Retries need jitter"),
        "{text}"
    );
    assert!(text.contains("  src/storage/db.rs\n"), "{text}");
    assert!(
        text.contains(&format!("decision {}", &decision[..10])),
        "{text}"
    );
    assert!(
        !text.contains("Keep data in flat files"),
        "a superseded decision whose successor is listed says nothing new:\n{text}"
    );
    assert!(
        text.contains(&format!(
            "past failure {} Lowering client retries",
            &lesson[..10]
        )),
        "{text}"
    );
    assert!(!text.contains("README.md"), "no record governs it: {text}");
    assert!(text.contains("policies: no findings"), "{text}");

    let json: serde_json::Value =
        serde_json::from_str(&repo.zen_ok(&["review", "main..feature", "--json"]).stdout).unwrap();
    assert_eq!(json["commits"], 1);
    assert_eq!(json["memory"][0]["change"], "added");
    let files = json["files"].as_array().unwrap();
    let storage = files
        .iter()
        .find(|f| f["path"] == "src/storage/db.rs")
        .unwrap();
    assert_eq!(storage["decisions"][0]["id"], decision.as_str());
    assert_eq!(storage["decisions"][0]["glob"], "src/storage/**");
    let client = files
        .iter()
        .find(|f| f["path"] == "src/net/client.py")
        .unwrap();
    assert_eq!(client["failures"][0]["id"], lesson.as_str());

    let md = repo
        .zen_ok(&["review", "main..feature", "--format", "markdown"])
        .stdout;
    assert!(md.starts_with("<!-- git-zen-review -->\n"), "{md}");
    assert!(md.contains("<details><summary>"), "{md}");
    assert!(
        md.contains("Store data in SQLite &lt;b&gt;not&lt;/b&gt; \\| flat files"),
        "record text stays text in the comment:\n{md}"
    );
    assert!(!md.contains("<b>"), "{md}");
}

#[test]
fn review_defaults_to_the_branch_against_main_and_flags_a_proposed_decision() {
    let (repo, _, _) = project();
    repo.record(&[
        "decision",
        "Shard the database",
        "--status",
        "proposed",
        "--path",
        "src/storage/**",
        "-m",
        "Maybe.",
    ]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "Propose sharding"]);
    let text = repo.zen_ok(&["review"]).stdout;
    assert!(text.starts_with("review of main..HEAD"), "{text}");
    assert!(
        text.contains("Shard the database [proposed, not yet accepted]"),
        "{text}"
    );
}

#[test]
fn review_reports_the_policy_findings_of_the_range() {
    let (repo, _, _) = project();
    repo.write(
        "config/app.py",
        format!("KEY = '{}'\n", crate::hooks::fake_aws_key()),
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "Add config"]);
    let text = repo.zen_ok(&["review", "main..feature"]).stdout;
    assert!(text.contains("policies: 1 error(s)"), "{text}");
    assert!(
        text.contains("config/app.py:1 secret-aws-access-key"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&repo.zen_ok(&["review", "main..feature", "--json"]).stdout).unwrap();
    assert_eq!(json["blocked"], true);
}

#[test]
fn review_without_a_range_or_a_base_says_how_to_give_one() {
    let repo = TestRepo::initialized();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "start"]);
    repo.git(&["branch", "-m", "trunk"]);
    let run = repo.zen(&["review"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("hint: give one: `git zen review main..HEAD`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_commit_touching_a_recorded_failure_says_so_and_goes_through() {
    let (repo, _, lesson) = project();
    repo.zen_ok(&["hooks", "install"]);
    repo.write("src/net/client.py", "RETRIES = 0\n");
    repo.git(&["add", "src/net/client.py"]);
    let run = repo.git_run(&["commit", "-q", "-m", "Fewer retries"]).ok();
    assert!(
        run.stderr.contains(&format!(
            "past failure here: Lowering client retries caused the payment outage (git zen show {})",
            &lesson[..10]
        )),
        "{}",
        run.stderr
    );
    // A change elsewhere says nothing; and the team can turn the note off.
    repo.write("README.md", "# quiet\n");
    repo.git(&["add", "README.md"]);
    let run = repo.git_run(&["commit", "-q", "-m", "Docs"]).ok();
    assert!(!run.stderr.contains("past failure"), "{}", run.stderr);
    let config = repo.read(".datazentr/config.toml");
    repo.write(
        ".datazentr/config.toml",
        format!("{config}\n[policies]\npast_failures = false\n"),
    );
    repo.write("src/net/client.py", "RETRIES = 2\n");
    repo.git(&["add", "-A"]);
    let run = repo.git_run(&["commit", "-q", "-m", "Quiet"]).ok();
    assert!(!run.stderr.contains("past failure"), "{}", run.stderr);
}

#[test]
fn validate_points_out_stale_proposals_and_paths_that_match_nothing() {
    let repo = TestRepo::initialized();
    repo.write("src/app.rs", "fn main() {}\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "start"]);
    repo.write(
        ".datazentr/decisions/1m86a00000000000000001-old-proposal.md",
        "+++\nid = \"1m86a00000000000000001\"\nkind = \"decision\"\ntitle = \"Old proposal\"\nstatus = \"proposed\"\npaths = [\"src/app.rs\", \"lib/gone/**\"]\ncreated = 2025-01-01T00:00:00Z\n+++\nx\n",
    );
    let run = repo.zen_ok(&["validate"]);
    assert!(
        run.stdout.contains(":5: warning: proposed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("`paths` entry 'lib/gone/**' matches no tracked file"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("'src/app.rs'"), "{}", run.stdout);
    let json: serde_json::Value =
        serde_json::from_str(&repo.zen_ok(&["validate", "--json"]).stdout).unwrap();
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .all(|p| p["severity"] == "warning")
    );
    let config = repo.read(".datazentr/config.toml");
    repo.write(
        ".datazentr/config.toml",
        format!("{config}\n[validate]\nproposed_days = 100000\n"),
    );
    let run = repo.zen_ok(&["validate"]);
    assert!(!run.stdout.contains("proposed"), "{}", run.stdout);
}

/// A bare repository with the server-side hook, and a clone of it (pushes run the real
/// `git-zen` found on PATH, as on a server).
fn served() -> (TestRepo, std::path::PathBuf) {
    let repo = TestRepo::initialized();
    let bare = repo.outside("server").join("hub.git");
    repo.git(&["init", "-q", "--bare", bare.to_str().unwrap()]);
    let installed = repo
        .zen_cmd_in(&bare, &["hooks", "install", "--server"])
        .output()
        .unwrap();
    let installed = crate::support::Run::from(installed).ok();
    assert!(
        installed.stdout.starts_with("pre-receive installed"),
        "{}",
        installed.stdout
    );
    let again = crate::support::Run::from(
        repo.zen_cmd_in(&bare, &["hooks", "install", "--server"])
            .output()
            .unwrap(),
    )
    .ok();
    assert!(
        again.stdout.starts_with("pre-receive already installed"),
        "{}",
        again.stdout
    );
    repo.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "start"]);
    (repo, bare)
}

#[test]
fn the_server_hook_refuses_a_pushed_secret_committed_with_no_verify_and_accepts_clean_pushes() {
    let (repo, bare) = served();
    repo.git_run(&["push", "-q", "origin", "HEAD:main"]).ok();
    repo.write("notes.txt", "clean\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "Clean change"]);
    repo.git_run(&["push", "-q", "origin", "HEAD:main"]).ok();

    repo.write(
        "config/app.py",
        format!("KEY = '{}'\n", crate::hooks::fake_aws_key()),
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "Add config"]);
    let run = repo.git_run(&["push", "origin", "HEAD:main"]);
    assert_ne!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("remote: refs/heads/main (1 new commit(s)):"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("config/app.py:1 secret-aws-access-key"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("git zen: push blocked: 1 error"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("--no-verify"),
        "no bypass on the server: {}",
        run.stderr
    );
    // The same commit on a new branch, or under a tag, is refused too; nothing reached the server.
    let run = repo.git_run(&["push", "origin", "HEAD:refs/heads/sneaky"]);
    assert_ne!(run.code, Some(0), "{}", run.stderr);
    repo.git(&["tag", "v1"]);
    let run = repo.git_run(&["push", "origin", "v1"]);
    assert_ne!(run.code, Some(0), "{}", run.stderr);
    let refs = crate::support::git_at(
        &repo.home(),
        &bare,
        &["for-each-ref", "--format=%(refname)"],
    );
    assert_eq!(refs.trim(), "refs/heads/main");

    // Fixed and pushed again: accepted; deleting a branch needs no judging.
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    repo.git_run(&["push", "-q", "origin", "HEAD:refs/heads/topic"])
        .ok();
    repo.git_run(&["push", "-q", "origin", ":topic"]).ok();
    let uninstalled = crate::support::Run::from(
        repo.zen_cmd_in(&bare, &["hooks", "uninstall", "--server"])
            .output()
            .unwrap(),
    )
    .ok();
    assert!(
        uninstalled.stdout.starts_with("pre-receive removed"),
        "{}",
        uninstalled.stdout
    );
}

#[test]
fn hooks_install_server_outside_a_bare_repository_says_where_it_belongs() {
    let repo = TestRepo::initialized();
    let run = repo.zen_fails(&["hooks", "install", "--server"]);
    assert!(
        run.stderr.contains("is not a bare repository"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("hint: run it in the bare repository"),
        "{}",
        run.stderr
    );
}
