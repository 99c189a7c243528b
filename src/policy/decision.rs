//! The `requires-decision` rule kind: changes under some paths need an accepted decision whose
//! `paths` cover them — recorded in the same commit, or named in the message as `Decision: <id>`.

use super::paths::PathRule;
use crate::record::{Kind, Record, Status};

/// Paths whose changes need a recorded decision.
#[derive(Debug)]
pub struct RequiresDecision {
    /// The guarded paths: the rule's `paths` minus `except`.
    pub guarded: PathRule,
}

impl RequiresDecision {
    /// Whether a change to `path` needs a decision.
    pub fn guards(&self, path: &str) -> bool {
        self.guarded.matches(path)
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
