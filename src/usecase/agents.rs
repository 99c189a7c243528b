//! Coding agents: `git zen agents install` writes the instructions agents read (`AGENTS.md`,
//! `CLAUDE.md`) and the MCP configuration their clients read; `git zen agents prime` prints the
//! memory that bears on the work at hand, for a session-start hook.
//!
//! Install owns only its marked section of each instructions file ([`crate::marked`]) and one
//! member of each MCP file ([`crate::jsonedit`]); everything else in those files is the team's
//! and stays byte for byte. Every file is planned first — a broken marker or invalid JSON stops
//! the command before anything is written — then each is written atomically, and only if its
//! bytes change, so running it twice changes nothing.

use std::path::{Path, PathBuf};

use crate::error::UserError;
use crate::fsutil::{FileAction, write_if_changed};
use crate::id::RecordId;
use crate::record::{Kind, Outcome, Record, Status};
use crate::repo::Repo;
use crate::store::unique_prefix_lengths;

/// The section of `AGENTS.md` / `CLAUDE.md`, markers included.
const SECTION: &str = include_str!("../../agents/section.md");

/// The MCP server entry every client gets: `git zen mcp`, found on `PATH` as git finds `git-zen`.
const SERVER: &str = r#"{"command": "git", "args": ["zen", "mcp"]}"#;

/// The server's name under `mcpServers`.
const SERVER_NAME: &str = "git-zen";

/// Which agent clients to configure beyond `AGENTS.md`, which Codex, Cursor, Gemini CLI and
/// others read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clients {
    /// Claude Code: `CLAUDE.md` (it does not read `AGENTS.md`) and the project's `.mcp.json`.
    pub claude: bool,
    /// Cursor: `.cursor/mcp.json`.
    pub cursor: bool,
}

/// What install did to one file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Installed {
    /// The file, relative to the work tree, with `/`.
    pub file: String,
    /// `instructions` (a marked section) or `mcp` (the server entry).
    pub part: &'static str,
    /// Created, updated, or left unchanged.
    pub action: FileAction,
    /// When the file is a link to a file already handled (`CLAUDE.md` → `AGENTS.md`): that file.
    pub same_as: Option<String>,
}

struct Plan {
    installed: Installed,
    real: PathBuf,
    text: Option<String>,
}

/// Writes the agent instructions section into `AGENTS.md` (and `CLAUDE.md` with Claude) and the
/// MCP server into each client's configuration, creating files that are missing.
pub fn install(repo: &Repo, clients: Clients) -> Result<Vec<Installed>, UserError> {
    let mut targets = vec![("AGENTS.md", "instructions")];
    if clients.claude {
        targets.extend([("CLAUDE.md", "instructions"), (".mcp.json", "mcp")]);
    }
    if clients.cursor {
        targets.push((".cursor/mcp.json", "mcp"));
    }
    let workdir = repo.workdir();
    let mut plans: Vec<Plan> = Vec::new();
    for (rel, part) in targets {
        let real = real_path(workdir, rel)?;
        let same_as = plans
            .iter()
            .find(|p| p.real == real)
            .map(|p| p.installed.file.clone());
        let text = match same_as {
            Some(_) => None,
            None => Some(planned_text(&real, rel, part)?),
        };
        plans.push(Plan {
            installed: Installed {
                file: rel.to_owned(),
                part,
                action: FileAction::Unchanged,
                same_as,
            },
            real,
            text,
        });
    }
    let temps = repo.state_dir().join("tmp");
    let mut done = Vec::new();
    for mut plan in plans {
        if let Some(text) = &plan.text {
            plan.installed.action = write_if_changed(&plan.real, text.as_bytes(), Some(&temps))
                .map_err(|e| {
                    UserError::failed(format!("cannot write {}: {e}", plan.installed.file))
                })?;
        } else if let Some(first) = done
            .iter()
            .find(|d: &&Installed| Some(&d.file) == plan.installed.same_as.as_ref())
        {
            plan.installed.action = first.action;
        }
        done.push(plan.installed);
    }
    Ok(done)
}

/// Where `rel` really lives: itself, or the file its symbolic link points to — which must be
/// inside the work tree (a link must not make git-zen write elsewhere on the machine).
fn real_path(workdir: &Path, rel: &str) -> Result<PathBuf, UserError> {
    let path = workdir.join(rel);
    let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink());
    if !is_link {
        return Ok(path);
    }
    let refuse = |why: &str| {
        UserError::failed(format!("{rel} is a symbolic link {why}")).hint(format!(
            "replace {rel} with a regular file, then run this again"
        ))
    };
    let target = std::fs::canonicalize(&path).map_err(|_| refuse("to a missing file"))?;
    let root = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
    if !target.starts_with(&root) {
        return Err(refuse("to a file outside the repository"));
    }
    Ok(target)
}

/// The new text of the file at `real` (empty when missing).
fn planned_text(real: &Path, rel: &str, part: &str) -> Result<String, UserError> {
    let old = match std::fs::read(real) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            UserError::failed(format!("{rel} is not UTF-8 text"))
                .hint(format!("re-save {rel} as UTF-8, then run this again"))
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(UserError::failed(format!("cannot read {rel}: {e}"))),
    };
    if part == "instructions" {
        return crate::marked::upsert(&old, SECTION.trim_end())
            .map_err(|e| UserError::failed(format!("{rel}:{e}")).hint(e.hint()));
    }
    let wanted: serde_json::Value = serde_json::from_str(SERVER).expect("SERVER is JSON");
    let current = |v: &serde_json::Value| {
        v.get("command") == wanted.get("command") && v.get("args") == wanted.get("args")
    };
    let edited = crate::jsonedit::set_member(&old, &["mcpServers", SERVER_NAME], SERVER, current)
        .map_err(|e| {
        UserError::failed(format!("{rel}:{e}"))
            .hint(format!("fix {rel} (or move it aside), then run this again"))
    })?;
    Ok(edited.unwrap_or(old))
}

/// Which files `prime` gathers memory for.
#[derive(Debug, Clone, Default)]
pub enum PrimeScope {
    /// The staged files when there are any, else the decisions recorded most recently.
    #[default]
    Auto,
    /// The staged files (nothing staged: nothing governs them).
    Staged,
    /// These files, relative to the work tree with `/`.
    Paths(Vec<String>),
}

/// What `prime` is asked.
#[derive(Debug, Clone)]
pub struct PrimeRequest {
    /// Which files.
    pub scope: PrimeScope,
    /// The most characters the text may take; records that do not fit are counted, not shown.
    pub max_chars: usize,
}

/// What the records were chosen by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// The staged files.
    Staged,
    /// Files given by path.
    Paths,
    /// Nothing staged: the newest decisions.
    Recent,
}

/// One record as `prime` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PrimeEntry {
    /// Full id.
    pub id: String,
    /// The shortest unique prefix (at least 8 characters), as `list` shows it.
    pub prefix: String,
    /// Decision or lesson.
    pub kind: Kind,
    /// Proposed or accepted.
    pub status: Status,
    /// A lesson's outcome (failure); null for decisions.
    pub outcome: Option<Outcome>,
    /// One-line title.
    pub title: String,
    /// The first line of prose of the body, shortened.
    pub gist: String,
    /// The record's globs that cover the files (all its globs for the newest decisions).
    pub globs: Vec<String>,
    /// The files it governs, of those asked about.
    pub files: Vec<String>,
}

/// What `prime` answers.
#[derive(Debug, serde::Serialize)]
pub struct Primed {
    /// What the records were chosen by.
    pub basis: Basis,
    /// The files asked about (empty for the newest decisions).
    pub files: Vec<String>,
    /// The records shown within the budget, most specific (or newest) first.
    pub records: Vec<PrimeEntry>,
    /// How many more matched but did not fit.
    pub left_out: usize,
    /// The budget.
    pub max_chars: usize,
    /// The text to print, at most `max_chars` characters unless even the header and the count
    /// of what was left out exceed it.
    #[serde(skip)]
    pub text: String,
    /// Record files left out because they do not parse.
    #[serde(skip)]
    pub skipped: Vec<String>,
}

/// The current decisions and failure lessons that govern the asked files, compact, within the
/// budget; with nothing staged under [`PrimeScope::Auto`], the newest decisions.
pub fn prime(repo: &Repo, request: &PrimeRequest) -> Result<Primed, UserError> {
    let (basis, mut files) = match &request.scope {
        PrimeScope::Paths(paths) => (Basis::Paths, paths.clone()),
        scope => {
            let staged: Vec<String> = crate::changes::staged(repo.gix())?
                .into_iter()
                .map(|c| c.path)
                .collect();
            match scope {
                PrimeScope::Auto if staged.is_empty() => (Basis::Recent, staged),
                _ => (Basis::Staged, staged),
            }
        }
    };
    files.sort();
    files.dedup();
    let index = super::read::open_index(repo)?;
    let records = index.records()?;
    let skipped = index.errors()?.iter().map(ToString::to_string).collect();
    let ids: Vec<&RecordId> = records.iter().map(|r| &r.id).collect();
    let prefixes = unique_prefix_lengths(&ids, 8);
    let mut scored: Vec<(usize, PrimeEntry)> = records
        .iter()
        .zip(prefixes)
        .filter(|(r, _)| governs_kind(r, basis))
        .filter_map(|(r, len)| {
            let (score, globs, covered) = if basis == Basis::Recent {
                (0, r.paths.clone(), Vec::new())
            } else {
                coverage(r, &files)?
            };
            Some((score, entry(r, len, globs, covered)))
        })
        .collect();
    // Ids start with their creation time: a larger id is newer.
    scored.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| b.1.outcome.is_some().cmp(&a.1.outcome.is_some()))
            .then_with(|| b.1.id.cmp(&a.1.id))
    });
    let entries: Vec<PrimeEntry> = scored.into_iter().map(|(_, e)| e).collect();
    let (text, shown) = render(basis, &files, &entries, request.max_chars);
    let left_out = entries.len() - shown;
    let mut records = entries;
    records.truncate(shown);
    Ok(Primed {
        basis,
        files,
        records,
        left_out,
        max_chars: request.max_chars,
        text,
        skipped,
    })
}

/// Whether `r` is memory `prime` shows: a current decision, or (for files) a current lesson
/// from a failure.
fn governs_kind(r: &Record, basis: Basis) -> bool {
    r.status.is_current()
        && match r.kind {
            Kind::Decision => true,
            Kind::Lesson => basis != Basis::Recent && r.outcome == Some(Outcome::Failure),
            Kind::Pattern => false,
        }
}

/// How specifically `r` governs `files` (the longest literal start of a covering glob; an exact
/// path beats any glob), its covering globs and the files they cover; `None` when it governs none.
fn coverage(r: &Record, files: &[String]) -> Option<(usize, Vec<String>, Vec<String>)> {
    let mut best = None;
    let mut globs: Vec<String> = Vec::new();
    let mut covered = Vec::new();
    for file in files {
        for glob in r.globs_covering(file) {
            let score = glob.find(['*', '?', '[', '{']).unwrap_or(glob.len() + 1000);
            best = best.max(Some(score));
            if !globs.iter().any(|g| g == glob) {
                globs.push(glob.to_owned());
            }
            if covered.last() != Some(file) {
                covered.push(file.clone());
            }
        }
    }
    Some((best?, globs, covered))
}

fn entry(r: &Record, prefix: usize, globs: Vec<String>, files: Vec<String>) -> PrimeEntry {
    PrimeEntry {
        id: r.id.to_string(),
        prefix: r.id.as_str()[..prefix].to_owned(),
        kind: r.kind,
        status: r.status,
        outcome: r.outcome,
        title: r.title.clone(),
        gist: gist(&r.body),
        globs,
        files,
    }
}

/// The first line of prose in a Markdown body (not a heading, comment or rule), list and quote
/// markers dropped, at most 160 characters.
pub fn gist(body: &str) -> String {
    let line = body
        .lines()
        .map(str::trim)
        .find(|l| {
            !l.is_empty()
                && !l.starts_with('#')
                && !l.starts_with("<!--")
                && !l.starts_with("---")
                && !l.starts_with("```")
        })
        .unwrap_or("");
    let line = line.trim_start_matches(['-', '*', '>', ' ']);
    let words = line.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::text::truncate_chars(&words, 160)
}

/// The text within `max` characters, and how many entries it shows.
fn render(basis: Basis, files: &[String], entries: &[PrimeEntry], max: usize) -> (String, usize) {
    let mut text = header(basis, files, entries.is_empty());
    let mut used = text.chars().count();
    let mut shown = 0;
    for (i, e) in entries.iter().enumerate() {
        let line = line(e);
        let left_after = entries.len() - i - 1;
        let reserve = if left_after > 0 {
            footer(left_after, max).chars().count()
        } else {
            0
        };
        let len = line.chars().count();
        if used + len + reserve > max {
            break;
        }
        text.push_str(&line);
        used += len;
        shown += 1;
    }
    if shown < entries.len() {
        text.push_str(&footer(entries.len() - shown, max));
    }
    (text, shown)
}

fn header(basis: Basis, files: &[String], empty: bool) -> String {
    let named = match files {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} more files", rest.len()),
    };
    let what = match basis {
        Basis::Staged => format!("{} ({named})", plural(files.len(), "staged file")),
        Basis::Paths | Basis::Recent => named,
    };
    let record = "record what you decide: `git zen record decision \"<title>\" --path '<glob>' -m \"<why>\"` (MCP `record`)";
    let show = "`git zen show <id>` prints one in full";
    match (basis, empty) {
        (Basis::Staged, _) if files.is_empty() => "git-zen memory: nothing is staged.\n".to_owned(),
        (Basis::Recent, true) => format!("git-zen memory: no decisions recorded yet; {record}.\n"),
        (Basis::Recent, false) => format!("git-zen memory: the newest decisions ({show}):\n"),
        (_, true) => format!(
            "git-zen memory for {what}: no decision or failure lesson governs it; {record}.\n"
        ),
        (_, false) => format!("git-zen memory for {what}, most specific first ({show}):\n"),
    }
}

fn line(e: &PrimeEntry) -> String {
    let flag = match (e.status, e.outcome) {
        (Status::Proposed, _) => " (proposed)",
        (_, Some(Outcome::Failure)) => " (failure)",
        _ => "",
    };
    let globs = match e.globs.as_slice() {
        [] => String::new(),
        [a] => format!(" [{a}]"),
        [a, b] => format!(" [{a}, {b}]"),
        [a, b, ..] => format!(" [{a}, {b}, …]"),
    };
    let gist = if e.gist.is_empty() {
        String::new()
    } else {
        format!(" — {}", e.gist)
    };
    format!(
        "- {} {}{flag}: {}{globs}{gist}\n",
        e.prefix, e.kind, e.title
    )
}

fn footer(left: usize, max: usize) -> String {
    format!(
        "({} left out for --max-chars {max})\n",
        plural(left, "more record")
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
