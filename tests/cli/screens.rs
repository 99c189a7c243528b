//! What people see, pinned: the human output of a blocked commit and of the everyday commands,
//! stdout and stderr as printed, with the exit code. A screen that changes fails here; update the
//! snapshot only when the change is meant.
//!
//! The inputs are fixed (records with fixed ids and dates, the commits' dates), so
//! `TestRepo::normalize` only has the temp folders and commit hashes left to replace.

use std::collections::BTreeSet;
use std::process::Command;

use crate::genesis::{genesis_cmd, world};
use crate::hooks::{fake_aws_key, hooked};
use crate::support::{INHERITED, Run, TestRepo, hermetic};

const LESSON: &str = "1m869fgp4p1wrad5pahrn1";
const DECISION: &str = "1m869fgpedsxnfx5tmzcet";
const PATTERN: &str = "1m86b0q2k7x3d9w5r4tzmn";

/// Writes three records as `git zen record` lays them out, with fixed ids and dates: a lesson
/// about `config/**`, a decision tagged `secrets` linked to it, and a pattern about neither.
fn remember(repo: &TestRepo) {
    repo.write(
        &format!(".datazentr/lessons/{LESSON}-a-key-in-config-py-leaked-once.md"),
        format!(
            r#"+++
id = "{LESSON}"
kind = "lesson"
title = "A key in config.py leaked once"
status = "accepted"
outcome = "failure"
tags = ["secrets"]
paths = ["config/**"]
supersedes = []
links = ["{DECISION}"]
created = 2026-11-24T08:06:42Z
author = "Test Author <author@example.com>"
+++

A test key in config.py reached the remote and had to be rotated.
"#
        ),
    );
    repo.write(
        &format!(".datazentr/decisions/{DECISION}-secrets-live-in-vault.md"),
        format!(
            r#"+++
id = "{DECISION}"
kind = "decision"
title = "Secrets live in Vault"
status = "accepted"
tags = ["secrets"]
paths = []
supersedes = []
links = ["{LESSON}"]
created = 2026-11-24T08:06:42Z
author = "Test Author <author@example.com>"
+++

## Context
Keys were kept in config files.

## Decision
Every secret lives in Vault; the code reads it from the environment.
"#
        ),
    );
    repo.write(
        &format!(".datazentr/patterns/{PATTERN}-table-driven-cli-tests.md"),
        format!(
            r#"+++
id = "{PATTERN}"
kind = "pattern"
title = "Table-driven CLI tests"
status = "accepted"
outcome = "success"
tags = ["cli", "testing"]
paths = ["tests/**"]
supersedes = []
links = []
created = 2026-11-24T08:33:34Z
author = "Test Author <author@example.com>"
+++

One table of arguments and expected output per command.
"#
        ),
    );
}

/// What `cmd` leaves on the screen, normalized: `$ shown`, then stdout, stderr and the exit code
/// under headings of their own (a missing final newline shows as a heading on the same line). A
/// space ending a line is shown as `␠`, to be seen in review and kept by editors that trim lines.
/// NO_COLOR is set, as by a person who turned color off.
fn screen(world: &TestRepo, shown: &str, mut cmd: Command) -> String {
    let run = Run::from(cmd.env("NO_COLOR", "1").output().expect("run"));
    let code = run
        .code
        .map_or("none (killed by a signal)".to_owned(), |c| c.to_string());
    let text = world.normalize(&format!(
        "$ {shown}\n--- stdout\n{}--- stderr\n{}--- exit {code}\n",
        run.stdout, run.stderr
    ));
    let lines = text.split('\n').map(|line| {
        let kept = line.trim_end_matches(' ');
        format!("{kept}{}", "␠".repeat(line.len() - kept.len()))
    });
    lines.collect::<Vec<_>>().join("\n")
}

/// The screen of `git zen <args>` in the work tree.
fn zen(repo: &TestRepo, args: &[&str]) -> String {
    screen(
        repo,
        &format!("git zen {}", args.join(" ")),
        repo.zen_cmd(args),
    )
}

#[test]
fn child_processes_get_only_the_allowlisted_environment() {
    let repo = TestRepo::empty();
    let mut env = Command::new("env");
    hermetic(&mut env, &repo.home());
    env.arg("-0").env("GIT_ZEN_SKIP", "set by the test");
    let out = Run::from(env.output().unwrap()).ok().stdout;
    let seen: BTreeSet<&str> = out
        .split('\0')
        .filter(|v| !v.is_empty())
        .map(|v| v.split('=').next().unwrap())
        .collect();
    let set_by_hermetic = [
        "HOME",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "GIT_CONFIG_NOSYSTEM",
        "GIT_EDITOR",
        "TZ",
        "LC_ALL",
    ];
    let inherited = INHERITED
        .into_iter()
        .filter(|v| std::env::var_os(v).is_some());
    let allowed: BTreeSet<&str> = inherited
        .chain(set_by_hermetic)
        .chain(["GIT_ZEN_SKIP"])
        .collect();
    assert_eq!(seen, allowed);
    // The test process has more (cargo's CARGO_*, and on a runner CI, GIT_CONFIG_PARAMETERS, …):
    // none of it reached the child.
    let dropped: Vec<String> = std::env::vars_os()
        .map(|(name, _)| name.to_string_lossy().into_owned())
        .filter(|name| !allowed.contains(name.as_str()))
        .collect();
    assert!(
        !dropped.is_empty(),
        "nothing to drop: the test proves nothing"
    );
}

#[test]
fn a_blocked_commit_and_check_staged() {
    let repo = hooked();
    remember(&repo);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "Memory"]);
    repo.write("config/app.py", format!("KEY = \"{}\"\n", fake_aws_key()));
    repo.git(&["add", "-A"]);
    let commit = screen(
        &repo,
        "git commit -m 'Add the app config'",
        repo.git_zen_path_cmd(&["commit", "-m", "Add the app config"]),
    );
    insta::assert_snapshot!(commit, @"
    $ git commit -m 'Add the app config'
    --- stdout
    --- stderr
    config/app.py:1 secret-aws-access-key AWS access key ID: deactivate and rotate it in IAM, then load credentials from the environment, an instance role or a secret store (AKIA…(20 chars))
    git zen: commit blocked: 1 error
      bypass: git commit --no-verify (every rule), or GIT_ZEN_SKIP=secret-aws-access-key git commit … (these rules)
    memory that speaks to this:
      1m869fgp4p lesson A key in config.py leaked once (git zen show 1m869fgp4p)
      1m869fgped decision Secrets live in Vault (git zen show 1m869fgped)
    --- exit 1
    ");
    insta::assert_snapshot!(zen(&repo, &["check", "--staged"]), @"
    $ git zen check --staged
    --- stdout
    config/app.py:1 secret-aws-access-key AWS access key ID: deactivate and rotate it in IAM, then load credentials from the environment, an instance role or a secret store (AKIA…(20 chars))
    git zen: check failed: 1 error
    memory that speaks to this:
      1m869fgp4p lesson A key in config.py leaked once (git zen show 1m869fgp4p)
      1m869fgped decision Secrets live in Vault (git zen show 1m869fgped)
    --- stderr
    --- exit 1
    ");

    repo.write("config/app.py", "KEY = os.environ[\"KEY\"]\n");
    repo.git(&["add", "-A"]);
    insta::assert_snapshot!(zen(&repo, &["check", "--staged"]), @"
    $ git zen check --staged
    --- stdout
    --- stderr
    --- exit 0
    ");
}

#[test]
fn list_recall_and_show() {
    let repo = TestRepo::initialized();
    remember(&repo);
    insta::assert_snapshot!(zen(&repo, &["list"]), @"
    $ git zen list
    --- stdout
    1m869fgp4  lesson   failure    A key in config.py leaked once [secrets]
    1m869fgpe  decision accepted   Secrets live in Vault [secrets]
    1m86b0q2   pattern  success    Table-driven CLI tests [cli, testing]
    --- stderr
    --- exit 0
    ");
    insta::assert_snapshot!(zen(&repo, &["recall", "secrets"]), @"
    $ git zen recall secrets
    --- stdout
    1m869fgped decision accepted Secrets live in Vault
         ## Context Keys were kept in config files.  ## Decision Every secret lives in Vault; the…
    warning: 1m869fgp4p lesson failure A key in config.py leaked once
         A test key in config.py reached the remote and had to be rotated.␠
    --- stderr
    --- exit 0
    ");
    insta::assert_snapshot!(zen(&repo, &["recall", "kubernetes"]), @"
    $ git zen recall kubernetes
    --- stdout
    --- stderr
    no records match
    --- exit 0
    ");
    insta::assert_snapshot!(zen(&repo, &["show", &LESSON[..10]]), @"
    $ git zen show 1m869fgp4p
    --- stdout
    lesson 1m869fgp4p1wrad5pahrn1 (accepted)
    A key in config.py leaked once
    Outcome:       failure
    Tags:          secrets
    Paths:         config/**
    Links:         1m869fgpedsxnfx5tmzcet
    Created:       2026-11-24T08:06:42Z
    Author:        Test Author <author@example.com>
    File:          .datazentr/lessons/1m869fgp4p1wrad5pahrn1-a-key-in-config-py-leaked-once.md

    A test key in config.py reached the remote and had to be rotated.
    --- stderr
    --- exit 0
    ");
    insta::assert_snapshot!(zen(&repo, &["show", DECISION]), @"
    $ git zen show 1m869fgpedsxnfx5tmzcet
    --- stdout
    decision 1m869fgpedsxnfx5tmzcet (accepted)
    Secrets live in Vault
    Tags:          secrets
    Links:         1m869fgp4p1wrad5pahrn1
    Created:       2026-11-24T08:06:42Z
    Author:        Test Author <author@example.com>
    File:          .datazentr/decisions/1m869fgpedsxnfx5tmzcet-secrets-live-in-vault.md

    ## Context
    Keys were kept in config files.

    ## Decision
    Every secret lives in Vault; the code reads it from the environment.
    --- stderr
    --- exit 0
    ");
    insta::assert_snapshot!(zen(&repo, &["show", PATTERN]), @"
    $ git zen show 1m86b0q2k7x3d9w5r4tzmn
    --- stdout
    pattern 1m86b0q2k7x3d9w5r4tzmn (accepted)
    Table-driven CLI tests
    Outcome:       success
    Tags:          cli, testing
    Paths:         tests/**
    Created:       2026-11-24T08:33:34Z
    Author:        Test Author <author@example.com>
    File:          .datazentr/patterns/1m86b0q2k7x3d9w5r4tzmn-table-driven-cli-tests.md

    One table of arguments and expected output per command.
    --- stderr
    --- exit 0
    ");
}

#[test]
fn hub_list_without_and_with_a_hub() {
    let repo = TestRepo::initialized();
    insta::assert_snapshot!(zen(&repo, &["hub", "list"]), @"
    $ git zen hub list
    --- stdout
    --- stderr
    no hubs configured
      hint: git zen hub add team <url-or-path> --default
    --- exit 0
    ");
    let hub = repo.outside("remote").join("hub.git");
    let hub = hub.to_str().unwrap();
    repo.zen_ok(&["hub", "init", hub]);
    repo.zen_ok(&["hub", "add", "team", hub, "--default"]);
    insta::assert_snapshot!(zen(&repo, &["hub", "list"]), @"
    $ git zen hub list
    --- stdout
    team         [ROOT]/remote/hub.git (default)
    --- stderr
    --- exit 0
    ");
}

#[test]
fn services_status_with_a_webhook_and_no_deliveries() {
    let repo = TestRepo::initialized();
    let config = repo.read(".datazentr/config.toml");
    repo.write(
        ".datazentr/config.toml",
        format!("{config}\n[[webhook]]\nurl = \"http://127.0.0.1:9/zen\"\nevents = [\"record.created\", \"policy.failed\"]\n"),
    );
    insta::assert_snapshot!(zen(&repo, &["services", "status"]), @"
    $ git zen services status
    --- stdout
    webhook http://127.0.0.1:9/zen (record.created, policy.failed)
    outbox: 0 queued, 0 refused
    AI spend: $0.0000
    --- stderr
    --- exit 0
    ");
}

#[test]
fn genesis_summary() {
    let (world, dir) = world();
    let args = ["tool", "--defaults", "--no-memory"];
    let run = screen(
        &world,
        &format!("git zen genesis {}", args.join(" ")),
        genesis_cmd(&world, &dir, &args),
    );
    insta::assert_snapshot!(run, @r#"
    $ git zen genesis tool --defaults --no-memory
    --- stdout
    created [ROOT]/projects/tool from template rust-cli 1.0.0
      .gitignore
      Cargo.toml
      README.md
      src/main.rs
    defaults chosen: crate_name = "tool", description = "A command-line tool"
    skills: testing-strategy
    hooks installed (pre-commit, commit-msg, pre-push)
    first commit [HASH]
    --- stderr
    --- exit 0
    "#);
}

#[test]
fn error_screens() {
    let repo = TestRepo::initialized();
    remember(&repo);
    insta::assert_snapshot!(zen(&repo, &["show", "nosuchid"]), @"
    $ git zen show nosuchid
    --- stdout
    --- stderr
    error: no record matches 'nosuchid'
      hint: `git zen list` shows every id
    --- exit 1
    ");
    insta::assert_snapshot!(zen(&repo, &["show", &LESSON[..8]]), @"
    $ git zen show 1m869fgp
    --- stdout
    --- stderr
    error: '1m869fgp' is ambiguous; it matches:
      1m869fgp4p1wrad5pahrn1  A key in config.py leaked once
      1m869fgpedsxnfx5tmzcet  Secrets live in Vault
      hint: type more characters of the id
    --- exit 1
    ");

    let not_a_repo = TestRepo::empty();
    insta::assert_snapshot!(zen(&not_a_repo, &["list"]), @"
    $ git zen list
    --- stdout
    --- stderr
    error: not a git repository: [REPO]
      hint: run `git init` first, or cd into a repository
    --- exit 1
    ");

    let not_initialized = TestRepo::new();
    insta::assert_snapshot!(zen(&not_initialized, &["list"]), @"
    $ git zen list
    --- stdout
    --- stderr
    error: no .datazentr/ in [REPO]
      hint: run `git zen init` to create it
    --- exit 1
    ");
}
