//! Atomic file writes: a temp file in the target's folder, fsync, rename, fsync of the folder.
//!
//! A reader (or a crash) sees the old file or the new one, never half of either.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

/// How an atomic write treats an existing file at the target path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Fail with `AlreadyExists` rather than replace it (new records).
    Keep,
    /// Replace it (rewrites of a record).
    Replace,
}

/// Writes `contents` to `path` atomically. The parent folder must exist.
pub fn write_atomic(path: &Path, contents: &[u8], existing: Existing) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".zen-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(contents)?;
    temp.as_file().sync_all()?;
    match existing {
        Existing::Keep => temp.persist_noclobber(path).map_err(|e| e.error)?,
        Existing::Replace => temp.persist(path).map_err(|e| e.error)?,
    };
    sync_dir(dir)
}

/// Makes a rename or create inside `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = (dir, File::open);
        Ok(())
    }
}
