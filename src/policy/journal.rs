//! The hooks' journal of verdicts: one JSON line per hook run that judged something, kept in the
//! git dir (`<git-common-dir>/datazentr/verdicts.jsonl`, shared by linked worktrees, never
//! committed), so a dashboard can show which commits and pushes were blocked by which rules.
//!
//! The journal must never make a hook slower or fail it, so writing is one `open(O_APPEND)`, one
//! `write(2)` of one line and one `fstat`: no lock, no read, no fsync. Lines are kept under
//! [`MAX_LINE`] bytes, far below what a local file system writes in one piece, so concurrent hooks
//! append whole lines that never interleave. A failed write is the caller's to ignore.
//!
//! **Bounded by two generations.** When an append leaves `verdicts.jsonl` over its size bound
//! ([`ROTATE_AT`], 700 to 1,100 entries), the appender renames it to `verdicts.1.jsonl`
//! (replacing the older generation) and the next append starts a new file. So the journal never
//! holds more than about twice the bound, and always the newest bound's worth. The rename happens
//! under a lock taken with `try_lock` (a second rotator skips, it never waits), and only if the
//! file at the path is still the one this process appended to: two hooks crossing the bound at
//! once rotate once. A hook that opened the file just before a rotation writes into the renamed
//! file, so no entry is lost.
//!
//! **A `kill -9` at any moment.** A write is one system call and the rotation one rename, so a
//! killed hook leaves the journal as it was or with one more line. If a line is torn anyway (a full
//! disk), the reader skips it; a whole entry glued after a torn one is still read, because every
//! entry starts with `{"time":`, which JSON escaping keeps out of any value.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Report, Severity};

/// The journal's file name in the state folder.
pub const FILE: &str = "verdicts.jsonl";
/// The previous generation, renamed from [`FILE`] when it grew over its bound.
pub const PREVIOUS: &str = "verdicts.1.jsonl";
const LOCK: &str = "verdicts.lock";

/// Size at which the current file is rotated: 128 KiB, so the journal keeps between 128 and about
/// 256 KiB — the last 700 to 2,200 verdicts, a line being 120 to 200 bytes.
pub const ROTATE_AT: u64 = 128 * 1024;

/// The longest line written: well below `PIPE_BUF` (4096), the size POSIX promises to write in one
/// piece on a pipe, and so far below what a local file system splits. A verdict with many rule ids
/// drops ids (and says so with [`Verdict::truncated`]) to fit.
pub const MAX_LINE: usize = 2048;

/// The JSON every entry begins with; the reader resynchronises on it after a torn line.
const ENTRY_START: &str = "{\"time\":";

/// Whether a hook let the commit or push go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// A rule with severity `error` failed: the commit or push was stopped.
    Blocked,
    /// Nothing blocked (warnings may have been reported).
    Passed,
}

/// One hook's verdict, as the journal keeps it (one JSON object per line, fields in this order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// When the hook concluded, UTC, to the millisecond (RFC 3339 in the file).
    #[serde(with = "rfc3339")]
    pub time: jiff::Timestamp,
    /// The hook as git names it: `pre-commit`, `commit-msg`, `pre-push` or `pre-receive`. A
    /// string, not an enum, so an older git-zen can still read a journal a newer one wrote.
    pub hook: String,
    /// Blocked or passed.
    pub outcome: Outcome,
    /// Ids of the rules with a blocking finding, sorted, each once (empty when it passed).
    pub rules: Vec<String>,
    /// Number of blocking findings.
    pub errors: usize,
    /// Number of findings that were reported without blocking.
    pub warnings: usize,
    /// Files whose content the rules read.
    pub files: usize,
    /// What a push judged: `<ref> <old>..<new>` per ref (`<ref> <new>` for a new ref), ids
    /// abbreviated to 12 hex digits, separated by `, `. None for a commit's hooks: the commit does
    /// not exist yet when they run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// Rules skipped with `GIT_ZEN_SKIP`: a pass that skipped rules is not a clean pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    /// Whether rule ids or the range were cut to keep the line under [`MAX_LINE`] bytes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

impl Verdict {
    /// The verdict of `hook` on `report`, concluded now.
    pub fn new(hook: &str, report: &Report, range: Option<String>) -> Verdict {
        let mut rules: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.rule.clone())
            .collect();
        rules.sort_unstable();
        rules.dedup();
        let now = jiff::Timestamp::now();
        Verdict {
            time: jiff::Timestamp::from_millisecond(now.as_millisecond()).unwrap_or(now),
            hook: hook.to_owned(),
            outcome: if rules.is_empty() {
                Outcome::Passed
            } else {
                Outcome::Blocked
            },
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warn),
            files: report.files_checked,
            rules,
            range,
            skipped: report.skipped.clone(),
            truncated: false,
        }
    }

    /// The entry as one line of JSON with its newline, at most [`MAX_LINE`] bytes: the range, then
    /// skipped ids, then blocking rule ids (the last first) are dropped until it fits.
    pub fn to_line(&self) -> String {
        let mut line = serialize(self);
        if line.len() <= MAX_LINE {
            return line;
        }
        let mut cut = self.clone();
        cut.truncated = true;
        while line.len() > MAX_LINE {
            if cut.range.is_some() {
                cut.range = None;
            } else if !cut.skipped.is_empty() {
                cut.skipped.pop();
            } else if !cut.rules.is_empty() {
                cut.rules.pop();
            } else {
                // Only the hook name can be this long: it is ours, so this does not happen.
                cut.hook.truncate(64);
            }
            line = serialize(&cut);
        }
        line
    }

    /// Parses one line of the journal; a torn line or a foreign one is `None`. A line that holds a
    /// torn entry followed by a whole one (an append after a torn write) gives the whole one.
    pub fn from_line(line: &str) -> Option<Verdict> {
        let line = line.trim_end();
        if let Ok(verdict) = serde_json::from_str(line) {
            return Some(verdict);
        }
        let start = line.rfind(ENTRY_START).filter(|&i| i > 0)?;
        serde_json::from_str(&line[start..]).ok()
    }
}

fn serialize(verdict: &Verdict) -> String {
    let mut line = serde_json::to_string(verdict).expect("a verdict always serializes");
    line.push('\n');
    line
}

/// The journal in one state folder (`<git-common-dir>/datazentr`, or a bare repository's
/// `datazentr`).
#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
    rotate_at: u64,
}

impl Journal {
    /// The journal kept in `dir`, rotated at [`ROTATE_AT`].
    pub fn at(dir: &Path) -> Journal {
        Journal::with_bound(dir, ROTATE_AT)
    }

    /// The journal in `dir`, rotated when the current file exceeds `rotate_at` bytes (tests use a
    /// small bound).
    pub fn with_bound(dir: &Path, rotate_at: u64) -> Journal {
        Journal {
            dir: dir.to_path_buf(),
            rotate_at,
        }
    }

    /// The current file.
    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    /// Appends `verdict` as one line, rotating when the file grew over its bound. Creates the
    /// folder when it is missing. Never waits for another process.
    pub fn append(&self, verdict: &Verdict) -> io::Result<()> {
        let line = verdict.to_line();
        let path = self.path();
        let file = match open_append(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir_all(&self.dir)?;
                open_append(&path)?
            }
            opened => opened?,
        };
        // One write of the whole line: `write_all` on a regular file does it in one call.
        (&file).write_all(line.as_bytes())?;
        if file.metadata()?.len() > self.rotate_at {
            self.rotate(&file)?;
        }
        Ok(())
    }

    /// Renames the current file to the previous generation, if `appended` is still the current
    /// file and no other process is rotating.
    fn rotate(&self, appended: &File) -> io::Result<()> {
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(LOCK))?;
        if lock.try_lock().is_err() {
            return Ok(());
        }
        let current = match fs::metadata(self.path()) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        if !same_file(&current, &appended.metadata()?) || current.len() <= self.rotate_at {
            // Another process rotated it between our write and the lock.
            return Ok(());
        }
        fs::rename(self.path(), self.dir.join(PREVIOUS))
    }

    /// The newest `limit` verdicts, newest first; none when the journal does not exist. Lines that
    /// do not parse (a torn write) are skipped.
    pub fn read(&self, limit: usize) -> io::Result<Vec<Verdict>> {
        let mut verdicts = Vec::new();
        for name in [FILE, PREVIOUS] {
            if verdicts.len() >= limit {
                break;
            }
            let text = match fs::read(self.dir.join(name)) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let wanted = limit - verdicts.len();
            verdicts.extend(
                text.lines()
                    .rev()
                    .filter_map(Verdict::from_line)
                    .take(wanted),
            );
        }
        Ok(verdicts)
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

/// Whether two metadata describe the same file (same device and inode where the system says).
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        a.len() == b.len()
    }
}

/// `jiff::Timestamp` as an RFC 3339 string, without jiff's optional serde feature.
mod rfc3339 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &jiff::Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(time)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<jiff::Timestamp, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Finding;

    fn finding(rule: &str, severity: Severity) -> Finding {
        Finding {
            rule: rule.to_owned(),
            severity,
            path: Some("a.txt".to_owned()),
            line: Some(1),
            commit: None,
            message: "m".to_owned(),
            detail: None,
            fingerprint: None,
        }
    }

    fn report(findings: Vec<Finding>) -> Report {
        Report {
            findings,
            files_checked: 3,
            ..Report::default()
        }
    }

    fn passed(n: usize) -> Verdict {
        let mut v = Verdict::new("pre-commit", &report(Vec::new()), None);
        v.files = n;
        v
    }

    #[test]
    fn a_verdict_names_each_blocking_rule_once_and_counts_warnings() {
        let v = Verdict::new(
            "pre-commit",
            &report(vec![
                finding("trailing-whitespace", Severity::Warn),
                finding("secret-aws-access-key", Severity::Error),
                finding("large-files", Severity::Error),
                finding("secret-aws-access-key", Severity::Error),
            ]),
            None,
        );
        assert_eq!(v.outcome, Outcome::Blocked);
        assert_eq!(v.rules, ["large-files", "secret-aws-access-key"]);
        assert_eq!((v.errors, v.warnings, v.files), (3, 1, 3));
        let warned = Verdict::new(
            "pre-commit",
            &report(vec![finding("trailing-whitespace", Severity::Warn)]),
            None,
        );
        assert_eq!(warned.outcome, Outcome::Passed);
        assert!(warned.rules.is_empty());
    }

    #[test]
    fn the_line_format_is_stable_json_starting_with_the_time() {
        let v = Verdict {
            time: "2026-11-24T10:00:00.123Z".parse().unwrap(),
            hook: "pre-push".to_owned(),
            outcome: Outcome::Blocked,
            rules: vec!["large-files".to_owned()],
            errors: 1,
            warnings: 0,
            files: 2,
            range: Some("refs/heads/main 0123456789ab..ba9876543210".to_owned()),
            skipped: Vec::new(),
            truncated: false,
        };
        let line = v.to_line();
        assert_eq!(
            line,
            "{\"time\":\"2026-11-24T10:00:00.123Z\",\"hook\":\"pre-push\",\"outcome\":\"blocked\",\
             \"rules\":[\"large-files\"],\"errors\":1,\"warnings\":0,\"files\":2,\
             \"range\":\"refs/heads/main 0123456789ab..ba9876543210\"}\n"
        );
        assert_eq!(Verdict::from_line(&line), Some(v));
    }

    #[test]
    fn a_verdict_with_very_many_rules_is_cut_to_one_short_line() {
        let findings = (0..500)
            .map(|i| finding(&format!("rule-number-{i:04}"), Severity::Error))
            .collect();
        let v = Verdict::new("pre-commit", &report(findings), Some("x".repeat(3000)));
        let line = v.to_line();
        assert!(line.len() <= MAX_LINE, "{}", line.len());
        let read = Verdict::from_line(&line).unwrap();
        assert!(read.truncated);
        assert_eq!(read.errors, 500, "the counts stay whole");
        assert!(!read.rules.is_empty());
    }

    #[test]
    fn a_torn_line_is_skipped_and_an_entry_glued_after_it_is_read() {
        let whole = passed(7).to_line();
        let torn = &whole[..whole.len() / 2];
        assert_eq!(Verdict::from_line(torn), None);
        assert_eq!(Verdict::from_line("not json"), None);
        let glued = format!("{torn}{whole}");
        assert_eq!(Verdict::from_line(&glued).map(|v| v.files), Some(7));

        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::at(dir.path());
        journal.append(&passed(1)).unwrap();
        journal.append(&passed(2)).unwrap();
        let mut file = OpenOptions::new()
            .append(true)
            .open(journal.path())
            .unwrap();
        file.write_all(torn.as_bytes()).unwrap();
        let read = journal.read(10).unwrap();
        assert_eq!(read.iter().map(|v| v.files).collect::<Vec<_>>(), [2, 1]);
        journal.append(&passed(3)).unwrap();
        let read = journal.read(10).unwrap();
        assert_eq!(read.iter().map(|v| v.files).collect::<Vec<_>>(), [3, 2, 1]);
    }

    #[test]
    fn reading_gives_the_newest_first_across_both_generations() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::with_bound(dir.path(), 1024);
        assert!(journal.read(10).unwrap().is_empty(), "no journal: none");
        for n in 0..40 {
            journal.append(&passed(n)).unwrap();
        }
        assert!(dir.path().join(PREVIOUS).exists(), "it rotated");
        let read = journal.read(5).unwrap();
        assert_eq!(
            read.iter().map(|v| v.files).collect::<Vec<_>>(),
            [39, 38, 37, 36, 35]
        );
        let all = journal.read(usize::MAX).unwrap();
        let files: Vec<usize> = all.iter().map(|v| v.files).collect();
        let newest = files[0];
        assert_eq!(newest, 39);
        assert!(
            files.windows(2).all(|w| w[0] == w[1] + 1),
            "consecutive: {files:?}"
        );
    }

    #[test]
    fn the_journal_stays_bounded_after_many_thousand_entries() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::at(dir.path());
        // The longest line written: timestamps vary in length (trailing zeros of the fraction
        // are not written), so one sample line can be a few bytes short of the one that
        // crossed the bound.
        let mut line = 0;
        for n in 0..5_000 {
            let verdict = passed(n);
            line = line.max(verdict.to_line().len() as u64);
            journal.append(&verdict).unwrap();
        }
        let size = |name: &str| fs::metadata(dir.path().join(name)).map_or(0, |m| m.len());
        assert!(size(FILE) <= ROTATE_AT + line, "{}", size(FILE));
        assert!(size(PREVIOUS) <= ROTATE_AT + line, "{}", size(PREVIOUS));
        let kept = journal.read(usize::MAX).unwrap();
        assert!(
            kept.len() as u64 >= ROTATE_AT / line,
            "at least a bound's worth is kept: {}",
            kept.len()
        );
        assert!(kept.len() < 5_000);
        assert_eq!(kept[0].files, 4_999, "the newest survives");
    }

    #[test]
    fn concurrent_appenders_never_tear_a_line() {
        let dir = tempfile::tempdir().unwrap();
        // A small bound: many rotations race with the appends.
        let journal = Journal::with_bound(dir.path(), 4096);
        std::thread::scope(|s| {
            for t in 0..8 {
                let journal = journal.clone();
                s.spawn(move || {
                    for n in 0..200 {
                        journal.append(&passed(t * 1000 + n)).unwrap();
                    }
                });
            }
        });
        for name in [FILE, PREVIOUS] {
            let text = fs::read_to_string(dir.path().join(name)).unwrap();
            for line in text.lines() {
                assert!(Verdict::from_line(line).is_some(), "torn: {line}");
            }
        }
        // Each thread's own entries keep their order.
        let read = journal.read(usize::MAX).unwrap();
        for t in 0..8 {
            let mine: Vec<usize> = read
                .iter()
                .map(|v| v.files)
                .filter(|f| f / 1000 == t)
                .collect();
            assert!(mine.windows(2).all(|w| w[0] > w[1]), "{mine:?}");
        }
    }
}
