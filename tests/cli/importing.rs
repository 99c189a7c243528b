//! `git zen import adr`: adr-tools, MADR and log4brains folders become records.

use std::path::Path;

use crate::support::TestRepo;

/// Copies a fixture folder into the repository and returns its path relative to the work tree.
fn fixture(repo: &TestRepo, name: &str) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/adr")
        .join(name);
    let rel = format!("doc/{name}");
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        repo.write(
            &format!("{rel}/{}", entry.file_name().to_string_lossy()),
            std::fs::read(entry.path()).unwrap(),
        );
    }
    rel
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
        run.stdout.contains("imported 4 ADRs") && run.stdout.contains("README.md (not ADRs)"),
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
        again.stdout.contains("imported 0 ADRs") && again.stdout.contains("4 were imported before"),
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
fn one_invalid_file_means_nothing_is_imported() {
    let repo = TestRepo::initialized();
    let dir = fixture(&repo, "adr-tools");
    repo.write(
        &format!("{dir}/0009-broken.md"),
        "no title here\n\nDate: 2020-01-01\n",
    );
    let before = repo.snapshot();
    let run = repo.zen_fails(&["import", "adr", &dir]);
    assert!(
        run.stderr.contains(&format!("{dir}/0009-broken.md:1:")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("nothing was imported"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.snapshot(), before);
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
