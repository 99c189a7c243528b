//! Atomic file writes: a temp file in the target's folder, fsync, rename, fsync of the folder.
//!
//! A reader (or a crash) sees the old file or the new one, never half of either. New files get the
//! mode any editor would give them (0666 less the umask); a rewrite keeps the file's mode.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Opens (creating it) the lock file at `path` and waits for its exclusive lock, held until the
/// file is dropped: how git-zen processes take turns on a hub clone or a cache build.
pub fn lock_file(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    file.lock()?;
    Ok(file)
}

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
    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix).map_err(io::Error::other)?;
    let temp = dir.join(format!(".zen-{:016x}.tmp", u64::from_le_bytes(suffix)));
    // OpenOptions applies the umask, as every other program's new files do.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)?;
    let result = (|| {
        file.write_all(contents)?;
        if existing == Existing::Replace
            && let Ok(meta) = fs::metadata(path)
        {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        match existing {
            Existing::Replace => fs::rename(&temp, path)?,
            // A hard link fails if the target exists: no-clobber without a check-then-act race.
            Existing::Keep => {
                fs::hard_link(&temp, path)?;
                fs::remove_file(&temp)?;
            }
        }
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_never_clobbers_and_replace_keeps_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.md");
        write_atomic(&path, b"one", Existing::Keep).unwrap();
        let err = write_atomic(&path, b"two", Existing::Keep).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&path).unwrap(), b"one");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
            write_atomic(&path, b"three", Existing::Replace).unwrap();
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o640
            );
        }
        assert_eq!(fs::read(&path).unwrap(), b"three");
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temp files left behind");
    }
}
