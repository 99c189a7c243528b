//! Regressions found in review, each named after what it reproduced.

use std::process::Command;

use crate::support::{BIN, TestRepo, hermetic, script};

fn draft_of(repo: &TestRepo, id: &str) -> std::path::PathBuf {
    repo.path()
        .join(".git/datazentr/drafts")
        .join(format!("{id}.md"))
}

#[test]
fn a_draft_that_is_not_utf8_is_kept_not_deleted() {
    let repo = TestRepo::initialized();
    let id = repo.record(&["decision", "Accents", "-m", "body"]);
    let bin = repo.outside("bin");
    let latin1 = script(&bin, "latin1", "printf 'caf\\351\\n' >> \"$1\"");
    let run = repo.zen_with_editor(&latin1, &["edit", &id]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("not valid UTF-8") && run.stderr.contains("drafts"),
        "{}",
        run.stderr
    );
    let noop = script(&bin, "noop", "true");
    let again = repo.zen_with_editor(&noop, &["edit", &id]);
    assert_eq!(again.code, Some(1), "{}", again.stdout);
    assert!(
        draft_of(&repo, &id).exists(),
        "the only copy of the edit survives"
    );
}

#[test]
fn an_edit_never_overwrites_a_change_made_while_the_editor_was_open() {
    let repo = TestRepo::initialized();
    let id = repo.record(&["decision", "Shared", "-m", "original"]);
    let file = repo.path().join(repo.file_of(&id));
    let bin = repo.outside("bin");
    // The "editor" also changes the record on disk, as a pull in another terminal would.
    let racing = script(
        &bin,
        "racing",
        &format!(
            "sed -i 's/^original$/teammate/' '{}'; echo mine >> \"$1\"",
            file.display()
        ),
    );
    let run = repo.zen_with_editor(&racing, &["edit", &id]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("changed since this edit started"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("hint:").count(),
        1,
        "one piece of advice: {}",
        run.stderr
    );
    assert!(std::fs::read_to_string(&file).unwrap().contains("teammate"));
    // Continuing the stale draft is refused too; --discard-draft edits the new version.
    let noop = script(&bin, "noop", "true");
    let stale = repo.zen_with_editor(&noop, &["edit", &id]);
    assert_eq!(stale.code, Some(1), "{}", stale.stderr);
    assert!(std::fs::read_to_string(&file).unwrap().contains("teammate"));
    let fresh = repo.zen_with_editor(&noop, &["edit", &id, "--discard-draft"]);
    assert_eq!(fresh.code, Some(0), "{}", fresh.stderr);
}

#[test]
fn editing_a_broken_record_with_a_kept_draft_never_writes_a_second_file() {
    let repo = TestRepo::initialized();
    let id = repo.record(&["decision", "Original title", "-m", "body"]);
    let file = repo.file_of(&id);
    let bin = repo.outside("bin");
    let breaker = script(
        &bin,
        "break",
        "sed -i 's/^title = .*/title = \"Renamed\"/; s/^status = .*/status = \"maybe\"/' \"$1\"",
    );
    assert_eq!(repo.zen_with_editor(&breaker, &["edit", &id]).code, Some(1));
    repo.write(&file, format!("<<<<<<< HEAD\n{}", repo.read(&file)));
    let fixer = script(&bin, "fix", "sed -i 's/maybe/accepted/' \"$1\"");
    let run = repo.zen_with_editor(&fixer, &["edit", &id]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("does not parse") && run.stderr.contains(&file),
        "{}",
        run.stderr
    );
    let files: Vec<_> = std::fs::read_dir(repo.path().join(".datazentr/decisions"))
        .unwrap()
        .collect();
    assert_eq!(
        files.len(),
        2,
        "the record and .gitkeep, no second record file"
    );
}

#[test]
fn an_edit_that_validate_would_reject_is_refused_and_kept() {
    let repo = TestRepo::initialized();
    let id = repo.record(&["decision", "Links", "-m", "body"]);
    let bin = repo.outside("bin");
    let dangling = script(
        &bin,
        "dangling",
        "sed -i 's/^links = .*/links = [\"0000000000000000000000\"]/' \"$1\"",
    );
    let run = repo.zen_with_editor(&dangling, &["edit", &id]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("no record has that id") && run.stderr.contains("kept in"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.show_json(&id)["links"], serde_json::json!([]));
    repo.zen_ok(&["validate"]);
}

#[test]
fn discard_draft_removes_the_draft_of_a_record_never_written() {
    let repo = TestRepo::initialized();
    let bin = repo.outside("bin");
    let breaker = script(
        &bin,
        "break",
        "sed -i 's/^status = .*/status = \"maybe\"/' \"$1\"",
    );
    let run = repo.zen_with_editor(&breaker, &["record", "decision", "Abandoned", "--edit"]);
    let id = run.kept_draft_id();
    let run = repo.zen_ok(&["edit", &id, "--discard-draft"]);
    assert!(run.stdout.contains("discarded the draft"), "{}", run.stdout);
    assert!(!draft_of(&repo, &id).exists());
}

#[test]
fn symlinks_in_the_store_are_refused_and_reported() {
    let repo = TestRepo::initialized();
    let elsewhere = repo.outside("elsewhere");
    std::fs::remove_dir_all(repo.path().join(".datazentr/lessons")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, repo.path().join(".datazentr/lessons")).unwrap();
    let run = repo.zen_fails(&["record", "lesson", "Escapes", "-m", "x"]);
    assert!(run.stderr.contains("is a symbolic link"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "nothing written outside .datazentr"
    );

    let id = repo.record(&["decision", "Real", "-m", "x"]);
    let target = repo.path().join(repo.file_of(&id));
    std::os::unix::fs::symlink(&target, repo.path().join(".datazentr/decisions/link.md")).unwrap();
    let run = repo.zen_fails(&["validate"]);
    assert!(
        run.stdout
            .contains(".datazentr/decisions/link.md:1: error: is a symbolic link"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(".datazentr/lessons:1: error: is a symbolic link"),
        "{}",
        run.stdout
    );
}

#[test]
fn new_files_get_the_usual_mode_under_umask_022() {
    let repo = TestRepo::initialized();
    let mut cmd = Command::new("sh");
    hermetic(&mut cmd, &repo.home());
    let out = cmd
        .arg("-c")
        .arg(format!("umask 022 && '{BIN}' record decision Shared -m x"))
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let id = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .last()
        .unwrap()
        .to_owned();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(repo.path().join(repo.file_of(&id)))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
}

#[test]
fn json_and_completions_cut_short_by_a_pipe_are_not_errors() {
    let repo = TestRepo::initialized();
    repo.write("big.md", "a long body line\n".repeat(20_000));
    repo.record(&["lesson", "Long", "--body-file", "big.md"]);
    for command in [
        "show $(git-zen list --json | grep -m1 '\"id\"' | cut -d'\"' -f4) --json",
        "list --json",
        "completions fish",
        "completions bash",
    ] {
        let mut cmd = Command::new("bash");
        hermetic(&mut cmd, &repo.home());
        let dir = std::path::Path::new(BIN).parent().unwrap();
        let out = cmd
            .arg("-c")
            .arg(format!("set -o pipefail; export PATH='{}':$PATH; git-zen {command} | head -c 10 >/dev/null", dir.display()))
            .current_dir(repo.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{command}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn supersede_refuses_cycles_of_any_length() {
    let repo = TestRepo::initialized();
    let a = repo.record(&["decision", "A"]);
    let b = repo.record(&["decision", "B"]);
    let c = repo.record(&["decision", "C"]);
    repo.zen_ok(&["supersede", &a, &b]);
    repo.zen_ok(&["supersede", &b, &c]);
    let run = repo.zen_fails(&["supersede", &c, &a]);
    assert!(run.stderr.contains("cycle"), "{}", run.stderr);
    assert_eq!(
        repo.show_json(&c)["status"],
        "accepted",
        "C is still current"
    );
}

#[test]
fn validate_warns_about_a_one_way_superseded_by() {
    let repo = TestRepo::initialized();
    let old = repo.record(&["decision", "Old"]);
    let new = repo.record(&["decision", "New"]);
    let file = repo.file_of(&old);
    let text = repo.read(&file).replacen(
        "links = []",
        &format!("links = []\nsuperseded_by = [\"{new}\"]"),
        1,
    );
    repo.write(
        &file,
        text.replace("status = \"accepted\"", "status = \"superseded\""),
    );
    let run = repo.zen_ok(&["validate"]);
    assert!(
        run.stdout.contains("warning: superseded by")
            && run.stdout.contains("does not list this one"),
        "{}",
        run.stdout
    );
}

#[test]
fn import_warns_about_duplicate_adr_numbers_and_finds_adr_0000() {
    let repo = TestRepo::initialized();
    repo.write(
        "doc/adr/0000-use-adrs.md",
        "# 0. Use ADRs\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\n## Context\nx\n",
    );
    repo.write(
        "doc/adr/0003-use-a.md",
        "# 3. Use A\n\nDate: 2020-01-02\n\n## Status\n\nAccepted\n\n## Context\na\n",
    );
    repo.write(
        "doc/adr/0003-use-b.md",
        "# 3. Use B\n\nDate: 2020-01-03\n\n## Status\n\nAccepted\n\n## Context\nb\n",
    );
    let run = repo.zen_ok(&["import", "adr", "doc/adr"]);
    assert!(
        run.stderr
            .contains("ADR number 3 is also used by doc/adr/0003-use-a.md"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.show_json("ADR-0000")["title"], "Use ADRs");
    assert_eq!(repo.show_json("ADR-3")["title"], "Use A");
    assert_eq!(repo.show_json("0003-use-b")["title"], "Use B");
    repo.zen_ok(&["validate"]);
}

#[test]
fn a_bad_git_dir_is_named_in_the_error() {
    let repo = TestRepo::initialized();
    let out = repo
        .zen_cmd(&["list"])
        .env("GIT_DIR", "/nonexistent/zen")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("GIT_DIR=/nonexistent/zen"), "{stderr}");
}

#[test]
fn validate_and_the_cache_agree_on_which_files_are_records() {
    let repo = TestRepo::initialized();
    let id = repo.record(&["decision", "Visible", "-m", "x"]);
    let hidden = repo
        .read(&repo.file_of(&id))
        .replace(&id, "1m869fgp4p1wrad5pahrn1");
    repo.write(
        ".datazentr/decisions/.archive/1m869fgp4p1wrad5pahrn1-hidden.md",
        hidden,
    );
    let run = repo.zen_ok(&["validate"]);
    assert!(run.stderr.contains("checked 1 records"), "{}", run.stderr);
    assert_eq!(repo.list_json(&[]).len(), 1);
}
