//! `/`: counts by kind and status, recent records, decisions still proposed, patterns and
//! lessons that failed, and the rules that blocked most often.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::error::UserError;
use crate::record::{Kind, Outcome, Status};

use super::{ReadModel, frame, rows};
use crate::web::html::{Ctx, esc};
use crate::web::model::Row;

/// The overview page.
pub fn render(model: &dyn ReadModel, ctx: &Ctx) -> Result<String, UserError> {
    let all = model.all()?;
    let mut body = String::new();
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in &all.records {
        *counts
            .entry((r.kind.to_string(), r.status.to_string()))
            .or_default() += 1;
    }
    let statuses = [
        Status::Proposed,
        Status::Accepted,
        Status::Superseded,
        Status::Deprecated,
        Status::Rejected,
    ];
    let _ = writeln!(
        body,
        "<section aria-labelledby=\"counts\"><h2 id=\"counts\">{} records</h2>",
        all.records.len()
    );
    body.push_str("<table class=\"counts\"><thead><tr><th scope=\"col\">Kind</th>");
    for s in statuses {
        let _ = write!(body, "<th scope=\"col\">{s}</th>");
    }
    body.push_str("</tr></thead><tbody>\n");
    for kind in [Kind::Decision, Kind::Pattern, Kind::Lesson] {
        let _ = write!(body, "<tr><th scope=\"row\">{kind}s</th>");
        for s in statuses {
            let n = counts
                .get(&(kind.to_string(), s.to_string()))
                .copied()
                .unwrap_or(0);
            let _ = write!(body, "<td>{n}</td>");
        }
        body.push_str("</tr>\n");
    }
    body.push_str("</tbody></table></section>\n");
    if !all.skipped.is_empty() {
        body.push_str(
            "<section aria-labelledby=\"broken\"><h2 id=\"broken\">Files that do not parse</h2><ul>",
        );
        for s in &all.skipped {
            let _ = write!(body, "<li><code>{}</code></li>", esc(s));
        }
        body.push_str("</ul></section>\n");
    }
    let recent: Vec<Row> = all.records.iter().rev().take(10).map(Row::of).collect();
    section(&mut body, "recent", "Recent records", &rows(ctx, &recent));
    let proposed: Vec<Row> = all
        .records
        .iter()
        .rev()
        .filter(|r| r.kind == Kind::Decision && r.status == Status::Proposed)
        .take(20)
        .map(Row::of)
        .collect();
    section(
        &mut body,
        "proposed",
        "Decisions still proposed",
        &rows(ctx, &proposed),
    );
    let failed: Vec<Row> = all
        .records
        .iter()
        .rev()
        .filter(|r| r.outcome == Some(Outcome::Failure))
        .take(20)
        .map(Row::of)
        .collect();
    section(
        &mut body,
        "failed",
        "Patterns and lessons that failed",
        &rows(ctx, &failed),
    );
    let verdicts = model.verdicts(1000)?;
    let mut blocked: BTreeMap<&str, usize> = BTreeMap::new();
    for v in verdicts.iter().filter(|v| v.blocked) {
        for rule in &v.rules {
            *blocked.entry(rule).or_default() += 1;
        }
    }
    let mut top: Vec<(&str, usize)> = blocked.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut list = String::new();
    if top.is_empty() {
        list.push_str("<p class=\"empty\">No commit was blocked in this clone's journal.</p>\n");
    } else {
        list.push_str("<ol>");
        for (rule, n) in top.iter().take(10) {
            let _ = write!(list, "<li><code>{}</code> blocked {n}×</li>", esc(rule));
        }
        list.push_str("</ol>\n");
    }
    section(
        &mut body,
        "blocking",
        "Rules that blocked most often",
        &list,
    );
    Ok(frame(ctx, "", "Team memory", "index.html", &body))
}

fn section(body: &mut String, id: &str, title: &str, content: &str) {
    let _ = writeln!(
        body,
        "<section aria-labelledby=\"{id}\"><h2 id=\"{id}\">{title}</h2>\n{content}</section>"
    );
}
