//! Policies end to end: the project's own rules, decisions, command gates and trust, and
//! `git zen check` / `git zen policy list` for CI.

use crate::support::{Run, TestRepo};

fn committed() -> TestRepo {
    let repo = TestRepo::initialized();
    repo.write("README.md", "# demo\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "start"]);
    repo
}

fn check_json(repo: &TestRepo, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut full = vec!["check", "--json"];
    full.extend_from_slice(args);
    let run = repo.zen(&full);
    let json = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    (run.code, json)
}

fn rules_found(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

const STORAGE_POLICY: &str = r#"
[[rule]]
id = "storage-needs-decision"
kind = "requires-decision"
message = "the storage layer changes only with a recorded decision"
paths = ["src/storage/**"]
"#;

#[test]
fn storage_changes_need_an_accepted_decision_staged_or_named() {
    let repo = committed();
    repo.write(".datazentr/policies/architecture.toml", STORAGE_POLICY);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "policy"]);
    repo.zen_ok(&["hooks", "install"]);

    repo.write("src/storage/db.rs", "fn open() {}\n");
    repo.write("src/cli.rs", "fn main() {}\n");
    repo.git(&["add", "-A"]);
    let run = repo.git_run(&["commit", "-m", "Add the database"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("src/storage/db.rs storage-needs-decision"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("src/cli.rs"), "{}", run.stderr);

    // A proposed decision does not count; an accepted one staged in the same commit does.
    repo.record(&[
        "decision",
        "Maybe SQLite",
        "--status",
        "proposed",
        "--path",
        "src/storage/**",
    ]);
    repo.git(&["add", "-A"]);
    assert_eq!(
        repo.git_run(&["commit", "-m", "Add the database"]).code,
        Some(1)
    );
    let accepted = repo.record(&["decision", "SQLite for storage", "--path", "src/storage/**"]);
    repo.git(&["add", "-A"]);
    repo.git_run(&["commit", "-q", "-m", "Add the database"])
        .ok();

    // Later changes name the committed decision in the message.
    repo.write("src/storage/db.rs", "fn open() { todo() }\n");
    repo.git(&["add", "-A"]);
    assert_eq!(
        repo.git_run(&["commit", "-m", "Tune the database"]).code,
        Some(1)
    );
    let message = format!("Tune the database\n\nDecision: {}", &accepted[..10]);
    repo.git_run(&["commit", "-q", "-m", &message]).ok();
}

#[test]
fn command_gates_run_only_when_trusted_and_see_the_staged_content() {
    let repo = committed();
    let gate = r#"
[[rule]]
id = "no-todo"
kind = "command"
message = "TODO markers must become issues"
command = ["sh", "-c", "if grep -n TODO \"$@\"; then exit 1; fi", "gate", "{files}"]
files = ["*.py"]
timeout_secs = 20
"#;
    repo.write(".datazentr/policies/gates.toml", gate);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "gate"]);
    repo.write("app.py", "x = 1  # TODO later\n");
    // A file named like an option stays a file to the gate.
    repo.write("--version.py", "ok\n");
    repo.git(&["add", "app.py", "--", "--version.py"]);

    // Untrusted: reported, not run, not blocking.
    let run = repo.zen(&["check"]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("command gate `no-todo` not run"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("git zen trust"), "{}", run.stdout);

    let trusted = repo.zen_ok(&["trust"]).stdout;
    assert!(
        trusted.contains(".datazentr/policies/gates.toml"),
        "{trusted}"
    );
    assert!(trusted.contains("no-todo runs: sh -c"), "{trusted}");
    assert!(
        std::fs::read_to_string(repo.path().join(".git/datazentr/trust.toml"))
            .unwrap()
            .contains("gates.toml")
    );
    let run = repo.zen(&["check"]);
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("no-todo"), "{}", run.stdout);
    assert!(
        run.stdout.contains("x = 1  # TODO later"),
        "the gate's output is shown:\n{}",
        run.stdout
    );

    // The gate judges what is staged, not the work tree.
    repo.write("app.py", "x = 1\n");
    assert_eq!(repo.zen(&["check"]).code, Some(1));
    repo.git(&["add", "app.py"]);
    repo.write("app.py", "x = 1  # TODO in the work tree only\n");
    repo.zen_ok(&["check"]);

    // A changed policy file must be trusted again; GIT_ZEN_TRUST=1 trusts everything (CI).
    repo.git(&["add", "app.py"]);
    repo.write(".datazentr/policies/gates.toml", gate.replace("20", "30"));
    assert!(repo.zen_ok(&["check"]).stdout.contains("not run"));
    let ci = Run::from(
        repo.zen_cmd(&["check"])
            .env("GIT_ZEN_TRUST", "1")
            .output()
            .unwrap(),
    );
    assert_eq!(ci.code, Some(1), "{}", ci.stdout);
    assert!(
        ci.stdout.contains("TODO in the work tree only"),
        "{}",
        ci.stdout
    );
}

#[test]
fn a_hanging_or_crashing_gate_is_a_failure_with_its_rule_id() {
    let repo = committed();
    repo.write(
        ".datazentr/policies/gates.toml",
        r#"
[[rule]]
id = "hangs"
kind = "command"
command = ["sleep", "30"]
timeout_secs = 1

[[rule]]
id = "crashes"
kind = "command"
command = ["sh", "-c", "kill -SEGV $$"]
"#,
    );
    repo.write("a.txt", "a\n");
    repo.git(&["add", "-A"]);
    let run = Run::from(
        repo.zen_cmd(&["check", "--json"])
            .env("GIT_ZEN_TRUST", "1")
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let details: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        details.contains(&("hangs".into(), "timed out after 1s".into())),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|(r, d)| r == "crashes" && d.contains("signal 11")),
        "{details:?}"
    );
}

#[test]
fn the_project_overrides_and_disables_built_in_rules_by_id() {
    let repo = committed();
    repo.write(
        ".datazentr/policies/local.toml",
        r#"
[[rule]]
id = "large-files"
max_bytes = 10

[[rule]]
id = "trailing-whitespace"
disabled = true

[[rule]]
id = "conventional-commits"
disabled = false
"#,
    );
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&repo.zen_ok(&["policy", "list", "--json"]).stdout).unwrap();
    let rule = |id: &str| list.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(rule("large-files")["kind"], "file-size");
    assert!(
        rule("large-files")["source"]
            .as_str()
            .unwrap()
            .starts_with(".datazentr/policies/local.toml:")
    );
    assert_eq!(rule("trailing-whitespace")["disabled"], true);
    assert_eq!(rule("conventional-commits")["disabled"], false);
    assert!(
        rule("secret-aws-access-key")["hooks"]
            .as_array()
            .unwrap()
            .contains(&"pre-commit".into())
    );

    repo.write("notes.txt", "more than ten bytes   \n");
    repo.git(&["add", "notes.txt"]);
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(rules_found(&report), ["large-files"]);
    assert_eq!(report["findings"][0]["detail"], "23 B > 10 B");
    let msg = repo.outside("m").join("msg");
    std::fs::write(&msg, "added notes\n").unwrap();
    let (_, report) = check_json(&repo, &["--message-file", msg.to_str().unwrap()]);
    assert!(rules_found(&report).contains(&"conventional-commits".to_owned()));
}

#[test]
fn config_picks_the_built_in_sets() {
    let repo = committed();
    repo.write(
        ".datazentr/config.toml",
        "format = 1\n[policies]\nsets = [\"quality\"]\n",
    );
    let list = repo.zen_ok(&["policy", "list"]).stdout;
    assert!(
        list.contains("commit-subject") && !list.contains("secret-aws-access-key"),
        "{list}"
    );
    repo.write(
        ".datazentr/config.toml",
        "format = 1\n[policies]\nsets = [\"quality\", \"securty\"]\n",
    );
    let err = repo.zen_fails(&["policy", "list"]).stderr;
    assert!(
        err.contains(".datazentr/config.toml:3: unknown policy set `securty`"),
        "{err}"
    );
}

#[test]
fn a_broken_policy_file_is_named_with_its_line_and_blocks_nothing_silently() {
    let repo = committed();
    repo.write(
        ".datazentr/policies/bad.toml",
        "# mine\n\n[[rule]]\nid = \"x\"\nkind = \"secrets\"\nkeywords = [\"k\"]\nregex = \"([a-z\"\n",
    );
    repo.write("a.txt", "k = abc\n");
    repo.git(&["add", "-A"]);
    let err = repo.zen_fails(&["policy", "list"]).stderr;
    assert!(err.contains("rule `x`") && err.contains("([a-z"), "{err}");
    // The hook checks a project's secrets rules too (only the built-in ones are trusted as tested).
    let err = repo.zen_fails(&["check"]).stderr;
    assert!(err.contains("rule `x`") && err.contains("([a-z"), "{err}");
    repo.write(
        ".datazentr/policies/bad.toml",
        "[[rule]]\nid = \"y\"\nkind = \"forbidden-paths\"\npaths = [\"*.pem\"]\nexcept = 3\n",
    );
    let err = repo.zen_fails(&["check"]).stderr;
    assert!(
        err.contains(".datazentr/policies/bad.toml:1: rule `y`: `except`"),
        "{err}"
    );
    repo.write(
        ".datazentr/policies/bad.toml",
        "[[rule]]\nid = \"z\"\nkind = \"spellcheck\"\n",
    );
    let err = repo.zen_fails(&["check"]).stderr;
    assert!(
        err.contains("unknown kind `spellcheck`; it is one of forbidden-paths"),
        "{err}"
    );
}

#[test]
fn check_covers_ranges_and_the_whole_tree_with_json_and_sarif() {
    let repo = committed();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("deploy/prod.env", "x\n");
    repo.write(".env", "TOKEN=1\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "env"]);
    repo.write(
        "merge.txt",
        "<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> side\n",
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "a conflict left behind"]);

    let (code, report) = check_json(&repo, &["--range", "main..feature"]);
    assert_eq!(code, Some(1));
    let mut rules = rules_found(&report);
    rules.sort();
    assert_eq!(
        rules,
        [
            "forbidden-env-files",
            "merge-conflict-markers",
            "merge-conflict-markers"
        ]
    );
    let env = &report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "forbidden-env-files")
        .unwrap();
    assert_eq!(env["path"], ".env");
    assert_eq!(env["commit"].as_str().unwrap().len(), 12);
    assert_eq!(report["blocked"], true);

    let (_, all) = check_json(&repo, &["--all"]);
    assert_eq!(all["findings"].as_array().unwrap().len(), 3);
    repo.zen_ok(&["check", "--range", "main..main"]);
    repo.zen_ok(&["check", "--staged"]);

    let sarif: serde_json::Value =
        serde_json::from_str(&repo.zen(&["check", "--all", "--format", "sarif"]).stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let marker = results
        .iter()
        .find(|r| r["ruleId"] == "merge-conflict-markers")
        .unwrap();
    assert_eq!(
        marker["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "merge.txt"
    );
    assert_eq!(
        marker["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
}

#[test]
fn binary_files_skip_line_rules_and_lfs_pointers_pass_the_size_limit() {
    let repo = committed();
    let mut binary = vec![0u8, 1, 2];
    binary.extend_from_slice(format!("KEY = \"AKIA{}\"   \n", "QYLPMN5HZQ3JDRW7").as_bytes());
    repo.write("image.bin", &binary);
    repo.write(
        "video.mp4",
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345678\n",
    );
    repo.git(&["add", "-A"]);
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(report["files_checked"], 2);
}

#[test]
fn a_secret_typed_into_a_merge_resolution_is_caught() {
    let repo = committed();
    repo.write("f.py", "x = 1\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "f"]);
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("f.py", "x = 2\n");
    repo.git(&["commit", "-q", "-am", "side"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.write("f.py", "x = 3\n");
    repo.git(&["commit", "-q", "-am", "main"]);
    assert!(
        !repo
            .git_cmd(&["merge", "-q", "side"])
            .output()
            .unwrap()
            .status
            .success()
    );
    repo.write(
        "f.py",
        format!("x = 4\nKEY = \"AKIA{}\"\n", "QYLPMN5HZQ3JDRW7"),
    );
    repo.git(&["add", "f.py"]);
    repo.git(&["commit", "-q", "--no-edit"]);
    let (code, report) = check_json(&repo, &["--range", "HEAD~1..HEAD"]);
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(rules_found(&report), ["secret-aws-access-key"]);
    assert_eq!(report["findings"][0]["line"], 2);
}

#[test]
fn odd_type_changes_renames_and_sparse_indexes_are_read_like_git() {
    let repo = committed();
    // A submodule replaced by a file is new content, not an error.
    let head = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{},sm", head.trim()),
    ]);
    repo.git(&["commit", "-q", "-m", "submodule"]);
    repo.git(&["rm", "-q", "--cached", "sm"]);
    repo.write("sm", "now a file\n");
    repo.git(&["add", "sm"]);
    repo.zen_ok(&["check"]);
    repo.git(&["commit", "-q", "-m", "file"]);

    // Moving a file out of an allowlisted folder brings its secret under the rules.
    repo.write(
        ".datazentr/policies/fixtures.toml",
        "[secrets.allowlist]\npaths = [\"tests/fixtures/**\"]\n",
    );
    repo.write(
        "tests/fixtures/k.py",
        format!("KEY = \"AKIA{}\"\n", "QYLPMN5HZQ3JDRW7"),
    );
    repo.git(&["add", "-A"]);
    repo.zen_ok(&["check"]);
    repo.git(&["commit", "-q", "-m", "fixture"]);
    repo.git(&["mv", "tests/fixtures/k.py", "src_k.py"]);
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(report["findings"][0]["path"], "src_k.py");
    repo.git(&["mv", "src_k.py", "tests/fixtures/k.py"]);

    // A sparse index keeps folders outside the cone as one entry; what is staged there is seen.
    repo.write(
        "out/deep/key.py",
        format!("KEY = \"AKIA{}\"\n", "QYLPMN5HZQ3JDRW7"),
    );
    repo.write("in/a.txt", "a\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "out"]);
    repo.git(&["sparse-checkout", "init", "--cone", "--sparse-index"]);
    repo.git(&["sparse-checkout", "set", "in"]);
    repo.git(&["reset", "-q", "--soft", "HEAD~1"]);
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(report["findings"][0]["path"], "out/deep/key.py");
}
