//! Memory on failure: the recorded lessons and decisions that speak to what just failed.

use super::{Finding, Policies};
use crate::record::{Kind, Outcome, Record};

/// At most `limit` current lessons and decisions related to `findings`, most relevant first: a
/// record whose `paths` cover a failing file counts most, then one tagged with a failed rule's
/// id, kind or a word of its id; then a lesson from a failure; then the record whose covering
/// glob is most specific; then newer before older.
pub fn related<'a>(
    records: &'a [Record],
    findings: &[Finding],
    policies: &Policies,
    limit: usize,
) -> Vec<&'a Record> {
    let paths: Vec<&str> = findings.iter().filter_map(|f| f.path.as_deref()).collect();
    let mut words: Vec<String> = Vec::new();
    for f in findings {
        words.push(f.rule.to_lowercase());
        words.extend(
            f.rule
                .to_lowercase()
                .split('-')
                .filter(|w| w.len() > 2)
                .map(str::to_owned),
        );
        if let Some(rule) = policies.get(&f.rule) {
            words.push(rule.kind.name().to_owned());
        }
    }
    words.sort();
    words.dedup();
    let mut scored: Vec<(u32, &Record)> = records
        .iter()
        .filter(|r| matches!(r.kind, Kind::Lesson | Kind::Decision) && r.status.is_current())
        .filter_map(|r| {
            // How specific the best covering glob is: `config/app.py` says more than `**`.
            let specificity = paths
                .iter()
                .flat_map(|p| r.globs_covering(p))
                .map(|g| g.find(['*', '?', '[', '{']).unwrap_or(g.len()).min(99) as u32)
                .max();
            let by_path = specificity.is_some();
            let by_tag = r
                .tags
                .iter()
                .any(|t| words.binary_search(&t.to_lowercase()).is_ok());
            let score = 400 * u32::from(by_path)
                + 200 * u32::from(by_tag)
                + 100 * u32::from(r.outcome == Some(Outcome::Failure))
                + specificity.unwrap_or(0);
            (by_path || by_tag).then_some((score, r))
        })
        .collect();
    // Ids start with their creation time, so a larger id is newer.
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.id.cmp(&a.1.id)));
    scored.into_iter().take(limit).map(|(_, r)| r).collect()
}
