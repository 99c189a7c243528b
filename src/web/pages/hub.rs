//! `/hub`: the hub's records with the evidence projects gave, and the projects born by genesis
//! with their stage, template, skills and inherited records.

use std::fmt::Write as _;

use crate::error::UserError;

use super::{ReadModel, frame};
use crate::web::html::{Ctx, badge, esc};

/// The hub page, or `None` when no hub was asked for.
pub fn render(model: &dyn ReadModel, ctx: &Ctx) -> Result<Option<String>, UserError> {
    let Some(view) = model.hub()? else {
        return Ok(None);
    };
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<p>Hub <strong>{}</strong> at <code>{}</code>.</p>",
        esc(&view.name),
        esc(&view.url)
    );
    body.push_str("<section aria-labelledby=\"hub-records\"><h2 id=\"hub-records\">Records and evidence</h2>\n");
    if view.records.is_empty() {
        let _ = writeln!(body, "<p class=\"empty\">{}</p>", esc(view.no_records));
    } else {
        body.push_str("<ul>");
        for r in &view.records {
            let _ = write!(
                body,
                "<li{}>{} {} {} <span class=\"meta\">{}</span></li>",
                if r.mostly_failure {
                    " class=\"warning\""
                } else {
                    ""
                },
                esc(&r.title),
                badge(r.kind.as_str()),
                badge(r.status.as_str()),
                esc(&r.evidence)
            );
        }
        body.push_str("</ul>\n");
    }
    body.push_str(
        "</section>\n<section aria-labelledby=\"projects\"><h2 id=\"projects\">Projects</h2>\n",
    );
    if view.projects.is_empty() {
        body.push_str("<p class=\"empty\">No project registered.</p>\n");
    } else {
        body.push_str("<table><thead><tr><th scope=\"col\">Project</th><th scope=\"col\">Stage</th><th scope=\"col\">Template</th><th scope=\"col\">Skills</th><th scope=\"col\">Inherited</th></tr></thead><tbody>");
        for p in &view.projects {
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{} since {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&p.name),
                esc(&p.stage),
                esc(&p.since),
                esc(&p.template),
                esc(&p.skills.join(", ")),
                p.inherited
            );
        }
        body.push_str("</tbody></table>\n");
    }
    body.push_str("</section>\n");
    if !view.templates.is_empty() {
        body.push_str("<section aria-labelledby=\"templates\"><h2 id=\"templates\">Templates</h2>\n<table><thead><tr><th scope=\"col\">Template</th><th scope=\"col\">Projects</th><th scope=\"col\">Success</th><th scope=\"col\">Failure</th><th scope=\"col\">Mixed</th></tr></thead><tbody>");
        for t in &view.templates {
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&t.template),
                t.projects,
                t.success,
                t.failure,
                t.mixed
            );
        }
        body.push_str("</tbody></table>\n</section>\n");
    }
    Ok(Some(frame(ctx, "hub", "Hub", "hub.html", &body)))
}
