//! Secrets baselines end to end: a repository that already holds secrets records them as known,
//! keeps committing, is still stopped by a new secret, and hears when a known one is gone.

use crate::support::TestRepo;

/// Two GitHub-shaped tokens, written in parts so this file holds none whole.
fn token(n: u8) -> String {
    format!("ghp_{}{n:05}", "Zq81Yy7dKp3Lm9Xw2Vb6Nc4Rt0Hs5Jf")
}

fn repo_with_a_secret() -> TestRepo {
    let repo = TestRepo::initialized();
    repo.write("config/app.env", format!("GITHUB_TOKEN={}\n", token(1)));
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "old secret"]);
    repo
}

#[test]
fn a_baseline_lets_known_secrets_pass_and_still_blocks_new_ones() {
    let repo = repo_with_a_secret();
    repo.zen_fails(&["check", "--all"])
        .stdout_has("secret-github-token");

    repo.zen_ok(&["check", "--all", "--write-baseline"])
        .stdout_has("wrote 1 secret fingerprint(s) to .datazentr/secrets-baseline.toml");
    let baseline = repo.read(".datazentr/secrets-baseline.toml");
    assert!(
        baseline.contains("rule = \"secret-github-token\""),
        "{baseline}"
    );
    assert!(baseline.contains("path = \"config/app.env\""), "{baseline}");
    assert!(
        !baseline.contains(&token(1)),
        "the secret itself is never written"
    );

    repo.zen_ok(&["check", "--all"])
        .stdout_has("1 known secret(s) not reported");
    // Lines moving above a known secret do not make it new.
    repo.write(
        "config/app.env",
        format!("DEBUG=1\nGITHUB_TOKEN={}\n", token(1)),
    );
    repo.git(&["add", "-A"]);
    repo.zen_ok(&["hook", "pre-commit"]);
    repo.git(&["commit", "-q", "-m", "debug"]);

    // A new secret in the same file, or the known one pasted elsewhere, still blocks.
    repo.write(
        "config/app.env",
        format!("DEBUG=1\nGITHUB_TOKEN={}\nOTHER={}\n", token(1), token(2)),
    );
    repo.write("deploy.sh", format!("export GITHUB_TOKEN={}\n", token(1)));
    repo.git(&["add", "-A"]);
    let run = repo.zen(&["check", "--staged", "--json"]);
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let places: Vec<(String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            ("config/app.env".to_owned(), 3),
            ("deploy.sh".to_owned(), 1)
        ]
    );
}

#[test]
fn validate_reports_a_baseline_entry_whose_secret_is_gone() {
    let repo = repo_with_a_secret();
    repo.zen_ok(&["check", "--all", "--write-baseline"]);
    repo.zen_ok(&["validate"]);
    let quiet = repo.zen_ok(&["validate"]);
    assert!(!quiet.stdout.contains("stale baseline"), "{}", quiet.stdout);

    repo.write("config/app.env", "GITHUB_TOKEN=${GITHUB_TOKEN}\n");
    repo.git(&["add", "-A"]);
    let run = repo.zen(&["validate"]);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains(".datazentr/secrets-baseline.toml:1")
            && all.contains("stale baseline entry: secret-github-token in config/app.env"),
        "{all}"
    );
}

#[test]
fn write_baseline_needs_all() {
    let repo = repo_with_a_secret();
    let run = repo.zen(&["check", "--write-baseline"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
}
