//! `git zen mcp`: the team's memory served over the Model Context Protocol on stdio, so coding
//! agents recall and record the same records people review.
//!
//! The server answers for the repository around the directory it was started in, found as git
//! finds it. Every tool call opens that repository again and refreshes the cache first (cheap
//! when nothing changed), so records written meanwhile, by people or agents, are seen. The work
//! is the library's use cases, the same the commands call ([`crate::usecase`]): a record an
//! agent writes is checked, written and announced to the webhooks exactly as one a person
//! writes. A call that cannot be answered (an unknown id, an invalid kind, bad arguments) is a
//! tool error (`isError`) carrying the message and hints the command line would print; the
//! server never stops for one. Stdout carries only the protocol.

mod tools;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rmcp::handler::server::common::{schema_for_input, schema_for_type};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    CallToolResult, Content, Implementation, JsonObject, ServerCapabilities, ServerInfo,
};
use rmcp::{ServerHandler, ServiceExt, schemars, tool, tool_handler, tool_router};
use serde::de::DeserializeOwned;

use crate::error::UserError;
use crate::repo::{Repo, RepoError};

use tools::{Answer, CheckParams, ListParams, RecallParams, RecordParams, ShowParams};

/// Why the server could not start, or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The directory is not in a repository with a work tree.
    #[error(transparent)]
    Repo(#[from] RepoError),
    /// The client went away or spoke something else before the session was set up.
    #[error("the MCP session could not start: {0}")]
    Start(String),
    /// The session ended abnormally.
    #[error("the MCP session ended abnormally: {0}")]
    Stopped(String),
}

/// The MCP server: the memory tools for the repository around one directory.
#[derive(Debug, Clone)]
pub struct MemoryServer {
    dir: PathBuf,
    /// Held while a tool works: calls a client sends at once run one after the other, as
    /// commands typed one after the other would (two threads of one process must not build the
    /// cache at the same moment).
    one_at_a_time: Arc<tokio::sync::Mutex<()>>,
    tool_router: ToolRouter<Self>,
}

/// What the server tells a client about itself when the session starts.
const INSTRUCTIONS: &str = "git-zen keeps this repository's team memory: decisions, patterns and \
lessons as Markdown records under .datazentr/, reviewed in pull requests. Before changing code, \
`recall` what the team decided or learned about it (compact hits; `show` an id for the full \
record, superseded ones name their replacement). When you settle something worth keeping, \
`record` it: it becomes a file to commit with the change. Before committing, `check_staged` runs \
the project's policies (secrets, forbidden files, required decisions) on the staged changes.";

impl MemoryServer {
    /// A server for the repository around `dir` (looked up again on every call).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        MemoryServer {
            dir: dir.into(),
            one_at_a_time: Arc::default(),
            tool_router: Self::tool_router(),
        }
    }

    /// Decodes `args` as `P`, then runs `work` off the protocol's thread and turns its answer or
    /// error into a tool result.
    async fn call<P, F>(&self, args: JsonObject, work: F) -> CallToolResult
    where
        P: DeserializeOwned + Send + 'static,
        F: FnOnce(&Path, P) -> Result<Answer, UserError> + Send + 'static,
    {
        let params = match decode::<P>(args) {
            Ok(params) => params,
            Err(e) => return tool_result(Err(e)),
        };
        let dir = self.dir.clone();
        let _turn = self.one_at_a_time.lock().await;
        let answer = tokio::task::spawn_blocking(move || work(&dir, params))
            .await
            .unwrap_or_else(|e| {
                Err(UserError::failed(format!(
                    "the tool failed unexpectedly: {e}"
                )))
            });
        tool_result(answer)
    }
}

/// The arguments as the tool's parameter type; a mismatch is the caller's to fix.
fn decode<P: DeserializeOwned>(args: JsonObject) -> Result<P, UserError> {
    serde_json::from_value(serde_json::Value::Object(args))
        .map_err(|e| UserError::usage(format!("invalid arguments: {e}")))
}

/// An answer as structured content and as JSON text, or an error as a tool error.
fn tool_result(answer: Result<Answer, UserError>) -> CallToolResult {
    match answer {
        Ok(Answer { text, value }) => {
            let mut result = CallToolResult::structured(value);
            result.content = vec![Content::text(text)];
            result
        }
        Err(e) => CallToolResult::error(vec![Content::text(e.to_string())]),
    }
}

/// The input schema of a tool taking `P`.
fn input_schema<P: schemars::JsonSchema + 'static>() -> Arc<JsonObject> {
    // Every parameter type is a struct, so its schema is an object; the fallback never runs.
    schema_for_input::<P>().unwrap_or_else(|_| schema_for_type::<P>())
}

#[tool_router]
impl MemoryServer {
    /// Search the team's memory (decisions, patterns, lessons), best first. Returns compact hits:
    /// id, kind, title, status, outcome, tags, a one-line snippet and a score; `show` an id for
    /// the whole record. Superseded, deprecated and rejected records are hidden unless
    /// include_superseded is true (or a status is asked for); a superseded hit names the ids that
    /// replace it in superseded_by. Hits with warning=true are failures to learn from, not
    /// advice to follow.
    #[tool(
        input_schema = input_schema::<RecallParams>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn recall(&self, args: JsonObject) -> CallToolResult {
        self.call(args, tools::recall).await
    }

    /// One record in full: every front matter field and the Markdown body. Takes a full id, a
    /// unique id prefix or an imported ADR alias (ADR-3). A record that was replaced names its
    /// successors and says so in `notice`.
    #[tool(
        input_schema = input_schema::<ShowParams>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn show(&self, args: JsonObject) -> CallToolResult {
        self.call(args, tools::show).await
    }

    /// List records, newest first, one compact line each (id, kind, title, status, outcome,
    /// tags), with the total that matched. Unlike recall, nothing is hidden by status.
    #[tool(
        input_schema = input_schema::<ListParams>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn list(&self, args: JsonObject) -> CallToolResult {
        self.call(args, tools::list).await
    }

    /// Record a decision, pattern or lesson as a new file under .datazentr/ (to be committed and
    /// reviewed with the change). Checked exactly like `git zen record`: the title is one line,
    /// outcome is for patterns and lessons only, paths are globs of the code the record governs.
    /// Returns the new id and file.
    #[tool(
        input_schema = input_schema::<RecordParams>(),
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    async fn record(&self, args: JsonObject) -> CallToolResult {
        self.call(args, tools::record).await
    }

    /// Run the project's policies (secrets, forbidden files, file sizes, required decisions,
    /// trusted command gates, and commit message rules when a message is given) on the staged
    /// changes, like `git zen check --staged --json`. blocked=true means a commit would be
    /// refused; each finding names the file, line, rule and fix. `memory` lists recorded
    /// lessons and decisions that speak to what failed.
    #[tool(
        input_schema = input_schema::<CheckParams>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn check_staged(&self, args: JsonObject) -> CallToolResult {
        self.call(args, tools::check_staged).await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for MemoryServer {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("git-zen", env!("CARGO_PKG_VERSION"))
                    .with_title("git-zen team memory"),
            )
            .with_instructions(INSTRUCTIONS)
    }
}

/// Serves the memory of the repository around `dir` on stdin/stdout until the client closes the
/// session. Fails at once outside a repository.
pub async fn serve_stdio(dir: PathBuf) -> Result<(), ServeError> {
    Repo::discover(&dir)?;
    let running = MemoryServer::new(dir)
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| ServeError::Start(e.to_string()))?;
    running
        .waiting()
        .await
        .map_err(|e| ServeError::Stopped(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_an_object_schema_and_a_description() {
        let tools = MemoryServer::tool_router().list_all();
        let mut names: Vec<_> = tools.iter().map(|t| t.name.to_string()).collect();
        names.sort();
        assert_eq!(names, ["check_staged", "list", "recall", "record", "show"]);
        for tool in &tools {
            assert_eq!(tool.input_schema["type"], "object", "{}", tool.name);
            assert!(tool.description.as_ref().is_some_and(|d| d.len() > 40));
        }
    }

    #[test]
    fn bad_arguments_are_tool_errors_that_say_what_is_wrong() {
        let mut args = JsonObject::new();
        args.insert("limit".into(), serde_json::json!("ten"));
        let e = decode::<RecallParams>(args).unwrap_err();
        let message = e.to_string();
        assert!(message.starts_with("invalid arguments: "), "{message}");
        let result = tool_result(Err(e));
        assert_eq!(result.is_error, Some(true));
    }
}
