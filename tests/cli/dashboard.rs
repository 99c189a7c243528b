//! `git zen serve` and `git zen site build`: the real binary serving a real repository on
//! 127.0.0.1, asked over real HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};

use crate::support::TestRepo;

/// A `git zen serve` child, killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT/`
    pub url: String,
    /// The write token, with `--allow-write`.
    pub token: Option<String>,
}

impl Server {
    /// Starts `git zen serve --port 0` (and `extra`) in `repo` and waits for its address.
    pub fn start(repo: &TestRepo, extra: &[&str]) -> Server {
        let mut args = vec!["serve", "--port", "0"];
        args.extend_from_slice(extra);
        let mut child = repo
            .zen_cmd(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start git zen serve");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().expect("a first line").unwrap();
        let url = first
            .strip_prefix("serving ")
            .unwrap_or_else(|| panic!("not a serving line: {first}"))
            .to_owned();
        let second = lines.next().expect("a second line").unwrap();
        let token = second.strip_prefix("write token: ").map(str::to_owned);
        Server { child, url, token }
    }

    /// `host:port` of the server.
    pub fn authority(&self) -> &str {
        self.url.trim_start_matches("http://").trim_end_matches('/')
    }

    /// GET `path` (without the leading `/`).
    pub fn get(&self, path: &str) -> reqwest::blocking::Response {
        reqwest::blocking::get(format!("{}{path}", self.url)).expect("GET")
    }

    /// GET `path` and its body, failing unless the status is 200.
    pub fn text(&self, path: &str) -> String {
        let response = self.get(path);
        assert_eq!(response.status(), 200, "GET /{path}");
        response.text().unwrap()
    }

    /// GET `path` as JSON.
    pub fn json(&self, path: &str) -> serde_json::Value {
        let response = self.get(path);
        assert_eq!(response.status(), 200, "GET /{path}");
        response.json().unwrap()
    }

    /// A raw HTTP/1.1 request with this `Host` header; the status line's code.
    pub fn status_with_host(&self, host: Option<&str>) -> u16 {
        let mut stream = TcpStream::connect(self.authority()).unwrap();
        let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
        write!(stream, "GET / HTTP/1.1\r\n{host}Connection: close\r\n\r\n").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("no status in {answer:?}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A repository with a decision superseded by another, a failed lesson and a file they govern.
pub fn team_repo() -> (TestRepo, String, String) {
    let repo = TestRepo::initialized();
    repo.write("src/index/cache.rs", "// cache\n");
    let old = repo.record(&[
        "decision",
        "Use SQLite FTS5 for the memory cache",
        "--tag",
        "storage",
        "--path",
        "src/index/**",
        "-m",
        "## Context\n\nWe need **ranked** search without a server.\n",
    ]);
    let new = repo.record(&[
        "decision",
        "Keep the cache in tantivy",
        "--supersedes",
        &old,
        "-m",
        "Faster ranking.\n",
    ]);
    repo.record(&[
        "lesson",
        "Mocked the database and missed a migration",
        "--outcome",
        "failure",
        "-m",
        "Integration tests would have caught it.\n",
    ]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "Team memory"]);
    (repo, old, new)
}

/// A record whose title and body try to run script in every way a pull request could.
pub fn hostile_record(repo: &TestRepo) -> String {
    repo.record(&["decision", HOSTILE_TITLE, "-m", HOSTILE_BODY])
}

/// A record title that is a script, and a body with a script, an image whose `onerror` adds an
/// element with id `pwned`, and `javascript:` links: what an attacker might commit to a record.
pub const HOSTILE_TITLE: &str = "<script>document.title='PW'+'NED'</script> Hostile title";
/// See [`HOSTILE_TITLE`].
pub const HOSTILE_BODY: &str = "Body <script>document.title='PW'+'NED'</script>\n\n\
    <img src=x onerror=\"var d=document.createElement('div');d.id='pw'+'ned';document.body.appendChild(d)\">\n\n\
    [click me](javascript:document.title='PW'+'NED') and <a href=\"javascript:alert(1)\">raw</a>\n";

#[test]
fn every_page_shows_the_records_behind_strict_security_headers() {
    let (repo, old, new) = team_repo();
    let server = Server::start(&repo, &[]);
    for path in ["", "records", "graph", "code", "policies", "services"] {
        let response = server.get(path);
        assert_eq!(response.status(), 200, "/{path}");
        let headers = response.headers().clone();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(
            !headers
                .keys()
                .any(|k| k.as_str().starts_with("access-control-")),
            "no CORS headers on /{path}"
        );
        let body = response.text().unwrap();
        assert!(body.contains("<h1>"), "/{path} has a heading");
        assert!(!body.contains("<script>"), "/{path} has no inline script");
    }
    let timeline = server.text("records");
    assert!(timeline.contains("Use SQLite FTS5 for the memory cache"));
    assert!(timeline.contains("Mocked the database and missed a migration"));
    let graph = server.text("graph");
    assert!(graph.contains("<svg") && graph.contains(&format!("/r/{old}")));
    let code = server.text("code");
    assert!(code.contains("cache.rs") && code.contains("src/index/"));
    assert!(server.text("policies").contains("Rules in effect"));
    let page = server.text(&format!("r/{old}"));
    assert!(page.contains("<strong>ranked</strong>"), "{page}");
    assert!(page.contains("Superseded by"), "{page}");
    assert!(page.contains("Keep the cache in tantivy"), "{page}");
    assert!(
        page.contains("src/index/cache.rs"),
        "governed files: {page}"
    );
    assert!(page.contains("Team memory"), "history: {page}");
    let back = server.text(&format!("r/{new}"));
    assert!(
        back.contains("Supersedes") && back.contains("Use SQLite FTS5"),
        "{back}"
    );
    assert_eq!(server.get("r/0000000000000").status(), 404);
    assert_eq!(server.get("no/such/page").status(), 404);
}

#[test]
fn the_timeline_filters_searches_and_pages() {
    let (repo, _, _) = team_repo();
    for n in 0..55 {
        repo.record(&["pattern", &format!("Filler pattern {n}"), "--tag", "filler"]);
    }
    let server = Server::start(&repo, &[]);
    let first = server.text("records");
    assert!(first.contains("58 records, showing 1–50"), "{first}");
    assert!(first.contains("page=2"), "{first}");
    let second = server.text("records?page=2");
    assert!(second.contains("showing 51–58"), "{second}");
    let lessons = server.text("records?kind=lesson");
    assert!(lessons.contains("1 records") && lessons.contains("Mocked the database"));
    let tagged = server.text("records?tag=storage");
    assert!(tagged.contains("Use SQLite FTS5") && !tagged.contains("Filler"));
    let governed = server.text("records?path=src/index/cache.rs");
    assert!(governed.contains("Use SQLite FTS5") && !governed.contains("tantivy"));
    let by_author = server.text("records?author=nobody");
    assert!(by_author.contains("0 records"), "{by_author}");
    let found = server.text("records?q=migration");
    assert!(
        found.contains("Mocked the database and missed a migration"),
        "{found}"
    );
    assert!(!found.contains("Filler"), "{found}");
    assert_eq!(server.get("records?kind=nonsense").status(), 400);
}

#[test]
fn a_request_for_another_host_is_refused() {
    let (repo, _, _) = team_repo();
    let server = Server::start(&repo, &[]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "binds loopback"
    );
    let port = server.authority().rsplit(':').next().unwrap().to_owned();
    assert_eq!(server.status_with_host(Some(server.authority())), 200);
    assert_eq!(
        server.status_with_host(Some(&format!("localhost:{port}"))),
        200
    );
    assert_eq!(
        server.status_with_host(Some(&format!("evil.example:{port}"))),
        421
    );
    assert_eq!(server.status_with_host(Some("127.0.0.1:1")), 421);
    assert_eq!(server.status_with_host(None), 400);
}

#[test]
fn assets_are_embedded_and_their_names_cannot_escape() {
    let (repo, _, _) = team_repo();
    let server = Server::start(&repo, &[]);
    let js = server.get("assets/app.js");
    assert_eq!(js.status(), 200);
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    for path in [
        "assets/..%2f..%2fCargo.toml",
        "assets/%2e%2e/%2e%2e/.git/config",
        "assets/style.css%00",
        "assets/",
    ] {
        assert_eq!(server.get(path).status(), 404, "/{path}");
    }
}

#[test]
fn hostile_records_render_as_inert_text() {
    let (repo, _, _) = team_repo();
    let id = hostile_record(&repo);
    let server = Server::start(&repo, &[]);
    for path in [format!("r/{id}"), "records".to_owned(), "".to_owned()] {
        let page = server.text(&path);
        assert!(!page.contains("<script>document"), "/{path}: {page}");
        assert!(!page.contains("<img"), "/{path}");
        assert!(!page.contains("<a href=\"javascript"), "/{path}");
        assert!(page.contains("&lt;script&gt;"), "/{path} shows the text");
    }
    let page = server.text(&format!("r/{id}"));
    assert!(page.contains("click me"), "the link's words stay: {page}");
}

#[test]
fn the_api_answers_records_recall_related_and_its_openapi_document() {
    let (repo, old, new) = team_repo();
    let server = Server::start(&repo, &[]);
    let list = server.json("api/v1/records");
    assert_eq!(list["total"], 3);
    assert_eq!(
        list["records"][0]["title"],
        "Mocked the database and missed a migration"
    );
    let decisions = server.json("api/v1/records?kind=decision&status=superseded");
    assert_eq!(decisions["total"], 1);
    assert_eq!(decisions["records"][0]["id"], old.as_str());
    let one = server.json(&format!("api/v1/records/{}", &old[..16]));
    assert_eq!(one["superseded_by"][0], new.as_str());
    assert!(one["body"].as_str().unwrap().contains("ranked"));
    let hits = server.json("api/v1/recall?q=migration");
    assert_eq!(
        hits[0]["title"],
        "Mocked the database and missed a migration"
    );
    assert!(hits[0]["snippet"].is_string() && hits[0]["score"].is_number());
    let related = server.json(&format!("api/v1/related/{new}"));
    assert!(
        related
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["id"] != new.as_str()),
        "never itself: {related}"
    );
    let missing = server.get("api/v1/records/zzzzzzzz");
    assert_eq!(missing.status(), 404);
    let error: serde_json::Value = missing.json().unwrap();
    assert!(error["error"].is_string());
    assert_eq!(server.get("api/v1/records?page=x").status(), 400);
    let doc = server.json("api/v1/openapi.json");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/records", "/records/{id}", "/recall", "/related/{id}"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} documented");
    }
    assert!(doc["paths"]["/records"]["post"].is_object());
}

#[test]
fn writes_need_allow_write_the_token_and_a_json_body() {
    let (repo, _, _) = team_repo();
    let client = reqwest::blocking::Client::new();
    let body = r#"{"kind":"decision","title":"Written over HTTP","tags":["api"]}"#;
    {
        let read_only = Server::start(&repo, &[]);
        assert!(read_only.token.is_none());
        let refused = client
            .post(format!("{}api/v1/records", read_only.url))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap();
        assert_eq!(refused.status(), 403);
    }
    let server = Server::start(&repo, &["--allow-write"]);
    let token = server.token.clone().expect("a token printed at start");
    let url = format!("{}api/v1/records", server.url);
    let before = server.json("api/v1/version")["version"].clone();
    let no_token = client
        .post(&url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(no_token.status(), 401);
    let wrong = client
        .post(&url)
        .bearer_auth("0".repeat(32))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let simple = client
        .post(&url)
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(simple.status(), 415, "a simple content type is refused");
    let bad = client
        .post(&url)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"kind":"decision","title":""}"#)
        .send()
        .unwrap();
    assert_eq!(bad.status(), 400);
    let created = client
        .post(&url)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: serde_json::Value = created.json().unwrap();
    let id = created["id"].as_str().unwrap();
    assert!(Path::new(&repo.path().join(created["file"].as_str().unwrap())).is_file());
    assert!(server.text("records").contains("Written over HTTP"));
    assert_eq!(
        server.json(&format!("api/v1/records/{id}"))["tags"][0],
        "api"
    );
    assert_ne!(server.json("api/v1/version")["version"], before);
}

#[test]
fn a_record_written_while_serving_shows_on_the_next_request() {
    let (repo, _, _) = team_repo();
    let server = Server::start(&repo, &[]);
    let before = server.json("api/v1/version")["version"].clone();
    assert_eq!(server.json("api/v1/version")["version"], before, "stable");
    repo.record(&["pattern", "Appeared while serving"]);
    assert!(server.text("records").contains("Appeared while serving"));
    assert_ne!(server.json("api/v1/version")["version"], before);
    let page = server.text("");
    assert!(
        page.contains("name=\"zen-version\""),
        "pages carry the version they show"
    );
}

fn site_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walk(dir)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn site_build_writes_the_same_bytes_twice_with_relative_links() {
    let (repo, old, _) = team_repo();
    hostile_record(&repo);
    let one = repo.outside("one");
    let two = repo.outside("two");
    let run = repo.zen_ok(&["site", "build", "--out", one.to_str().unwrap()]);
    run.stdout_has("built");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    repo.zen_ok(&["site", "build", "--out", two.to_str().unwrap()]);
    let (a, b) = (site_files(&one), site_files(&two));
    assert_eq!(a.len(), b.len());
    for ((name_a, bytes_a), (name_b, bytes_b)) in a.iter().zip(&b) {
        assert_eq!(name_a, name_b);
        assert!(bytes_a == bytes_b, "{name_a} differs between two builds");
    }
    let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
    for page in [
        "index.html",
        "records.html",
        "graph.html",
        "code.html",
        "policies.html",
        "search.json",
        "search-index.js",
        "assets/app.js",
        "assets/style.css",
    ] {
        assert!(names.contains(&page), "{page} in {names:?}");
    }
    let record =
        String::from_utf8(std::fs::read(one.join(format!("r/{old}.html"))).unwrap()).unwrap();
    assert!(record.contains("href=\"../records.html\""), "{record}");
    assert!(record.contains("href=\"../assets/style.css\""));
    for (name, bytes) in &a {
        if !name.ends_with(".html") {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("href=\"/"), "{name} has an absolute link");
        assert!(!text.contains("<script>document"), "{name} is not inert");
    }
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("search.json")).unwrap()).unwrap();
    assert_eq!(index.as_array().unwrap().len(), 4);
    // Rebuilding over the same folder replaces it; a base URL adds canonical links.
    let json = repo.zen_ok(&[
        "site",
        "build",
        "--out",
        one.to_str().unwrap(),
        "--base-url",
        "/docs/decisions",
        "--json",
    ]);
    let built: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(built["records"], 4);
    let record = std::fs::read_to_string(one.join(format!("r/{old}.html"))).unwrap();
    assert!(record.contains(&format!(
        "rel=\"canonical\" href=\"/docs/decisions/r/{old}.html\""
    )));
}

#[test]
fn site_build_refuses_a_folder_it_did_not_build() {
    let (repo, _, _) = team_repo();
    let mine = repo.outside("mine");
    std::fs::write(mine.join("notes.txt"), "keep me").unwrap();
    let run = repo.zen_fails(&["site", "build", "--out", mine.to_str().unwrap()]);
    run.stderr_has("not built by `git zen site build`");
    assert_eq!(
        std::fs::read_to_string(mine.join("notes.txt")).unwrap(),
        "keep me"
    );
}
