//! Recording, listing and showing memory.

use crate::support::TestRepo;

#[test]
fn init_lays_out_the_folder_and_is_idempotent() {
    let repo = TestRepo::new();
    let run = repo.zen_ok(&["init"]);
    assert!(
        run.stdout.contains("created .datazentr/config.toml"),
        "{}",
        run.stdout
    );
    for dir in ["decisions", "patterns", "lessons", "policies"] {
        assert!(
            repo.path().join(".datazentr").join(dir).is_dir(),
            "{dir} missing"
        );
    }
    repo.write(".datazentr/config.toml", "format = 1\n# mine\n");
    let again = repo.zen_ok(&["init"]);
    assert!(again.stdout.contains("already set up"), "{}", again.stdout);
    assert_eq!(repo.read(".datazentr/config.toml"), "format = 1\n# mine\n");
}

#[test]
fn record_writes_a_file_named_after_its_id_and_prints_the_id_last() {
    let repo = TestRepo::initialized();
    let run = repo.zen_ok(&[
        "record",
        "decision",
        "Use SQLite FTS5 for the memory cache",
        "--tag",
        "storage",
        "--path",
        "src/index/**",
        "-m",
        "Recall must be fast.",
    ]);
    let id = run.last_word();
    assert_eq!(id.len(), 22, "{}", run.stdout);
    let file = format!(".datazentr/decisions/{id}-use-sqlite-fts5-for-the-memory-cache.md");
    let text = repo.read(&file);
    assert!(text.starts_with("+++\n"), "{text}");
    assert!(text.contains(&format!("id = \"{id}\"")));
    assert!(text.contains("kind = \"decision\""));
    assert!(text.contains("status = \"accepted\""));
    assert!(text.contains("tags = [\"storage\"]"));
    assert!(text.contains("paths = [\"src/index/**\"]"));
    assert!(
        text.contains("author = \"Test Author <author@example.com>\""),
        "{text}"
    );
    assert!(text.ends_with("Recall must be fast.\n"), "{text}");
    assert!(
        !text.contains("outcome"),
        "decisions carry no outcome: {text}"
    );
}

#[test]
fn patterns_and_lessons_carry_outcomes_and_bodies_from_files() {
    let repo = TestRepo::initialized();
    repo.write(
        "notes.md",
        "## Problem\nParsers regress.\n\n## Solution\nTable-driven tests.\n",
    );
    let pattern = repo.record(&[
        "pattern",
        "Table-driven parser tests",
        "--outcome",
        "success",
        "--tag",
        "testing",
        "--body-file",
        "notes.md",
    ]);
    let lesson = repo.record(&[
        "lesson",
        "Mocked the DB and missed a migration bug",
        "--outcome",
        "failure",
    ]);
    let unknown = repo.record(&["pattern", "Untried idea"]);

    let shown = repo.show_json(&pattern);
    assert_eq!(shown["kind"], "pattern");
    assert_eq!(shown["outcome"], "success");
    assert_eq!(shown["tags"], serde_json::json!(["testing"]));
    assert!(
        shown["body"]
            .as_str()
            .unwrap()
            .contains("Table-driven tests.")
    );
    assert_eq!(repo.show_json(&lesson)["outcome"], "failure");
    assert_eq!(repo.show_json(&unknown)["outcome"], "unknown");
    // Off a terminal and without a body, the record gets the kind's sections to fill in.
    assert!(
        repo.show_json(&lesson)["body"]
            .as_str()
            .unwrap()
            .contains("## What happened")
    );
}

#[test]
fn body_can_come_from_standard_input() {
    let repo = TestRepo::initialized();
    let mut child = repo
        .zen_cmd(&["record", "lesson", "Piped", "-F", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"from a pipe\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let id = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .last()
        .unwrap()
        .to_owned();
    assert!(
        repo.show_json(&id)["body"]
            .as_str()
            .unwrap()
            .contains("from a pipe")
    );
}

#[test]
fn list_filters_by_kind_tag_and_status_and_prints_stable_json() {
    let repo = TestRepo::initialized();
    let a = repo.record(&["decision", "Alpha", "--tag", "storage,search"]);
    let b = repo.record(&[
        "decision", "Beta", "--status", "proposed", "--tag", "storage",
    ]);
    let c = repo.record(&[
        "lesson",
        "Gamma",
        "--outcome",
        "failure",
        "--tag",
        "testing",
    ]);

    let all = repo.list_json(&[]);
    let ids: Vec<_> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [a.as_str(), b.as_str(), c.as_str()], "oldest first");
    for key in [
        "id",
        "kind",
        "title",
        "status",
        "outcome",
        "tags",
        "paths",
        "supersedes",
        "created",
        "file",
    ] {
        assert!(
            all[0].get(key).is_some(),
            "list --json lacks {key}: {}",
            all[0]
        );
    }
    assert!(all[0].get("body").is_none(), "list leaves bodies to show");
    assert!(
        all[0]["file"]
            .as_str()
            .unwrap()
            .starts_with(".datazentr/decisions/")
    );

    let ids_of = |extra: &[&str]| -> Vec<String> {
        repo.list_json(extra)
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids_of(&["--kind", "lesson"]), [c.as_str()]);
    assert_eq!(ids_of(&["--tag", "storage"]), [a.as_str(), b.as_str()]);
    assert_eq!(
        ids_of(&["--tag", "storage", "--tag", "search"]),
        [a.as_str()]
    );
    assert_eq!(ids_of(&["--status", "proposed"]), [b.as_str()]);
    assert!(ids_of(&["--kind", "pattern"]).is_empty());

    let human = repo.zen_ok(&["list"]).stdout;
    assert_eq!(human.lines().count(), 3, "{human}");
    assert!(
        human.contains("Alpha") && human.contains("[storage, search]"),
        "{human}"
    );
    assert!(!human.contains('\u{1b}'), "no color when piped: {human:?}");
}

#[test]
fn show_accepts_full_ids_and_unique_prefixes_like_git() {
    let repo = TestRepo::initialized();
    let a = repo.record(&["decision", "First", "-m", "Body of first"]);
    let b = repo.record(&["decision", "Second"]);

    let shown = repo.show_json(&a);
    assert_eq!(shown["title"], "First");
    assert!(shown["body"].as_str().unwrap().contains("Body of first"));

    // The shortest prefix that tells the two apart.
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    assert_eq!(repo.show_json(&a[..common + 1])["id"], a.as_str());
    assert_eq!(
        repo.show_json(&b[..common + 1].to_uppercase())["id"],
        b.as_str()
    );

    let ambiguous = repo.zen_fails(&["show", &a[..common]]);
    assert!(
        ambiguous.stderr.contains("ambiguous")
            && ambiguous.stderr.contains(&a)
            && ambiguous.stderr.contains(&b),
        "{}",
        ambiguous.stderr
    );
    let missing = repo.zen_fails(&["show", "zzzz"]);
    assert!(
        missing.stderr.contains("no record matches 'zzzz'"),
        "{}",
        missing.stderr
    );

    let human = repo.zen_ok(&["show", &a]).stdout;
    assert!(
        human.starts_with(&format!("decision {a} (accepted)\nFirst\n")),
        "{human}"
    );
}

#[test]
fn supersede_links_both_ways_and_keeps_unknown_keys() {
    let repo = TestRepo::initialized();
    let old = repo.record(&["decision", "Cache in Redis"]);
    let new = repo.record(&["decision", "Cache in SQLite"]);
    // A key from a future version and a comment must survive the rewrite.
    let old_file = repo.file_of(&old);
    let text = repo.read(&old_file).replacen(
        "+++\n",
        "+++\n# reviewed by the team\nreviewers = [\"ana\"]\n",
        1,
    );
    repo.write(&old_file, &text);

    let run = repo.zen_ok(&["supersede", &old, &new]);
    assert!(run.stdout.contains("is superseded by"), "{}", run.stdout);
    let o = repo.show_json(&old);
    assert_eq!(o["status"], "superseded");
    assert_eq!(o["superseded_by"], serde_json::json!([new]));
    assert_eq!(repo.show_json(&new)["supersedes"], serde_json::json!([old]));
    let rewritten = repo.read(&old_file);
    assert!(
        rewritten.contains("# reviewed by the team\nreviewers = [\"ana\"]"),
        "{rewritten}"
    );

    // Again: nothing is duplicated.
    repo.zen_ok(&["supersede", &old, &new]);
    assert_eq!(
        repo.show_json(&old)["superseded_by"],
        serde_json::json!([new])
    );
    // Backwards would be a cycle.
    let cycle = repo.zen_fails(&["supersede", &new, &old]);
    assert!(cycle.stderr.contains("cycle"), "{}", cycle.stderr);
    repo.zen_ok(&["validate"]);
}

#[test]
fn record_can_supersede_and_link_at_once() {
    let repo = TestRepo::initialized();
    let old = repo.record(&["decision", "Old way"]);
    let other = repo.record(&["pattern", "Related pattern"]);
    let new = repo.record(&[
        "decision",
        "New way",
        "--supersedes",
        &old[..12],
        "--link",
        &other,
        "--link",
        "https://example.com/adr",
    ]);
    let n = repo.show_json(&new);
    assert_eq!(n["supersedes"], serde_json::json!([old]));
    assert_eq!(
        n["links"],
        serde_json::json!([other, "https://example.com/adr"])
    );
    assert_eq!(repo.show_json(&old)["status"], "superseded");
    repo.zen_ok(&["validate"]);
}

#[test]
fn eight_concurrent_records_all_land_as_valid_files() {
    let repo = TestRepo::initialized();
    let children: Vec<_> = (0..8)
        .map(|i| {
            repo.zen_cmd(&["record", "pattern", &format!("Parallel {i}"), "-m", "body"])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        assert!(child.wait_with_output().unwrap().status.success());
    }
    assert_eq!(repo.list_json(&[]).len(), 8);
    let run = repo.zen_ok(&["validate"]);
    assert!(
        run.stderr.contains("checked 8 records: 0 errors"),
        "{}",
        run.stderr
    );
    let leftovers: Vec<_> = repo
        .snapshot()
        .into_iter()
        .filter(|(p, _)| p.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
}
