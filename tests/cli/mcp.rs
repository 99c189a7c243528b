//! `git zen mcp` end to end: the real binary spoken to as an MCP client would, newline-delimited
//! JSON-RPC 2.0 on its stdin and stdout, in a real repository beside the command line.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::TestRepo;

/// How long one answer may take before the server counts as hung.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A running `git zen mcp` with an initialized session.
struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
    next_id: u64,
    /// The `initialize` result.
    init: Value,
}

impl Session {
    /// Starts the server in the repository's work tree and runs the initialize handshake.
    fn start(repo: &TestRepo) -> Session {
        let mut child = repo
            .zen_cmd(&["mcp"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start git zen mcp");
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let mut err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut err, &mut text);
            sink.lock().unwrap().push_str(&text);
        });
        let mut session = Session {
            stdin: child.stdin.take(),
            child,
            lines,
            stderr,
            next_id: 1,
            init: Value::Null,
        };
        session.init = session.request(
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": { "name": "git-zen-tests", "version": "1" }
            }),
        );
        session.send(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }));
        session
    }

    fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{message}").expect("write to the server");
        stdin.flush().unwrap();
    }

    /// Sends a request and returns its id, without waiting for the answer.
    fn send_request(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// The next message from the server; every line of stdout must be one JSON-RPC message.
    fn receive(&self) -> Value {
        let line = self.lines.recv_timeout(TIMEOUT).unwrap_or_else(|e| {
            panic!(
                "no answer from git zen mcp ({e}); stderr:\n{}",
                self.stderr.lock().unwrap()
            )
        });
        let message: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout is not JSON-RPC ({e}): {line}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
        message
    }

    /// The response to request `id` (notifications in between are passed over).
    fn response(&self, id: u64) -> Value {
        loop {
            let message = self.receive();
            if message["id"] == id {
                assert!(message.get("error").is_none(), "protocol error: {message}");
                return message["result"].clone();
            }
            assert!(
                message.get("id").is_none(),
                "an answer to another request: {message}"
            );
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Calls a tool and returns its result (`content`, `structuredContent`, `isError`).
    fn call(&mut self, tool: &str, arguments: Value) -> Value {
        self.request(
            "tools/call",
            json!({ "name": tool, "arguments": arguments }),
        )
    }

    /// Calls a tool that must succeed; returns its answer, checking that the text content and
    /// the structured content say the same.
    fn answer(&mut self, tool: &str, arguments: Value) -> Value {
        let result = self.call(tool, arguments);
        assert_eq!(result["isError"], false, "{tool} failed: {result}");
        let text = result["content"][0]["text"].as_str().expect("text content");
        let parsed: Value = serde_json::from_str(text).expect("the text is the JSON answer");
        assert_eq!(parsed, result["structuredContent"]);
        parsed
    }

    /// Calls a tool that must fail as a tool error; returns its message.
    fn tool_error(&mut self, tool: &str, arguments: Value) -> String {
        let result = self.call(tool, arguments);
        assert_eq!(result["isError"], true, "{tool} should fail: {result}");
        result["content"][0]["text"]
            .as_str()
            .expect("an error message")
            .to_owned()
    }
}

impl Drop for Session {
    /// Closing stdin ends the session; a server that does not stop is killed.
    fn drop(&mut self) {
        drop(self.stdin.take());
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("an array")
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

fn keys(object: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = object
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[test]
fn mcp_initializes_and_lists_the_five_tools_with_input_schemas() {
    let repo = TestRepo::initialized();
    let mut mcp = Session::start(&repo);
    assert_eq!(mcp.init["protocolVersion"], "2025-06-18");
    assert_eq!(mcp.init["serverInfo"]["name"], "git-zen");
    assert!(
        mcp.init["capabilities"]["tools"].is_object(),
        "{}",
        mcp.init
    );
    assert!(
        mcp.init["instructions"]
            .as_str()
            .unwrap()
            .contains("recall")
    );

    let listed = mcp.request("tools/list", json!({}));
    let tools = listed["tools"].as_array().unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(names, ["check_staged", "list", "recall", "record", "show"]);
    let tool = |name: &str| tools.iter().find(|t| t["name"] == name).unwrap();
    for t in tools {
        assert_eq!(t["inputSchema"]["type"], "object", "{t}");
        assert!(t["description"].as_str().unwrap().len() > 40, "{t}");
    }
    let required = |name: &str| {
        let mut r: Vec<String> = tool(name)["inputSchema"]["required"]
            .as_array()
            .map(|r| r.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default();
        r.sort();
        r
    };
    assert_eq!(required("recall"), ["query"]);
    assert_eq!(required("show"), ["id"]);
    assert_eq!(required("record"), ["body", "kind", "title"]);
    assert!(required("list").is_empty());
    let record = &tool("record")["inputSchema"]["properties"];
    assert_eq!(
        record["kind"]["enum"],
        json!(["decision", "pattern", "lesson"])
    );
    for field in ["tags", "paths", "status", "outcome"] {
        assert!(record[field].is_object(), "record lacks {field}: {record}");
    }
    let recall = &tool("recall")["inputSchema"]["properties"];
    for field in ["kind", "tags", "status", "include_superseded", "limit"] {
        assert!(recall[field].is_object(), "recall lacks {field}: {recall}");
    }
    assert_eq!(recall["limit"]["default"], 10);
    assert_eq!(tool("recall")["annotations"]["readOnlyHint"], true);
}

#[test]
fn mcp_recall_finds_a_recorded_decision_compactly_and_show_has_the_body() {
    let repo = TestRepo::initialized();
    let id = repo.record(&[
        "decision",
        "Cache memory in SQLite FTS5",
        "--tag",
        "storage",
        "-m",
        "We keep the recall cache in SQLite with FTS5 because it ships embedded.",
        "-m",
        "Consequences: a rebuild takes seconds, and nothing of it is ever committed to the repository.",
    ]);
    let mut mcp = Session::start(&repo);

    let recalled = mcp.answer("recall", json!({ "query": "sqlite cache" }));
    let hits = &recalled["hits"];
    assert_eq!(ids(hits), [id.as_str()]);
    let hit = &hits[0];
    assert_eq!(
        keys(hit),
        [
            "id", "kind", "match", "score", "snippet", "status", "tags", "title"
        ],
        "compact fields only: {hit}"
    );
    assert_eq!(hit["match"], "strong", "a question answered: {recalled}");
    assert_eq!(recalled["answered"], true);
    assert_eq!(hit["kind"], "decision");
    assert_eq!(hit["title"], "Cache memory in SQLite FTS5");
    assert_eq!(hit["status"], "accepted");
    assert_eq!(hit["tags"], json!(["storage"]));
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("SQLite") && !snippet.contains('\n'),
        "{snippet}"
    );
    let text = serde_json::to_string(&recalled).unwrap();
    assert!(
        !text.contains("ever committed"),
        "no bodies in recall: {text}"
    );

    let shown = mcp.answer("show", json!({ "id": &id[..8] }));
    assert_eq!(shown["id"], id.as_str());
    assert!(
        shown["body"]
            .as_str()
            .unwrap()
            .contains("nothing of it is ever committed to the repository"),
        "{shown}"
    );
    assert_eq!(shown["file"], repo.file_of(&id).as_str());
    assert_eq!(shown["author"], "Test Author <author@example.com>");
    assert!(shown.get("notice").is_none(), "{shown}");

    // A record written while the server runs is seen by the next call.
    let later = repo.record(&["lesson", "Vacuum the cache", "-m", "sqlite grows"]);
    let recalled = mcp.answer("recall", json!({ "query": "sqlite", "kind": "lesson" }));
    assert_eq!(ids(&recalled["hits"]), [later.as_str()]);
    assert_eq!(recalled["hits"][0]["outcome"], "unknown");

    let listed = mcp.answer("list", json!({}));
    assert_eq!(ids(&listed["records"]), [later.as_str(), id.as_str()]);
    assert_eq!(listed["total"], 2);
    let listed = mcp.answer("list", json!({ "tag": "storage", "limit": 5 }));
    assert_eq!(ids(&listed["records"]), [id.as_str()]);
}

#[test]
fn mcp_record_writes_a_record_the_cli_lists_and_validates() {
    let repo = TestRepo::initialized();
    let mut mcp = Session::start(&repo);
    let recorded = mcp.answer(
        "record",
        json!({
            "kind": "pattern",
            "title": "Table-driven parser tests",
            "body": "## Problem\n\nParsers grow edge cases.\n\n## Solution\n\nOne table of inputs.",
            "tags": ["testing", " parser "],
            "paths": ["src/record/**"],
            "outcome": "success"
        }),
    );
    let id = recorded["id"].as_str().unwrap().to_owned();
    let file = recorded["file"].as_str().unwrap().to_owned();
    assert_eq!(recorded["kind"], "pattern");
    assert_eq!(recorded["status"], "accepted");
    assert!(
        file.starts_with(".datazentr/patterns/") && file.contains(&id),
        "{file}"
    );

    let listed = repo.list_json(&[]);
    assert_eq!(listed.len(), 1);
    let r = &listed[0];
    assert_eq!(r["id"], id.as_str());
    assert_eq!(r["file"], file.as_str());
    assert_eq!(r["tags"], json!(["testing", "parser"]));
    assert_eq!(r["paths"], json!(["src/record/**"]));
    assert_eq!(r["outcome"], "success");
    let text = repo.read(&file);
    assert!(text.contains("One table of inputs.\n"), "{text}");
    assert!(
        text.contains("author = \"Test Author <author@example.com>\""),
        "{text}"
    );
    let validated = repo.zen_ok(&["validate"]);
    assert!(!validated.stdout.contains("error"), "{}", validated.stdout);

    // The CLI and the server answer alike for it.
    let shown = mcp.answer("show", json!({ "id": &id }));
    assert_eq!(shown["title"], "Table-driven parser tests");
    let hits = mcp.answer(
        "recall",
        json!({ "query": "", "path": "src/record/parse.rs" }),
    );
    assert_eq!(ids(&hits["hits"]), [id.as_str()]);
}

#[test]
fn mcp_bad_input_is_a_tool_error_with_the_cli_message_and_writes_nothing() {
    let repo = TestRepo::initialized();
    let before = repo.snapshot();
    let mut mcp = Session::start(&repo);

    let message = mcp.tool_error(
        "record",
        json!({ "kind": "note", "title": "Something", "body": "text" }),
    );
    assert_eq!(
        message,
        "unknown kind 'note': use one of decision, pattern, lesson"
    );
    let message = mcp.tool_error(
        "record",
        json!({ "kind": "decision", "title": "Use X", "body": "b", "outcome": "success" }),
    );
    assert_eq!(
        message,
        "outcome is for patterns and lessons; decisions have a status"
    );
    let message = mcp.tool_error(
        "record",
        json!({ "kind": "lesson", "title": "two\nlines", "body": "b" }),
    );
    assert!(
        message.contains("the title must be one non-empty line"),
        "{message}"
    );
    let message = mcp.tool_error(
        "record",
        json!({ "kind": "pattern", "title": "Globs", "body": "b", "paths": ["src/[oops"] }),
    );
    assert!(
        message.contains("paths 'src/[oops' is not a valid glob"),
        "{message}"
    );
    let message = mcp.tool_error(
        "record",
        json!({ "kind": "pattern", "title": "Status", "body": "b", "status": "done" }),
    );
    assert!(message.starts_with("unknown status 'done'"), "{message}");
    let message = mcp.tool_error("record", json!({ "kind": "pattern", "title": "No body" }));
    assert!(message.contains("missing field `body`"), "{message}");
    assert_eq!(repo.snapshot(), before, "a refused record writes nothing");

    let message = mcp.tool_error("show", json!({ "id": "zzzzzz" }));
    assert!(
        message.starts_with("no record matches 'zzzzzz'"),
        "{message}"
    );
    assert_eq!(
        message,
        repo.zen_fails(&["show", "zzzzzz"])
            .stderr
            .trim_start_matches("error: ")
            .trim_end()
    );
    let message = mcp.tool_error("recall", json!({ "query": "x", "limit": "ten" }));
    assert!(message.starts_with("invalid arguments:"), "{message}");
    let message = mcp.tool_error("recall", json!({ "query": "x", "tag": "t" }));
    assert!(message.contains("unknown field `tag`"), "{message}");
    let message = mcp.tool_error("list", json!({ "kind": "decisions" }));
    assert!(message.starts_with("unknown kind 'decisions'"), "{message}");

    // The server is still there after all of that.
    let listed = mcp.answer("list", json!({}));
    assert_eq!(listed["total"], 0);
}

#[test]
fn mcp_outside_memory_says_how_to_start_it() {
    let repo = TestRepo::new();
    let mut mcp = Session::start(&repo);
    let message = mcp.tool_error("recall", json!({ "query": "anything" }));
    assert!(message.contains("run `git zen init`"), "{message}");
    // Policies need no memory: check_staged still answers.
    let report = mcp.answer("check_staged", json!({}));
    assert_eq!(report["blocked"], false);

    let outside = repo.outside("elsewhere");
    let run = repo.zen_cmd_in(&outside, &["mcp"]).output().unwrap();
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("not a git repository"), "{stderr}");
    assert!(run.stdout.is_empty(), "nothing but the protocol on stdout");
}

#[test]
fn mcp_recall_hides_superseded_records_unless_asked_and_names_the_successor() {
    let repo = TestRepo::initialized();
    let old = repo.record(&[
        "decision",
        "Sessions in Redis",
        "-m",
        "Store sessions in Redis.",
    ]);
    let new = repo.record(&[
        "decision",
        "Sessions in Postgres",
        "-m",
        "Store sessions in Postgres.",
    ]);
    repo.zen_ok(&["supersede", &old, &new]);
    let mut mcp = Session::start(&repo);

    let current = mcp.answer("recall", json!({ "query": "sessions" }));
    assert_eq!(ids(&current["hits"]), [new.as_str()]);
    assert!(current["hits"][0].get("superseded_by").is_none());

    for asked in [
        json!({ "query": "sessions", "include_superseded": true }),
        json!({ "query": "sessions", "all": true }),
        json!({ "query": "sessions", "status": "superseded" }),
    ] {
        let hits = mcp.answer("recall", asked.clone())["hits"].clone();
        let replaced = hits
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == old.as_str())
            .unwrap_or_else(|| panic!("{asked}: {hits}"));
        assert_eq!(replaced["status"], "superseded");
        assert_eq!(replaced["superseded_by"], json!([new]));
    }

    let shown = mcp.answer("show", json!({ "id": &old }));
    assert_eq!(shown["status"], "superseded");
    assert_eq!(shown["superseded_by"], json!([new]));
    assert_eq!(shown["successors"][0]["id"], new.as_str());
    assert_eq!(shown["successors"][0]["title"], "Sessions in Postgres");
    let notice = shown["notice"].as_str().unwrap();
    assert!(
        notice.contains(&new) && notice.contains("superseded"),
        "{notice}"
    );
}

#[test]
fn mcp_check_staged_reports_a_staged_aws_key_and_the_memory_about_it() {
    let repo = TestRepo::initialized();
    let lesson = repo.record(&[
        "lesson",
        "A key in config leaked once",
        "--path",
        "config/**",
        "--outcome",
        "failure",
        "-m",
        "Keys come from the environment.",
    ]);
    repo.write("config/app.py", "DEBUG = True\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "start"]);
    let mut mcp = Session::start(&repo);
    let clean = mcp.answer("check_staged", json!({}));
    assert_eq!(clean["blocked"], false, "{clean}");

    // Built from two halves so this file does not hold the key itself.
    repo.write(
        "config/app.py",
        format!("DEBUG = True\nKEY = \"AKIA{}\"\n", "QYLPMN5HZQ3JDRW7"),
    );
    repo.git(&["add", "config/app.py"]);
    let report = mcp.answer("check_staged", json!({}));
    assert_eq!(report["blocked"], true, "{report}");
    assert_eq!(report["errors"], 1);
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "secret-aws-access-key");
    assert_eq!(finding["path"], "config/app.py");
    assert_eq!(finding["line"], 2);
    assert!(
        !finding["detail"]
            .as_str()
            .unwrap()
            .contains("QYLPMN5HZQ3JDRW7"),
        "masked"
    );
    assert_eq!(ids(&report["memory"]), [lesson.as_str()]);

    // The same report as `git zen check --staged --json`, plus the memory.
    let cli = repo.zen_fails(&["check", "--staged", "--json"]);
    let mut cli: Value = serde_json::from_str(&cli.stdout).unwrap();
    cli["memory"] = report["memory"].clone();
    assert_eq!(cli, report);

    let with_message = mcp.answer(
        "check_staged",
        json!({ "message": format!("Add config{}\n", " and more".repeat(10)) }),
    );
    let rules: Vec<&str> = with_message["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"secret-aws-access-key"), "{rules:?}");
    assert!(
        rules.len() > 1,
        "the long subject is reported too: {rules:?}"
    );
}

#[test]
fn mcp_calls_sent_at_once_all_succeed() {
    let repo = TestRepo::initialized();
    let seed = repo.record(&["decision", "Seed", "-m", "parallel"]);
    let mut mcp = Session::start(&repo);
    // Sent before any answer is read, on a fresh cache: the server must not race itself.
    let sent: Vec<u64> = (0..8)
        .map(|i| {
            let (tool, arguments) = match i % 4 {
                0 => ("recall", json!({ "query": "parallel" })),
                1 => ("list", json!({})),
                2 => ("record", json!({ "kind": "lesson", "title": format!("Parallel {i}"), "body": "parallel" })),
                _ => ("show", json!({ "id": &seed })),
            };
            mcp.send_request("tools/call", json!({ "name": tool, "arguments": arguments }))
        })
        .collect();
    let mut answers = std::collections::HashMap::new();
    while answers.len() < sent.len() {
        let message = mcp.receive();
        let id = message["id"].as_u64().expect("a response");
        answers.insert(id, message);
    }
    for id in sent {
        let result = &answers[&id]["result"];
        assert_eq!(result["isError"], false, "{result}");
    }
    let listed = mcp.answer("recall", json!({ "query": "parallel", "limit": 50 }));
    assert_eq!(listed["hits"].as_array().unwrap().len(), 3);
}

/// Regression: the `record` tool wrote the record but never queued `record.created`, so a
/// webhook saw what people recorded and missed what agents recorded.
#[test]
fn mcp_record_announces_the_record_to_the_webhooks_as_the_cli_does() {
    let receiver = crate::services::Receiver::start(&[]);
    let repo = crate::services::project(&receiver, "[\"record.created\"]");
    let mut mcp = Session::start(&repo);
    let recorded = mcp.answer(
        "record",
        json!({ "kind": "decision", "title": "Agents record too", "body": "Why." }),
    );
    let id = recorded["id"].as_str().unwrap();
    // Delivered in the background, as after `git zen record`.
    let got = receiver.wait_for(1, std::time::Duration::from_secs(20));
    assert_eq!(got.len(), 1, "one delivery");
    assert_eq!(got[0].event, "record.created");
    let sent: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(sent["data"]["record"]["id"], id);
    assert_eq!(sent["data"]["record"]["title"], "Agents record too");
}

#[test]
fn mcp_record_refuses_a_body_over_a_mebibyte_and_writes_nothing() {
    let repo = TestRepo::initialized();
    let mut mcp = Session::start(&repo);
    let body = "x".repeat(2 << 20);
    let error = mcp.tool_error(
        "record",
        json!({ "kind": "lesson", "title": "Too much", "body": body }),
    );
    assert!(error.contains("at most 1048576 (1 MiB"), "{error}");
    assert!(repo.list_json(&[]).is_empty());
}

#[test]
fn mcp_record_warns_an_agent_about_a_near_duplicate_and_records_it() {
    let repo = TestRepo::initialized();
    let first = repo.record(&[
        "decision",
        "Use Redis for session caching",
        "-m",
        "Sessions live in Redis with a 30 minute TTL, so any app server can serve any user.",
    ]);
    repo.zen_ok(&["recall", "sessions"]); // the cache and its vectors exist from here on
    let mut mcp = Session::start(&repo);
    let recorded = mcp.answer(
        "record",
        json!({
            "kind": "decision",
            "title": "Store user sessions in Redis",
            "body": "We cache sessions in Redis with a 30 minute TTL so any server can handle any user."
        }),
    );
    let warning = recorded["warning"].as_str().unwrap_or_default();
    assert!(
        warning.contains("very similar to") && warning.contains(&first[..10]),
        "{recorded}"
    );
    assert_eq!(repo.list_json(&[]).len(), 2, "recorded all the same");
}
