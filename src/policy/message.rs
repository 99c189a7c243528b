//! The `commit-message` rule kind, and reading a message the way git will store it.

use regex::Regex;
use serde::Deserialize;

/// The keys of a `commit-message` rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pattern: Option<String>,
    #[serde(default)]
    max_subject: Option<usize>,
    #[serde(default)]
    max_body_line: Option<usize>,
    #[serde(default)]
    types: Vec<String>,
    #[serde(default = "yes")]
    skip_merges: bool,
    #[serde(default = "yes")]
    skip_reverts: bool,
    #[serde(default = "yes")]
    skip_fixups: bool,
}

fn yes() -> bool {
    true
}

impl Spec {
    /// Compiles the pattern and the conventional-commit types.
    pub fn compile(self) -> Result<CommitMessage, String> {
        let pattern = self
            .pattern
            .as_deref()
            .map(|p| Regex::new(p).map_err(|e| format!("`pattern`: bad regex `{p}`: {e}")))
            .transpose()?;
        let conventional = if self.types.is_empty() {
            None
        } else {
            let types: Vec<String> = self.types.iter().map(|t| regex::escape(t)).collect();
            let re = format!(r"^(?:{})(?:\([^()\s]+\))?!?: \S", types.join("|"));
            Some(Regex::new(&re).map_err(|e| format!("`types`: {e}"))?)
        };
        if pattern.is_none()
            && conventional.is_none()
            && self.max_subject.is_none()
            && self.max_body_line.is_none()
        {
            return Err(
                "nothing to check; set `pattern`, `types`, `max_subject` or `max_body_line`".into(),
            );
        }
        Ok(CommitMessage {
            pattern,
            conventional,
            types: self.types,
            max_subject: self.max_subject,
            max_body_line: self.max_body_line,
            skip_merges: self.skip_merges,
            skip_reverts: self.skip_reverts,
            skip_fixups: self.skip_fixups,
        })
    }
}

/// Rules for a commit message's subject and body.
#[derive(Debug)]
pub struct CommitMessage {
    pattern: Option<Regex>,
    conventional: Option<Regex>,
    types: Vec<String>,
    max_subject: Option<usize>,
    max_body_line: Option<usize>,
    skip_merges: bool,
    skip_reverts: bool,
    skip_fixups: bool,
}

impl CommitMessage {
    /// The problems with `message` (already [cleaned](clean)): `(1-based line, what is wrong)`.
    pub fn check(&self, message: &str) -> Vec<(u32, String)> {
        let mut lines = message.lines();
        let Some(subject) = lines.next() else {
            return Vec::new();
        };
        let skipped = (self.skip_merges && subject.starts_with("Merge "))
            || (self.skip_reverts && subject.starts_with("Revert \""))
            || (self.skip_fixups
                && ["fixup! ", "squash! ", "amend! "]
                    .iter()
                    .any(|p| subject.starts_with(p)));
        if skipped {
            return Vec::new();
        }
        let mut problems = Vec::new();
        if let Some(re) = &self.conventional
            && !re.is_match(subject)
        {
            problems.push((
                1,
                format!(
                    "the subject is not a conventional commit: write `<type>(<scope>): <summary>` with a type from {}",
                    self.types.join(", ")
                ),
            ));
        }
        if let Some(re) = &self.pattern
            && !re.is_match(subject)
        {
            problems.push((1, format!("the subject does not match `{}`", re.as_str())));
        }
        let chars = subject.chars().count();
        if let Some(max) = self.max_subject
            && chars > max
        {
            problems.push((
                1,
                format!("the subject is {chars} characters; keep it to {max}"),
            ));
        }
        if let Some(max) = self.max_body_line {
            for (i, line) in lines.enumerate() {
                let chars = line.chars().count();
                // A long URL cannot be wrapped.
                if chars > max && line.contains(char::is_whitespace) {
                    problems.push((
                        i as u32 + 2,
                        format!("body line is {chars} characters; wrap at {max}"),
                    ));
                }
            }
        }
        problems
    }
}

const SCISSORS: &str = " ------------------------ >8 ------------------------";

/// The message git will store from the file the commit-msg hook gets.
///
/// git strips comment lines only when the message went through the editor, where it wrote its
/// own comments; so the comment character is read off those (the "Please enter the commit
/// message" line or the scissors line of `git commit -v`), which also covers `core.commentChar`
/// set to `auto` or given with `git -c`. Without them (`-m`, `-F`) lines starting with `#` are
/// kept, as git keeps them. Everything from the scissors line on, and blank lines at either end,
/// are dropped.
pub fn clean(raw: &str) -> String {
    let comment = raw.lines().find_map(|line| {
        let c = line.chars().next()?;
        let rest = &line[c.len_utf8()..];
        (rest == SCISSORS || rest.contains(" Please enter the commit message")).then_some(c)
    });
    let mut kept: Vec<&str> = Vec::new();
    for line in raw.lines() {
        if let Some(c) = comment
            && line.starts_with(c)
        {
            if line[c.len_utf8()..] == *SCISSORS {
                break;
            }
            continue;
        }
        kept.push(line.trim_end());
    }
    while kept.first().is_some_and(|l| l.is_empty()) {
        kept.remove(0);
    }
    while kept.last().is_some_and(|l| l.is_empty()) {
        kept.pop();
    }
    kept.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(toml: &str) -> CommitMessage {
        toml::from_str::<Spec>(toml).unwrap().compile().unwrap()
    }

    #[test]
    fn git_comments_and_the_scissors_are_not_the_message() {
        let raw = "fix: it\n\nbody\n# Please enter the commit message for your changes.\n# ------------------------ >8 ------------------------\ndiff --git a/x b/x\n";
        assert_eq!(clean(raw), "fix: it\n\nbody");
        let auto = "; subject\nsubject\n; Please enter the commit message\n";
        assert_eq!(clean(auto), "subject");
        // `git commit -m '#42 …'`: no editor, so git keeps the line and so must the check.
        assert_eq!(clean("#42 fix the parser\n"), "#42 fix the parser");
    }

    #[test]
    fn conventional_types_lengths_and_skips() {
        let r = rule("types = [\"feat\", \"fix\"]\nmax_subject = 20\nmax_body_line = 10");
        assert!(r.check("feat(cli): add x").is_empty());
        assert!(r.check("fix!: drop y").is_empty());
        let problems = r.check("added a thing that is long\n\nshort\nthis body line is too long");
        let lines: Vec<u32> = problems.iter().map(|p| p.0).collect();
        assert_eq!(lines, vec![1, 1, 4], "{problems:?}");
        assert!(
            r.check("Merge branch 'x' into main with a long subject")
                .is_empty()
        );
        assert!(r.check("fixup! feat: whatever this is about").is_empty());
        assert!(r.check("Revert \"feat: x\" and a long tail").is_empty());
        assert!(
            r.check("fix: see\n\nhttps://example.com/a/very/long/url")
                .is_empty()
        );
    }
}
