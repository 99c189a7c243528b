//! The dashboard in a real browser: Debian's Chromium, headless, loading the pages of a real
//! `git zen serve` and of a site built by `git zen site build` (from `file://`), with their
//! JavaScript running. Chromium is required: without it these tests fail, they never skip
//! (`.ci/run` installs it).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::dashboard::{Server, hostile_record, team_repo};

const CHROMIUM: &str = "/usr/bin/chromium";

/// The DOM of `url` once it loaded (deferred scripts have run by then). A Chromium that has
/// not answered within a minute is killed, so a hang fails the test instead of the suite.
pub fn dom(url: &str) -> String {
    assert!(
        Path::new(CHROMIUM).exists(),
        "the browser tests need Debian's chromium at {CHROMIUM}: apt-get install -y chromium"
    );
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        // Into files, not pipes: a page bigger than a pipe's buffer would block Chromium.
        .stdout(std::fs::File::create(profile.path().join("dom.html")).unwrap())
        .stderr(std::fs::File::create(profile.path().join("stderr.txt")).unwrap())
        .spawn()
        .expect("run chromium");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish loading {url} within a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dom = std::fs::read_to_string(profile.path().join("dom.html")).unwrap();
    assert!(
        dom.contains("</html>"),
        "chromium printed no DOM for {url}: {}",
        std::fs::read_to_string(profile.path().join("stderr.txt")).unwrap_or_default()
    );
    dom
}

#[test]
fn every_page_renders_the_records_in_a_browser() {
    let (repo, old, _) = team_repo();
    let server = Server::start(&repo, &[]);
    let pages = [
        ("", "Keep the cache in tantivy"),
        ("records", "Mocked the database and missed a migration"),
        (&format!("r/{old}") as &str, "ranked"),
        ("graph", "Use SQLite FTS5 for the memo"),
        ("code", "cache.rs"),
        ("policies", "Rules in effect"),
        ("services", "Outbox"),
    ];
    for (path, expected) in pages {
        let dom = dom(&format!("{}{path}", server.url));
        assert!(dom.contains(expected), "/{path} shows {expected:?}:\n{dom}");
    }
    let graph = dom(&format!("{}graph", server.url));
    assert!(
        graph.contains("<svg") && graph.contains("<rect"),
        "the graph draws"
    );
}

#[test]
fn search_finds_a_record_in_a_browser_served_and_static() {
    let (repo, _, _) = team_repo();
    let server = Server::start(&repo, &[]);
    let served = dom(&format!("{}records?q=migration", server.url));
    assert!(served.contains("Mocked the database and missed a migration"));
    assert!(!served.contains("Keep the cache in tantivy"), "{served}");
    let site = repo.outside("site");
    repo.zen_ok(&["site", "build", "--out", site.to_str().unwrap()]);
    let url = format!("file://{}/records.html?q=migration", site.display());
    let found = dom(&url);
    let live = found
        .split("id=\"live-results\"")
        .nth(1)
        .expect("a live results area");
    let live = live.split("id=\"server-results\"").next().unwrap();
    assert!(
        live.contains("Mocked the database and missed a migration"),
        "the static site's script found it: {found}"
    );
    assert!(!live.contains("tantivy"), "{live}");
}

#[test]
fn a_hostile_record_does_not_execute_in_a_browser() {
    let (repo, _, _) = team_repo();
    let id = hostile_record(&repo);
    let server = Server::start(&repo, &[]);
    let site = repo.outside("site");
    repo.zen_ok(&["site", "build", "--out", site.to_str().unwrap()]);
    for url in [
        format!("{}r/{id}", server.url),
        format!("{}records", server.url),
        format!("file://{}/r/{id}.html", site.display()),
        format!("file://{}/records.html", site.display()),
    ] {
        assert_hostile_record_inert(&url, &dom(&url));
    }
}

/// The DOM `dom` of `url` shows the hostile record ([`crate::dashboard::HOSTILE_TITLE`]) as
/// text: no script of it ran, no handler, no `javascript:` link.
pub fn assert_hostile_record_inert(url: &str, dom: &str) {
    assert!(
        dom.contains("Hostile title"),
        "{url} shows the record:\n{dom}"
    );
    assert!(
        !dom.contains("PWNED"),
        "{url}: a script set the title:\n{dom}"
    );
    assert!(
        !dom.contains("id=\"pwned\""),
        "{url}: an onerror ran:\n{dom}"
    );
    assert!(
        !dom.contains("<a href=\"javascript"),
        "{url}: a script link:\n{dom}"
    );
}

#[test]
fn pages_have_headings_a_skip_link_and_focusable_links() {
    let (repo, old, _) = team_repo();
    let server = Server::start(&repo, &[]);
    for path in ["", "records", &format!("r/{old}"), "graph", "code"] {
        let dom = dom(&format!("{}{path}", server.url));
        let body = dom.split("<body").nth(1).unwrap();
        let first_link = body.split("<a ").nth(1).unwrap();
        assert!(
            first_link.starts_with("class=\"skip\" href=\"#main\""),
            "/{path}: the first link skips to the content"
        );
        assert!(dom.contains("<main id=\"main\""), "/{path}");
        assert_eq!(dom.matches("<h1>").count(), 1, "/{path}: one h1");
        assert!(dom.contains("<nav aria-label=\"Main\">"), "/{path}");
        for link in body.split("<a ").skip(1) {
            let tag = link.split('>').next().unwrap();
            assert!(
                tag.contains("href=\""),
                "/{path}: a link without href: {tag}"
            );
            assert!(
                !tag.contains("tabindex=\"-1\""),
                "/{path}: unfocusable {tag}"
            );
        }
    }
}
