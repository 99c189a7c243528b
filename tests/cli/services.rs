//! Webhooks against a real HTTP server on 127.0.0.1 (axum) that fails, rate-limits, hangs and
//! recovers on cue: retries, `Retry-After`, signatures, the outbox across a killed process, and
//! events from `record`, a failed hook and `promote`.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::support::{Run, TestRepo};

/// What the receiver answers next.
#[derive(Clone)]
pub(crate) enum Reply {
    Status(u16),
    /// 200 with this JSON body.
    Json(String),
    RetryAfter(u16, u64),
    /// Waits this long, then 200.
    Slow(Duration),
}

/// One request as received.
#[derive(Clone)]
pub(crate) struct Received {
    path: String,
    authorization: Option<String>,
    delivery: String,
    pub(crate) event: String,
    signature: Option<String>,
    pub(crate) body: Vec<u8>,
    at: Instant,
}

#[derive(Default)]
struct Script {
    replies: VecDeque<Reply>,
    received: Vec<Received>,
}

/// A real HTTP server on 127.0.0.1 answering from a script (then 200).
pub(crate) struct Receiver {
    url: String,
    script: Arc<Mutex<Script>>,
}

impl Receiver {
    pub(crate) fn start(replies: &[Reply]) -> Receiver {
        let script = Arc::new(Mutex::new(Script {
            replies: replies.iter().cloned().collect(),
            received: Vec::new(),
        }));
        let shared = script.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let app = axum::Router::new().fallback(answer).with_state(shared);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap().port()).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
        });
        let port = rx.recv().unwrap();
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            script,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.script.lock().unwrap().received.clone()
    }

    /// Waits up to `limit` for `n` requests.
    pub(crate) fn wait_for(&self, n: usize, limit: Duration) -> Vec<Received> {
        let start = Instant::now();
        while self.received().len() < n && start.elapsed() < limit {
            std::thread::sleep(Duration::from_millis(50));
        }
        self.received()
    }
}

async fn answer(
    State(script): State<Arc<Mutex<Script>>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let reply = {
        let mut s = script.lock().unwrap();
        s.received.push(Received {
            path: uri.path().to_owned(),
            authorization: header("authorization").or_else(|| header("x-api-key")),
            delivery: header("x-zen-delivery").unwrap_or_default(),
            event: header("x-zen-event").unwrap_or_default(),
            signature: header("x-zen-signature"),
            body: body.to_vec(),
            at: Instant::now(),
        });
        s.replies.pop_front().unwrap_or(Reply::Status(200))
    };
    match reply {
        Reply::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Reply::Json(body) => {
            (StatusCode::OK, [("content-type", "application/json")], body).into_response()
        }
        Reply::RetryAfter(code, secs) => (
            StatusCode::from_u16(code).unwrap(),
            [("retry-after", secs.to_string())],
        )
            .into_response(),
        Reply::Slow(wait) => {
            tokio::time::sleep(wait).await;
            StatusCode::OK.into_response()
        }
    }
}

/// A project whose config sends `events` to `receiver`, signed with `SECRET`.
pub(crate) fn project(receiver: &Receiver, events: &str) -> TestRepo {
    let repo = TestRepo::initialized();
    let config = repo.read(".datazentr/config.toml");
    repo.write(
        ".datazentr/config.toml",
        format!(
            "{config}\n[[webhook]]\nurl = \"{}\"\nevents = {events}\nsecret_env = \"ZEN_TEST_SECRET\"\ntimeout_secs = 5\n",
            receiver.url
        ),
    );
    repo
}

const SECRET: &str = "s3cret-for-tests";

fn zen(repo: &TestRepo, args: &[&str]) -> Run {
    Run::from(
        repo.zen_cmd(args)
            .env("ZEN_TEST_SECRET", SECRET)
            .env("GIT_ZEN_BACKGROUND", "0")
            .output()
            .unwrap(),
    )
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn a_record_event_is_signed_retried_through_5xx_and_429_and_delivered_once() {
    let receiver = Receiver::start(&[
        Reply::Status(503),
        Reply::Status(502),
        Reply::RetryAfter(429, 1),
    ]);
    let repo = project(&receiver, "[\"record.created\"]");
    let id = zen(
        &repo,
        &[
            "record",
            "decision",
            "Use SQLite for the outbox",
            "-m",
            "Durable.",
        ],
    )
    .ok()
    .last_word();
    assert!(
        receiver.received().is_empty(),
        "queued, not sent, with background off"
    );
    let status = json(&zen(&repo, &["services", "status", "--json"]).ok());
    assert_eq!(status["queued"], 1);

    let run = zen(&repo, &["services", "flush"]).ok();
    assert!(run.stdout.contains("1 delivered"), "{}", run.stdout);
    let got = receiver.received();
    assert_eq!(got.len(), 4, "three failures, then the delivery");
    assert!(
        got.iter().all(|r| r.delivery == got[0].delivery),
        "one delivery id on every retry"
    );
    assert!(
        got[3].at.duration_since(got[2].at) >= Duration::from_millis(950),
        "Retry-After: 1 was honoured"
    );
    for r in &got {
        let sig = r.signature.as_deref().expect("signed");
        assert!(git_zen::services::webhook::verify(
            SECRET.as_bytes(),
            &r.body,
            sig
        ));
        assert!(!git_zen::services::webhook::verify(b"wrong", &r.body, sig));
    }
    let payload: serde_json::Value = serde_json::from_slice(&got[3].body).unwrap();
    assert_eq!(payload["schema"], 1);
    assert_eq!(payload["event"], "record.created");
    assert_eq!(payload["delivery_id"], got[3].delivery.as_str());
    assert_eq!(payload["data"]["record"]["id"], id.as_str());
    assert_eq!(
        payload["data"]["record"]["title"],
        "Use SQLite for the outbox"
    );
    assert_eq!(payload["repo"]["name"], "work");

    let status = json(&zen(&repo, &["services", "status", "--json"]).ok());
    assert_eq!(status["queued"], 0);
    assert_eq!(status["recent"][0]["attempts"], 4);
    // Nothing left: a second flush sends nothing.
    zen(&repo, &["services", "flush"]).ok();
    assert_eq!(receiver.received().len(), 4);
}

#[test]
fn a_4xx_is_not_retried_and_the_event_is_kept_and_shown() {
    let receiver = Receiver::start(&[Reply::Status(400)]);
    let repo = project(&receiver, "[\"*\"]");
    zen(&repo, &["record", "lesson", "Bad payloads", "-m", "x"]).ok();
    let run = zen(&repo, &["services", "flush"]).ok();
    assert!(run.stdout.contains("1 refused"), "{}", run.stdout);
    assert_eq!(receiver.received().len(), 1);
    let status = zen(&repo, &["services", "status"]).ok();
    assert!(
        status.stdout.contains("refused record.created"),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("HTTP 400"), "{}", status.stdout);
}

#[test]
fn a_failed_hook_enqueues_without_waiting_and_delivers_in_the_background() {
    let receiver = Receiver::start(&[Reply::Slow(Duration::from_secs(3))]);
    let repo = project(&receiver, "[\"policy.failed\"]");
    repo.zen_ok(&["hooks", "install"]);
    repo.write("id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
    repo.git(&["add", "id_rsa"]);
    let started = Instant::now();
    let run = Run::from(
        repo.git_zen_path_cmd(&["commit", "-q", "-m", "add key"])
            .env("ZEN_TEST_SECRET", SECRET)
            .output()
            .unwrap(),
    );
    let took = started.elapsed();
    assert_ne!(run.code, Some(0), "the commit is blocked");
    assert!(
        took < Duration::from_secs(2),
        "the hook did not wait for the slow receiver: {took:?}"
    );
    let got = receiver.wait_for(1, Duration::from_secs(15));
    assert_eq!(got.len(), 1, "delivered in the background");
    assert_eq!(got[0].event, "policy.failed");
    let payload: serde_json::Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(payload["data"]["hook"], "pre-commit");
    assert!(
        payload["data"]["report"].to_string().contains("id_rsa"),
        "{payload}"
    );
}

#[test]
fn queued_events_survive_a_killed_delivery_and_each_id_arrives() {
    let receiver = Receiver::start(&[Reply::Slow(Duration::from_secs(30))]);
    let repo = project(&receiver, "[\"record.created\"]");
    for n in 0..3 {
        zen(
            &repo,
            &["record", "pattern", &format!("Pattern {n}"), "-m", "x"],
        )
        .ok();
    }
    let mut flusher = repo
        .zen_cmd(&["services", "flush"])
        .env("ZEN_TEST_SECRET", SECRET)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    receiver.wait_for(1, Duration::from_secs(10));
    flusher.kill().unwrap();
    flusher.wait().unwrap();
    let status = json(&zen(&repo, &["services", "status", "--json"]).ok());
    assert_eq!(status["queued"], 3, "nothing lost to the kill");

    let run = zen(&repo, &["services", "flush"]).ok();
    assert!(run.stdout.contains("3 delivered"), "{}", run.stdout);
    let got = receiver.received();
    let ids: HashSet<&str> = got.iter().map(|r| r.delivery.as_str()).collect();
    assert_eq!(ids.len(), 3, "each event has one delivery id");
    assert_eq!(got.len(), 4, "the interrupted one came again, with its id");
}

#[test]
fn promote_and_supersede_emit_their_events() {
    let receiver = Receiver::start(&[]);
    let repo = project(&receiver, "[\"hub.promoted\", \"record.superseded\"]");
    let hub = repo.outside("hub").join("hub.git");
    zen(&repo, &["hub", "init", hub.to_str().unwrap()]).ok();
    zen(&repo, &["hub", "add", "team", hub.to_str().unwrap()]).ok();
    let old = zen(&repo, &["record", "decision", "Old way", "-m", "x"])
        .ok()
        .last_word();
    let new = zen(&repo, &["record", "decision", "New way", "-m", "y"])
        .ok()
        .last_word();
    zen(&repo, &["supersede", &old, &new]).ok();
    zen(&repo, &["promote", &new]).ok();
    zen(&repo, &["services", "flush"]).ok();
    let got = receiver.received();
    let events: Vec<&str> = got.iter().map(|r| r.event.as_str()).collect();
    assert_eq!(events, ["record.superseded", "hub.promoted"]);
    let promoted: serde_json::Value = serde_json::from_slice(&got[1].body).unwrap();
    assert_eq!(promoted["data"]["hub"]["name"], "team");
    assert_eq!(promoted["data"]["record"]["id"], new.as_str());
    let superseded: serde_json::Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(superseded["data"]["record"]["id"], old.as_str());
    assert_eq!(superseded["data"]["superseded_by"]["id"], new.as_str());
}

#[test]
fn a_bad_webhook_config_names_the_file_and_line() {
    let receiver = Receiver::start(&[]);
    let repo = project(&receiver, "[\"record.made\"]");
    let run = zen(&repo, &["services", "status"]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains(".datazentr/config.toml:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("unknown event `record.made`"),
        "{}",
        run.stderr
    );
    // Recording still works; the event could not be queued and says so.
    let run = zen(&repo, &["record", "decision", "Still recorded", "-m", "x"]).ok();
    assert!(run.stderr.contains("not queued"), "{}", run.stderr);
}

/// A project with commits to distill and `[ai]` pointing at `receiver`.
fn ai_project(receiver: &Receiver, provider: &str) -> TestRepo {
    let repo = TestRepo::initialized();
    let config = repo.read(".datazentr/config.toml");
    repo.write(
        ".datazentr/config.toml",
        format!(
            "{config}\n[ai]\nprovider = \"{provider}\"\nmodel = \"test-model\"\nbase_url = \"{}\"\nkey_env = \"ZEN_TEST_AI_KEY\"\n[ai.prices.test-model]\ninput_per_mtok = 3.0\noutput_per_mtok = 15.0\n",
            receiver.url.trim_end_matches("/hook")
        ),
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "start"]);
    repo.write("src/retry.rs", "fn retry() {}\n");
    repo.git(&["add", "-A"]);
    repo.git(&[
        "commit",
        "-q",
        "-m",
        "Retry uploads without jitter",
        "-m",
        "All clients retried at once and the server fell over.",
    ]);
    repo.write("src/retry.rs", "fn retry_with_jitter() {}\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "Add jitter to upload retries"]);
    repo
}

const DRAFTS: &str = r#"[{"title": "Retries without jitter stampede the server", "tags": ["http", "retry"], "outcome": "failure", "body": "Commit abc: all clients retried at once."}, {"title": "Jittered backoff for uploads", "tags": ["retry"], "outcome": "success", "body": "Spread retries out."}]"#;

fn distill(repo: &TestRepo, args: &[&str]) -> Run {
    let mut full = vec!["distill"];
    full.extend_from_slice(args);
    Run::from(
        repo.zen_cmd(&full)
            .env("ZEN_TEST_AI_KEY", "test-key-123")
            .env("GIT_ZEN_BACKGROUND", "0")
            .output()
            .unwrap(),
    )
}

#[test]
fn distill_drafts_records_with_anthropic_after_a_retry_and_records_the_cost() {
    let answer = serde_json::json!({
        "content": [{"type": "text", "text": DRAFTS}],
        "usage": {"input_tokens": 1200, "output_tokens": 300},
    })
    .to_string();
    let receiver = Receiver::start(&[Reply::Status(529), Reply::Json(answer)]);
    let repo = ai_project(&receiver, "anthropic");
    let run = distill(&repo, &["HEAD~2..HEAD", "--kind", "lesson", "--yes"]).ok();
    assert!(
        run.stdout.contains("recorded lesson"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stderr.contains("2 draft(s) from 2 commit(s)"),
        "{}",
        run.stderr
    );
    let got = receiver.received();
    assert_eq!(got.len(), 2, "retried once after the overload");
    assert_eq!(got[1].path, "/v1/messages");
    assert_eq!(got[1].authorization.as_deref(), Some("test-key-123"));
    let sent: serde_json::Value = serde_json::from_slice(&got[1].body).unwrap();
    assert_eq!(sent["model"], "test-model");
    let prompt = sent["messages"][0]["content"].as_str().unwrap();
    assert!(prompt.contains("Retry uploads without jitter"), "{prompt}");
    assert!(
        prompt.contains("src/retry.rs"),
        "the diff summary is sent: {prompt}"
    );

    let lessons = repo.list_json(&["--kind", "lesson"]);
    assert_eq!(lessons.len(), 2);
    repo.zen_ok(&["validate"]);
    let costs: serde_json::Value =
        serde_json::from_str(&repo.zen_ok(&["services", "costs", "--json"]).stdout).unwrap();
    assert_eq!(costs[0]["provider"], "anthropic");
    assert_eq!(costs[0]["calls"], 1);
    assert_eq!(costs[0]["input_tokens"], 1200);
    assert_eq!(costs[0]["output_tokens"], 300);
    let cost = costs[0]["cost_usd"].as_f64().unwrap();
    assert!(
        (cost - (1200.0 * 3.0 + 300.0 * 15.0) / 1e6).abs() < 1e-9,
        "{cost}"
    );
    let since: serde_json::Value = serde_json::from_str(
        &repo
            .zen_ok(&["services", "costs", "--json", "--since", "2999-01-01"])
            .stdout,
    )
    .unwrap();
    assert_eq!(since, serde_json::json!([]));
}

#[test]
fn distill_speaks_openai_compatible_and_writes_nothing_without_review() {
    let answer = serde_json::json!({
        "choices": [{"message": {"role": "assistant", "content": DRAFTS}}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 200},
    })
    .to_string();
    let receiver = Receiver::start(&[Reply::Json(answer)]);
    let repo = ai_project(&receiver, "openai");
    let before = repo.list_json(&[]).len();
    let run = distill(&repo, &["HEAD~2"]).ok();
    assert!(
        run.stdout.contains("Jittered backoff for uploads"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("nothing written"), "{}", run.stderr);
    assert_eq!(repo.list_json(&[]).len(), before);
    let got = receiver.received();
    assert_eq!(got[0].path, "/chat/completions");
    assert_eq!(got[0].authorization.as_deref(), Some("Bearer test-key-123"));
    let costs = repo.zen_ok(&["services", "costs"]);
    assert!(costs.stdout.contains("openai"), "{}", costs.stdout);
}

#[test]
fn distill_without_a_key_or_provider_says_what_to_do() {
    let receiver = Receiver::start(&[]);
    let repo = ai_project(&receiver, "anthropic");
    let run = Run::from(
        repo.zen_cmd(&["distill", "HEAD~2..HEAD"])
            .env_remove("ZEN_TEST_AI_KEY")
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("ZEN_TEST_AI_KEY is not set"),
        "{}",
        run.stderr
    );
    assert!(receiver.received().is_empty());
    let bare = TestRepo::initialized();
    let run = bare.zen_fails(&["distill", "HEAD"]);
    assert!(
        run.stderr.contains("no AI provider configured"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_template_with_a_webhook_announces_its_genesis() {
    let receiver = Receiver::start(&[]);
    let world = TestRepo::empty();
    std::fs::write(
        world.home().join(".gitconfig"),
        "[user]\n\tname = Gene Sis\n\temail = gene@example.com\n",
    )
    .unwrap();
    let template = world.outside("tpl");
    std::fs::create_dir_all(template.join("files/.datazentr")).unwrap();
    std::fs::write(
        template.join("template.toml"),
        "[template]\nname = \"hooked\"\nversion = \"1.2.0\"\n",
    )
    .unwrap();
    std::fs::write(template.join("files/README.md.hbs"), "# {{name}}\n").unwrap();
    std::fs::write(
        template.join("files/.datazentr/config.toml"),
        format!(
            "format = 1\n[[webhook]]\nurl = \"{}\"\nevents = [\"genesis.created\"]\n",
            receiver.url
        ),
    )
    .unwrap();
    let dir = world.outside("projects");
    Run::from(
        world
            .zen_cmd_in(
                &dir,
                &[
                    "genesis",
                    "svc",
                    "--template",
                    template.to_str().unwrap(),
                    "--defaults",
                ],
            )
            .output()
            .unwrap(),
    )
    .ok();
    let got = receiver.wait_for(1, Duration::from_secs(15));
    assert_eq!(got.len(), 1, "delivered in the background");
    assert_eq!(got[0].event, "genesis.created");
    let payload: serde_json::Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(payload["data"]["template"], "hooked 1.2.0");
    assert_eq!(payload["repo"]["name"], "svc");
}

/// Regression: on a terminal each draft opens in the editor, and the draft's file was deleted
/// before its text was parsed, so a typo lost what the user wrote, skipped the reference
/// checks and abandoned the remaining drafts.
#[test]
fn distill_on_a_terminal_keeps_a_draft_with_a_typo_and_goes_on_with_the_rest() {
    let answer = serde_json::json!({
        "content": [{"type": "text", "text": DRAFTS}],
        "usage": {"input_tokens": 10, "output_tokens": 10},
    })
    .to_string();
    let receiver = Receiver::start(&[Reply::Json(answer)]);
    let repo = ai_project(&receiver, "anthropic");
    let bin = repo.outside("bin");
    // The first draft gets a typo in its front matter and a line of the user's own; the
    // second is accepted as it is.
    let seen = bin.join("seen");
    let editor = crate::support::script(
        &bin,
        "typo-then-keep",
        &format!(
            "if [ ! -e '{seen}' ]; then : > '{seen}'; sed -i 's/^outcome = /outcome = = /' \"$1\"; printf 'My own notes\\n' >> \"$1\"; fi",
            seen = seen.display()
        ),
    );
    // A real terminal: `script` runs distill on a pseudo-terminal, as a person would.
    let command = format!("'{}' distill HEAD~2..HEAD", crate::support::BIN);
    let mut cmd = std::process::Command::new("script");
    crate::support::hermetic(&mut cmd, &repo.home());
    let output = cmd
        .args(["-qec", &command, "/dev/null"])
        .current_dir(repo.path())
        .env("GIT_EDITOR", &editor)
        .env("ZEN_TEST_AI_KEY", "test-key-123")
        .env("GIT_ZEN_BACKGROUND", "0")
        .output()
        .unwrap();
    let run = Run::from(output);
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    let titles: Vec<String> = repo
        .list_json(&["--kind", "lesson"])
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        titles,
        ["Jittered backoff for uploads"],
        "the draft after the typo was still offered and recorded:\n{}",
        run.stdout
    );
    // What the user wrote is kept, and `git zen edit` finishes it.
    let hint = run
        .stdout
        .lines()
        .find(|l| l.contains("hint: run `git zen edit"))
        .unwrap_or_else(|| panic!("no draft hint in:\n{}", run.stdout));
    let id = hint
        .split('`')
        .nth(1)
        .unwrap()
        .split_whitespace()
        .nth(3)
        .unwrap();
    let kept = std::fs::read_to_string(
        repo.path()
            .join(".git/datazentr/drafts")
            .join(format!("{id}.md")),
    )
    .unwrap();
    assert!(
        kept.contains("outcome = = ") && kept.contains("My own notes"),
        "{kept}"
    );
    let fix = crate::support::script(&bin, "fix", "sed -i 's/^outcome = = /outcome = /' \"$1\"");
    repo.zen_with_editor(&fix, &["edit", id]).ok();
    let fixed = repo.show_json(id);
    assert_eq!(fixed["title"], "Retries without jitter stampede the server");
    assert!(fixed["body"].as_str().unwrap().contains("My own notes"));
    repo.zen_ok(&["validate"]);
}
