//! Bad input: a clear message naming file and line, a non-zero exit, and nothing rewritten.

use crate::support::TestRepo;

const ID_A: &str = "1m869fgp4p1wrad5pahrn1";
const ID_B: &str = "1m869fgpedsxnfx5tmzcet";

fn record_text(id: &str, extra: &str) -> String {
    format!("+++\nid = \"{id}\"\nkind = \"decision\"\ntitle = \"Hand written\"\n{extra}+++\nbody\n")
}

/// Writes `text` as a decision file, runs validate, and returns (stdout, snapshot unchanged?).
fn validate_finds(file: &str, text: impl AsRef<[u8]>, expected: &str) {
    let repo = TestRepo::initialized();
    repo.record(&["decision", "A good one"]);
    repo.write(file, text);
    let before = repo.snapshot();
    let run = repo.zen_fails(&["validate"]);
    assert!(
        run.stdout.contains(expected),
        "expected {expected:?} in:\n{}",
        run.stdout
    );
    assert_eq!(
        repo.snapshot(),
        before,
        "validate must not rewrite anything"
    );
    // The good record is still listed, with a warning about the bad file where it cannot parse.
    let list = repo.zen_ok(&["list"]);
    assert!(list.stdout.contains("A good one"), "{}", list.stdout);
}

#[test]
fn malformed_toml_is_reported_at_its_line() {
    validate_finds(
        &format!(".datazentr/decisions/{ID_A}-x.md"),
        record_text(ID_A, "tags = [\"unclosed\"\n"),
        &format!(".datazentr/decisions/{ID_A}-x.md:5: error: invalid front matter"),
    );
}

#[test]
fn a_missing_required_key_says_what_to_add() {
    validate_finds(
        &format!(".datazentr/decisions/{ID_A}-x.md"),
        format!("+++\nid = \"{ID_A}\"\nkind = \"decision\"\n+++\n"),
        "missing required key `title`: add `title = \"…\"`",
    );
}

#[test]
fn unknown_kind_and_status_list_the_choices() {
    validate_finds(
        &format!(".datazentr/decisions/{ID_A}-x.md"),
        record_text(ID_A, "").replace("kind = \"decision\"", "kind = \"idea\""),
        ":3: error: unknown kind 'idea': use one of decision, pattern, lesson",
    );
    validate_finds(
        &format!(".datazentr/decisions/{ID_A}-x.md"),
        record_text(ID_A, "status = \"done\"\n"),
        ":5: error: unknown status 'done': use one of proposed, accepted, superseded, deprecated, rejected",
    );
}

#[test]
fn duplicate_ids_and_mismatched_file_names_are_errors() {
    let repo = TestRepo::initialized();
    let id = repo.record(&["decision", "Original"]);
    let file = repo.file_of(&id);
    repo.write(".datazentr/decisions/copy.md", repo.read(&file));
    let run = repo.zen_fails(&["validate"]);
    assert!(
        run.stdout.contains(&format!(
            "{file}:2: error: duplicate id {id}, also used by .datazentr/decisions/copy.md"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(".datazentr/decisions/copy.md:2: error: the file name does not match the id"),
        "{}",
        run.stdout
    );
    // A lookup of a duplicated id is ambiguous rather than a silent pick.
    assert!(repo.zen_fails(&["show", &id]).stderr.contains("ambiguous"));
}

#[test]
fn dangling_supersedes_and_links_are_errors() {
    validate_finds(
        &format!(".datazentr/decisions/{ID_A}-x.md"),
        record_text(ID_A, &format!("supersedes = [\"{ID_B}\"]\n")),
        &format!(":5: error: `supersedes` names {ID_B}, but no record has that id"),
    );
    validate_finds(
        &format!(".datazentr/decisions/{ID_A}-x.md"),
        record_text(ID_A, &format!("links = [\"{ID_B}\"]\n")),
        &format!(":5: error: `links` names {ID_B}, but no record has that id"),
    );
    validate_finds(
        &format!(".datazentr/decisions/{ID_A}-x.md"),
        record_text(ID_A, "links = [\"see-other\"]\n"),
        "`links` entry 'see-other' is neither a record id nor a URL",
    );
}

#[test]
fn a_record_in_the_wrong_folder_is_an_error() {
    validate_finds(
        &format!(".datazentr/patterns/{ID_A}-x.md"),
        record_text(ID_A, ""),
        "kind = \"decision\" but the file is not under .datazentr/decisions/",
    );
}

#[test]
fn non_utf8_names_the_line_of_the_first_bad_byte() {
    let mut bytes = record_text(ID_A, "").into_bytes();
    bytes.extend_from_slice(b"more\nbad \xff byte\n");
    validate_finds(
        &format!(".datazentr/decisions/{ID_A}-x.md"),
        bytes,
        ":8: error: the file is not valid UTF-8: re-save it as UTF-8",
    );
}

#[test]
fn outside_a_repository_the_error_says_what_to_do() {
    let world = TestRepo::empty();
    let run = world.zen_fails(&["list"]);
    assert!(
        run.stderr.contains("not a git repository") && run.stderr.contains("git init"),
        "{}",
        run.stderr
    );
}

#[test]
fn before_init_the_error_says_to_init() {
    let repo = TestRepo::new();
    let run = repo.zen_fails(&["record", "decision", "Too early"]);
    assert!(run.stderr.contains("git zen init"), "{}", run.stderr);
    assert!(!repo.path().join(".datazentr").exists(), "nothing created");
}

#[test]
fn datazentr_as_a_file_is_refused_and_left_alone() {
    let repo = TestRepo::new();
    repo.write(".datazentr", "not a folder");
    for args in [&["init"][..], &["list"][..]] {
        let run = repo.zen_fails(args);
        assert!(
            run.stderr.contains(".datazentr is a file"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(repo.read(".datazentr"), "not a folder");
}

#[test]
fn invalid_arguments_fail_before_anything_is_written() {
    let repo = TestRepo::initialized();
    let usage = repo.zen(&["record", "idea", "x"]);
    assert_eq!(usage.code, Some(2), "usage errors exit 2: {}", usage.stderr);
    // Contradictory or malformed values are usage errors (exit 2) that name the flag.
    let outcome = repo.zen(&["record", "decision", "x", "--outcome", "success"]);
    assert_eq!(outcome.code, Some(2));
    assert!(
        outcome
            .stderr
            .contains("--outcome is for patterns and lessons"),
        "{}",
        outcome.stderr
    );
    let glob = repo.zen(&["record", "decision", "x", "--path", "src/[oops"]);
    assert_eq!(glob.code, Some(2));
    assert!(
        glob.stderr
            .contains("--path 'src/[oops' is not a valid glob"),
        "{}",
        glob.stderr
    );
    for (flag, value) in [("--tag", "a\nb"), ("--link", "x\ny")] {
        let run = repo.zen(&["record", "decision", "x", flag, value]);
        assert_eq!(run.code, Some(2), "{flag}: {}", run.stderr);
        assert!(run.stderr.contains(flag), "{}", run.stderr);
    }
    for title in ["   ", "two\nlines"] {
        let run = repo.zen(&["record", "decision", title]);
        assert_eq!(run.code, Some(2));
        assert!(
            run.stderr.contains("the title must be one non-empty line"),
            "{}",
            run.stderr
        );
    }
    let body = repo.zen_fails(&["record", "decision", "x", "--body-file", "missing.md"]);
    assert!(
        body.stderr.contains("missing.md") && body.stderr.contains("hint"),
        "{}",
        body.stderr
    );
    let dangling = repo.zen_fails(&["record", "decision", "x", "--supersedes", "zzzz"]);
    assert!(
        dangling.stderr.contains("no record matches 'zzzz'"),
        "{}",
        dangling.stderr
    );
    assert!(repo.list_json(&[]).is_empty(), "no record was written");
}
