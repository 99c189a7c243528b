//! `git zen org …` and `serve --database`: several teams' hubs in one real PostgreSQL (see
//! [`crate::pg`]), indexed from real git remotes by the real binary, recalled and served.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::dashboard::{HOSTILE_BODY, HOSTILE_TITLE};
use crate::pg::{self, PgServer};
use crate::support::{Run, TestRepo, git_at};

/// A temp world, a database of its own and the hubs pushed to it.
struct Org {
    world: TestRepo,
    url: String,
}

/// A hub: a bare remote and a work clone that pushes to it.
struct TestHub {
    remote: PathBuf,
    work: PathBuf,
}

/// A new record id, unique in the test run.
fn new_id() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    format!("01jd{:018}", NEXT.fetch_add(1, Ordering::SeqCst))
}

impl Org {
    fn new() -> Option<Org> {
        Org::on(pg::shared())
    }

    fn on(server: &PgServer) -> Option<Org> {
        if pg::skipped() {
            return None;
        }
        let org = Org {
            world: TestRepo::empty(),
            url: server.database(),
        };
        org.ok(&["init"]);
        Some(org)
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut all = vec!["org", "--database", &self.url];
        all.extend_from_slice(args);
        self.world.zen_cmd(&all)
    }

    fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).output().expect("run git-zen"))
    }

    fn ok(&self, args: &[&str]) -> Run {
        self.run(args).ok()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let run = self.ok(args);
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
    }

    /// Recall's hits as (hub, title).
    fn recall(&self, text: &str) -> Vec<(String, String)> {
        let hits = self.json(&["recall", text, "--json", "--limit", "20"]);
        hits.as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["hub"].as_str().unwrap().to_owned(),
                    h["title"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// A new hub remote `name`, added to the org index.
    fn hub(&self, name: &str) -> TestHub {
        let remote = self.world.outside("remotes").join(format!("{name}.git"));
        let home = self.world.home();
        git_at(
            &home,
            &self.world.outside("remotes"),
            &["init", "-q", "--bare", "-b", "main", &format!("{name}.git")],
        );
        let work = self.world.outside(&format!("work-{name}"));
        git_at(&home, &work, &["init", "-q", "-b", "main", "."]);
        git_at(&home, &work, &["config", "user.name", "Hub Author"]);
        git_at(&home, &work, &["config", "user.email", "hub@example.com"]);
        git_at(
            &home,
            &work,
            &["remote", "add", "origin", remote.to_str().unwrap()],
        );
        self.ok(&["hub", "add", name, remote.to_str().unwrap()]);
        TestHub { remote, work }
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        git_at(&self.world.home(), dir, args)
    }

    /// Writes a record into the hub's work clone (not committed); its id.
    fn write(&self, hub: &TestHub, title: &str, body: &str) -> String {
        let id = new_id();
        let dir = hub.work.join(".datazentr/decisions");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(format!("{id}.md")),
            format!(
                "+++\nid = \"{id}\"\nkind = \"decision\"\ntitle = \"{title}\"\nstatus = \"accepted\"\ntags = [\"org\"]\ncreated = 2026-11-24T10:00:00Z\n+++\n## Decision\n{body}\n"
            ),
        )
        .unwrap();
        id
    }

    /// Commits everything in the hub's clone and pushes it.
    fn push(&self, hub: &TestHub, message: &str) {
        self.git(&hub.work, &["add", "-A"]);
        self.git(&hub.work, &["commit", "-q", "-m", message]);
        self.git(&hub.work, &["push", "-q", "-f", "origin", "HEAD:main"]);
    }

    /// A record written, committed and pushed; its id.
    fn add(&self, hub: &TestHub, title: &str, body: &str) -> String {
        let id = self.write(hub, title, body);
        self.push(hub, title);
        id
    }

    /// SQL against the test database, for what only the database can show.
    fn sql(&self, statement: &str) -> Vec<postgres::Row> {
        let mut client = postgres::Client::connect(&self.url, postgres::NoTls).unwrap();
        client.query(statement, &[]).unwrap()
    }
}

#[test]
fn org_init_is_versioned_and_an_older_git_zen_refuses_a_newer_schema() {
    let Some(org) = Org::new() else { return };
    org.ok(&["init"]).stdout_has("is current (version 2)");
    org.ok(&["hub", "list"]).stdout_has("no hubs yet");
    org.sql("INSERT INTO zen_schema (version) VALUES (99)");
    let run = org.run(&["hub", "list"]);
    assert_eq!(run.code, Some(1));
    run.stderr_has("schema is version 99, newer than this git-zen knows (2)")
        .stderr_has("upgrade git-zen");
    assert_eq!(org.run(&["init"]).code, Some(1));
}

/// The slice indexes of schema version 2, by name.
fn keyword_indexes(org: &Org) -> Vec<String> {
    org.sql(
        "SELECT indexname::text FROM pg_indexes
         WHERE tablename = 'zen_records' AND indexname LIKE 'zen_records_tsv%' ORDER BY 1",
    )
    .iter()
    .map(|r| r.get(0))
    .collect()
}

#[test]
fn a_version_1_database_is_refused_until_init_migrates_it_and_keeps_its_records() {
    let Some(org) = Org::new() else { return };
    let payments = org.hub("payments");
    org.add(
        &payments,
        "Blue-green deploys on Kubernetes",
        "Two deployments; the service selector switches.",
    );
    org.ok(&["index", "--no-embed"]);
    assert_eq!(keyword_indexes(&org).len(), 16);
    // Back to what version 1 left: one keyword index over the whole table.
    let drop: Vec<String> = keyword_indexes(&org)
        .iter()
        .map(|name| format!("DROP INDEX {name};"))
        .collect();
    org.sql(&format!(
        "DO $$ BEGIN {} CREATE INDEX zen_records_tsv ON zen_records USING gin (tsv);
         DELETE FROM zen_schema WHERE version = 2; END $$",
        drop.join(" ")
    ));
    let run = org.run(&["recall", "kubernetes"]);
    assert_eq!(run.code, Some(1));
    run.stderr_has("schema is version 1; this git-zen needs 2")
        .stderr_has("git zen org init");
    org.ok(&["init"]).stdout_has("migrated from version 1 to 2");
    let indexes = keyword_indexes(&org);
    assert_eq!(indexes.len(), 16, "{indexes:?}");
    assert!(!indexes.contains(&"zen_records_tsv".to_owned()));
    org.ok(&["recall", "--mode", "keyword", "kubernetes"])
        .stdout_has("Blue-green deploys on Kubernetes");
}

#[test]
fn keyword_recall_finds_a_word_in_every_slice_and_the_same_hits_twice() {
    let Some(org) = Org::new() else { return };
    let hub = org.hub("platform");
    // 40 records (rows 1-40: every one of the 16 slices) share a rare word; one has it in its
    // title, so it ranks first.
    for n in 0..39 {
        org.write(
            &hub,
            &format!("Runbook page {n}"),
            "The quokka alarm fires here too.",
        );
    }
    org.write(&hub, "Quokka alarm", "What the quokka alarm means.");
    org.push(&hub, "forty records");
    org.ok(&["index", "--no-embed"]);
    let recall = || {
        org.json(&[
            "recall",
            "--mode",
            "keyword",
            "--json",
            "--limit",
            "50",
            "quokka alarm",
        ])
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
    };
    let hits = recall();
    assert_eq!(hits.len(), 40, "{hits:?}");
    assert_eq!(hits[0], "Quokka alarm");
    assert_eq!(recall(), hits);
}

#[test]
fn a_database_without_the_schema_or_without_a_url_is_explained() {
    if pg::skipped() {
        return;
    }
    let world = TestRepo::empty();
    let url = pg::shared().database();
    world
        .zen(&["org", "--database", &url, "hub", "list"])
        .stderr_has("has no git-zen schema yet")
        .stderr_has("git zen org init");
    world
        .zen(&["org", "hub", "list"])
        .stderr_has("no database given")
        .stderr_has("GIT_ZEN_DATABASE_URL");
    // The password is never printed, even when the login fails.
    let bad = format!(
        "postgres://zen:s3cret-pw@127.0.0.1:{}/nosuchdb",
        pg::shared().port
    );
    let run = world.zen(&["org", "--database", &bad, "hub", "list"]);
    assert_eq!(run.code, Some(1));
    assert!(!run.stderr.contains("s3cret-pw"), "{}", run.stderr);
}

#[test]
fn tls_works_as_psql_knows_it_and_verification_says_what_to_trust() {
    if pg::skipped() {
        return;
    }
    // Debian's PostgreSQL (the package with TLS has no pgvector): a command that connects and
    // asks for the schema says there is none; one that cannot connect says so.
    let (server, ca) = PgServer::start_tls();
    let world = TestRepo::empty();
    let url = server.database();
    let by_name = url.replace("127.0.0.1", "localhost");
    let list = |url: &str, query: &str| {
        let url = format!("{url}?{query}");
        Run::from(
            world
                .zen_cmd(&["org", "--database", &url, "hub", "list"])
                .output()
                .expect("run git-zen"),
        )
    };
    let connected = |run: &Run| {
        assert_eq!(run.code, Some(1), "{}", run.stderr);
        run.stderr_has("has no git-zen schema yet");
    };
    let refused = |run: &Run, why: &str| {
        assert_eq!(run.code, Some(1), "{}", run.stderr);
        run.stderr_has("cannot connect").stderr_has(why);
    };
    // Without an sslmode (libpq's `prefer`) and with `require`, the session is encrypted and the
    // certificate, from a CA nobody trusts here, is not checked. The server refuses every
    // session without TLS, so connecting proves it.
    connected(&list(&url, ""));
    connected(&list(&url, "sslmode=require"));
    refused(&list(&url, "sslmode=disable"), "no encryption");
    // Checked against the platform's roots, the private CA is unknown; the hint says what to do.
    let untrusted = list(&url, "sslmode=verify-full");
    refused(&untrusted, "certificate");
    untrusted.stderr_has("sslrootcert=PATH");
    let root = format!("sslrootcert={}", ca.display());
    // The certificate names `localhost`, not 127.0.0.1: verify-ca checks the chain only,
    // verify-full the name too.
    connected(&list(&url, &format!("sslmode=verify-ca&{root}")));
    refused(
        &list(&url, &format!("sslmode=verify-full&{root}")),
        "certificate",
    );
    connected(&list(&by_name, &format!("sslmode=verify-full&{root}")));
    let missing = list(&url, "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem");
    assert_eq!(missing.code, Some(1));
    missing.stderr_has("/nonexistent/ca.pem");
    // The password never shows, whatever fails.
    let secret = list(&url.replace("zen@", "zen:s3cret@"), "sslmode=verify-full");
    assert!(!format!("{}{}", secret.stdout, secret.stderr).contains("s3cret"));
}

#[test]
fn every_hit_of_org_recall_names_its_hub() {
    let Some(org) = Org::new() else { return };
    let payments = org.hub("payments");
    let search = org.hub("search");
    org.add(
        &payments,
        "Blue-green deploys on Kubernetes",
        "Two deployments; the service selector switches.",
    );
    org.add(
        &search,
        "Canary releases for the search cluster",
        "Route five percent first.",
    );
    org.add(
        &search,
        "Deploy search with blue-green switching",
        "Kubernetes blue green, like payments.",
    );
    let run = org.ok(&["index"]);
    // Both hubs' records were embedded in one batch after both were indexed, and each hub's
    // line counts its own.
    run.stdout_has(
        "payments: indexed (full): 1 records written, 0 removed, 0 other files, 1 embedded",
    )
    .stdout_has("search: indexed (full): 2 records written, 0 removed, 0 other files, 2 embedded");
    let hits = org.recall("blue green deploys on kubernetes");
    assert!(
        hits.contains(&("payments".into(), "Blue-green deploys on Kubernetes".into())),
        "{hits:?}"
    );
    assert!(
        hits.contains(&(
            "search".into(),
            "Deploy search with blue-green switching".into()
        )),
        "{hits:?}"
    );
    let list = org.json(&["hub", "list", "--json"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["payments", "search"]);
    assert_eq!(list[1]["records"], 2);
    org.ok(&["recall", "canary"]).stdout_has("[hub search]");
    // Vectors were computed: a question in other words finds the record by meaning.
    let vectors = org.sql("SELECT count(*) FROM zen_records WHERE embedding IS NOT NULL");
    assert_eq!(vectors[0].get::<_, i64>(0), 3);
}

#[test]
fn only_what_changed_is_written_on_the_next_run() {
    let Some(org) = Org::new() else { return };
    let team = org.hub("team");
    let first = org.add(&team, "Keep sessions in Redis", "Because.");
    let second = org.add(&team, "Use Postgres for billing", "Because.");
    org.ok(&["index", "--no-embed"]);
    org.ok(&["index", "--no-embed"])
        .stdout_has("team: unchanged");
    org.add(&team, "Rotate the signing keys monthly", "Because.");
    std::fs::remove_file(team.work.join(format!(".datazentr/decisions/{first}.md"))).unwrap();
    let edited = team.work.join(format!(".datazentr/decisions/{second}.md"));
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, format!("{text}\nInvoices need transactions.\n")).unwrap();
    org.push(&team, "remove one, edit one, add one");
    org.ok(&["index", "--no-embed"])
        .stdout_has("team: indexed (changes): 2 records written, 1 removed");
    // The hub's record count follows added, edited and removed records without a recount.
    let list = org.json(&["hub", "list", "--json"]);
    assert_eq!(list[0]["records"], 2, "{list}");
    let titles: Vec<String> = org
        .recall("signing keys sessions")
        .into_iter()
        .map(|h| h.1)
        .collect();
    assert!(
        titles.contains(&"Rotate the signing keys monthly".to_owned()),
        "{titles:?}"
    );
    assert!(
        !titles.contains(&"Keep sessions in Redis".to_owned()),
        "{titles:?}"
    );
}

#[test]
fn an_unreachable_hub_is_reported_and_the_others_are_indexed() {
    let Some(org) = Org::new() else { return };
    let good = org.hub("good");
    org.add(&good, "Retry payments with backoff", "Because.");
    // A hub created but never pushed to is empty, not unreachable.
    org.hub("fresh");
    org.ok(&["index", "--no-embed"])
        .stdout_has("fresh: empty (no commits yet)")
        .stdout_has("good: indexed (full)");
    let ghost = org.world.outside("remotes").join("ghost.git");
    org.ok(&["hub", "add", "ghost", ghost.to_str().unwrap()]);
    let run = org.run(&["index", "--no-embed"]);
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    run.stdout_has("good: unchanged")
        .stdout_has("fresh: empty (no commits yet)")
        .stderr_has("ghost: skipped: cannot fetch")
        .stderr_has("1 of 3 hubs could not be indexed");
    assert_eq!(org.recall("retry payments").len(), 1);
    let list = org.json(&["hub", "list", "--json"]);
    let problem = |name: &str| {
        let hubs = list.as_array().unwrap();
        let hub = hubs.iter().find(|h| h["name"] == name).unwrap();
        hub["problem"].as_str().map(str::to_owned)
    };
    assert!(problem("ghost").unwrap().contains("cannot fetch"), "{list}");
    assert_eq!(problem("fresh"), None, "{list}");
}

#[test]
fn malformed_records_are_reported_and_the_rest_indexed() {
    let Some(org) = Org::new() else { return };
    let team = org.hub("team");
    org.write(&team, "Good record about caches", "Because.");
    let dir = team.work.join(".datazentr/decisions");
    std::fs::write(dir.join("broken.md"), "+++\nid = oops\n+++\nbody\n").unwrap();
    std::fs::write(dir.join("binary.md"), [0xff, 0xfe, 0x00, 0x01]).unwrap();
    org.push(&team, "good and bad");
    let run = org.ok(&["index", "--no-embed"]);
    run.stderr_has("team: malformed record .datazentr/decisions/broken.md:2")
        .stderr_has("binary.md");
    assert_eq!(org.recall("caches").len(), 1);
    // Fixing the file in the hub fixes the index.
    std::fs::remove_file(dir.join("binary.md")).unwrap();
    std::fs::write(dir.join("broken.md"), "+++\nid = \"01jd999999999999999999\"\nkind = \"lesson\"\ntitle = \"Fixed record about caches\"\n+++\nbody\n").unwrap();
    org.push(&team, "fix");
    org.ok(&["index", "--no-embed"]);
    assert_eq!(org.recall("caches").len(), 2);
    let broken = org.sql("SELECT count(*) FROM zen_records WHERE error IS NOT NULL");
    assert_eq!(broken[0].get::<_, i64>(0), 0);
}

#[test]
fn a_killed_indexer_leaves_the_previous_state_and_the_next_run_resumes() {
    let Some(org) = Org::new() else { return };
    let team = org.hub("team");
    for i in 0..6 {
        org.write(
            &team,
            &format!("Old decision number {i}"),
            "Before the crash.",
        );
    }
    org.push(&team, "old");
    org.ok(&["index", "--no-embed"]);
    for i in 0..6 {
        org.write(
            &team,
            &format!("New decision number {i}"),
            "After the crash.",
        );
    }
    org.push(&team, "new");
    crate::faults::kill_at(org.cmd(&["index", "--no-embed"]), "org-index-mid-hub");
    // Nothing of the killed run is visible: the old tree, the old rows.
    let rows = org.sql("SELECT count(*) FROM zen_records");
    assert_eq!(rows[0].get::<_, i64>(0), 6);
    assert!(
        org.recall("new decision")
            .iter()
            .all(|h| h.1.starts_with("Old"))
    );
    org.ok(&["index", "--no-embed"])
        .stdout_has("team: indexed (changes): 6 records written");
    let rows = org.sql("SELECT count(*) FROM zen_records");
    assert_eq!(rows[0].get::<_, i64>(0), 12);
    assert_eq!(org.json(&["hub", "list", "--json"])[0]["records"], 12);
}

#[test]
fn two_indexers_at_once_never_write_the_same_hub() {
    let Some(org) = Org::new() else { return };
    let team = org.hub("team");
    for i in 0..4 {
        org.write(&team, &format!("Decision {i}"), "Body.");
    }
    org.push(&team, "four");
    // The first indexer holds the hub's lock, paused halfway.
    let mut first = org
        .cmd(&["index", "--no-embed"])
        .env("GIT_ZEN_PAUSE_AT", "org-index-mid-hub")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(first.stderr.take().unwrap()).lines();
    assert_eq!(
        lines.next().unwrap().unwrap(),
        "paused at org-index-mid-hub"
    );
    org.ok(&["index", "--no-embed"])
        .stdout_has("team: skipped, another indexer is writing it");
    first.kill().unwrap();
    first.wait().unwrap();
    org.ok(&["index", "--no-embed"])
        .stdout_has("team: indexed (full): 4 records written");
    let rows = org.sql("SELECT count(*), count(DISTINCT path) FROM zen_records");
    assert_eq!((rows[0].get::<_, i64>(0), rows[0].get::<_, i64>(1)), (4, 4));
}

#[test]
fn a_hub_force_pushed_to_an_unrelated_history_is_indexed_as_it_now_is() {
    let Some(org) = Org::new() else { return };
    let team = org.hub("team");
    org.add(
        &team,
        "Record of the first history",
        "Gone after the force-push.",
    );
    org.add(&team, "Another first-history record", "Gone too.");
    org.ok(&["index", "--no-embed"]);
    // A new history with nothing in common, force-pushed over the old one.
    org.git(&team.work, &["checkout", "-q", "--orphan", "rewrite"]);
    org.git(&team.work, &["rm", "-rq", "--cached", "."]);
    std::fs::remove_dir_all(team.work.join(".datazentr")).unwrap();
    org.add(
        &team,
        "Record of the rewritten history",
        "The only one now.",
    );
    let run = org.ok(&["index", "--no-embed"]);
    run.stdout_has("team: indexed");
    let titles: Vec<String> = org
        .recall("record history")
        .into_iter()
        .map(|h| h.1)
        .collect();
    assert_eq!(titles, ["Record of the rewritten history"]);
    // The mirror's copy of the old history gone too (a gc): everything is read again.
    let mirrors = org.world.home().join(".local/share/git-zen/org");
    for mirror in std::fs::read_dir(&mirrors).unwrap() {
        std::fs::remove_dir_all(mirror.unwrap().path()).unwrap();
    }
    org.sql("UPDATE zen_hubs SET tree = '0000000000000000000000000000000000000001'");
    org.ok(&["index", "--no-embed"])
        .stdout_has("team: indexed (full): 1 records written");
    assert_eq!(
        org.sql("SELECT count(*) FROM zen_records")[0].get::<_, i64>(0),
        1
    );
    let _ = &team.remote;
}

/// What a person browsing the org index sees, in a real browser (headless Chromium, scripts
/// running): every team's records on the timeline and in search, each team on the hub page, and
/// a hub's hostile record as text, never as markup that runs.
#[test]
fn org_pages_show_every_team_in_a_browser_and_a_hostile_record_stays_text() {
    let Some(org) = Org::new() else { return };
    let payments = org.hub("payments");
    let search = org.hub("search");
    org.add(
        &payments,
        "Idempotency keys on every payment call",
        "Because retries happen.",
    );
    let hostile = org.add(&search, HOSTILE_TITLE, HOSTILE_BODY);
    org.ok(&["index", "--no-embed"]);
    let server = OrgServer::start(&org, &[]);
    // (path, whether it lists every team's records)
    let record = format!("r/{hostile}");
    for (path, every_team) in [
        ("", true),
        ("records", true),
        ("records?q=hostile", false),
        (record.as_str(), false),
    ] {
        let url = format!("{}{path}", server.url);
        let dom = crate::browser::dom(&url);
        crate::browser::assert_hostile_record_inert(&url, &dom);
        assert_eq!(
            dom.contains("Idempotency keys"),
            every_team,
            "{url}:\n{dom}"
        );
    }
    let hub = crate::browser::dom(&format!("{}hub", server.url));
    assert!(hub.contains("organisation (2 hubs)"), "{hub}");
    assert!(hub.contains("payments") && hub.contains("search"), "{hub}");
}

/// A `git zen serve --database` child, killed when dropped.
struct OrgServer {
    child: Child,
    url: String,
}

impl OrgServer {
    fn start(org: &Org, extra: &[&str]) -> OrgServer {
        let mut args = vec!["serve", "--database", &org.url, "--port", "0"];
        args.extend_from_slice(extra);
        let mut cmd = org.world.zen_cmd(&args);
        OrgServer::spawn(&mut cmd)
    }

    fn spawn(cmd: &mut Command) -> OrgServer {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let url = first
            .strip_prefix("serving ")
            .unwrap_or_else(|| panic!("{first}"))
            .to_owned();
        OrgServer { child, url }
    }

    fn get(&self, path: &str) -> reqwest::blocking::Response {
        reqwest::blocking::get(format!("{}{path}", self.url)).unwrap()
    }

    fn text(&self, path: &str) -> String {
        let response = self.get(path);
        assert_eq!(response.status(), 200, "GET /{path}");
        response.text().unwrap()
    }
}

impl Drop for OrgServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn two_servers_on_one_database_serve_the_same_pages_across_hubs() {
    let Some(org) = Org::new() else { return };
    let payments = org.hub("payments");
    let search = org.hub("search");
    let id = org.add(
        &payments,
        "Idempotency keys on every payment call",
        "Because retries happen.",
    );
    org.add(&search, "Reindex search nightly", "Because.");
    org.ok(&["index", "--no-embed"]);
    let a = OrgServer::start(&org, &[]);
    let b = OrgServer::start(&org, &[]);
    for server in [&a, &b] {
        let records = server.text("records");
        assert!(
            records.contains("Idempotency keys on every payment call"),
            "{records}"
        );
        assert!(records.contains("Reindex search nightly"));
        assert!(
            server
                .text(&format!("r/{id}"))
                .contains("Because retries happen.")
        );
        assert!(
            server
                .text("records?q=idempotency")
                .contains("Idempotency keys")
        );
        let recall: serde_json::Value = server.get("api/v1/recall?q=reindex").json().unwrap();
        assert_eq!(recall[0]["hub"], "search", "{recall}");
        assert!(server.text("hub").contains("organisation (2 hubs)"));
    }
    // What one indexer writes, both servers show on the next request: no state of their own.
    org.add(&search, "Shard the search index by tenant", "Because.");
    org.ok(&["index", "--no-embed"]);
    assert!(
        a.text("records")
            .contains("Shard the search index by tenant")
    );
    assert!(
        b.text("records")
            .contains("Shard the search index by tenant")
    );
}

#[test]
fn a_server_outlives_a_restart_of_its_database() {
    if pg::skipped() {
        return;
    }
    // A server of its own: restarting the shared one would cut the other tests' connections.
    let server = PgServer::start();
    let Some(org) = Org::on(&server) else { return };
    let team = org.hub("team");
    org.add(&team, "Survive database restarts", "Reconnect.");
    org.ok(&["index", "--no-embed"]);
    let web = OrgServer::start(&org, &[]);
    assert!(web.text("records").contains("Survive database restarts"));
    server.restart();
    // The pooled connection died with the old server process; the next request reconnects.
    assert!(web.text("records").contains("Survive database restarts"));
    server.stop();
    assert_eq!(web.get("records").status(), 500);
    server.start_again();
    assert!(web.text("records").contains("Survive database restarts"));
}

#[test]
fn a_server_bound_beyond_loopback_asks_every_request_for_its_token() {
    let Some(org) = Org::new() else { return };
    let mut cmd = org.world.zen_cmd(&[
        "serve",
        "--database",
        &org.url,
        "--port",
        "0",
        "--bind",
        "0.0.0.0",
    ]);
    cmd.env("GIT_ZEN_SERVE_TOKEN", "org-token-123");
    let server = OrgServer::spawn(&mut cmd);
    let url = server.url.replace("0.0.0.0", "127.0.0.1");
    let client = reqwest::blocking::Client::new();
    let refused = client.get(format!("{url}records")).send().unwrap();
    assert_eq!(refused.status(), 401);
    let served = client
        .get(format!("{url}records"))
        .bearer_auth("org-token-123")
        .send()
        .unwrap();
    assert_eq!(served.status(), 200);
    // And it is read-only: writes are not offered with --database.
    let run = org
        .world
        .zen(&["serve", "--database", &org.url, "--allow-write"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
}

#[test]
fn the_org_hub_page_shows_every_teams_projects_and_how_their_templates_fare() {
    let Some(org) = Org::new() else { return };
    let payments = org.hub("payments");
    let search = org.hub("search");
    let used = org.add(&payments, "Cache sessions in Redis", "Because.");
    for (hub, project, pid, template, verdict) in [
        (
            &payments,
            "checkout",
            "01jd0000000000000000p1",
            "web-app",
            "failure",
        ),
        (
            &search,
            "indexer",
            "01jd0000000000000000p2",
            "rust-cli",
            "success",
        ),
    ] {
        let folder = hub.work.join(format!("projects/{project}-{pid}"));
        std::fs::create_dir_all(folder.join("stages")).unwrap();
        std::fs::write(
            folder.join("project.toml"),
            format!("name = \"{project}\"\nid = \"{pid}\"\ntemplate = \"{template}\"\nversion = \"1.0.0\"\nskills = [\"ci\"]\ninherited = []\nstage = \"planning\"\ncreated = \"2026-01-01T00:00:00Z\"\n"),
        )
        .unwrap();
        std::fs::write(
            folder.join("stages/01jd0000000000000000s1.toml"),
            "stage = \"active\"\ntime = \"2026-02-01T00:00:00Z\"\n",
        )
        .unwrap();
        let outcome = hub.work.join(format!("outcomes/{used}"));
        std::fs::create_dir_all(&outcome).unwrap();
        std::fs::write(
            outcome.join(format!("{pid}.toml")),
            format!("record = \"{used}\"\nproject = \"{project}\"\nproject_id = \"{pid}\"\nverdict = \"{verdict}\"\ntime = \"2026-03-01T00:00:00Z\"\nmessage = \"\"\n"),
        )
        .unwrap();
        org.git(&hub.work, &["add", "-A"]);
        org.git(
            &hub.work,
            &["commit", "-q", "--allow-empty", "-m", "project"],
        );
        org.git(&hub.work, &["push", "-q", "origin", "HEAD:main"]);
    }
    org.ok(&["index", "--no-embed"]);
    let server = OrgServer::start(&org, &[]);
    let page = server.text("hub");
    assert!(page.contains("checkout (payments)"), "{page}");
    assert!(page.contains("indexer (search)"), "{page}");
    assert!(page.contains("active since 2026-02-01T00:00:00Z"), "{page}");
    // Templates, most failures first: web-app's project said failure.
    let web_app = page.find("<td>web-app</td>").expect("a web-app row");
    let rust_cli = page.find("<td>rust-cli</td>").expect("a rust-cli row");
    assert!(web_app < rust_cli, "{page}");
    assert!(
        page.contains("Cache sessions in Redis (payments)"),
        "{page}"
    );
}
