//! `git zen genesis` and `git zen template list` in real temp folders.

use std::path::Path;
use std::process::Command;

use crate::support::{Run, TestRepo};

/// `git zen genesis <args>` in `dir`, with the world's git identity.
pub(crate) fn genesis_cmd(world: &TestRepo, dir: &Path, args: &[&str]) -> Command {
    let mut full = vec!["genesis"];
    full.extend_from_slice(args);
    let mut cmd = world.zen_cmd_in(dir, &full);
    cmd.env("GIT_CONFIG_GLOBAL", world.home().join(".gitconfig"));
    cmd
}

fn genesis_in(world: &TestRepo, dir: &Path, args: &[&str]) -> Run {
    Run::from(genesis_cmd(world, dir, args).output().unwrap())
}

/// A temp world whose global git config names Gene Sis and the branch `trunk`, and its
/// `projects` folder.
pub(crate) fn world() -> (TestRepo, std::path::PathBuf) {
    let world = TestRepo::empty();
    std::fs::write(
        world.home().join(".gitconfig"),
        "[user]\n\tname = Gene Sis\n\temail = gene@example.com\n[init]\n\tdefaultBranch = trunk\n",
    )
    .unwrap();
    let dir = world.outside("projects");
    (world, dir)
}

/// Runs git in `dir` with the world's identity, fails the test if git fails, returns stdout.
fn git_in(world: &TestRepo, dir: &Path, args: &[&str]) -> String {
    crate::support::git_at(&world.home(), dir, args)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn rust_cli_makes_a_committed_repository_whose_tests_pass() {
    let (world, dir) = world();
    let run = genesis_in(
        &world,
        &dir,
        &[
            "greeter",
            "--template",
            "rust-cli",
            "--set",
            "description=Greets people",
        ],
    )
    .ok();
    assert!(run.stdout.contains("created"), "{}", run.stdout);
    let project = dir.join("greeter");
    let git = |args: &[&str]| git_in(&world, &project, args);
    assert_eq!(git(&["rev-list", "--count", "HEAD"]).trim(), "1");
    assert_eq!(git(&["branch", "--show-current"]).trim(), "trunk");
    assert_eq!(
        git(&["log", "-1", "--format=%an <%ae>"]).trim(),
        "Gene Sis <gene@example.com>"
    );
    assert_eq!(
        git(&["status", "--porcelain"]),
        "",
        "everything is committed"
    );
    let files = git(&["ls-files"]);
    for f in [
        ".gitignore",
        "Cargo.toml",
        "README.md",
        "src/main.rs",
        ".datazentr/genesis.toml",
        ".datazentr/config.toml",
    ] {
        assert!(files.lines().any(|l| l == f), "{f} missing from:\n{files}");
    }
    let cargo_toml = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    assert!(
        cargo_toml.contains("name = \"greeter\"") && cargo_toml.contains("Greets people"),
        "{cargo_toml}"
    );
    assert!(
        cargo_toml.contains("Gene Sis <gene@example.com>"),
        "{cargo_toml}"
    );
    let genesis = std::fs::read_to_string(project.join(".datazentr/genesis.toml")).unwrap();
    assert!(
        genesis.contains("name = \"rust-cli\"") && genesis.contains("version = \"1.0.0\""),
        "{genesis}"
    );
    assert!(
        genesis.contains("description = \"Greets people\""),
        "{genesis}"
    );
    assert_eq!(entries(&dir), ["greeter"], "no staging folder left behind");
    assert!(run.stdout.contains("hooks installed"), "{}", run.stdout);
    let shim = std::fs::read_to_string(project.join(".git/hooks/pre-commit")).unwrap();
    assert!(
        shim.contains("exec git-zen hook pre-commit"),
        "the template asks for git-zen's hooks"
    );

    // The generated project builds and passes its own tests.
    let test = std::process::Command::new("cargo")
        .args(["test", "--quiet", "--offline"])
        .current_dir(&project)
        .env("CARGO_TARGET_DIR", world.outside("gen-target"))
        .output()
        .unwrap();
    assert!(
        test.status.success(),
        "{}{}",
        String::from_utf8_lossy(&test.stdout),
        String::from_utf8_lossy(&test.stderr)
    );
}

#[test]
fn dry_runs_bad_answers_and_taken_targets_write_nothing() {
    let (world, dir) = world();
    let run = genesis_in(&world, &dir, &["tool", "--dry-run"]).ok();
    assert!(
        run.stdout.contains("would create") && run.stdout.contains("src/main.rs"),
        "{}",
        run.stdout
    );
    assert!(entries(&dir).is_empty());

    let run = genesis_in(&world, &dir, &["tool", "--set", "crate_name=Not Valid"]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("variable `crate_name`") && run.stderr.contains("does not match"),
        "{}",
        run.stderr
    );
    let run = genesis_in(&world, &dir, &["tool", "--set", "colour=blue"]);
    assert!(
        run.stderr.contains("has no such variable"),
        "{}",
        run.stderr
    );
    assert!(entries(&dir).is_empty());

    std::fs::create_dir(dir.join("taken")).unwrap();
    std::fs::write(dir.join("taken/keep.txt"), "mine").unwrap();
    let run = genesis_in(&world, &dir, &["taken"]);
    assert!(
        run.stderr
            .contains("already exists and is not an empty folder"),
        "{}",
        run.stderr
    );
    assert_eq!(entries(&dir.join("taken")), ["keep.txt"]);
    assert_eq!(entries(&dir), ["taken"]);
}

#[test]
fn hostile_templates_are_refused_before_anything_is_written() {
    let (world, dir) = world();
    let template = world.outside("evil");
    std::fs::create_dir_all(template.join("files")).unwrap();
    std::fs::write(
        template.join("template.toml"),
        "[template]\nname = \"evil\"\n[variables.where]\ndefault = \"../../escaped\"\n",
    )
    .unwrap();
    std::fs::write(template.join("files/ok.txt"), "fine").unwrap();
    std::fs::write(template.join("files/{{where}}.txt"), "gotcha").unwrap();
    let run = genesis_in(
        &world,
        &dir,
        &["victim", "--template", template.to_str().unwrap()],
    );
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .contains("refusing to write ../../escaped.txt: it leaves the target"),
        "{}",
        run.stderr
    );
    assert!(entries(&dir).is_empty());
    assert!(!world.outside("projects").join("../escaped.txt").exists());

    // A variable the template never defined (strict mode). Links: see the test below.
    std::fs::remove_file(template.join("files/{{where}}.txt")).unwrap();
    std::fs::write(
        template.join("files/README.md.hbs"),
        "# {{name}}\n\n{{undefined_thing}}\n",
    )
    .unwrap();
    let run = genesis_in(
        &world,
        &dir,
        &["victim", "--template", template.to_str().unwrap()],
    );
    assert!(
        run.stderr.contains("files/README.md.hbs:3"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("undefined_thing"), "{}", run.stderr);
    assert!(entries(&dir).is_empty());
}

/// Writes a template folder `name` (`template.toml` with `version`) holding `files` (path, text)
/// and `links` (path, target) under `files/`, replacing what was there.
fn link_template(
    world: &TestRepo,
    name: &str,
    version: &str,
    files: &[(&str, &str)],
    links: &[(&str, &str)],
) -> std::path::PathBuf {
    let tpl = world.outside(name);
    let _ = std::fs::remove_dir_all(tpl.join("files"));
    std::fs::write(
        tpl.join("template.toml"),
        format!("[template]\nname = \"{name}\"\nversion = \"{version}\"\n"),
    )
    .unwrap();
    let make_dir = |rel: &str| {
        let p = tpl.join("files").join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        p
    };
    for (rel, text) in files {
        std::fs::write(make_dir(rel), text).unwrap();
    }
    for (rel, target) in links {
        std::os::unix::fs::symlink(target, make_dir(rel)).unwrap();
    }
    tpl
}

#[test]
fn links_inside_a_template_are_kept_as_links_and_update_follows_them() {
    let (world, dir) = world();
    let v1 = link_template(
        &world,
        "linked",
        "1.0.0",
        &[
            ("docs/guide.md", "read me\n"),
            ("docs/v2.md", "new guide\n"),
        ],
        &[
            ("GUIDE.md", "docs/guide.md"),
            ("{{name}}/guide.md", "../docs/guide.md"),
            ("documentation", "docs"),
            ("later", "docs/not-there-yet.md"),
        ],
    );
    genesis_in(
        &world,
        &dir,
        &["proj", "--template", v1.to_str().unwrap(), "--no-memory"],
    )
    .ok();
    let project = dir.join("proj");
    let git = |args: &[&str]| git_in(&world, &project, args);
    let link = |rel: &str| std::fs::read_link(project.join(rel)).unwrap();
    assert_eq!(link("GUIDE.md"), Path::new("docs/guide.md"));
    assert_eq!(
        link("proj/guide.md"),
        Path::new("../docs/guide.md"),
        "the link's own path is rendered, its target kept as written"
    );
    assert_eq!(link("documentation"), Path::new("docs"));
    assert_eq!(link("later"), Path::new("docs/not-there-yet.md"));
    assert_eq!(
        std::fs::read_to_string(project.join("proj/guide.md")).unwrap(),
        "read me\n"
    );
    for (rel, target) in [
        ("GUIDE.md", "docs/guide.md"),
        ("proj/guide.md", "../docs/guide.md"),
        ("documentation", "docs"),
    ] {
        let staged = git(&["ls-files", "-s", rel]);
        assert!(staged.starts_with("120000 "), "{rel}: {staged}");
        assert_eq!(git(&["cat-file", "-p", &format!("HEAD:{rel}")]), target);
    }
    assert_eq!(
        git(&["status", "--porcelain"]),
        "",
        "everything is committed"
    );
    let base = git(&["ls-tree", "-r", "refs/zen/template-base", "--", "GUIDE.md"]);
    assert!(base.starts_with("120000 "), "{base}");

    // v2 re-points two links; the project re-pointed one of them itself.
    std::fs::remove_file(project.join("proj/guide.md")).unwrap();
    std::os::unix::fs::symlink("../docs/v2.md", project.join("proj/guide.md")).unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-qm", "our link"]);
    link_template(
        &world,
        "linked",
        "2.0.0",
        &[
            ("docs/guide.md", "read me\n"),
            ("docs/v2.md", "new guide\n"),
        ],
        &[
            ("GUIDE.md", "docs/v2.md"),
            ("{{name}}/guide.md", "../GUIDE.md"),
            ("documentation", "docs"),
            ("later", "docs/not-there-yet.md"),
        ],
    );
    let mut cmd = world.zen_cmd_in(&project, &["update"]);
    cmd.env("GIT_CONFIG_GLOBAL", world.home().join(".gitconfig"));
    let run = Run::from(cmd.output().unwrap()).ok();
    assert!(run.stdout.contains("updated  GUIDE.md"), "{}", run.stdout);
    assert!(
        run.stdout.contains("kept     proj/guide.md"),
        "{}",
        run.stdout
    );
    assert_eq!(
        link("GUIDE.md"),
        Path::new("docs/v2.md"),
        "untouched: re-pointed"
    );
    assert_eq!(
        link("proj/guide.md"),
        Path::new("../docs/v2.md"),
        "changed on both sides: the project's link is kept"
    );
    assert_eq!(
        std::fs::read_to_string(project.join("docs/guide.md")).unwrap(),
        "read me\n",
        "nothing was written through a link"
    );
    assert_eq!(
        git(&["diff", "--name-only"]),
        ".datazentr/genesis.toml\nGUIDE.md\n"
    );
}

#[test]
fn links_leaving_a_template_are_refused_before_anything_is_written() {
    let (world, dir) = world();
    let attempt = |links: &[(&str, &str)]| {
        let tpl = link_template(&world, "leaky", "1.0.0", &[("ok.txt", "fine\n")], links);
        let run = genesis_in(
            &world,
            &dir,
            &["victim", "--template", tpl.to_str().unwrap(), "--no-memory"],
        );
        assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
        assert!(!dir.join("victim").exists(), "no target folder");
        assert!(entries(&dir).is_empty(), "no staging folder either");
        run.stderr
    };
    let err = attempt(&[("passwd", "../../etc/passwd")]);
    assert!(
        err.contains("files/passwd -> ../../etc/passwd: it leads outside with `..`"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
    let err = attempt(&[("abs", "/etc/passwd")]);
    assert!(
        err.contains("files/abs -> /etc/passwd: it is absolute"),
        "{err}"
    );
    // Inside on paper (sub/up/.. is sub), outside on disk: sub/up is the files/ folder itself.
    let err = attempt(&[("sub/up", ".."), ("escape", "sub/up/../template.toml")]);
    assert!(
        err.contains("files/escape -> sub/up/../template.toml: it leads outside with `..` after following the link sub/up"),
        "{err}"
    );
}

#[test]
fn template_list_shows_the_built_ins() {
    let (world, dir) = world();
    let run = Run::from(
        world
            .zen_cmd_in(&dir, &["template", "list", "--json"])
            .output()
            .unwrap(),
    )
    .ok();
    let list: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let rust = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "rust-cli")
        .unwrap();
    assert_eq!(rust["version"], "1.0.0");
    assert_eq!(
        rust["variables"],
        serde_json::json!(["crate_name", "description"])
    );
}

#[test]
fn skills_bring_their_guidance_and_policies_into_the_new_project() {
    let (world, dir) = world();
    let run = genesis_in(&world, &dir, &["web", "--defaults"]).ok();
    assert!(
        run.stdout.contains("skills: testing-strategy"),
        "{}",
        run.stdout
    );
    let project = dir.join("web");
    let guide =
        std::fs::read_to_string(project.join(".datazentr/skills/testing-strategy.md")).unwrap();
    assert!(guide.contains("Test behaviour, not implementation"));
    let genesis = std::fs::read_to_string(project.join(".datazentr/genesis.toml")).unwrap();
    assert!(
        genesis.contains("skills = [\"testing-strategy\"]"),
        "{genesis}"
    );

    // The skill's policy is in force in the new project.
    std::fs::write(project.join("app.test.js"), "it.only('works', () => {});\n").unwrap();
    let git = |args: &[&str]| git_in(&world, &project, args);
    git(&["add", "app.test.js"]);
    let check = Run::from(world.zen_cmd_in(&project, &["check"]).output().unwrap());
    assert_eq!(check.code, Some(1), "{}{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("app.test.js:1 no-focused-tests"),
        "{}",
        check.stdout
    );

    let run = genesis_in(&world, &dir, &["other", "--skill", "nope"]);
    assert!(
        run.stderr.contains("no skill named `nope`"),
        "{}",
        run.stderr
    );
    let list = Run::from(
        world
            .zen_cmd_in(&dir, &["skill", "list", "--json"])
            .output()
            .unwrap(),
    )
    .ok();
    let list: Vec<serde_json::Value> = serde_json::from_str(&list.stdout).unwrap();
    let names: Vec<&str> = list.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "api-design",
            "ci-cd",
            "docker",
            "monitoring",
            "testing-strategy"
        ]
    );
    assert_eq!(list[4]["policies"], serde_json::json!(["testing.toml"]));

    // Skills compose with their requirements, and their files are rendered with the answers.
    let run = genesis_in(
        &world,
        &dir,
        &[
            "svc",
            "--template",
            "rest-api",
            "--skill",
            "docker",
            "--skill",
            "monitoring",
            "--skill",
            "ci-cd",
            "--defaults",
        ],
    )
    .ok();
    assert!(
        run.stdout
            .contains("skills: testing-strategy, docker, api-design, monitoring, ci-cd"),
        "{}",
        run.stdout
    );
    let svc = dir.join("svc");
    let dockerfile = std::fs::read_to_string(svc.join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("from svc import serve") && dockerfile.contains("EXPOSE 8080"),
        "{dockerfile}"
    );
    assert!(svc.join(".github/workflows/ci.yml").exists());
    assert!(svc.join(".datazentr/skills/api-design.md").exists());
    let show = Run::from(
        world
            .zen_cmd_in(&dir, &["skill", "show", "testing-strategy"])
            .output()
            .unwrap(),
    )
    .ok();
    assert!(
        show.stdout.contains("policy: testing.toml") && show.stdout.contains("Assert something"),
        "{}",
        show.stdout
    );
}

#[test]
fn memory_is_seeded_from_a_hub_with_its_provenance() {
    let (world, dir) = world();
    let hub = world.outside("hub");
    let zen = |args: &[&str]| -> String {
        let mut cmd = world.zen_cmd_in(&hub, args);
        cmd.env("GIT_CONFIG_GLOBAL", world.home().join(".gitconfig"));
        Run::from(cmd.output().unwrap()).ok().last_word()
    };
    let git = |args: &[&str]| git_in(&world, &hub, args);
    git(&["init", "-q"]);
    zen(&["init"]);
    let worked = zen(&[
        "record",
        "pattern",
        "Table-driven CLI tests",
        "--outcome",
        "success",
        "--tag",
        "cli",
    ]);
    let failed = zen(&[
        "record",
        "lesson",
        "Parsing args by hand broke on --",
        "--outcome",
        "failure",
        "--tag",
        "rust",
    ]);
    zen(&[
        "record",
        "pattern",
        "Global mutable config",
        "--outcome",
        "failure",
        "--tag",
        "rust",
    ]);
    zen(&[
        "record",
        "lesson",
        "Release checklist helped",
        "--outcome",
        "success",
        "--tag",
        "cli",
    ]);
    zen(&[
        "record",
        "pattern",
        "Kubernetes probes",
        "--outcome",
        "success",
        "--tag",
        "k8s",
    ]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "team memory"]);

    let run = genesis_in(
        &world,
        &dir,
        &["tool", "--defaults", "--hub", hub.to_str().unwrap()],
    )
    .ok();
    assert!(
        run.stdout.contains("(2 of its 5 records)"),
        "{}",
        run.stdout
    );
    let project = dir.join("tool");
    let list = Run::from(
        world
            .zen_cmd_in(&project, &["list", "--json"])
            .output()
            .unwrap(),
    )
    .ok();
    let records: Vec<serde_json::Value> = serde_json::from_str(&list.stdout).unwrap();
    let mut ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort();
    let mut want = vec![worked.as_str(), failed.as_str()];
    want.sort();
    assert_eq!(ids, want, "ids are kept");
    let file = std::fs::read_dir(project.join(".datazentr/lessons"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .unwrap();
    let text = std::fs::read_to_string(file).unwrap();
    assert!(
        text.contains(&format!("origin = \"{} {failed}\"", hub.display())),
        "{text}"
    );
    let status = git_in(&world, &project, &["status", "--porcelain"]);
    assert!(status.is_empty(), "inherited memory is in the first commit");

    // An unreachable hub stops genesis before anything is written; --no-memory skips the hub.
    let run = genesis_in(&world, &dir, &["other", "--hub", "/nonexistent/hub"]);
    assert!(
        run.stderr
            .contains("cannot read the memory hub /nonexistent/hub"),
        "{}",
        run.stderr
    );
    assert_eq!(entries(&dir), ["tool"]);
    genesis_in(&world, &dir, &["other", "--defaults", "--no-memory"]).ok();
}

#[test]
fn update_merges_a_newer_template_three_ways() {
    let (world, dir) = world();
    let tpl = world.outside("tpl");
    let write = |rel: &str, text: &str| {
        let p = tpl.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "template.toml",
        "[template]\nname = \"mini\"\nversion = \"1.0.0\"\n",
    );
    write("files/a.txt.hbs", "line1\n{{name}}\nline3\n");
    write("files/edited.txt", "one\ntwo\nthree\n");
    write("files/clash.txt", "x\n");
    write("files/gone.txt", "bye\n");
    genesis_in(
        &world,
        &dir,
        &["proj", "--template", tpl.to_str().unwrap(), "--no-memory"],
    )
    .ok();
    let project = dir.join("proj");
    let git = |args: &[&str]| git_in(&world, &project, args);
    std::fs::write(project.join("edited.txt"), "ONE\ntwo\nthree\n").unwrap();
    std::fs::write(project.join("clash.txt"), "mine\n").unwrap();
    git(&["commit", "-qam", "our edits"]);

    write(
        "template.toml",
        "[template]\nname = \"mini\"\nversion = \"2.0.0\"\n",
    );
    write("files/a.txt.hbs", "line1\n{{name}}\nline3 v2\n");
    write("files/edited.txt", "one\ntwo\nTHREE\n");
    write("files/clash.txt", "theirs\n");
    write("files/new.txt", "fresh\n");
    std::fs::remove_file(tpl.join("files/gone.txt")).unwrap();

    let update = |args: &[&str]| {
        let mut full = vec!["update"];
        full.extend_from_slice(args);
        let mut cmd = world.zen_cmd_in(&project, &full);
        cmd.env("GIT_CONFIG_GLOBAL", world.home().join(".gitconfig"));
        Run::from(cmd.output().unwrap())
    };
    let run = update(&[]);
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("template 1.0.0 -> 2.0.0"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("CONFLICT clash.txt"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("1 file(s) have conflict markers: clash.txt"),
        "{}",
        run.stderr
    );
    let read = |rel: &str| std::fs::read_to_string(project.join(rel)).unwrap_or_default();
    assert_eq!(
        read("a.txt"),
        "line1\nproj\nline3 v2\n",
        "untouched: the new text"
    );
    assert_eq!(
        read("edited.txt"),
        "ONE\ntwo\nTHREE\n",
        "both edited apart: merged"
    );
    assert!(
        read("clash.txt").contains("<<<<<<< clash.txt\nmine\n"),
        "{}",
        read("clash.txt")
    );
    assert_eq!(read("new.txt"), "fresh\n");
    assert!(
        !project.join("gone.txt").exists(),
        "dropped and untouched: removed"
    );
    assert!(read(".datazentr/genesis.toml").contains("version = \"2.0.0\""));

    // Leftover markers block the next update; once resolved, there is nothing left to merge.
    let run = update(&[]);
    assert!(
        run.stderr.contains("still hold conflict markers") && run.stderr.contains("clash.txt"),
        "{}",
        run.stderr
    );
    std::fs::write(project.join("clash.txt"), "mine and theirs\n").unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-qm", "update to 2.0.0"]);
    let run = update(&[]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.trim(), "template 2.0.0 -> 2.0.0");
}

#[test]
fn the_python_templates_pass_their_own_tests_right_after_genesis() {
    let (world, dir) = world();
    for template in ["python-package", "rest-api"] {
        let name = template.replace('-', "_");
        genesis_in(
            &world,
            &dir,
            &[&name, "--template", template, "--defaults", "--no-memory"],
        )
        .ok();
        let project = dir.join(&name);
        let test = std::process::Command::new("python3")
            .args(["-m", "unittest", "discover", "-s", "tests"])
            .current_dir(&project)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .expect("python3 runs (.ci/run installs it)");
        let stderr = String::from_utf8_lossy(&test.stderr);
        assert!(test.status.success(), "{template}: {stderr}");
        assert!(stderr.contains("OK"), "{template}: {stderr}");
    }
}

#[test]
fn genesis_ignores_a_git_dir_pointing_at_another_repository() {
    let (world, dir) = world();
    let other = world.outside("other");
    git_in(&world, &other, &["init", "-q"]);
    let mut cmd = genesis_cmd(&world, &dir, &["tool", "--defaults"]);
    cmd.env("GIT_DIR", other.join(".git"));
    Run::from(cmd.output().unwrap()).ok();
    let hook = std::fs::read_to_string(dir.join("tool/.git/hooks/pre-commit")).unwrap();
    assert!(hook.contains("git-zen"), "{hook}");
    assert!(!other.join(".git/hooks/pre-commit").exists());
    let log = git_in(&world, &other, &["log", "--oneline", "--all"]);
    assert!(log.is_empty(), "the other repository got no commit: {log}");
}

#[test]
fn a_first_genesis_with_a_dashed_name_derives_the_package_and_says_so() {
    // Issue 16: `{{name}}` kept the dash and failed the package pattern on a user's first try.
    let (world, dir) = world();
    for (template, chosen) in [
        ("rest-api", "package = \"my_api\""),
        ("python-package", "package = \"my_api\""),
        ("rust-cli", "crate_name = \"my-api\""),
    ] {
        let target = format!("my-api-{template}");
        let run = genesis_in(
            &world,
            &dir,
            &[&target, "--template", template, "--defaults", "--no-memory"],
        )
        .ok();
        let want = chosen
            .replace("my_api", &format!("my_api_{}", template.replace('-', "_")))
            .replace("\"my-api\"", &format!("\"my-api-{template}\""));
        assert!(
            run.stdout.contains("defaults chosen: ") && run.stdout.contains(&want),
            "{want}: {}",
            run.stdout
        );
    }
    assert!(
        dir.join("my-api-rest-api/src/my_api_rest_api/__init__.py")
            .exists()
    );
}
