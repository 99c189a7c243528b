//! Hubs between real repositories: a bare repository as the remote, several projects (each with
//! its own home, like teammates' machines) writing to it, and the real `git` CLI as the peer.

use std::path::{Path, PathBuf};

use crate::support::{Run, TestRepo, git_at};

/// A bare hub laid out by `hub init`, in its own temp world.
struct Hub {
    world: TestRepo,
    path: PathBuf,
}

impl Hub {
    fn new() -> Hub {
        let world = TestRepo::empty();
        std::fs::write(
            world.home().join(".gitconfig"),
            "[user]\n\tname = Plain Git\n\temail = plain@example.com\n",
        )
        .unwrap();
        let path = world.outside("remote").join("hub.git");
        Run::from(
            world
                .zen_cmd_in(
                    &world.outside("."),
                    &["hub", "init", path.to_str().unwrap()],
                )
                .output()
                .unwrap(),
        )
        .ok();
        Hub { world, path }
    }

    fn url(&self) -> &str {
        self.path.to_str().unwrap()
    }

    /// A teammate's project: its own home (config, data dir, identity) and `team` as default hub.
    fn member(&self) -> TestRepo {
        let repo = TestRepo::initialized();
        std::fs::write(
            repo.home().join(".gitconfig"),
            "[user]\n\tname = Team Mate\n\temail = mate@example.com\n[init]\n\tdefaultBranch = main\n",
        )
        .unwrap();
        repo.zen_ok(&["hub", "add", "team", self.url(), "--default"]);
        // A root commit of its own: what tells this project apart from others whose folder has
        // its name (the tests' fixed commit dates would make identical commits identical).
        repo.write("README.md", repo.path().display().to_string());
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "start"]);
        repo
    }

    /// `git` run in the bare hub.
    fn git(&self, args: &[&str]) -> String {
        git_at(&self.world.home(), &self.path, args)
    }

    /// Files of the hub's tip under `dir`.
    fn files(&self, dir: &str) -> Vec<String> {
        self.git(&["ls-tree", "-r", "--name-only", "HEAD", "--", dir])
            .lines()
            .filter(|l| !l.ends_with(".gitkeep"))
            .map(str::to_owned)
            .collect()
    }

    /// Commits `files` to the hub from a scratch clone, as someone using plain git would.
    fn push_files(&self, files: &[(&str, &str)]) {
        let scratch = self.world.outside("scratch");
        let _ = std::fs::remove_dir_all(&scratch);
        let git = |dir: &Path, args: &[&str]| git_at(&self.world.home(), dir, args);
        git(
            &self.world.outside("."),
            &["clone", "-q", self.url(), scratch.to_str().unwrap()],
        );
        for (rel, text) in files {
            let path = scratch.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        git(&scratch, &["add", "-A"]);
        git(&scratch, &["commit", "-q", "-m", "by hand"]);
        git(&scratch, &["push", "-q", "origin", "HEAD"]);
    }
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn pattern(repo: &TestRepo, title: &str, tag: &str) -> String {
    repo.record(&[
        "pattern",
        title,
        "--tag",
        tag,
        "--outcome",
        "success",
        "-m",
        &format!("{title}: how we did it."),
    ])
}

#[test]
fn hubs_are_laid_out_added_listed_and_removed_and_bad_urls_are_refused() {
    let hub = Hub::new();
    for dir in [
        ".datazentr/config.toml",
        "templates/README.md",
        "projects/README.md",
    ] {
        assert!(!hub.files(dir).is_empty(), "{dir} is laid out");
    }
    let me = hub.member();
    let list = json(&me.zen_ok(&["hub", "list", "--json"]));
    assert_eq!(list[0]["name"], "team");
    assert_eq!(list[0]["default"], true);
    assert_eq!(list[0]["pending"], 0);
    let config = me.home().join(".config/git-zen/hubs.toml");
    let before = std::fs::read_to_string(&config).unwrap();

    let run = me.zen_fails(&["hub", "add", "gone", "/nonexistent/hub.git"]);
    assert!(
        run.stderr
            .contains("cannot reach the memory hub /nonexistent/hub.git"),
        "{}",
        run.stderr
    );
    let plain = me.outside("plain");
    me.git(&["init", "-q", "--bare", plain.to_str().unwrap()]);
    hub.world.outside("p");
    let seed = me.outside("plain-seed");
    for args in [
        vec![
            "clone",
            "-q",
            plain.to_str().unwrap(),
            seed.to_str().unwrap(),
        ],
        vec![
            "-C",
            seed.to_str().unwrap(),
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "x",
        ],
        vec!["-C", seed.to_str().unwrap(), "push", "-q", "origin", "HEAD"],
    ] {
        me.git(&args);
    }
    let run = me.zen_fails(&["hub", "add", "plain", plain.to_str().unwrap()]);
    run.stderr_has("is not a memory hub");
    run.stderr_has("git zen hub init");
    let run = me.zen_fails(&["hub", "add", "team", hub.url()]);
    run.stderr_has("already configured");
    let run = me.zen(&["hub", "add", "../x", hub.url()]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        before,
        "nothing half-written"
    );
    let run = me.zen_fails(&["promote", "x", "--hub", "teem"]);
    run.stderr_has("no hub named `teem`");

    me.zen_ok(&["hub", "remove", "team"]);
    assert_eq!(
        json(&me.zen_ok(&["hub", "list", "--json"])),
        serde_json::json!([])
    );
    assert!(!me.home().join(".local/share/git-zen/hubs/team").exists());
    let run = me.zen_fails(&["sync"]);
    assert!(
        run.stderr
            .contains("no memory hub given and none configured"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_promoted_record_reaches_other_projects_and_promoting_again_updates_it() {
    let hub = Hub::new();
    let alice = hub.member();
    let bob = hub.member();
    let id = pattern(&alice, "Blue green deploys", "deploy");
    alice.git(&["add", "-A"]);
    alice.git(&["commit", "-q", "-m", "memory"]);
    let head = alice.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let root = alice
        .git(&["rev-list", "--max-parents=0", "HEAD"])
        .trim()
        .to_owned();
    let run = alice.zen_ok(&["promote", &id[..8]]);
    run.stdout_has("promoted to hub team");
    let files = hub.files(".datazentr/patterns");
    assert_eq!(files.len(), 1);
    let text = hub.git(&["show", &format!("HEAD:{}", files[0])]);
    assert!(
        text.contains(&format!("origin = \"work {head}\"")),
        "{text}"
    );
    assert!(
        text.contains(&format!("origin_project = \"{root}\"")),
        "{text}"
    );

    bob.zen_ok(&["sync"]);
    let hits = json(&bob.zen_ok(&["recall", "blue green", "--hub", "--json"]));
    assert_eq!(hits[0]["id"], id.as_str());
    assert_eq!(hits[0]["location"], "hub team");
    let human = bob.zen_ok(&["recall", "blue green", "--hub"]);
    human.stdout_has("[hub team]");
    human.stdout_has("evidence: 1 project: 1 success");
    // Without --hub only local memory is searched.
    assert_eq!(
        json(&bob.zen_ok(&["recall", "blue green", "--json"])),
        serde_json::json!([])
    );

    // A new title means a new file name: the hub's copy is replaced, not duplicated.
    let file = alice.file_of(&id);
    let old = alice.read(&file);
    std::fs::remove_file(alice.path().join(&file)).unwrap();
    alice.write(
        &file.replace("blue-green-deploys", "blue-green-deploys-with-smoke-tests"),
        old.replace(
            "title = \"Blue green deploys\"",
            "title = \"Blue green deploys with smoke tests\"",
        ),
    );
    alice.zen_ok(&["promote", &id]);
    let files = hub.files(".datazentr/patterns");
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0].ends_with("blue-green-deploys-with-smoke-tests.md"),
        "{files:?}"
    );
    bob.zen_ok(&["sync"]);
    let hits = json(&bob.zen_ok(&["recall", "smoke", "--hub", "--json"]));
    assert_eq!(hits[0]["title"], "Blue green deploys with smoke tests");

    let run = bob.zen_fails(&["promote", "zzzzzzzz"]);
    run.stderr_has("no record matches");
}

#[test]
fn many_projects_promoting_and_recording_outcomes_at_the_same_moment_all_land() {
    let hub = Hub::new();
    // Six machines, and one machine running two promotions at once (its clone's lock).
    let members: Vec<TestRepo> = (0..6).map(|_| hub.member()).collect();
    let shared = pattern(&members[0], "Shared pattern", "race");
    members[0].zen_ok(&["promote", &shared]);
    for member in &members[1..] {
        member.zen_ok(&["sync"]);
    }
    let mut jobs = Vec::new();
    for (n, member) in members.iter().enumerate() {
        let ids: Vec<String> = (0..if n == 0 { 2 } else { 1 })
            .map(|k| pattern(member, &format!("Pattern {n}-{k}"), "race"))
            .collect();
        for id in ids {
            jobs.push(member.zen_cmd(&["promote", &id]));
        }
        if n > 0 {
            jobs.push(member.zen_cmd(&["outcome", &shared, "success", "-m", "it held"]));
        }
    }
    let children: Vec<_> = jobs
        .iter_mut()
        .map(|c| {
            c.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let run = Run::from(child.wait_with_output().unwrap()).ok();
        assert!(
            run.stdout.contains("promoted to hub team") || run.stdout.contains("success recorded"),
            "{}{}",
            run.stdout,
            run.stderr
        );
        assert!(!run.stderr.contains("pending"), "{}", run.stderr);
    }
    assert_eq!(hub.files(".datazentr/patterns").len(), 8);
    assert_eq!(hub.files(&format!("outcomes/{shared}")).len(), 5);
    for member in &members {
        assert_eq!(
            json(&member.zen_ok(&["hub", "list", "--json"]))[0]["pending"],
            0
        );
    }
    let synced = json(&members[3].zen_ok(&["sync", "--json"]));
    assert_eq!(synced["records"], 8);
    assert_eq!(synced["outcomes"], 5);
}

#[test]
fn offline_writes_wait_in_a_queue_until_sync_pushes_them() {
    let hub = Hub::new();
    let me = hub.member();
    let id = pattern(&me, "Canary releases", "deploy");
    let away = hub.path.with_extension("away");
    std::fs::rename(&hub.path, &away).unwrap();
    let run = me.zen_ok(&["promote", &id]);
    run.stdout_has("queued for hub team");
    run.stderr_has("1 write(s) pending");
    assert_eq!(
        json(&me.zen_ok(&["hub", "list", "--json"]))[0]["pending"],
        1
    );
    // Queued writes are in the local clone, so recall sees them offline.
    let hits = json(&me.zen_ok(&["recall", "canary", "--hub", "--json"]));
    assert_eq!(hits[0]["id"], id.as_str());
    let run = me.zen_fails(&["hub", "remove", "team"]);
    run.stderr_has("1 write(s) wait");

    std::fs::rename(&away, &hub.path).unwrap();
    let run = me.zen_ok(&["sync"]);
    run.stdout_has("1 pushed, 0 pending");
    assert_eq!(hub.files(".datazentr/patterns").len(), 1);
    assert_eq!(
        json(&me.zen_ok(&["hub", "list", "--json"]))[0]["pending"],
        0
    );
}

#[test]
fn outcomes_from_many_projects_rank_patterns_and_failures_become_warnings() {
    let hub = Hub::new();
    let author = hub.member();
    let good = pattern(&author, "Cache warming at deploy", "cache");
    let bad = pattern(&author, "Cache warming by cron", "cache");
    author.zen_ok(&["promote", &good]);
    author.zen_ok(&["promote", &bad]);
    for n in 0..3 {
        let user = hub.member();
        user.zen_ok(&[
            "outcome",
            &good[..10],
            "success",
            "-m",
            &format!("project {n}: fast"),
        ]);
        user.zen_ok(&["outcome", &bad, "failure", "-m", "stampede at midnight"]);
    }
    assert_eq!(
        hub.files("outcomes")
            .iter()
            .filter(|f| f.ends_with(".toml") && !f.ends_with("README.md"))
            .count(),
        6
    );
    let reader = hub.member();
    let hits = json(&reader.zen_ok(&["recall", "cache warming", "--hub", "--json"]));
    assert_eq!(hits[0]["id"], good.as_str(), "{hits:#}");
    assert_eq!(hits[0]["warning"], false);
    // Every project's folder is called "work": projects are told apart by their root commits.
    let evidence = &hits[0]["evidence"];
    assert_eq!(
        (evidence["projects"].as_u64(), evidence["success"].as_u64()),
        (Some(4), Some(4)),
        "{evidence}"
    );
    assert_eq!(hits[1]["id"], bad.as_str());
    assert_eq!(hits[1]["evidence"]["failure"], 3);
    assert_eq!(hits[1]["warning"], true);
    assert!(hits[0]["score"].as_f64() > hits[1]["score"].as_f64());
    let human = reader.zen_ok(&["recall", "cache warming", "--hub"]);
    human.stdout_has("warning:");
    human.stdout_has("evidence: 4 projects: 4 success");
    assert!(
        human
            .stdout
            .contains("evidence: 4 projects: 1 success, 3 failure"),
        "{}",
        human.stdout
    );

    let run = reader.zen_fails(&["outcome", "zzzzzzzzzz", "success", "-m", "x"]);
    run.stderr_has("no record `zzzzzzzzzz` in hub `team`");
}

#[test]
fn the_hub_cache_rereads_only_what_changed_and_reports_broken_records() {
    let hub = Hub::new();
    let me = hub.member();
    for n in 0..5 {
        let id = pattern(&me, &format!("Shared pattern {n}"), "shared");
        me.zen_ok(&["promote", &id]);
    }
    let first = json(&me.zen_ok(&["sync", "--json"]));
    assert_eq!(first["records"], 5);
    let again = json(&me.zen_ok(&["sync", "--json"]));
    assert_eq!(again["parsed"], 0, "an unchanged tree costs no parsing");

    let id = "1m86sb0000000000000001";
    hub.push_files(&[
        (
            ".datazentr/lessons/1m86sb0000000000000001-pushed-by-hand.md",
            &format!(
                "+++\nid = \"{id}\"\nkind = \"lesson\"\ntitle = \"Pushed by hand\"\noutcome = \"failure\"\n+++\nPlain git works too.\n"
            ),
        ),
        (
            ".datazentr/patterns/1m86sb0000000000000002-broken.md",
            "+++\nid = \"1m86sb0000000000000002\"\nkind = \"pattern\"\ntitle = \n+++\n",
        ),
        (
            "outcomes/1m86sb0000000000000001/1m86sb0000000000000009.toml",
            "this is not toml = = =",
        ),
    ]);
    let run = me.zen_ok(&["sync"]);
    run.stdout_has("6 records (2 re-read)");
    assert!(
        run.stderr
            .contains(".datazentr/patterns/1m86sb0000000000000002-broken.md:4"),
        "{}",
        run.stderr
    );
    let hits = json(&me.zen_ok(&["recall", "plain git", "--hub", "--json"]));
    assert_eq!(hits[0]["id"], id);
    assert_eq!(hits[0]["warning"], true, "a failure lesson is a warning");

    // A cache that is garbage is rebuilt from the clone's tree.
    let cache = me
        .home()
        .join(".local/share/git-zen/hubs/team/index.sqlite");
    std::fs::write(&cache, "garbage").unwrap();
    let rebuilt = json(&me.zen_ok(&["sync", "--json"]));
    assert_eq!(rebuilt["records"], 6);
}

#[test]
fn a_clone_holding_commits_made_by_hand_is_refused_not_reset() {
    let hub = Hub::new();
    let me = hub.member();
    let clone = me.home().join(".local/share/git-zen/hubs/team/clone");
    let git = |args: &[&str]| git_at(&me.home(), &clone, args).trim().to_owned();
    let mine = git(&[
        "commit-tree",
        "HEAD^{tree}",
        "-p",
        "HEAD",
        "-m",
        "a commit made by hand",
    ]);
    git(&["update-ref", "HEAD", &mine]);
    let run = me.zen_fails(&["sync"]);
    run.stderr_has("has diverged from its remote");
    assert!(
        run.stderr
            .contains("1 local commit(s) that git-zen did not make"),
        "{}",
        run.stderr
    );
    assert_eq!(git(&["rev-parse", "HEAD"]), mine, "nothing was thrown away");
}

#[test]
fn genesis_seeds_from_the_default_hub_registers_the_project_and_takes_hub_templates() {
    let hub = Hub::new();
    let elder = hub.member();
    let proven = pattern(&elder, "Table-driven CLI tests", "cli");
    let doomed = pattern(&elder, "Global mutable config", "cli");
    elder.zen_ok(&["promote", &proven]);
    elder.zen_ok(&["promote", &doomed]);
    for _ in 0..2 {
        hub.member()
            .zen_ok(&["outcome", &doomed, "failure", "-m", "tests interfered"]);
    }
    hub.push_files(&[
        (
            "templates/rust-cli/template.toml",
            "[template]\nname = \"rust-cli\"\ndescription = \"The team's Rust CLI\"\nversion = \"7.0.0\"\ntags = [\"cli\"]\n",
        ),
        ("templates/rust-cli/files/README.md.hbs", "# {{name}}\nOur way.\n"),
    ]);

    let newcomer = hub.member();
    let list = newcomer.zen_ok(&["template", "list", "--hub"]);
    list.stdout_has("The team's Rust CLI  [hub team]");
    let dir = newcomer.outside("projects");
    let run = Run::from(
        newcomer
            .zen_cmd_in(&dir, &["genesis", "tool", "--defaults"])
            .output()
            .unwrap(),
    )
    .ok();
    run.stdout_has("inherited from hub team");
    assert!(
        run.stdout
            .contains("Table-driven CLI tests (1 project: 1 success)"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("Global mutable config"),
        "mostly-failed patterns are pruned"
    );
    run.stdout_has("registered in hub team");
    let project = dir.join("tool");
    assert_eq!(
        std::fs::read_to_string(project.join("README.md")).unwrap(),
        "# tool\nOur way.\n"
    );
    let config = std::fs::read_to_string(project.join(".datazentr/config.toml")).unwrap();
    assert!(
        config.contains(&format!("hub = \"{}\"", hub.url())),
        "{config}"
    );

    let projects = json(&newcomer.zen_ok(&["hub", "projects", "--json"]));
    assert_eq!(projects[0]["name"], "tool");
    assert_eq!(projects[0]["template"], "rust-cli");
    assert_eq!(projects[0]["version"], "7.0.0");
    assert_eq!(projects[0]["current_stage"], "planning");
    assert_eq!(projects[0]["inherited"], serde_json::json!([proven]));

    // Inside the new project its hub is known without --hub, and it has an identity there.
    let inside = |args: &[&str]| Run::from(newcomer.zen_cmd_in(&project, args).output().unwrap());
    inside(&["hub", "stage", "active"]).ok();
    inside(&["outcome", &proven, "success", "-m", "tests stayed readable"]).ok();
    let projects = json(&newcomer.zen_ok(&["hub", "projects", "--json"]));
    assert_eq!(projects[0]["current_stage"], "active");
    let hits = json(&inside(&["recall", "table driven", "--hub", "--json"]).ok());
    assert_eq!(hits[0]["location"], "local, hub team");
    assert_eq!(hits[0]["evidence"]["success"], 2);
    let outside_genesis = newcomer.zen_fails(&["hub", "stage", "active"]);
    assert!(
        outside_genesis
            .stderr
            .contains("only projects made by `git zen genesis --hub`"),
        "{}",
        outside_genesis.stderr
    );
}

#[test]
fn the_dashboard_shows_the_hubs_records_with_hub_and_no_hub_page_without() {
    let hub = Hub::new();
    let alice = hub.member();
    let id = pattern(&alice, "Blue green deploys", "deploy");
    alice.zen_ok(&["promote", &id[..16]]);
    let server = crate::dashboard::Server::start(&alice, &["--hub", "team"]);
    let page = server.text("hub");
    assert!(page.contains("Blue green deploys"), "{page}");
    assert!(page.contains("Hub <strong>team</strong>"), "{page}");
    assert!(
        server.text("").contains("href=\"/hub\""),
        "the hub is in the navigation"
    );
    drop(server);
    let plain = crate::dashboard::Server::start(&alice, &[]);
    assert_eq!(plain.get("hub").status(), 404);
}
