//! `/policies`: the rules in effect and where each is defined, and the timeline of the hooks'
//! verdicts in this clone.

use std::fmt::Write as _;

use crate::error::UserError;

use super::{ReadModel, frame};
use crate::web::html::{Ctx, esc};

/// Verdicts shown on the policies page.
pub const VERDICTS: usize = 100;

/// The policies page.
pub fn render(model: &dyn ReadModel, ctx: &Ctx) -> Result<String, UserError> {
    let view = model.policies()?;
    let mut body =
        String::from("<section aria-labelledby=\"rules\"><h2 id=\"rules\">Rules in effect</h2>\n");
    if let Some(problem) = &view.problem {
        let _ = writeln!(body, "<p class=\"notice\">{}</p>", esc(problem));
    }
    body.push_str("<table><thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Kind</th><th scope=\"col\">Severity</th><th scope=\"col\">Hooks</th><th scope=\"col\">Defined in</th></tr></thead><tbody>\n");
    for r in &view.rules {
        let _ = writeln!(
            body,
            "<tr><td><code>{}</code><br><small>{}</small></td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(&r.id),
            esc(&r.message),
            esc(&r.kind),
            esc(&r.severity),
            esc(&r.hooks.join(", ")),
            esc(&r.source)
        );
    }
    body.push_str("</tbody></table>\n");
    if !view.disabled.is_empty() {
        let _ = writeln!(
            body,
            "<p>Turned off: {}</p>",
            view.disabled
                .iter()
                .map(|d| format!("<code>{}</code>", esc(d)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    body.push_str("</section>\n");
    body.push_str("<section aria-labelledby=\"verdicts\"><h2 id=\"verdicts\">Verdicts of this clone's hooks</h2>\n");
    let verdicts = model.verdicts(VERDICTS)?;
    if verdicts.is_empty() {
        body.push_str("<p class=\"empty\">No verdicts journaled yet.</p>\n");
    } else {
        body.push_str("<table><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Hook</th><th scope=\"col\">Verdict</th><th scope=\"col\">Rules</th></tr></thead><tbody>\n");
        for v in &verdicts {
            let _ = writeln!(
                body,
                "<tr><td><time>{}</time></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&v.time),
                esc(&v.hook),
                if v.blocked { "blocked" } else { "passed" },
                esc(&v.rules.join(", "))
            );
        }
        body.push_str("</tbody></table>\n");
    }
    body.push_str("</section>\n");
    Ok(frame(ctx, "policies", "Policies", "policies.html", &body))
}
