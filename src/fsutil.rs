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
    let file = open_lock_file(path)?;
    file.lock()?;
    Ok(file)
}

/// [`lock_file`], shared: any number of holders, none while someone holds it exclusively.
pub fn lock_file_shared(path: &Path) -> io::Result<File> {
    let file = open_lock_file(path)?;
    file.lock_shared()?;
    Ok(file)
}

/// [`lock_file`] without waiting: `None` when another holder has it (or it cannot be opened).
/// For work only one process should do, such as embedding in the background.
pub fn try_lock_file(path: &Path) -> Option<File> {
    let file = open_lock_file(path).ok()?;
    file.try_lock().ok()?;
    Some(file)
}

fn open_lock_file(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
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
    write_atomic_via(path, contents, existing, None)
}

/// [`write_atomic`] with the temp file in `temps` (created if missing) instead of beside the
/// target: a write killed half-way then leaves its temp file where `git status` and `git add`
/// never look. A `temps` on another file system than the target falls back to the target's
/// folder.
pub fn write_atomic_via(
    path: &Path,
    contents: &[u8],
    existing: Existing,
    temps: Option<&Path>,
) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    if let Some(temps) = temps.filter(|t| fs::create_dir_all(t).is_ok()) {
        match write_through(temps, dir, path, contents, existing) {
            Err(e) if e.kind() == io::ErrorKind::CrossesDevices => {}
            done => return done,
        }
    }
    write_through(dir, dir, path, contents, existing)
}

/// Writes a temp file in `temps`, then moves it to `path` (in `dir`).
fn write_through(
    temps: &Path,
    dir: &Path,
    path: &Path,
    contents: &[u8],
    existing: Existing,
) -> io::Result<()> {
    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix).map_err(io::Error::other)?;
    let temp = temps.join(format!(
        "{TEMP_PREFIX}{}-{:016x}{TEMP_SUFFIX}",
        std::process::id(),
        u64::from_le_bytes(suffix)
    ));
    // OpenOptions applies the umask, as every other program's new files do.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)?;
    // Locked while written, so a sweep by another process can tell it from a dead writer's.
    let _ = file.lock();
    let result = (|| {
        file.write_all(contents)?;
        if existing == Existing::Replace
            && let Ok(meta) = fs::metadata(path)
        {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        crate::fault::point("write");
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

/// What [`write_if_changed`] did to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileAction {
    /// The file did not exist and was written.
    Created,
    /// The file existed with other content and was replaced.
    Updated,
    /// The file already held exactly these bytes: not touched (its mtime neither).
    Unchanged,
}

/// Writes `contents` to `path` atomically unless the file already holds exactly these bytes,
/// creating missing parent folders; temp files go to `temps` as with [`write_atomic_via`]. Commands
/// that generate files others edit (`agents install`, `ci`) use it so running them twice changes
/// nothing, not even a timestamp a build tool watches.
pub fn write_if_changed(
    path: &Path,
    contents: &[u8],
    temps: Option<&Path>,
) -> io::Result<FileAction> {
    let action = match fs::read(path) {
        Ok(old) if old == contents => return Ok(FileAction::Unchanged),
        Ok(_) => FileAction::Updated,
        Err(e) if e.kind() == io::ErrorKind::NotFound => FileAction::Created,
        Err(e) => return Err(e),
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    write_atomic_via(path, contents, Existing::Replace, temps)?;
    Ok(action)
}

const TEMP_PREFIX: &str = ".zen-";
const TEMP_SUFFIX: &str = ".tmp";

/// Whether `name` is a temp file of [`write_atomic`].
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)
}

/// Deletes the temp files in `dir` whose writer is gone (killed half-way through a write); a
/// live writer's are left alone. Returns how many were deleted.
pub fn remove_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| is_temp_name(&e.file_name().to_string_lossy()))
        .filter(|e| remove_if_stale(&e.path()))
        .count()
}

/// Deletes the temp file at `path` if its writer is gone; says whether it did.
pub fn remove_if_stale(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let writer_may_live = match owner_pid(&name, TEMP_PREFIX) {
        Some(pid) => !owner_gone(pid),
        // Named before temp names carried their writer: gone if old and unlocked.
        None => fs::metadata(path)
            .and_then(|m| m.modified())
            .map(|t| t.elapsed().unwrap_or_default() < std::time::Duration::from_secs(10))
            .unwrap_or(true),
    };
    if writer_may_live || !unlocked(path) {
        return false;
    }
    fs::remove_file(path).is_ok()
}

/// Whether nobody holds a lock on the file at `path` (a writer locks its temp file).
fn unlocked(path: &Path) -> bool {
    File::open(path).is_ok_and(|f| f.try_lock().is_ok())
}

/// The pid in a name `<prefix><pid>-<anything>`, as git-zen names what a process leaves behind
/// while it works (temp files, gate folders), so another process can tell whether it is stale.
pub fn owner_pid(name: &str, prefix: &str) -> Option<u32> {
    let (pid, _) = name.strip_prefix(prefix)?.split_once('-')?;
    pid.parse().ok()
}

/// Whether the process `pid` that named a file is known to be gone: not this one, and not
/// running (or a zombie) where the system can say.
pub fn owner_gone(pid: u32) -> bool {
    pid != std::process::id() && process_alive(pid) == Some(false)
}

/// Whether process `pid` runs, where the system says (`/proc` on Linux); `None` elsewhere. A
/// zombie (killed, not yet reaped — in a container whose init does not reap, it may stay) is
/// not running.
pub fn process_alive(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return None;
    }
    let Ok(stat) = fs::read_to_string(proc.join(pid.to_string()).join("stat")) else {
        return Some(false);
    };
    // `pid (comm) state …`: the command may hold spaces and parentheses, the state follows
    // the last `)`.
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    Some(!matches!(state, Some('Z' | 'X')))
}

/// Whether some process works in `dir` (its current directory is `dir` or below), where the
/// system says (`/proc` on Linux); `None` elsewhere. git-zen runs `git` in its clones with the
/// clone as the current directory, so a live git there shows up here.
pub fn dir_in_use(dir: &Path) -> Option<bool> {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return None;
    }
    let dir = fs::canonicalize(dir).ok()?;
    let entries = fs::read_dir(proc).ok()?;
    Some(entries.flatten().any(|e| {
        e.file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
            && fs::read_link(e.path().join("cwd")).is_ok_and(|cwd| cwd.starts_with(&dir))
    }))
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

    #[test]
    fn a_dead_writers_temp_file_is_swept_and_a_live_ones_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        // No process has pid 4194304 (above Linux's maximum pid).
        let dead = dir.path().join(".zen-4194304-00000000000000aa.tmp");
        let mine = dir
            .path()
            .join(format!(".zen-{}-00000000000000bb.tmp", std::process::id()));
        fs::write(&dead, b"half").unwrap();
        fs::write(&mine, b"busy").unwrap();
        fs::write(dir.path().join("record.md"), b"kept").unwrap();
        let removed = remove_stale_temps(dir.path());
        if process_alive(1).is_some() {
            assert_eq!(removed, 1);
            assert!(!dead.exists());
        }
        assert!(mine.exists(), "this process may still be writing it");
        assert!(dir.path().join("record.md").exists());
    }

    #[test]
    fn a_write_through_a_temp_folder_leaves_it_empty() {
        let dir = tempfile::tempdir().unwrap();
        let temps = dir.path().join("tmp");
        let path = dir.path().join("r.md");
        write_atomic_via(&path, b"one", Existing::Keep, Some(&temps)).unwrap();
        write_atomic_via(&path, b"two", Existing::Replace, Some(&temps)).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(&temps).unwrap().count(), 0);
    }
}
