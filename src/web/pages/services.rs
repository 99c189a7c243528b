//! `/services`: the webhooks, the outbox's depth, recent deliveries and failures, AI spend.

use std::fmt::Write as _;

use crate::error::UserError;

use super::{ReadModel, frame};
use crate::web::html::{Ctx, esc};

/// The services page.
pub fn render(model: &dyn ReadModel, ctx: &Ctx) -> Result<String, UserError> {
    let view = model.services()?;
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<dl class=\"front\"><dt>Outbox</dt><dd>{} waiting, {} refused</dd><dt>AI spend</dt><dd>${:.2}</dd></dl>",
        view.queued, view.refused, view.ai_spend_usd
    );
    body.push_str("<section aria-labelledby=\"hooks\"><h2 id=\"hooks\">Webhooks</h2>\n");
    if view.webhooks.is_empty() {
        body.push_str("<p class=\"empty\">No webhook configured.</p>\n");
    } else {
        body.push_str("<ul>");
        for (url, events) in &view.webhooks {
            let _ = write!(
                body,
                "<li><code>{}</code> — {}</li>",
                esc(url),
                esc(&events.join(", "))
            );
        }
        body.push_str("</ul>\n");
    }
    body.push_str("</section>\n<section aria-labelledby=\"recent\"><h2 id=\"recent\">Recent deliveries</h2>\n");
    if view.recent.is_empty() {
        body.push_str("<p class=\"empty\">None yet.</p>\n");
    } else {
        body.push_str("<table><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Event</th><th scope=\"col\">URL</th><th scope=\"col\">Status</th></tr></thead><tbody>");
        for (time, event, url, status) in &view.recent {
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                esc(time),
                esc(event),
                esc(url),
                esc(status)
            );
        }
        body.push_str("</tbody></table>\n");
    }
    body.push_str("</section>\n<section aria-labelledby=\"failing\"><h2 id=\"failing\">Failing deliveries</h2>\n");
    if view.failing.is_empty() {
        body.push_str("<p class=\"empty\">None.</p>\n");
    } else {
        body.push_str("<ul>");
        for (event, url, error) in &view.failing {
            let _ = write!(
                body,
                "<li>{} to <code>{}</code>: {}</li>",
                esc(event),
                esc(url),
                esc(error)
            );
        }
        body.push_str("</ul>\n");
    }
    body.push_str("</section>\n");
    Ok(frame(ctx, "services", "Services", "services.html", &body))
}
