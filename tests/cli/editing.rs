//! The editor flows: new records, edits, invalid edits that keep a draft.

use crate::support::{Run, TestRepo, script};

#[test]
fn record_opens_the_editor_git_would_use() {
    let repo = TestRepo::initialized();
    let bin = repo.outside("bin");
    let editor = script(
        &bin,
        "append",
        "printf 'Written in the editor\\n' >> \"$1\"",
    );
    let run = repo.zen_with_editor(&editor, &["record", "decision", "Edited", "--edit"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let shown = repo.show_json(&run.last_word());
    let body = shown["body"].as_str().unwrap();
    assert!(
        body.contains("## Context") && body.ends_with("Written in the editor\n"),
        "{body}"
    );

    // core.editor is honoured too, including an editor given with arguments.
    repo.git(&[
        "config",
        "core.editor",
        &format!("{} --ignored-flag", editor.display()),
    ]);
    let mut cmd = repo.zen_cmd(&["record", "lesson", "Via config", "-e"]);
    cmd.env_remove("GIT_EDITOR");
    Run::from(cmd.output().unwrap()).ok();
}

#[test]
fn emptying_a_new_record_in_the_editor_writes_nothing() {
    let repo = TestRepo::initialized();
    let bin = repo.outside("bin");
    let editor = script(&bin, "empty", ": > \"$1\"");
    let run = repo.zen_with_editor(&editor, &["record", "decision", "Never mind", "--edit"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert!(repo.list_json(&[]).is_empty());
}

#[test]
fn a_valid_edit_is_written_in_place() {
    let repo = TestRepo::initialized();
    let id = repo.record(&["decision", "Original title", "-m", "body"]);
    let file = repo.file_of(&id);
    let bin = repo.outside("bin");
    let editor = script(
        &bin,
        "retitle",
        "sed -i 's/^title = .*/title = \"Better title\"/' \"$1\"",
    );
    let run = repo.zen_with_editor(&editor, &["edit", &id[..12]]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!("edited decision {id}")),
        "{}",
        run.stdout
    );
    assert_eq!(repo.show_json(&id)["title"], "Better title");
    assert_eq!(repo.file_of(&id), file, "the file keeps its name");

    let noop = script(&bin, "noop", "true");
    let run = repo.zen_with_editor(&noop, &["edit", &id]);
    assert!(run.stdout.contains("no changes"), "{}", run.stdout);
}

#[test]
fn an_invalid_edit_keeps_the_draft_and_the_next_edit_continues_from_it() {
    let repo = TestRepo::initialized();
    let id = repo.record(&["decision", "Keep me", "-m", "body"]);
    let file = repo.file_of(&id);
    let before = repo.read(&file);
    let bin = repo.outside("bin");
    let breaker = script(
        &bin,
        "break",
        "sed -i 's/^kind = .*/kind = \"decison\"/; s/^body$/precious words/' \"$1\"",
    );
    let run = repo.zen_with_editor(&breaker, &["edit", &id]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains(":3: unknown kind 'decison'"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("nothing was written; your text is kept in"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.read(&file), before, "the record is untouched");

    // The next edit starts from the draft, so "precious words" are not lost.
    let fixer = script(&bin, "fix", "sed -i 's/decison/decision/' \"$1\"");
    let run = repo.zen_with_editor(&fixer, &["edit", &id]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("continuing from the draft"),
        "{}",
        run.stderr
    );
    assert!(repo.read(&file).contains("precious words"));

    // --discard-draft starts from the record itself.
    let run = repo.zen_with_editor(&breaker, &["edit", &id]);
    assert_eq!(run.code, Some(1));
    let noop = script(&bin, "noop", "true");
    let run = repo.zen_with_editor(&noop, &["edit", &id, "--discard-draft"]);
    assert!(
        run.stdout.contains("no changes"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn an_edit_may_not_change_the_id_or_kind() {
    let repo = TestRepo::initialized();
    let id = repo.record(&["decision", "Stable"]);
    let bin = repo.outside("bin");
    let kind = script(
        &bin,
        "kind",
        "sed -i 's/^kind = .*/kind = \"pattern\"/' \"$1\"",
    );
    let run = repo.zen_with_editor(&kind, &["edit", &id, "--discard-draft"]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("the kind must stay decision"),
        "{}",
        run.stderr
    );
    let other = "0000000000000000000000";
    let reid = script(
        &bin,
        "reid",
        &format!("sed -i 's/^id = .*/id = \"{other}\"/' \"$1\""),
    );
    let run = repo.zen_with_editor(&reid, &["edit", &id, "--discard-draft"]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains(&format!("it must stay {id}")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_new_record_that_does_not_validate_can_be_finished_with_edit() {
    let repo = TestRepo::initialized();
    let bin = repo.outside("bin");
    let breaker = script(
        &bin,
        "break",
        "sed -i 's/^status = .*/status = \"maybe\"/' \"$1\"; echo 'draft text' >> \"$1\"",
    );
    let run = repo.zen_with_editor(&breaker, &["record", "decision", "Half done", "--edit"]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("unknown status 'maybe'"),
        "{}",
        run.stderr
    );
    assert!(repo.list_json(&[]).is_empty(), "nothing written");
    let id = run.kept_draft_id();

    let fixer = script(&bin, "fix", "sed -i 's/maybe/proposed/' \"$1\"");
    let run = repo.zen_with_editor(&fixer, &["edit", &id]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let shown = repo.show_json(&id);
    assert_eq!(shown["status"], "proposed");
    assert!(shown["body"].as_str().unwrap().contains("draft text"));
}

/// Regression: `record --supersedes A --supersedes B` through the editor superseded one record
/// after the other, so when B could not be rewritten the new record was deleted but A kept
/// `superseded_by` pointing at it.
#[test]
fn a_supersede_through_the_editor_that_fails_on_the_second_record_changes_neither() {
    let repo = TestRepo::initialized();
    let a = repo.record(&["decision", "Old way A", "-m", "a"]);
    let b = repo.record(&["decision", "Old way B", "-m", "b"]);
    let a_file = repo.file_of(&a);
    let b_file = repo.file_of(&b);
    let a_before = repo.read(&a_file);
    let b_before = repo.read(&b_file);
    // While the editor is open, B's file becomes a folder: rewriting it must fail.
    let bin = repo.outside("bin");
    let b_path = repo.path().join(&b_file);
    let editor = script(
        &bin,
        "break-b",
        &format!(
            "rm '{p}' && mkdir '{p}' && printf 'More context\\n' >> \"$1\"",
            p = b_path.display()
        ),
    );
    let run = repo.zen_with_editor(
        &editor,
        &[
            "record",
            "decision",
            "New way",
            "--supersedes",
            &a,
            "--supersedes",
            &b,
            "--edit",
        ],
    );
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert_eq!(
        repo.read(&a_file),
        a_before,
        "A is as it was: no superseded_by pointing at a record that does not exist"
    );
    std::fs::remove_dir(&b_path).unwrap();
    let titles: Vec<String> = repo
        .list_json(&[])
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(titles, ["Old way A"], "no new record was left behind");
    // The text is kept, and finishing it later supersedes both, as asked.
    let id = run.kept_draft_id();
    repo.write(&b_file, &b_before);
    let keep = script(&bin, "keep", "true");
    repo.zen_with_editor(&keep, &["edit", &id]).ok();
    let new = repo.show_json(&id);
    assert_eq!(new["supersedes"], serde_json::json!([a, b]));
    assert_eq!(repo.show_json(&a)["status"], "superseded");
    assert_eq!(repo.show_json(&b)["superseded_by"], serde_json::json!([id]));
    repo.zen_ok(&["validate"]);
}
