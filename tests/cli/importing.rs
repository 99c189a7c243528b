//! `git zen import adr`: adr-tools, MADR and log4brains folders become records.

use std::path::Path;

use crate::support::TestRepo;

/// Copies a fixture folder into the repository and returns its path relative to the work tree.
fn fixture(repo: &TestRepo, name: &str) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/adr")
        .join(name);
    let rel = format!("doc/{name}");
    copy_tree(repo, &src, &rel);
    rel
}

fn copy_tree(repo: &TestRepo, src: &Path, rel: &str) {
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = format!("{rel}/{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(repo, &entry.path(), &to);
        } else {
            repo.write(&to, std::fs::read(entry.path()).unwrap());
        }
    }
}

fn folder_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn by_title<'a>(records: &'a [serde_json::Value], title: &str) -> &'a serde_json::Value {
    records
        .iter()
        .find(|r| r["title"] == title)
        .unwrap_or_else(|| panic!("no record titled {title}"))
}

#[test]
fn adr_tools_folder_imports_with_status_dates_and_supersede_links() {
    let repo = TestRepo::initialized();
    let dir = fixture(&repo, "adr-tools");
    let before = folder_bytes(&repo.path().join(&dir));
    let run = repo.zen_ok(&["import", "adr", &dir]);
    assert!(
        // Changed by issue 16: not-ADRs are listed with what they are.
        run.stdout.contains("imported 4 ADRs") && run.stdout.contains("README.md (a README)"),
        "{}",
        run.stdout
    );
    assert_eq!(
        folder_bytes(&repo.path().join(&dir)),
        before,
        "sources are never changed"
    );

    let records = repo.list_json(&[]);
    assert_eq!(records.len(), 4);
    let mysql = by_title(&records, "Use MySQL for persistence");
    let postgres = by_title(&records, "Use PostgreSQL for persistence");
    assert_eq!(mysql["status"], "superseded");
    assert_eq!(mysql["superseded_by"], serde_json::json!([postgres["id"]]));
    assert_eq!(postgres["supersedes"], serde_json::json!([mysql["id"]]));
    assert_eq!(mysql["adr"], "2");
    assert!(
        mysql["created"].as_str().unwrap().starts_with("2016-"),
        "{}",
        mysql["created"]
    );

    // The old number still finds the record, in any of the usual spellings.
    for alias in ["ADR-3", "adr-0003", "ADR3"] {
        assert_eq!(repo.show_json(alias)["id"], postgres["id"], "{alias}");
    }
    let body = repo.show_json("ADR-3")["body"].as_str().unwrap().to_owned();
    assert!(
        body.contains("## Context") && !body.contains("## Status"),
        "{body}"
    );
    repo.zen_ok(&["validate"]);

    // A second import adds nothing.
    let again = repo.zen_ok(&["import", "adr", &dir]);
    assert!(
        // Changed by issue 16: the summary counts imported / skipped / already there.
        again.stdout.contains("imported 0 ADRs") && again.stdout.contains("4 already there"),
        "{}",
        again.stdout
    );
    assert_eq!(repo.list_json(&[]).len(), 4);
}

#[test]
fn madr_and_log4brains_folders_import_too() {
    let repo = TestRepo::initialized();
    let madr = fixture(&repo, "madr");
    let log4brains = fixture(&repo, "log4brains");
    repo.zen_ok(&["import", "adr", &madr]);
    let run = repo.zen_ok(&["import", "adr", &log4brains]);
    assert!(
        run.stdout.contains("index.md") && run.stdout.contains("template.md"),
        "{}",
        run.stdout
    );

    let records = repo.list_json(&[]);
    assert_eq!(records.len(), 7, "4 MADR + 3 log4brains");
    let rest = by_title(&records, "Use REST for the public API");
    let graphql = by_title(&records, "Use GraphQL for the public API");
    assert_eq!(rest["status"], "superseded");
    assert_eq!(rest["superseded_by"], serde_json::json!([graphql["id"]]));
    let redis = by_title(&records, "Store sessions in Redis");
    let postgres = by_title(&records, "Store sessions in Postgres");
    assert_eq!(redis["superseded_by"], serde_json::json!([postgres["id"]]));
    assert!(
        !postgres["tags"].as_array().unwrap().is_empty(),
        "log4brains tags kept: {postgres}"
    );
    // log4brains ADRs have no number: their file stem is the alias.
    assert_eq!(
        repo.show_json("20201002-store-sessions-in-redis")["id"],
        redis["id"]
    );
    repo.zen_ok(&["validate"]);
}

#[test]
fn one_bad_file_never_costs_the_rest() {
    // Changed by issue 16: one bad file used to abort the whole import.
    let repo = TestRepo::initialized();
    let dir = fixture(&repo, "adr-tools");
    repo.write(
        &format!("{dir}/0009-broken.md"),
        "---\nstatus: accepted\n# 9. Broken\n",
    );
    let run = repo.zen_fails(&["import", "adr", &dir]);
    assert_eq!(run.code, Some(1));
    run.stderr_has(&format!("skipped {dir}/0009-broken.md:1: the front matter"))
        .stderr_has("  fix: end the front matter with a `---` line");
    run.stdout_has("imported 4 ADRs from doc/adr-tools; 1 skipped; 0 already there");
    assert_eq!(repo.list_json(&[]).len(), 4);

    // After the fix, a second run imports only the file that is new.
    repo.write(
        &format!("{dir}/0009-broken.md"),
        "---\nstatus: accepted\n---\n# 9. Mended\n",
    );
    let again = repo.zen_ok(&["import", "adr", &dir]);
    again.stdout_has("imported 1 ADRs from doc/adr-tools; 0 skipped; 4 already there");
    assert_eq!(repo.show_json("ADR-9")["title"], "Mended");
}

#[test]
fn dry_run_writes_nothing_and_missing_folders_are_explained() {
    let repo = TestRepo::initialized();
    let dir = fixture(&repo, "madr");
    let before = repo.snapshot();
    let run = repo.zen_ok(&["import", "adr", &dir, "--dry-run"]);
    assert!(run.stdout.contains("would import 4 ADRs"), "{}", run.stdout);
    assert_eq!(repo.snapshot(), before);
    let missing = repo.zen_fails(&["import", "adr", "doc/nowhere"]);
    assert!(
        missing.stderr.contains("doc/nowhere") && missing.stderr.contains("hint"),
        "{}",
        missing.stderr
    );
}

fn by_adr<'a>(records: &'a [serde_json::Value], alias: &str) -> &'a serde_json::Value {
    records
        .iter()
        .find(|r| r["adr"] == alias)
        .unwrap_or_else(|| panic!("no record with adr = {alias}"))
}

fn front_matter(repo: &TestRepo, record: &serde_json::Value) -> String {
    let file = repo.read(&repo.file_of(record["id"].as_str().unwrap()));
    file.split("+++").nth(1).unwrap_or_default().to_owned()
}

#[test]
fn a_folder_from_the_wild_imports_whole_and_true() {
    let repo = TestRepo::initialized();
    let dir = fixture(&repo, "wild");
    let run = repo.zen_ok(&["import", "adr", &dir]);
    run.stdout_has("imported 12 ADRs from doc/wild; 0 skipped; 0 already there");
    for (file, what) in [
        ("0000-TEMPLATE.md", "a template"),
        ("adr-template.md", "a template"),
        ("README.md", "a README"),
        ("ADRs.md", "an index of the records"),
    ] {
        run.stdout_has(&format!("doc/wild/{file} ({what})"));
    }
    let records = repo.list_json(&[]);
    assert_eq!(records.len(), 12);
    assert!(
        records
            .iter()
            .all(|r| r["title"] != "Replace this line with the decision")
    );

    // Titles: any heading level, front matter, numbers, placeholders and escapes removed.
    assert_eq!(by_adr(&records, "2")["title"], "Cache with Redis");
    assert_eq!(
        by_adr(&records, "6")["title"],
        "Blocking calls stay off the event loop"
    );
    assert_eq!(
        by_adr(&records, "7")["title"],
        "Return Span<T> from the parser"
    );
    assert_eq!(by_adr(&records, "pick-a-queue")["title"], "Pick a queue");
    let json_logs = by_adr(&records, "2021-05-06-log-in-json");
    assert_eq!(json_logs["title"], "Log in JSON");

    // Statuses: synonyms mapped, the unknown and the missing stored as proposed, never accepted.
    assert_eq!(by_adr(&records, "2")["status"], "accepted");
    assert_eq!(json_logs["status"], "accepted");
    for (alias, written) in [
        ("3", "On hold"),
        ("4", "Gathering information"),
        ("5", "Partly superseded"),
    ] {
        let r = by_adr(&records, alias);
        assert_eq!(r["status"], "proposed", "{alias}");
        assert!(
            front_matter(&repo, r).contains(&format!("imported_status = \"{written}\"")),
            "{alias}"
        );
    }
    run.stderr_has("doc/wild/0004-event-sourcing.md:7: status `Gathering information` is not one git-zen knows")
        .stderr_has("stored as proposed, with imported_status = \"Gathering information\"")
        .stderr_has("doc/wild/0010-pick-a-logger.md:1: no status found: stored as proposed");
    assert_eq!(by_adr(&records, "10")["status"], "proposed");
    assert_eq!(by_adr(&records, "pick-a-queue")["status"], "proposed");

    // Partly superseded is a link; a URL and a folder-per-record path resolve to the record.
    let five = by_adr(&records, "5");
    assert_eq!(
        five["links"],
        serde_json::json!([by_adr(&records, "6")["id"]])
    );
    assert!(five["superseded_by"].as_array().unwrap().is_empty());
    assert_eq!(
        by_adr(&records, "1")["superseded_by"],
        serde_json::json!([by_adr(&records, "7")["id"]])
    );
    assert_eq!(
        by_adr(&records, "8")["superseded_by"],
        serde_json::json!([by_adr(&records, "9")["id"]])
    );
    assert_eq!(by_adr(&records, "9")["title"], "Use SQLite");

    // Dates and people from the file.
    assert!(
        by_adr(&records, "6")["created"]
            .as_str()
            .unwrap()
            .starts_with("2019-06-15")
    );
    assert!(
        json_logs["created"]
            .as_str()
            .unwrap()
            .starts_with("2021-05-06")
    );
    assert!(
        front_matter(&repo, by_adr(&records, "6"))
            .contains("deciders = [\"Ann Example\", \"Bo Example\"]")
    );
    assert_eq!(by_adr(&records, "pick-a-queue")["author"], "Cy Example");
    assert_eq!(json_logs["author"], "Di Example");
    assert!(front_matter(&repo, json_logs).contains("authors = [\"Di Example\", \"Ed Example\"]"));
    run.stdout_has("dates: 11 from the files, 0 from git history, 1 the import time; authors: 2 from the files, 0 from git history, 10 you");
    repo.zen_ok(&["validate"]);
}

#[test]
fn dates_and_authors_come_from_the_commit_that_added_the_file() {
    let repo = TestRepo::initialized();
    repo.write(
        "doc/adr/0001-pick-a-logger.md",
        "# 1. Pick a logger\n\n## Status\n\nAccepted\n",
    );
    repo.git(&["add", "doc"]);
    let out = repo
        .git_cmd(&["commit", "-qm", "first record"])
        .env("GIT_AUTHOR_NAME", "Old Hand")
        .env("GIT_AUTHOR_EMAIL", "old@example.com")
        .env("GIT_AUTHOR_DATE", "2018-03-04T05:06:07+02:00")
        .output()
        .unwrap();
    assert!(out.status.success());
    // Moved later: the first commit is still the one that added it.
    repo.git(&["mv", "doc/adr", "doc/decisions"]);
    repo.git(&["commit", "-qm", "move"]);
    let run = repo.zen_ok(&["import", "adr", "doc/decisions"]);
    run.stdout_has("dates: 0 from the files, 1 from git history, 0 the import time; authors: 0 from the files, 1 from git history, 0 you");
    let record = repo.show_json("ADR-1");
    assert_eq!(record["created"], "2018-03-04T03:06:07Z");
    assert_eq!(record["author"], "Old Hand <old@example.com>");
}

#[test]
fn dry_run_prints_the_whole_mapping() {
    let repo = TestRepo::initialized();
    let dir = fixture(&repo, "wild");
    let before = repo.snapshot();
    let run = repo.zen_ok(&["import", "adr", &dir, "--dry-run"]);
    assert_eq!(repo.snapshot(), before);
    run.stdout_has("doc/wild/0003-split-the-monolith.md -> ADR-3 decision, proposed (written \"On hold\"), \"Split the monolith\", 2019-05-02 (file), Test Author <author@example.com> (import)")
        .stdout_has("doc/wild/0008-use-postgres/index.md -> ADR-8 decision, superseded, \"Use Postgres\", 2020-01-10 (file)")
        .stdout_has("; superseded by ADR-9")
        .stdout_has("would import 12 ADRs from doc/wild");
}

#[test]
fn a_symbolic_link_is_skipped_unread_and_the_rest_imported() {
    let repo = TestRepo::initialized();
    let secret = repo.outside("secrets").join("notes.md");
    std::fs::write(&secret, "# Notes\n\nprivate = yes\n").unwrap();
    repo.write("doc/adr/0001-real.md", "# 1. Real\n\n* Status: accepted\n");
    std::os::unix::fs::symlink(&secret, repo.path().join("doc/adr/0002-notes.md")).unwrap();
    // A forge's second name for a file beside it is no problem.
    std::os::unix::fs::symlink("0001-real.md", repo.path().join("doc/adr/README.md")).unwrap();
    let run = repo.zen_fails(&["import", "adr", "doc/adr"]);
    run.stderr_has("skipped doc/adr/0002-notes.md:1: is a symbolic link")
        .stderr_has("  fix: replace the link with a copy of the file, or remove it");
    run.stdout_has("doc/adr/README.md (a link to a file beside it, which is judged itself)");
    let records = repo.list_json(&[]);
    assert_eq!(records.len(), 1);
    assert!(
        !repo
            .read(&repo.file_of(records[0]["id"].as_str().unwrap()))
            .contains("private")
    );
}
