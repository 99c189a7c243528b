//! Memory merges like code: two branches that add and edit different records never conflict.

use crate::support::{Run, TestRepo, script};

#[test]
fn branches_that_add_and_edit_different_records_merge_without_conflict() {
    let repo = TestRepo::initialized();
    let shared_a = repo.record(&["decision", "Shared A", "-m", "a"]);
    let shared_b = repo.record(&["decision", "Shared B", "-m", "b"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "base memory"]);

    let bin = repo.outside("bin");
    let retitle = |title: &str| {
        script(
            &bin,
            &format!("retitle-{}", title.len()),
            &format!("sed -i 's/^title = .*/title = \"{title}\"/' \"$1\""),
        )
    };

    repo.git(&["checkout", "-q", "-b", "feature"]);
    let feature_new = repo.record(&["pattern", "Feature pattern", "--outcome", "success"]);
    let feature_old = repo.record(&["decision", "Feature replaces A"]);
    repo.zen_ok(&["supersede", &shared_a, &feature_old]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "feature memory"]);

    repo.git(&["checkout", "-q", "main"]);
    let main_new = repo.record(&["lesson", "Main lesson", "--outcome", "failure"]);
    let editor = retitle("Shared B, revised on main");
    Run::from(
        repo.zen_cmd(&["edit", &shared_b])
            .env("GIT_EDITOR", &editor)
            .output()
            .unwrap(),
    )
    .ok();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "main memory"]);

    let merge = repo
        .git_cmd(&["merge", "--no-edit", "feature"])
        .output()
        .unwrap();
    assert!(
        merge.status.success(),
        "merge conflicted:\n{}{}",
        String::from_utf8_lossy(&merge.stdout),
        String::from_utf8_lossy(&merge.stderr)
    );
    assert!(
        repo.git(&["diff", "--name-only", "--diff-filter=U"])
            .is_empty()
    );

    let run = repo.zen_ok(&["validate"]);
    assert!(
        run.stderr
            .contains("checked 5 records: 0 errors, 0 warnings"),
        "{}",
        run.stderr
    );
    let ids: Vec<String> = repo
        .list_json(&[])
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    for id in [&shared_a, &shared_b, &feature_new, &feature_old, &main_new] {
        assert!(ids.contains(id), "{id} lost in the merge");
    }
    assert_eq!(repo.show_json(&shared_a)["status"], "superseded");
    assert_eq!(
        repo.show_json(&shared_b)["title"],
        "Shared B, revised on main"
    );
}
