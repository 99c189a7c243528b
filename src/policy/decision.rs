//! The `requires-decision` rule kind: changes under some paths need an accepted decision whose
//! `paths` cover them — recorded in the same commit, or named in the message as `Decision: <id>`.

use globset::GlobSet;
use serde::Deserialize;

use super::paths::glob_set;
use crate::record::{Kind, Record, Status};

/// The keys of a `requires-decision` rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    paths: Vec<String>,
    #[serde(default)]
    except: Vec<String>,
}

impl Spec {
    /// Compiles the globs.
    pub fn compile(self) -> Result<RequiresDecision, String> {
        if self.paths.is_empty() {
            return Err("`paths` is empty; list the globs whose changes need a decision".into());
        }
        Ok(RequiresDecision {
            guarded: glob_set("paths", &self.paths)?,
            except: glob_set("except", &self.except)?,
            paths: self.paths,
        })
    }
}

/// Paths whose changes need a recorded decision.
#[derive(Debug)]
pub struct RequiresDecision {
    /// The globs as written.
    pub paths: Vec<String>,
    guarded: GlobSet,
    except: GlobSet,
}

impl RequiresDecision {
    /// Whether a change to `path` needs a decision.
    pub fn guards(&self, path: &str) -> bool {
        self.guarded.is_match(path) && !self.except.is_match(path)
    }

    /// The guarded paths among `changed` that no accepted decision in `decisions` covers.
    pub fn uncovered<'a>(&self, changed: &[&'a str], decisions: &[Record]) -> Vec<&'a str> {
        changed
            .iter()
            .copied()
            .filter(|path| self.guards(path))
            .filter(|path| {
                !decisions.iter().any(|d| {
                    d.kind == Kind::Decision && d.status == Status::Accepted && d.governs(path)
                })
            })
            .collect()
    }
}

/// The ids named in `Decision: <id>` lines of a commit message (several per line with commas).
pub fn named_decisions(message: &str) -> Vec<String> {
    message
        .lines()
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case("decision").then_some(value)
        })
        .flat_map(|value| value.split([',', ' ']))
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_trailers_are_found_anywhere_in_the_message() {
        let msg = "feat: x\n\nbody\nDecision: 1abc, ADR-3\ndecision:  1def\nNot-decision: zzz";
        assert_eq!(named_decisions(msg), ["1abc", "ADR-3", "1def"]);
    }
}
