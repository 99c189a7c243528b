//! `distill`: an AI provider drafts records from a commit range — its messages and a bounded
//! diff summary — and the drafts are validated like any record before anyone reviews them.

use serde::Deserialize;

use super::ServicesError;
use crate::record::{self, FieldNames, Kind, NewRecord, RecordInput, Status};
use crate::repo::{Repo, run_captured};

/// At most this many commits are described (the newest, when a range has more).
const MAX_COMMITS: usize = 200;
/// At most this many bytes of commit messages and of the diff summary each.
const MAX_BYTES: usize = 24_000;

/// What the provider is told about a range.
#[derive(Debug)]
pub struct RangeSummary {
    /// The range as given on the command line (`A..B` or `REV`).
    pub range: String,
    /// Non-merge commits in the range described, at most 200.
    pub commits: usize,
    /// The prompt: commit subjects and bodies, then `git diff --stat`, each at most 24 000 bytes.
    pub text: String,
}

/// The commits of `range` (`A..B`, or a single revision meaning `REV..HEAD`): subjects and
/// bodies, then `git diff --stat` between its ends, each cut to a bounded size.
pub fn summarize(repo: &Repo, range: &str) -> Result<RangeSummary, ServicesError> {
    let (from, to) = match range.split_once("..") {
        Some((a, b)) => (
            a.trim_end_matches('.').to_owned(),
            b.trim_start_matches('.').to_owned(),
        ),
        None => (range.to_owned(), "HEAD".to_owned()),
    };
    let to = if to.is_empty() { "HEAD".to_owned() } else { to };
    let log = run_captured(repo.git().args([
        "log",
        &format!("--max-count={MAX_COMMITS}"),
        "--no-merges",
        "--format=commit %h%n%s%n%n%b%n",
        &format!("{from}..{to}"),
        "--",
    ]))?;
    let commits = log.matches("\ncommit ").count() + usize::from(log.starts_with("commit "));
    let stat =
        run_captured(
            repo.git()
                .args(["diff", "--stat=120", "--find-renames", &from, &to, "--"]),
        )?;
    let text = format!(
        "Commit messages ({commits} commits, newest first):\n\n{}\n\nChanged files (git diff --stat):\n\n{}",
        cut(&log, MAX_BYTES),
        cut(&stat, MAX_BYTES)
    );
    Ok(RangeSummary {
        range: range.to_owned(),
        commits,
        text,
    })
}

fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n[… cut: {} more bytes]", &text[..end], text.len() - end)
}

/// The instructions the provider gets.
pub fn system_prompt(kind: Kind) -> String {
    let what = match kind {
        Kind::Decision => "decisions the team made (context, the decision, its consequences)",
        Kind::Pattern => "reusable patterns (an approach that worked and when to use it)",
        Kind::Lesson => "lessons (what went wrong or right, and what was learned)",
    };
    format!(
        "You draft a software team's memory records from its git history. Find the {what} that \
this history shows. Answer with ONLY a JSON array (no prose, no code fence) of at most 5 objects: \
{{\"title\": one line, \"tags\": [lowercase words], \"outcome\": \"success\"|\"failure\"|\"mixed\"|\"unknown\", \
\"body\": Markdown explaining it, citing commit hashes}}. An empty array if nothing is worth keeping."
    )
}

#[derive(Deserialize)]
struct DraftJson {
    title: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    body: String,
}

/// Turns the provider's answer into draft records of `kind`, each checked to render and parse
/// as a valid record.
pub fn drafts(
    answer: &str,
    kind: Kind,
    author: Option<String>,
) -> Result<Vec<NewRecord>, ServicesError> {
    let start = answer.find('[');
    let end = answer.rfind(']');
    let json = match (start, end) {
        (Some(s), Some(e)) if e > s => &answer[s..=e],
        _ => {
            return Err(ServicesError::BadAnswer(format!(
                "the provider's answer holds no JSON array: {}",
                answer.chars().take(200).collect::<String>()
            )));
        }
    };
    let parsed: Vec<DraftJson> = serde_json::from_str(json).map_err(|e| {
        ServicesError::BadAnswer(format!(
            "the provider's JSON does not describe records: {e}"
        ))
    })?;
    let mut out = Vec::new();
    for draft in parsed {
        let title = draft
            .title
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        if title.is_empty() {
            continue;
        }
        // The same checks as `git zen record` and the MCP `record` tool.
        let input = RecordInput {
            kind,
            title: title.clone(),
            status: Status::Proposed,
            outcome: draft
                .outcome
                .as_deref()
                .and_then(|o| o.parse().ok())
                .filter(|_| kind.has_outcome()),
            tags: draft.tags.iter().map(|t| t.trim().to_lowercase()).collect(),
            paths: Vec::new(),
            links: Vec::new(),
            body: Some(if draft.body.ends_with('\n') {
                draft.body
            } else {
                draft.body + "\n"
            }),
        };
        let mut new = input
            .into_new_record(FieldNames::PARAMS)
            .map_err(|e| ServicesError::BadAnswer(format!("the draft \"{title}\": {e}")))?;
        new.author = author.clone();
        // Validated like any record: a draft that would not parse is an error, not a file.
        record::parse(std::path::Path::new("(draft)"), &record::render(&new))?;
        out.push(new);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Outcome;

    #[test]
    fn an_answer_with_prose_around_its_array_still_gives_drafts() {
        let answer = "Here you go:\n[{\"title\": \"Retries need jitter\", \"tags\": [\"HTTP\"], \"outcome\": \"failure\", \"body\": \"See abc123.\"}]\nThanks";
        let drafts = drafts(answer, Kind::Lesson, None).unwrap();
        assert_eq!(drafts.len(), 1);
        assert_eq!(drafts[0].title, "Retries need jitter");
        assert_eq!(drafts[0].tags, ["http"]);
        assert_eq!(drafts[0].outcome, Some(Outcome::Failure));
        assert_eq!(drafts[0].status, Status::Proposed);
    }

    #[test]
    fn an_answer_without_records_is_a_clear_error() {
        assert!(matches!(
            drafts("I cannot help", Kind::Lesson, None),
            Err(ServicesError::BadAnswer(_))
        ));
        assert!(drafts("[]", Kind::Decision, None).unwrap().is_empty());
    }
}
