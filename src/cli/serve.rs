//! `git zen serve`, `git zen site build`

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;

use git_zen::web::server::{self, ServeOptions, Serving};
use git_zen::web::site::{self, SiteOptions};

use super::{CmdResult, UserError, open_repo};

/// Browse the team's memory in a web browser: a local, live dashboard and a JSON API
///
/// Serves server-rendered pages (they work without JavaScript) for the repository around the
/// current directory:
///
///   /            counts, recent records, decisions still proposed, failures
///   /records     the timeline: filters (kind, status, tag, author, path), search, pages
///   /r/<id>      one record: body, front matter, supersession chain, related records,
///                the files its paths match today, its git history
///   /graph       supersession and links as a graph
///   /code        folders and files with the records that govern them
///   /policies    the rules in effect and this clone's hook verdicts
///   /hub         the hub's records and projects (with --hub)
///   /services    webhooks, outbox, AI spend
///
/// and a JSON API under /api/v1/ (records, records/{id}, recall?q=, related/{id}),
/// described by /api/v1/openapi.json. Every request sees the records as they are now, and an
/// open page reloads when a record changes.
///
/// Read-only unless --allow-write: then POST /api/v1/records and /api/v1/outcomes are enabled
/// and need the token printed at start (Authorization: Bearer <token>, Content-Type:
/// application/json). Binds 127.0.0.1 by default and answers only requests addressed to it.
/// Stop it with Ctrl-C.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ServeArgs {
    /// The port to listen on (0: any free port).
    #[arg(long, default_value_t = 5050)]
    port: u16,
    /// The address to listen on; anything but a loopback address exposes the memory to the
    /// network.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Open the dashboard in the default browser.
    #[arg(long)]
    open: bool,
    /// Add the hub page for this hub (name, URL or path).
    #[arg(long, value_name = "NAME")]
    hub: Option<String>,
    /// Enable the write routes, guarded by a token printed at start.
    #[arg(long, conflicts_with = "database")]
    allow_write: bool,
    /// Serve every hub of the org index in this PostgreSQL (see `git zen org`) instead of the
    /// repository here; read-only. Bound beyond loopback, every request needs the token in
    /// GIT_ZEN_SERVE_TOKEN (or one printed at start) as `Authorization: Bearer <token>`, which
    /// a reverse proxy in front of it adds for its users.
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "")]
    database: Option<String>,
}

pub fn run_serve(args: &ServeArgs) -> CmdResult {
    let dir = std::env::current_dir()
        .map_err(|e| UserError::failed(format!("cannot read the current directory: {e}")))?;
    let database = match &args.database {
        Some(url) => Some(std::sync::Arc::new(git_zen::org::Db::open(
            Some(url.as_str()).filter(|u| !u.is_empty()),
        )?)),
        None => None,
    };
    let read_token = (database.is_some() && !args.bind.is_loopback()).then(|| {
        std::env::var("GIT_ZEN_SERVE_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(git_zen::web::guard::new_token)
    });
    let printed_token = read_token
        .clone()
        .filter(|_| std::env::var_os("GIT_ZEN_SERVE_TOKEN").is_none());
    let options = ServeOptions {
        dir,
        bind: args.bind,
        port: args.port,
        hub: args.hub.clone(),
        allow_write: args.allow_write,
        database,
        read_token,
    };
    let open = args.open;
    server::serve(options, |serving| {
        // Printed and flushed at once: a script or a test waits for this line.
        let _ = print_serving(serving, printed_token.as_deref());
        if open {
            open_browser(&serving.url);
        }
    })
}

fn print_serving(serving: &Serving, read_token: Option<&str>) -> std::io::Result<()> {
    let mut out = Vec::new();
    writeln!(out, "serving {}", serving.url)?;
    if let Some(token) = read_token {
        writeln!(out, "read token: {token}")?;
    }
    if let Some(token) = &serving.token {
        writeln!(out, "write token: {token}")?;
    }
    writeln!(out, "press Ctrl-C to stop")?;
    let mut stdout = std::io::stdout();
    stdout.write_all(&out)?;
    stdout.flush()
}

/// Opens `url` with the desktop's opener; failing to is only a warning.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_err()
    {
        eprintln!("warning: could not run {opener}: open {url} yourself");
    }
}

/// Publish the team's memory as a static web site
#[derive(Debug, clap::Args)]
pub struct SiteArgs {
    #[command(subcommand)]
    command: SiteCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SiteCommand {
    /// Write the dashboard's pages as static files, with a client-side search index
    ///
    /// The site works opened from disk (file://) and published under any URL (GitHub or
    /// GitLab Pages): every link is relative. The build is deterministic — the same records
    /// give the same bytes — so a CI job can publish it and its diff can be reviewed. What
    /// belongs to one clone (hook verdicts, the outbox, a hub) is left out. The folder is
    /// replaced whole; a non-empty folder not built by git zen is refused.
    Build {
        /// The folder to write.
        #[arg(long, default_value = "site", value_name = "DIR")]
        out: PathBuf,
        /// The URL the site is published under (e.g. /docs/decisions/), for canonical links.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Print what was built as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub fn run_site(args: &SiteArgs) -> CmdResult {
    let SiteCommand::Build {
        out,
        base_url,
        json,
    } = &args.command;
    let repo = open_repo()?;
    let options = SiteOptions {
        out: super::absolute(out),
        base_url: base_url.clone(),
    };
    let built = site::build(repo, &options)?;
    let mut buf = Vec::new();
    if *json {
        let value = serde_json::json!({
            "out": built.out,
            "pages": built.pages,
            "records": built.records,
        });
        super::output::json(&mut buf, &value)?;
    } else {
        writeln!(
            buf,
            "built {} pages for {} records in {}",
            built.pages,
            built.records,
            built.out.display()
        )?;
    }
    anstream::stdout().write_all(&buf)?;
    Ok(())
}
