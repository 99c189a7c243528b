//! `git zen mcp`

use super::{CmdResult, UserError};

/// Serve the team's memory to coding agents over the Model Context Protocol (stdio)
///
/// Coding agents (Claude Code, Cursor, Codex, Zed, …) start `git zen mcp` in a repository and
/// speak MCP (JSON-RPC) on its stdin and stdout; it answers for the repository around the
/// directory it was started in, exactly as `git zen` would there. Tools:
///
///   recall        ranked search, compact hits (superseded records hidden unless asked)
///   show          one record in full (front matter and body)
///   list          records, newest first, one compact line each
///   record        a new decision, pattern or lesson, checked like `git zen record`
///   check_staged  the policy report for the staged changes, like `git zen check --staged --json`
///
/// Records an agent writes are ordinary files under .datazentr/: commit and review them like
/// any other change. Nothing but the protocol is written to stdout.
///
/// Claude Code:
///
///   claude mcp add git-zen -- git zen mcp
///
/// Clients configured with JSON (Cursor's .cursor/mcp.json, Claude Desktop, …):
///
///   {"mcpServers": {"git-zen": {"command": "git", "args": ["zen", "mcp"]}}}
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct McpArgs {}

pub fn run(_args: &McpArgs) -> CmdResult {
    let cwd = std::env::current_dir()
        .map_err(|e| UserError::failed(format!("cannot read the current directory: {e}")))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| UserError::failed(format!("cannot start the MCP server: {e}")))?;
    runtime.block_on(git_zen::mcp::serve_stdio(cwd))?;
    Ok(())
}
