//! Coding agents and CI end to end: `agents install` keeps the team's own text and other MCP
//! servers, `agents prime` prints what governs the files at hand within its budget, and `ci`
//! writes workflows whose YAML parses and whose check step passes on a real range.

use std::path::Path;
use std::process::Command;

use crate::support::{BIN, Run, TestRepo, hermetic};

const OWN_TEXT: &str = "# Our agents\n\nAlways run the tests.\n";

fn mcp_server(json: &serde_json::Value) -> &serde_json::Value {
    &json["mcpServers"]["git-zen"]
}

#[test]
fn agents_install_is_idempotent_and_keeps_the_files_own_text() {
    let repo = TestRepo::initialized();
    repo.write("AGENTS.md", OWN_TEXT);
    let first = repo.zen_ok(&["agents", "install", "--claude", "--cursor"]);
    first.stdout_has("updated    AGENTS.md: agent instructions");
    first.stdout_has("created    CLAUDE.md: agent instructions");
    first.stdout_has("created    .mcp.json: MCP server git-zen");
    first.stdout_has("created    .cursor/mcp.json: MCP server git-zen");

    let agents = repo.read("AGENTS.md");
    assert!(
        agents.starts_with(&format!("{OWN_TEXT}\n<!-- git-zen:begin")),
        "{agents}"
    );
    assert!(agents.ends_with("<!-- git-zen:end -->\n"), "{agents}");
    for needle in [
        "`recall`",
        "`record`",
        "`check_staged`",
        "git zen check --staged",
    ] {
        assert!(agents.contains(needle), "no {needle} in {agents}");
    }
    assert_eq!(repo.read("CLAUDE.md"), agents[OWN_TEXT.len() + 1..]);
    for file in [".mcp.json", ".cursor/mcp.json"] {
        let json: serde_json::Value = serde_json::from_str(&repo.read(file)).unwrap();
        assert_eq!(
            mcp_server(&json),
            &serde_json::json!({"command": "git", "args": ["zen", "mcp"]})
        );
    }

    // A second run changes no byte and says so.
    let files = ["AGENTS.md", "CLAUDE.md", ".mcp.json", ".cursor/mcp.json"];
    let before: Vec<String> = files.iter().map(|f| repo.read(f)).collect();
    let again = repo.zen_ok(&["agents", "install", "--claude", "--cursor"]);
    assert_eq!(
        again.stdout.matches("unchanged").count(),
        4,
        "{}",
        again.stdout
    );
    let after: Vec<String> = files.iter().map(|f| repo.read(f)).collect();
    assert_eq!(before, after);

    // The section is git-zen's: an edit inside it is replaced in place, text around it stays.
    let edited = agents.replace("## Team memory (git-zen)", "## Stale") + "\n## Later notes\n";
    repo.write("AGENTS.md", &edited);
    repo.zen_ok(&["agents", "install"])
        .stdout_has("updated    AGENTS.md");
    assert_eq!(
        repo.read("AGENTS.md"),
        format!("{agents}\n## Later notes\n")
    );
}

#[test]
fn the_mcp_json_merge_keeps_other_servers_and_the_files_layout() {
    let repo = TestRepo::initialized();
    let own = "{\n    \"mcpServers\": {\n        \"db\": {\"command\": \"db-mcp\", \"env\": {\"URL\": \"x\"}}\n    },\n    \"zz\": true\n}\n";
    repo.write(".mcp.json", own);
    repo.zen_ok(&["agents", "install", "--claude"])
        .stdout_has("updated    .mcp.json");
    let text = repo.read(".mcp.json");
    assert_eq!(
        text,
        own.replace(
            "\"x\"}}\n",
            "\"x\"}},\n        \"git-zen\": {\"command\": \"git\", \"args\": [\"zen\", \"mcp\"]}\n"
        )
    );
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["mcpServers"]["db"]["command"], "db-mcp");
    assert_eq!(json["zz"], true);

    // An outdated git-zen entry is replaced; one with extra keys (env) but the same command is kept.
    let custom = r#"{"mcpServers": {"git-zen": {"command": "git", "args": ["zen", "mcp"], "env": {"A": "1"}}}}"#;
    repo.write(".mcp.json", custom);
    repo.zen_ok(&["agents", "install", "--claude"])
        .stdout_has("unchanged  .mcp.json");
    repo.write(
        ".mcp.json",
        r#"{"mcpServers": {"git-zen": {"command": "old-zen"}}}"#,
    );
    repo.zen_ok(&["agents", "install", "--claude"]);
    assert_eq!(
        repo.read(".mcp.json"),
        r#"{"mcpServers": {"git-zen": {"command": "git", "args": ["zen", "mcp"]}}}"#
    );
}

#[test]
fn invalid_mcp_json_is_refused_naming_the_file_and_line_and_nothing_is_written() {
    let repo = TestRepo::initialized();
    repo.write(".cursor/mcp.json", "{\n  \"mcpServers\": {},\n}\n");
    let run = repo.zen_fails(&["agents", "install", "--cursor"]);
    run.stderr_has("error: .cursor/mcp.json:3:1: not valid JSON");
    run.stderr_has("hint: fix .cursor/mcp.json");
    assert!(
        !repo.path().join("AGENTS.md").exists(),
        "nothing is written"
    );

    repo.write(".cursor/mcp.json", "{\"mcpServers\": [1]}");
    repo.zen_fails(&["agents", "install", "--cursor"])
        .stderr_has(".cursor/mcp.json:1: \"mcpServers\" is not a JSON object");
}

#[test]
fn a_broken_marker_is_refused_and_a_claude_md_linked_to_agents_md_gets_one_section() {
    let repo = TestRepo::initialized();
    repo.write("AGENTS.md", "# A\n<!-- git-zen:begin -->\nold\n");
    repo.zen_fails(&["agents", "install"]).stderr_has(
        "AGENTS.md:2: a `<!-- git-zen:begin -->` marker with no `<!-- git-zen:end -->`",
    );
    assert_eq!(repo.read("AGENTS.md"), "# A\n<!-- git-zen:begin -->\nold\n");

    repo.write("AGENTS.md", OWN_TEXT);
    std::os::unix::fs::symlink("AGENTS.md", repo.path().join("CLAUDE.md")).unwrap();
    let run = repo.zen_ok(&["agents", "install", "--claude"]);
    run.stdout_has("updated    CLAUDE.md (a link to AGENTS.md)");
    assert!(
        repo.path().join("CLAUDE.md").is_symlink(),
        "the link stays a link"
    );
    assert_eq!(repo.read("AGENTS.md").matches("git-zen:begin").count(), 1);
}

fn shell_ok(repo: &TestRepo, script: &str, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new("sh");
    hermetic(&mut cmd, &repo.home());
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(bin_dir.to_path_buf()).chain(std::env::split_paths(&path));
    cmd.env("PATH", std::env::join_paths(dirs).unwrap())
        .args(["-e", "-c", script])
        .current_dir(repo.path())
        .envs(env.iter().copied());
    Run::from(cmd.output().expect("run sh")).ok()
}

/// A repository with a decision, a failure lesson and a committed history to range over.
fn history() -> (TestRepo, String) {
    let repo = TestRepo::initialized();
    repo.write("README.md", "# demo\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "start"]);
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    repo.record(&[
        "decision",
        "SQLite for storage",
        "--path",
        "src/storage/**",
        "-m",
        "## Context\n\nOne file, no server to run.",
    ]);
    repo.record(&[
        "lesson",
        "Lowering client retries caused the payment outage",
        "--outcome",
        "failure",
        "--path",
        "src/net/client.py",
        "-m",
        "Retries at 1 turned every network blip into an outage.",
    ]);
    repo.record(&[
        "decision",
        "Python 3.12 everywhere",
        "--path",
        "**",
        "-m",
        "One runtime for every service, so one upgrade covers them all.",
    ]);
    repo.record(&["pattern", "Table tests", "--path", "**", "-m", "Works."]);
    repo.write("src/net/client.py", "RETRIES = 3\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "Add the client"]);
    (repo, base)
}

#[test]
fn prime_lists_the_governing_records_most_specific_first_within_the_budget() {
    let (repo, _) = history();
    repo.write("src/net/client.py", "RETRIES = 1\n");
    repo.git(&["add", "src/net/client.py"]);
    let staged = repo.zen_ok(&["agents", "prime"]).stdout;
    let lines: Vec<&str> = staged.lines().collect();
    assert!(
        lines[0].starts_with("git-zen memory for 1 staged file (src/net/client.py)"),
        "{staged}"
    );
    assert!(
        lines[1].contains("lesson (failure): Lowering client retries"),
        "{staged}"
    );
    assert!(lines[1].ends_with("— Retries at 1 turned every network blip into an outage."));
    assert!(lines[2].contains("decision: Python 3.12 everywhere [**] — One runtime for"));
    assert_eq!(
        lines.len(),
        3,
        "no pattern, no unrelated decision: {staged}"
    );

    let json: serde_json::Value = serde_json::from_str(
        &repo
            .zen_ok(&["agents", "prime", "--path", "src/storage/db.py", "--json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(json["basis"], "paths");
    let titles: Vec<&str> = json["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["SQLite for storage", "Python 3.12 everywhere"]);
    assert_eq!(json["records"][0]["gist"], "One file, no server to run.");

    let budget = lines[0].len() + lines[1].chars().count() + 2 + 60;
    assert!(lines[2].chars().count() > 60);
    let tight = repo
        .zen_ok(&[
            "agents",
            "prime",
            "--staged",
            "--max-chars",
            &budget.to_string(),
        ])
        .stdout;
    assert!(tight.chars().count() <= budget, "{tight}");
    assert!(tight.contains("Lowering client retries"), "{tight}");
    assert!(
        tight.ends_with(&format!(
            "(1 more record left out for --max-chars {budget})\n"
        )),
        "{tight}"
    );
}

#[test]
fn prime_with_nothing_staged_shows_the_newest_decisions() {
    let (repo, _) = history();
    let out = repo.zen_ok(&["agents", "prime"]).stdout;
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("git-zen memory: the newest decisions"),
        "{out}"
    );
    assert!(lines[1].contains("Python 3.12 everywhere"), "{out}");
    assert!(lines[2].contains("SQLite for storage"), "{out}");
    assert_eq!(lines.len(), 3, "{out}");
    repo.zen_ok(&["agents", "prime", "--staged"])
        .stdout_has("git-zen memory: nothing is staged.");
}

fn yaml(text: &str) -> serde_norway::Value {
    serde_norway::from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"))
}

#[test]
fn ci_github_writes_valid_yaml_whose_check_step_passes_on_a_real_range() {
    let (repo, base) = history();
    repo.zen_ok(&[
        "ci",
        "github",
        "--source",
        "https://git.example.com/t/git-zen.git",
    ])
    .stdout_has("created    .github/workflows/git-zen.yml");
    let text = repo.read(".github/workflows/git-zen.yml");
    let workflow = yaml(&text);
    assert_eq!(
        workflow["env"]["GIT_ZEN_SOURCE"],
        "https://git.example.com/t/git-zen.git"
    );
    let steps = workflow["jobs"]["git-zen"]["steps"].as_sequence().unwrap();
    let step = |name: &str| {
        steps
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no step {name}"))
    };
    assert_eq!(
        step("Upload findings to code scanning")["uses"],
        "github/codeql-action/upload-sarif@v4"
    );
    let review = step("Review the pull request")["run"].as_str().unwrap();
    assert!(review.contains("git zen review \"$BASE..$HEAD\" --format markdown"));
    assert!(text.contains("<!-- git-zen-review -->"));

    // The version step finds the commit to build, here with this repository as the source.
    let output = repo.outside("gh").join("output");
    let work = repo.path();
    let source = [
        ("GIT_ZEN_SOURCE", work.to_str().unwrap()),
        ("GITHUB_OUTPUT", output.to_str().unwrap()),
    ];
    shell_ok(
        &repo,
        step("Find git-zen's version")["run"].as_str().unwrap(),
        &source,
    );
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        format!("rev={head}\n")
    );

    // The check step, run as the runner would, on this repository's real range.
    let check = step("Check the pull request's commits")["run"]
        .as_str()
        .unwrap();
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let output = repo.outside("gh").join("output");
    std::fs::write(&output, "").unwrap();
    let env = [
        ("BASE", base.as_str()),
        ("HEAD", head.as_str()),
        ("GITHUB_OUTPUT", output.to_str().unwrap()),
    ];
    shell_ok(&repo, check, &env);
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "status=0\n");
    let sarif: serde_json::Value = serde_json::from_str(&repo.read("git-zen.sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");

    // A range with a secret: the step still succeeds (so SARIF is uploaded) and reports status 1.
    repo.write(
        "config.py",
        format!("KEY = \"AKIA{}\"\n", "QYLPMN5HZQ3JDRW7"),
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "Add config"]);
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    std::fs::write(&output, "").unwrap();
    let env = [("HEAD", head.as_str()), env[0], env[2]];
    shell_ok(&repo, check, &env);
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "status=1\n");
    assert!(repo.read("git-zen.sarif").contains("secret-aws-access-key"));
}

#[test]
fn ci_refuses_to_overwrite_a_different_file_without_force() {
    let repo = TestRepo::initialized();
    let run = repo.zen_ok(&["ci", "github"]);
    run.stdout_has("next: set GIT_ZEN_SOURCE in .github/workflows/git-zen.yml");
    repo.zen_ok(&["ci", "github"])
        .stdout_has("unchanged  .github/workflows/git-zen.yml");
    repo.write(".github/workflows/git-zen.yml", "name: ours\n");
    repo.zen_fails(&["ci", "github"])
        .stderr_has(".github/workflows/git-zen.yml exists and differs")
        .stderr_has("git zen ci github --force");
    assert_eq!(repo.read(".github/workflows/git-zen.yml"), "name: ours\n");
    repo.zen_ok(&["ci", "github", "--force"])
        .stdout_has("replaced   .github/workflows/git-zen.yml");
    repo.zen(&["ci", "github", "--source", "x\"; rm -rf ~"])
        .stderr_has("is not allowed in the URL");
}

#[test]
fn ci_gitlab_writes_an_included_job_whose_check_lines_pass_on_a_real_range() {
    let (repo, base) = history();
    repo.zen_ok(&[
        "ci",
        "gitlab",
        "--source",
        "https://git.example.com/t/git-zen.git",
    ])
    .stdout_has("created    .gitlab/git-zen.yml")
    .stdout_has("next: include it from .gitlab-ci.yml");
    let job = yaml(&repo.read(".gitlab/git-zen.yml"));
    let job = &job["git-zen"];
    assert_eq!(job["variables"]["GIT_DEPTH"], "0");
    let script: Vec<&str> = job["script"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let until_check = script
        .iter()
        .position(|l| l.contains("git zen review"))
        .unwrap();
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let env = [
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str()),
        ("CI_COMMIT_SHA", head.as_str()),
    ];
    shell_ok(&repo, &script[..until_check].join("\n"), &env);
    assert!(repo.read("git-zen.sarif").contains("\"2.1.0\""));

    repo.write(
        ".gitlab-ci.yml",
        "include:\n  - local: .gitlab/git-zen.yml\n",
    );
    let again = repo.zen_ok(&[
        "ci",
        "gitlab",
        "--source",
        "https://git.example.com/t/git-zen.git",
    ]);
    assert!(!again.stdout.contains("next:"), "{}", again.stdout);
}

#[test]
fn the_pre_commit_hooks_file_is_valid_and_runs_git_zens_hooks() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let hooks = yaml(&text);
    let ids: Vec<&str> = hooks
        .as_sequence()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["git-zen-check", "git-zen-commit-msg"]);
    for hook in hooks.as_sequence().unwrap() {
        assert!(hook["entry"].as_str().unwrap().starts_with("git-zen hook "));
    }
}
