//! Filling in the vectors a cache is missing, without making anyone wait.
//!
//! A command that needs vectors ([`ensure`]) embeds a few missing records itself; when more are
//! missing (a first use on a big memory, a large pull), it starts one background process
//! (`git zen index embed`, holding `<cache>.embed.lock` so there is only ever one) and answers
//! with what it has. The background process works in batches, each stored in its own
//! transaction with the cache closed in between, so a `kill -9` loses at most one batch and a
//! rebuild never waits for the whole run.

use std::path::{Path, PathBuf};

use super::Embedder;
use crate::index::{Index, IndexError, Pending};

/// Records embedded per batch by [`fill`]: about two seconds of work on two cores.
const BATCH: usize = 32;

/// How far the vectors of a cache are from complete, after [`ensure`].
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Coverage {
    /// Record texts with a vector.
    pub embedded: u64,
    /// Record texts still without one (ranked by keyword alone for now).
    pub missing: u64,
    /// Whether a background process is (now) embedding them.
    pub background: bool,
}

impl Coverage {
    /// Every record text has its vector (how many is not counted: nothing needs saying).
    pub fn complete() -> Coverage {
        Coverage {
            embedded: 0,
            missing: 0,
            background: false,
        }
    }
}

/// How to start the background embedder for a cache.
#[derive(Debug, Clone)]
pub struct Background {
    /// Arguments after the `git-zen` executable (e.g. `index embed --quiet`).
    pub args: Vec<String>,
    /// Where to run it (the repository the command was run in).
    pub cwd: PathBuf,
    /// The cache whose `.embed.lock` it holds.
    pub cache: PathBuf,
}

/// Makes sure `index` has vectors for `embedder`: missing texts are embedded now if they come to
/// at most `inline` word pieces in all; beyond that, `background` (if given) is started for them.
pub fn ensure(
    index: &Index,
    embedder: &Embedder,
    inline: usize,
    background: Option<&Background>,
) -> Result<Coverage, IndexError> {
    if !index.vectors_missing(embedder.id())? {
        return Ok(Coverage::complete());
    }
    let (missing, embedded) = index.vector_coverage(embedder.id())?;
    if missing == 0 {
        return Ok(Coverage::complete());
    }
    // A cheap estimate of the work: about four bytes of English per word piece, at most the
    // model's input length per text. Only read when few enough texts are missing to matter.
    let pending = if missing as usize <= inline.div_ceil(8) {
        index.pending_vectors(embedder.id(), missing as usize)?
    } else {
        Vec::new()
    };
    let tokens: usize = pending
        .iter()
        .map(|p| (p.text.len() / 4 + 2).min(256))
        .sum();
    if !pending.is_empty() && tokens <= inline {
        let computed = embed_pending(embedder, pending);
        index.store_vectors(embedder.id(), &computed)?;
        return Ok(Coverage {
            embedded: embedded + computed.len() as u64,
            missing: 0,
            background: false,
        });
    }
    let background = background.is_some_and(|b| b.cache.exists() && start(b));
    Ok(Coverage {
        embedded,
        missing,
        background: background || embedding_now(index.path()),
    })
}

/// Whether a background embedder holds the cache's embed lock right now.
pub fn embedding_now(cache: &Path) -> bool {
    crate::fsutil::try_lock_file(&lock_path(cache)).is_none()
}

fn lock_path(cache: &Path) -> PathBuf {
    PathBuf::from(format!("{}.embed.lock", cache.display()))
}

/// The vectors of pending texts, each with the key to store it under.
fn embed_pending(embedder: &Embedder, pending: Vec<Pending>) -> Vec<(String, Vec<f32>)> {
    let texts: Vec<&str> = pending.iter().map(|p| p.text.as_str()).collect();
    let vectors = embedder.embed_all(&texts);
    pending.into_iter().map(|p| p.key).zip(vectors).collect()
}

/// Starts the background embedder unless one is running; `true` if one is now running.
fn start(background: &Background) -> bool {
    if embedding_now(&background.cache) {
        return true;
    }
    let Ok(exe) = std::env::current_exe() else {
        return false;
    };
    let mut command = std::process::Command::new(exe);
    command
        .args(&background.args)
        .current_dir(&background.cwd)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    #[cfg(unix)]
    {
        // Its own process group: a Ctrl-C meant for the command that started it does not stop it.
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    command.spawn().is_ok()
}

/// Embeds every missing text of the cache `open` opens, in batches, calling `progress` with
/// (done, total) after each. Returns how many were embedded, or `None` if another process
/// holds the embed lock (it is doing the same work).
pub fn fill<E: From<IndexError>>(
    cache: &Path,
    open: &dyn Fn() -> Result<Index, E>,
    embedder: &Embedder,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Option<u64>, E> {
    let Some(_lock) = crate::fsutil::try_lock_file(&lock_path(cache)) else {
        return Ok(None);
    };
    let total = open()?.vector_coverage(embedder.id())?.0;
    let mut done = 0u64;
    progress(done, total);
    loop {
        // The cache is open only to read a batch and to store it: never while embedding.
        let pending = open()?.pending_vectors(embedder.id(), BATCH)?;
        if pending.is_empty() {
            return Ok(Some(done));
        }
        let computed = embed_pending(embedder, pending);
        open()?.store_vectors(embedder.id(), &computed)?;
        crate::fault::point("embed.batch");
        done += computed.len() as u64;
        progress(done, total.max(done));
    }
}
