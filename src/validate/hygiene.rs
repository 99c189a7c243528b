//! Hygiene: records that are valid but have gone stale — a decision left `proposed` for weeks
//! (nobody decided), or `paths` that no tracked file matches any more (the code moved, and the
//! record silently stopped governing it). Warnings, never errors: they ask for a look, not a fix
//! before the next commit.

use std::path::Path;

use globset::{Glob, GlobSetBuilder};

use super::{Problem, Severity};
use crate::record::{Kind, Record, Status};
use crate::repo::Repo;
use crate::store::DIR;

/// Days a decision may stay `proposed` before it is pointed out (`[validate] proposed_days` in
/// `.datazentr/config.toml` changes it).
pub const PROPOSED_DAYS: i64 = 30;

/// The hygiene warnings for `records` in `repo`.
pub fn check(repo: &Repo, records: &[Record]) -> Vec<Problem> {
    let mut problems = stale_proposals(records, proposed_days(repo.workdir()));
    problems.extend(unmatched_paths(repo, records));
    problems.extend(stale_baseline(repo));
    problems
}

/// `[validate] proposed_days`, when the config sets it.
fn proposed_days(workdir: &Path) -> i64 {
    std::fs::read_to_string(workdir.join(DIR).join("config.toml"))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|t| t.get("validate")?.get("proposed_days")?.as_integer())
        .unwrap_or(PROPOSED_DAYS)
}

fn stale_proposals(records: &[Record], days: i64) -> Vec<Problem> {
    let now = jiff::Timestamp::now();
    records
        .iter()
        .filter(|r| r.kind == Kind::Decision && r.status == Status::Proposed)
        .filter_map(|r| {
            let created = r.created.as_deref()?;
            let at: jiff::Timestamp = created.parse().ok()?;
            let age = (now.as_second() - at.as_second()) / 86_400;
            (age > days).then(|| Problem {
                file: r.file.clone(),
                line: r.line_of_value("proposed"),
                severity: Severity::Warning,
                message: format!(
                    "proposed {age} days ago and still not decided: accept it, reject it, or supersede it (the limit is {days} days: [validate] proposed_days in .datazentr/config.toml)"
                ),
            })
        })
        .collect()
}

/// Globs of current records that no file in git's index matches. One pass over the tracked
/// files with every glob in one set.
fn unmatched_paths(repo: &Repo, records: &[Record]) -> Vec<Problem> {
    let globs: Vec<(&Record, &str)> = records
        .iter()
        .filter(|r| r.status.is_current())
        .flat_map(|r| r.paths.iter().map(move |g| (r, g.as_str())))
        .collect();
    if globs.is_empty() {
        return Vec::new();
    }
    let mut builder = GlobSetBuilder::new();
    let mut compiled = Vec::new();
    for (i, (_, glob)) in globs.iter().enumerate() {
        if let Ok(g) = Glob::new(glob) {
            builder.add(g);
            compiled.push(i);
        }
    }
    let (Ok(set), Ok(files)) = (builder.build(), crate::changes::all_files(repo.gix())) else {
        return Vec::new();
    };
    let mut used = vec![false; compiled.len()];
    for file in &files {
        for hit in set.matches(&file.path) {
            used[hit] = true;
        }
    }
    compiled
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(&i, _)| {
            let (r, glob) = globs[i];
            Problem {
                file: r.file.clone(),
                line: r.line_of_value(glob),
                severity: Severity::Warning,
                message: format!(
                    "`paths` entry '{glob}' matches no tracked file: the code it governed moved or went; update the glob or remove it"
                ),
            }
        })
        .collect()
}

/// Entries of `.datazentr/secrets-baseline.toml` whose secret a whole-tree check no longer finds:
/// the secret was removed (or rotated and replaced), so the entry only hides a future paste of
/// it. Nothing when there is no baseline, or when the policies cannot run (`check` says why).
pub fn stale_baseline(repo: &Repo) -> Vec<Problem> {
    use crate::policy::baseline::{self, Baseline};
    use crate::policy::run::Checker;
    let Ok(Some(known)) = Baseline::load(repo.workdir()) else {
        return Vec::new();
    };
    let Ok(policies) = crate::policy::load(repo.workdir()) else {
        return Vec::new();
    };
    let Ok(files) = crate::changes::all_files(repo.gix()) else {
        return Vec::new();
    };
    let checker = Checker::new(repo, &policies, None, Vec::new());
    let mut report = checker.report();
    if checker.tree(&files, &mut report).is_err() {
        return Vec::new();
    }
    let file = Path::new(DIR).join(baseline::FILE);
    known
        .stale(&report.findings)
        .into_iter()
        .map(|entry| Problem {
            file: file.clone(),
            line: 1,
            severity: Severity::Warning,
            message: format!(
                "stale baseline entry: {} in {} is no longer found (removed or rotated); write the baseline again with `git zen check --all --write-baseline`",
                entry.rule, entry.path
            ),
        })
        .collect()
}
