//! Natural selection: a hub record's evidence, aggregated from the outcome events the projects
//! that used it filed (one file each, so concurrent projects never conflict).

use std::collections::HashMap;

use rusqlite::params;
use serde::Serialize;

use super::{Index, IndexError};
use crate::record::{Outcome, Record};

/// What the projects that used a record said about it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evidence {
    /// Projects with a verdict (each project's latest one counts; `unknown` ones do not).
    pub projects: usize,
    /// Of those, how many said success.
    pub success: usize,
    /// … failure.
    pub failure: usize,
    /// … mixed.
    pub mixed: usize,
    /// Between 0 and 1: successes over all verdicts, recent ones weighing more, smoothed
    /// towards 0.5 so one verdict does not decide; 0.5 without evidence.
    pub score: f64,
}

impl Evidence {
    /// Whether most verdicts are failures: shown as a warning, never seeded as a suggestion.
    pub fn mostly_failure(&self) -> bool {
        self.failure > self.success
    }

    /// For example `4 projects: 3 success, 1 failure`; a verdict nobody gave is left out.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for (n, what) in [
            (self.success, "success"),
            (self.failure, "failure"),
            (self.mixed, "mixed"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        let noun = if self.projects == 1 {
            "project"
        } else {
            "projects"
        };
        format!("{} {noun}: {}", self.projects, parts.join(", "))
    }
}

/// One project's verdict at a time (RFC 3339).
struct Vote {
    project: String,
    verdict: Outcome,
    time: String,
}

/// A verdict's weight halves every year: what worked recently counts more.
const HALF_LIFE_DAYS: f64 = 365.0;

/// Aggregates votes, keeping each project's latest.
fn aggregate(mut votes: Vec<Vote>, now: i64) -> Evidence {
    votes.sort_by(|a, b| a.time.cmp(&b.time));
    let mut latest: HashMap<String, Vote> = HashMap::new();
    for vote in votes {
        latest.insert(vote.project.clone(), vote);
    }
    let mut evidence = Evidence::default();
    let (mut weighted, mut total) = (0.0, 0.0);
    for vote in latest.values() {
        let age_days = vote
            .time
            .parse::<jiff::Timestamp>()
            .map_or(0.0, |t| (now - t.as_second()).max(0) as f64 / 86_400.0);
        let weight = 0.5f64.powf(age_days / HALF_LIFE_DAYS);
        let value = match vote.verdict {
            Outcome::Success => {
                evidence.success += 1;
                1.0
            }
            Outcome::Failure => {
                evidence.failure += 1;
                0.0
            }
            Outcome::Mixed => {
                evidence.mixed += 1;
                0.5
            }
            Outcome::Unknown => continue,
        };
        weighted += weight * value;
        total += weight;
    }
    evidence.projects = evidence.success + evidence.failure + evidence.mixed;
    evidence.score = (weighted + 1.0) / (total + 2.0);
    evidence
}

/// The record's own outcome, as the vote of the project it came from (its `origin`), so a
/// promoted pattern starts with the evidence of the project that found it.
fn origin_vote(record: &Record) -> Option<Vote> {
    let verdict = record.outcome.filter(|o| *o != Outcome::Unknown)?;
    let front: toml::Table = toml::from_str(&record.front_matter).ok()?;
    let project = match front.get("origin_project").and_then(|v| v.as_str()) {
        Some(key) => key.to_owned(),
        None => front
            .get("origin")?
            .as_str()?
            .split_whitespace()
            .next()?
            .to_owned(),
    };
    Some(Vote {
        project,
        verdict,
        // Older than any event: a project's own later verdict replaces it.
        time: String::new(),
    })
}

/// The evidence for `record` from outcome events given as `(project, verdict, time)`, wherever
/// they are kept (a hub's cache, the org-wide index); verdicts that do not parse count for
/// nothing.
pub fn evidence_of(
    record: &Record,
    events: impl IntoIterator<Item = (String, String, String)>,
) -> Evidence {
    let mut votes: Vec<Vote> = origin_vote(record).into_iter().collect();
    for (project, verdict, time) in events {
        if let Ok(verdict) = verdict.parse() {
            votes.push(Vote {
                project,
                verdict,
                time,
            });
        }
    }
    aggregate(votes, jiff::Timestamp::now().as_second())
}

impl Index {
    /// The evidence for `record` from the outcome events in this (hub) cache.
    pub fn evidence(&self, record: &Record) -> Result<Evidence, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT project, verdict, time FROM outcomes WHERE record_id = ?1")
            .map_err(|e| self.sqlite(e))?;
        let rows = stmt
            .query_map(params![record.id.as_str()], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get(2)?,
                ))
            })
            .map_err(|e| self.sqlite(e))?;
        let mut votes: Vec<Vote> = origin_vote(record).into_iter().collect();
        for row in rows {
            let (project, verdict, time) = row.map_err(|e| self.sqlite(e))?;
            if let Ok(verdict) = verdict.parse() {
                votes.push(Vote {
                    project,
                    verdict,
                    time,
                });
            }
        }
        Ok(aggregate(votes, jiff::Timestamp::now().as_second()))
    }

    /// How many outcome events the cache holds (every event, not only each project's latest).
    pub fn outcome_count(&self) -> Result<u64, IndexError> {
        self.conn
            .query_row("SELECT count(*) FROM outcomes", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.sqlite(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(project: &str, verdict: Outcome, time: &str) -> Vote {
        Vote {
            project: project.into(),
            verdict,
            time: time.into(),
        }
    }

    #[test]
    fn each_project_counts_once_with_its_latest_verdict() {
        let now = "2026-11-01T00:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_second();
        let e = aggregate(
            vec![
                vote("a", Outcome::Failure, "2026-01-01T00:00:00Z"),
                vote("a", Outcome::Success, "2026-06-01T00:00:00Z"),
                vote("b", Outcome::Success, "2026-06-01T00:00:00Z"),
                vote("c", Outcome::Failure, "2026-06-01T00:00:00Z"),
            ],
            now,
        );
        assert_eq!((e.projects, e.success, e.failure, e.mixed), (3, 2, 1, 0));
        assert_eq!(e.summary(), "3 projects: 2 success, 1 failure");
        assert!(e.score > 0.5 && e.score < 1.0, "{}", e.score);
        assert!(!e.mostly_failure());
    }

    #[test]
    fn no_evidence_is_neutral_and_failures_sink_the_score() {
        assert_eq!(aggregate(Vec::new(), 0).score, 0.5);
        let now = jiff::Timestamp::now().as_second();
        let t = jiff::Timestamp::now().to_string();
        let failing = aggregate(
            vec![
                vote("a", Outcome::Failure, &t),
                vote("b", Outcome::Failure, &t),
                vote("c", Outcome::Success, &t),
            ],
            now,
        );
        assert!(failing.mostly_failure());
        assert!(failing.score < 0.5);
    }

    #[test]
    fn recent_verdicts_weigh_more_than_old_ones() {
        let now = "2026-11-01T00:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_second();
        let recent_success = aggregate(
            vec![
                vote("a", Outcome::Failure, "2022-11-01T00:00:00Z"),
                vote("b", Outcome::Success, "2026-10-01T00:00:00Z"),
            ],
            now,
        );
        assert!(recent_success.score > 0.5, "{}", recent_success.score);
    }
}
