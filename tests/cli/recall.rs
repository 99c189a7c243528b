//! `git zen recall` and the SQLite cache: ranking, freshness, self-healing, hostile queries.

use crate::support::{Run, TestRepo};

/// Recall by keyword: most tests here are about the cache and the full-text query, which recall
/// by meaning would blur (it also returns the records nearest in meaning, marked weak).
fn recall(repo: &TestRepo, args: &[&str]) -> Vec<serde_json::Value> {
    let mut full = vec!["recall", "--json", "--mode", "keyword"];
    full.extend_from_slice(args);
    serde_json::from_str(&repo.zen_ok(&full).stdout).expect("recall --json is JSON")
}

fn ids(hits: &[serde_json::Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

fn cache(repo: &TestRepo) -> std::path::PathBuf {
    repo.path().join(".git/datazentr/index.sqlite")
}

#[test]
fn stemming_finds_other_forms_of_a_word() {
    let repo = TestRepo::initialized();
    let id = repo.record(&[
        "decision",
        "Cache strategy for user sessions",
        "-m",
        "Redis with a TTL.",
    ]);
    repo.record(&["decision", "Unrelated choice", "-m", "Nothing about that."]);
    assert_eq!(ids(&recall(&repo, &["caching sessions"])), [id]);
}

#[test]
fn hits_carry_the_documented_fields_and_a_snippet() {
    let repo = TestRepo::initialized();
    repo.record(&[
        "pattern",
        "Retry with backoff",
        "--outcome",
        "success",
        "-m",
        "Retry the request with exponential backoff and jitter.",
    ]);
    let hits = recall(&repo, &["jitter"]);
    assert_eq!(hits.len(), 1);
    for key in [
        "id", "kind", "title", "status", "outcome", "score", "file", "snippet",
    ] {
        assert!(hits[0].get(key).is_some(), "missing {key}: {}", hits[0]);
    }
    assert!(
        hits[0]["snippet"].as_str().unwrap().contains("jitter"),
        "{}",
        hits[0]
    );
    assert!(hits[0]["score"].as_f64().unwrap() > 0.0);
}

#[test]
fn the_title_weighs_more_than_the_body() {
    let repo = TestRepo::initialized();
    let in_body = repo.record(&[
        "decision",
        "Storage layer",
        "-m",
        "We picked kafka for the event log after a long comparison of options.",
    ]);
    let in_title = repo.record(&[
        "decision",
        "Kafka for events",
        "-m",
        "We picked it after a long comparison of options.",
    ]);
    assert_eq!(ids(&recall(&repo, &["kafka"])), [in_title, in_body]);
}

#[test]
fn prefix_and_phrase_queries() {
    let repo = TestRepo::initialized();
    let blue_green = repo.record(&[
        "pattern",
        "Deploys",
        "-m",
        "Use blue green deploys for the API.",
    ]);
    let green_blue = repo.record(&[
        "pattern",
        "Colours",
        "-m",
        "The green button and the blue link.",
    ]);
    assert_eq!(
        ids(&recall(&repo, &["\"blue green\""])),
        [blue_green.as_str()]
    );
    let both = ids(&recall(&repo, &["gre*"]));
    assert!(
        both.contains(&blue_green) && both.contains(&green_blue),
        "{both:?}"
    );
}

#[test]
fn replaced_records_are_hidden_unless_all_and_name_their_successor() {
    let repo = TestRepo::initialized();
    let old = repo.record(&["decision", "Sessions in Redis", "-m", "session store"]);
    let new = repo.record(&[
        "decision",
        "Sessions in Postgres",
        "-m",
        "session store",
        "--supersedes",
        &old,
    ]);
    assert_eq!(ids(&recall(&repo, &["sessions"])), [new.as_str()]);
    let all = recall(&repo, &["sessions", "--all"]);
    assert_eq!(ids(&all), [new.as_str(), old.as_str()], "current first");
    assert_eq!(all[1]["superseded_by"], serde_json::json!([new]));
    let human = repo
        .zen_ok(&["recall", "sessions", "--all", "--mode", "keyword"])
        .stdout;
    assert!(
        human.contains("superseded by") && human.contains("Sessions in Postgres"),
        "{human}"
    );
    // Asking for the status shows it without --all.
    assert_eq!(
        ids(&recall(&repo, &["sessions", "--status", "superseded"])),
        [old]
    );
}

#[test]
fn proven_patterns_rank_above_failed_ones_and_failed_lessons_are_warnings() {
    let repo = TestRepo::initialized();
    let failed = repo.record(&[
        "pattern",
        "Mock the database in tests",
        "--outcome",
        "failure",
        "-m",
        "database tests",
    ]);
    let proven = repo.record(&[
        "pattern",
        "Mock the database in tests",
        "--outcome",
        "success",
        "-m",
        "database tests",
    ]);
    assert_eq!(
        ids(&recall(&repo, &["database", "--kind", "pattern"])),
        [proven, failed]
    );
    let lesson = repo.record(&[
        "lesson",
        "Mocked the database and missed a migration",
        "--outcome",
        "failure",
    ]);
    let hits = recall(&repo, &["migration"]);
    assert_eq!(ids(&hits), [lesson]);
    assert_eq!(hits[0]["warning"], true);
    let human = repo
        .zen_ok(&["recall", "migration", "--mode", "keyword"])
        .stdout;
    assert!(human.starts_with("warning: "), "{human}");
}

#[test]
fn filters_by_kind_tag_status_and_governed_path() {
    let repo = TestRepo::initialized();
    let net = repo.record(&[
        "decision",
        "Retry policy",
        "--tag",
        "net",
        "--path",
        "src/net/**",
        "-m",
        "retry",
    ]);
    let db = repo.record(&[
        "lesson",
        "Retry storms",
        "--tag",
        "db",
        "--outcome",
        "failure",
        "-m",
        "retry",
    ]);
    assert_eq!(
        ids(&recall(&repo, &["retry", "--kind", "decision"])),
        [net.as_str()]
    );
    assert_eq!(
        ids(&recall(&repo, &["retry", "--tag", "db"])),
        [db.as_str()]
    );
    assert_eq!(
        ids(&recall(&repo, &["retry", "--path", "src/net/client.rs"])),
        [net.as_str()]
    );
    // From a subdirectory the path is relative to where the user stands.
    std::fs::create_dir_all(repo.path().join("src/net")).unwrap();
    let out = repo
        .zen_cmd_in(
            &repo.path().join("src"),
            &[
                "recall",
                "--json",
                "--mode",
                "keyword",
                "--path",
                "net/client.rs",
            ],
        )
        .output()
        .unwrap();
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids(&hits), [net.as_str()]);
    // Without a query: everything the filters match, newest first.
    assert_eq!(ids(&recall(&repo, &[])), [db, net]);
}

#[test]
fn hostile_queries_never_reach_the_user_as_sql_errors() {
    let repo = TestRepo::initialized();
    repo.record(&[
        "decision",
        "Use NEAR-real-time sync",
        "-m",
        "title: colon AND OR NOT stuff — ünïcödé 日本語",
    ]);
    for query in [
        "\"unbalanced",
        "NEAR(a b)",
        "title:x",
        "-",
        "*",
        "a AND",
        "OR",
        "\"\"",
        "^start",
        "ünïcödé",
        "日本語",
        "col:umn*",
        "(((",
        "'",
        ";DROP TABLE records;--",
    ] {
        let run = repo.zen(&["recall", query, "--mode", "keyword"]);
        assert_eq!(run.code, Some(0), "{query:?}: {}", run.stderr);
        let lower = run.stderr.to_lowercase();
        assert!(
            !lower.contains("sql") && !lower.contains("fts5") && !lower.contains("syntax"),
            "{query:?}: {}",
            run.stderr
        );
    }
    assert_eq!(recall(&repo, &["ünïcödé"]).len(), 1);
    assert_eq!(
        recall(&repo, &["colon AND"]).len(),
        1,
        "operators are words"
    );
    assert_eq!(
        repo.list_json(&[]).len(),
        1,
        "the records survive any query"
    );
}

#[test]
fn edits_deletions_renames_and_branch_switches_are_seen() {
    let repo = TestRepo::initialized();
    let id = repo.record(&["decision", "Pick a queue", "-m", "rabbitmq"]);
    assert_eq!(ids(&recall(&repo, &["rabbitmq"])), [id.as_str()]);

    let file = repo.file_of(&id);
    repo.write(&file, repo.read(&file).replace("rabbitmq", "nats"));
    assert!(recall(&repo, &["rabbitmq"]).is_empty(), "edit seen");
    assert_eq!(ids(&recall(&repo, &["nats"])), [id.as_str()]);

    let renamed = file.replace("pick-a-queue", "choose-a-queue");
    std::fs::rename(repo.path().join(&file), repo.path().join(&renamed)).unwrap();
    let hits = recall(&repo, &["nats"]);
    assert_eq!(hits[0]["file"], renamed.as_str(), "rename seen");

    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "memory"]);
    repo.git(&["checkout", "-q", "-b", "other"]);
    let other = repo.record(&["decision", "Only on the other branch", "-m", "kafka"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "other memory"]);
    assert_eq!(ids(&recall(&repo, &["kafka"])), [other]);
    repo.git(&["checkout", "-q", "main"]);
    assert!(recall(&repo, &["kafka"]).is_empty(), "branch switch seen");

    std::fs::remove_file(repo.path().join(&renamed)).unwrap();
    assert!(recall(&repo, &["nats"]).is_empty(), "deletion seen");
    assert!(repo.list_json(&[]).is_empty());
}

#[test]
fn a_broken_record_is_reported_and_the_rest_still_answer() {
    let repo = TestRepo::initialized();
    let good = repo.record(&["decision", "Good record", "-m", "searchable"]);
    repo.write(
        ".datazentr/decisions/1m869fgp4p1wrad5pahrn1-bad.md",
        "+++\nid = \"1m869fgp4p1wrad5pahrn1\"\nkind = \"nope\"\ntitle = \"x\"\n+++\nsearchable\n",
    );
    let run = repo.zen_ok(&["recall", "searchable", "--json", "--mode", "keyword"]);
    assert!(
        run.stderr
            .contains("1m869fgp4p1wrad5pahrn1-bad.md:3: unknown kind 'nope'"),
        "{}",
        run.stderr
    );
    let hits: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(ids(&hits), [good]);
}

#[test]
fn a_missing_garbage_truncated_or_old_cache_is_rebuilt() {
    let repo = TestRepo::initialized();
    for i in 0..30 {
        repo.record(&[
            "pattern",
            &format!("Pattern number {i}"),
            "-m",
            &"filler text for pages ".repeat(40),
        ]);
    }
    let id = repo.record(&["decision", "Needle", "-m", "haystack"]);
    assert_eq!(ids(&recall(&repo, &["haystack"])), [id.as_str()]);

    std::fs::remove_file(cache(&repo)).unwrap();
    let run = repo.zen_ok(&["recall", "haystack", "--json", "--mode", "keyword"]);
    assert!(
        run.stderr.is_empty(),
        "a missing cache is simply built: {}",
        run.stderr
    );

    std::fs::write(
        cache(&repo),
        b"this is not a database at all, just some garbage bytes".repeat(100),
    )
    .unwrap();
    let run = repo.zen_ok(&["recall", "haystack", "--json", "--mode", "keyword"]);
    assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
    assert!(
        run.stderr.contains("rebuilding the memory cache"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains(&id));

    let bytes = std::fs::read(cache(&repo)).unwrap();
    std::fs::write(cache(&repo), &bytes[..bytes.len() / 3]).unwrap();
    let run = repo.zen_ok(&["recall", "haystack", "--json", "--mode", "keyword"]);
    assert!(run.stdout.contains(&id), "{}", run.stderr);
    assert!(!run.stderr.to_lowercase().contains("sql"), "{}", run.stderr);

    rusqlite::Connection::open(cache(&repo))
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let run = repo.zen_ok(&["recall", "haystack", "--json", "--mode", "keyword"]);
    assert!(
        run.stderr.contains("rebuilding the memory cache") && run.stderr.contains("99"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains(&id));
}

#[test]
fn concurrent_recalls_and_records_never_fail() {
    let repo = TestRepo::initialized();
    repo.record(&["decision", "Seed", "-m", "parallel"]);
    for round in 0..5 {
        let children: Vec<_> = (0..6)
            .map(|i| {
                let args: Vec<String> = if i % 3 == 2 {
                    vec![
                        "record".into(),
                        "lesson".into(),
                        format!("Parallel {round} {i}"),
                        "-m".into(),
                        "parallel".into(),
                    ]
                } else {
                    vec![
                        "recall".into(),
                        "parallel".into(),
                        "--json".into(),
                        "--mode".into(),
                        "keyword".into(),
                    ]
                };
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                repo.zen_cmd(&args)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            // Records titled "Parallel 0 5" and "Parallel 0 6" are rightly pointed out as alike.
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr
                    .lines()
                    .all(|l| l.starts_with("warning: very similar to")),
                "{stderr}"
            );
        }
    }
    assert_eq!(recall(&repo, &["parallel", "-n", "100"]).len(), 11);
}

#[test]
fn index_status_and_rebuild() {
    let repo = TestRepo::initialized();
    repo.record(&["decision", "One"]);
    repo.record(&["pattern", "Two"]);
    let status: serde_json::Value =
        serde_json::from_str(&repo.zen_ok(&["index", "status", "--json"]).stdout).unwrap();
    assert_eq!(status["records"], 2);
    assert_eq!(status["schema_version"], 5);
    assert_eq!(
        status["vectors"]["embedded"], 0,
        "nothing recalled by meaning yet: {status}"
    );
    assert!(status["size_bytes"].as_u64().unwrap() > 0);
    assert!(
        status["path"]
            .as_str()
            .unwrap()
            .ends_with(".git/datazentr/index.sqlite")
    );
    let run = repo.zen_ok(&["index", "rebuild"]);
    assert!(run.stdout.contains("indexed 2 records"), "{}", run.stdout);
    assert!(
        run.stderr.is_empty(),
        "no progress bar off a terminal: {:?}",
        run.stderr
    );
    assert!(
        !repo
            .git(&["status", "--porcelain", "--ignored"])
            .contains("index.sqlite"),
        "the cache is not in the work tree"
    );
}

#[test]
fn processes_finding_no_cache_at_once_build_it_once_and_all_answer() {
    let repo = TestRepo::initialized();
    for n in 0..40 {
        repo.record(&[
            "pattern",
            &format!("Cache warming number {n}"),
            "-m",
            "warm caches",
        ]);
    }
    let cache = repo.path().join(".git/datazentr");
    // Recording does not build the cache: there is none yet.
    assert!(!cache.join("index.sqlite").exists());
    let children: Vec<_> = (0..6)
        .map(|_| {
            repo.zen_cmd(&[
                "recall",
                "cache warming",
                "-n",
                "50",
                "--json",
                "--mode",
                "keyword",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let outputs: Vec<Run> = children
        .into_iter()
        .map(|c| Run::from(c.wait_with_output().unwrap()).ok())
        .collect();
    for run in &outputs {
        let hits: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(hits.len(), 40);
        assert!(!run.stderr.contains("rebuilding"), "{}", run.stderr);
    }
    let leftovers: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".build-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The committed recall evaluation (`tests/fixtures/recall/`: 108 records, 206 paraphrased
/// questions, each aimed at one record without its distinctive words), asked through the real
/// binary: recall by meaning must keep finding the record in the top five, and stay ahead of
/// keyword recall. `bench/recall-eval --verbose` shows every miss.
#[test]
fn paraphrased_questions_find_their_record() {
    let repo = TestRepo::initialized();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recall");
    for kind in ["decisions", "patterns", "lessons"] {
        let dest = repo.path().join(".datazentr").join(kind);
        std::fs::create_dir_all(&dest).unwrap();
        for entry in std::fs::read_dir(fixtures.join("records").join(kind)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dest.join(entry.file_name())).unwrap();
        }
    }
    repo.zen_ok(&["index", "embed"])
        .stdout_has("embedded 108 records");
    let questions: toml::Table = std::fs::read_to_string(fixtures.join("questions.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let questions: Vec<(String, String)> = questions["question"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["text"].as_str().unwrap().to_owned(),
                q["expect"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        questions.len() >= 60,
        "the evaluation needs at least 60 questions"
    );
    let hit_at_5 = |mode: &str| -> f64 {
        let found: usize = std::thread::scope(|scope| {
            let halves: Vec<_> = questions
                .chunks(questions.len().div_ceil(2))
                .map(|chunk| {
                    let repo = &repo;
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .filter(|(text, expect)| {
                                let run = repo.zen_ok(&[
                                    "recall", "--json", text, "--mode", mode, "--limit", "5",
                                ]);
                                let hits: Vec<serde_json::Value> =
                                    serde_json::from_str(&run.stdout).unwrap();
                                ids(&hits).iter().any(|id| id.starts_with(expect.as_str()))
                            })
                            .count()
                    })
                })
                .collect();
            halves.into_iter().map(|h| h.join().unwrap()).sum()
        });
        found as f64 / questions.len() as f64
    };
    let hybrid = hit_at_5("hybrid");
    let keyword = hit_at_5("keyword");
    eprintln!(
        "hit@5 over {} questions: hybrid {hybrid:.3}, keyword {keyword:.3}",
        questions.len()
    );
    assert!(
        hybrid >= HYBRID_HIT_AT_5,
        "hybrid hit@5 fell to {hybrid:.3} (was {HYBRID_HIT_AT_5})"
    );
    assert!(
        hybrid > keyword + 0.1,
        "hybrid {hybrid:.3} is not clearly ahead of keyword {keyword:.3}"
    );
}

/// What the hybrid ranking reaches on the committed evaluation (measured 0.869 = 179 of 206
/// since the keyword bonus falls with rank; one question below, so one question moving in a
/// tie does not fail the test).
const HYBRID_HIT_AT_5: f64 = 0.864;
