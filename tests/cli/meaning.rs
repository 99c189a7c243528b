//! Recall by meaning through the real binary and its built-in model: questions in other words,
//! strong and weak matches, related records, near-duplicates, background embedding and its
//! faults, and a model that cannot be loaded.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::TestRepo;

fn recall(repo: &TestRepo, args: &[&str]) -> Vec<serde_json::Value> {
    let mut full = vec!["recall", "--json"];
    full.extend_from_slice(args);
    serde_json::from_str(&repo.zen_ok(&full).stdout).expect("recall --json is JSON")
}

/// A small memory: two records about sessions, one about retries.
fn sessions(repo: &TestRepo) -> (String, String, String) {
    let redis = repo.record(&[
        "decision",
        "Use Redis for session caching",
        "--tag",
        "cache",
        "-m",
        "Sessions live in Redis with a 30 minute TTL, so any app server can serve any user.",
    ]);
    let expiry = repo.record(&[
        "decision",
        "Dashboard sessions expire after 30 idle minutes",
        "-m",
        "Users are signed out after half an hour without activity and after 12 hours at most.",
    ]);
    let retry = repo.record(&[
        "pattern",
        "Retry failed HTTP calls with exponential backoff",
        "--outcome",
        "success",
        "-m",
        "Wrap outbound calls; add jitter; give up after five attempts.",
    ]);
    (redis, expiry, retry)
}

fn vectors(repo: &TestRepo) -> serde_json::Value {
    let status: serde_json::Value =
        serde_json::from_str(&repo.zen_ok(&["index", "status", "--json"]).stdout).unwrap();
    status["vectors"].clone()
}

#[test]
fn a_question_in_other_words_finds_the_decision_and_says_why() {
    let repo = TestRepo::initialized();
    let (redis, _, _) = sessions(&repo);
    let question = "how do we keep people logged in between requests";
    let hits = recall(&repo, &[question]);
    assert_eq!(hits[0]["id"], redis.as_str(), "{hits:#?}");
    let best = &hits[0];
    assert_eq!(best["match"], "strong", "{best}");
    assert!(best["semantic_score"].as_f64().unwrap() > 0.35, "{best}");
    assert!(best["fused_score"].as_f64().is_some(), "{best}");
    assert!(best.get("keyword_rank").is_some(), "{best}");
    // By words alone the question shares nothing distinctive with the record.
    let by_words = recall(&repo, &[question, "--mode", "keyword"]);
    assert!(
        by_words
            .iter()
            .all(|h| h["match"] == "weak" && h["semantic_score"].is_null()),
        "{by_words:#?}"
    );
    let human = repo.zen_ok(&["recall", question]).stdout;
    assert!(human.starts_with(&redis[..10]), "{human}");
}

#[test]
fn a_question_nothing_answers_is_said_to_be_unanswered() {
    let repo = TestRepo::initialized();
    sessions(&repo);
    let run = repo.zen_ok(&["recall", "which printer does the office use for invoices"]);
    let hits = recall(&repo, &["which printer does the office use for invoices"]);
    assert!(hits.iter().all(|h| h["match"] == "weak"), "{hits:#?}");
    if hits.is_empty() {
        run.stderr_has("no records match");
    } else {
        run.stdout_has("Nothing in memory answers this closely");
    }
}

#[test]
fn related_lists_the_records_closest_in_meaning() {
    let repo = TestRepo::initialized();
    let (redis, expiry, retry) = sessions(&repo);
    let related: Vec<serde_json::Value> =
        serde_json::from_str(&repo.zen_ok(&["related", &redis[..10], "--json"]).stdout).unwrap();
    let ids: Vec<&str> = related.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids.first(), Some(&expiry.as_str()), "{related:#?}");
    assert!(
        !ids.contains(&redis.as_str()),
        "a record is not related to itself"
    );
    let score = |id: &str| {
        related
            .iter()
            .find(|h| h["id"] == id)
            .map(|h| h["semantic_score"].as_f64().unwrap())
    };
    assert!(
        score(&expiry) > score(&retry).or(Some(-1.0)),
        "{related:#?}"
    );
    repo.zen_fails(&["related", "zzzzzzzz"]);
}

#[test]
fn recording_a_near_duplicate_warns_and_records_anyway() {
    let repo = TestRepo::initialized();
    let (redis, _, _) = sessions(&repo);
    recall(&repo, &["sessions"]); // the cache and its vectors exist from here on
    let run = repo.zen_ok(&[
        "record",
        "decision",
        "Store user sessions in Redis",
        "-m",
        "We cache sessions in Redis with a 30 minute TTL so any server can handle any user.",
    ]);
    run.stderr_has("very similar to")
        .stderr_has(&redis[..10])
        .stderr_has("git zen supersede");
    assert_eq!(repo.list_json(&[]).len(), 4, "recorded all the same");
    let unrelated = repo.zen_ok(&[
        "record",
        "lesson",
        "Flaky clock in CI",
        "-m",
        "NTP was off on one runner.",
    ]);
    assert!(
        !unrelated.stderr.contains("very similar"),
        "{}",
        unrelated.stderr
    );
}

#[test]
fn keyword_mode_and_a_broken_model_setting_never_need_the_model() {
    let repo = TestRepo::initialized();
    let (redis, _, _) = sessions(&repo);
    repo.write(
        ".datazentr/config.toml",
        format!(
            "{}\n[recall]\nmodel = \"no/such/folder\"\n",
            repo.read(".datazentr/config.toml")
        ),
    );
    let run = repo.zen_ok(&["recall", "redis", "--json"]);
    run.stderr_has("cannot load the recall model")
        .stderr_has("ranking by keyword alone");
    let hits: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(hits[0]["id"], redis.as_str());
    repo.zen_fails(&["related", &redis[..10]])
        .stderr_has("no/such/folder")
        .stderr_has("hint:");
    assert_eq!(
        vectors(&repo)["embedded"],
        0,
        "nothing was embedded with a model that did not load"
    );
}

#[test]
fn many_missing_vectors_are_embedded_in_the_background() {
    let repo = TestRepo::initialized();
    let (redis, _, _) = sessions(&repo);
    // Nothing inline: every missing vector goes to the background process.
    repo.write(
        ".datazentr/config.toml",
        format!(
            "{}\n[recall]\ninline_tokens = 0\n",
            repo.read(".datazentr/config.toml")
        ),
    );
    let run = repo.zen_ok(&[
        "recall",
        "how do we keep people logged in between requests",
        "--json",
    ]);
    run.stderr_has("not embedded yet").stderr_has("background");
    let deadline = Instant::now() + Duration::from_secs(120);
    while vectors(&repo)["missing"] != 0 {
        assert!(
            Instant::now() < deadline,
            "the background embedder never finished: {}",
            vectors(&repo)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let hits = recall(&repo, &["how do we keep people logged in between requests"]);
    assert_eq!(hits[0]["id"], redis.as_str());
    assert!(hits[0]["semantic_score"].as_f64().is_some());
}

#[test]
fn a_killed_embedder_loses_at_most_a_batch_and_the_next_run_finishes() {
    let repo = TestRepo::initialized();
    for n in 0..40 {
        repo.record(&[
            "lesson",
            &format!("Lesson number {n} about deploys"),
            "-m",
            "Short body.",
        ]);
    }
    let mut child = repo
        .zen_cmd(&["index", "embed"])
        .env("GIT_ZEN_PAUSE_AT", "embed.batch")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    use std::io::BufRead;
    for line in std::io::BufReader::new(child.stderr.take().unwrap()).lines() {
        said = line.unwrap();
        if said == "paused at embed.batch" {
            break;
        }
    }
    assert_eq!(said, "paused at embed.batch");
    child.kill().unwrap();
    child.wait().unwrap();
    let after_kill = vectors(&repo);
    assert_eq!(
        after_kill["embedded"], 32,
        "the first batch was stored: {after_kill}"
    );
    assert_eq!(after_kill["missing"], 8);
    repo.zen_ok(&["index", "embed"])
        .stdout_has("embedded 8 records");
    assert_eq!(vectors(&repo)["missing"], 0);
    // A rebuild keeps the vectors: nothing is embedded again.
    let rebuilt = repo.zen_ok(&["index", "rebuild"]);
    assert!(!rebuilt.stdout.contains("embedded"), "{}", rebuilt.stdout);
    assert_eq!(vectors(&repo)["embedded"], 40);
}
