//! `/records`: every record newest first, filtered and searched, one page at a time (a page
//! of 10k rows would take longer to send than to find).

use std::fmt::Write as _;

use crate::error::UserError;
use crate::record::{Kind, Status};

use super::{ReadModel, frame, rows};
use crate::web::html::{Ctx, esc, url_part};
use crate::web::model::{RecordPage, RecordQuery};

/// Rows per timeline page.
pub const PER_PAGE: usize = 50;

/// The timeline page for `query`.
pub fn render(model: &dyn ReadModel, ctx: &Ctx, query: &RecordQuery) -> Result<String, UserError> {
    let page = model.records(query)?;
    Ok(render_page(ctx, query, &page))
}

/// The timeline page for an already-read `page` of records.
pub fn render_page(ctx: &Ctx, query: &RecordQuery, page: &RecordPage) -> String {
    let mut body = String::new();
    body.push_str(&form(ctx, query));
    let first = (page.page - 1) * page.per_page + 1;
    let last = first + page.rows.len().saturating_sub(1);
    let _ = writeln!(
        body,
        "<p class=\"count\" id=\"result-count\">{} records{}</p>",
        page.total,
        if page.rows.is_empty() {
            String::new()
        } else {
            format!(", showing {first}–{last}")
        }
    );
    body.push_str("<div id=\"live-results\" aria-live=\"polite\"></div>\n");
    body.push_str("<div id=\"server-results\">\n");
    body.push_str(&rows(ctx, &page.rows));
    body.push_str(&pager(ctx, query, page));
    body.push_str("</div>\n");
    let title = if query.text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
        "Search"
    } else {
        "Timeline"
    };
    let canonical = if page.page <= 1 {
        "records.html".to_owned()
    } else {
        format!("records-{}.html", page.page)
    };
    frame(ctx, "records", title, &canonical, &body)
}

/// The search box and, when served, the filters (a static site has no server to filter).
fn form(ctx: &Ctx, query: &RecordQuery) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<form class=\"filters\" method=\"get\" action=\"{}\" role=\"search\">",
        ctx.timeline(1, "")
    );
    let _ = writeln!(
        out,
        "<label for=\"q\">Search</label> <input type=\"search\" id=\"q\" name=\"q\" value=\"{}\" autocomplete=\"off\">",
        esc(query.text.as_deref().unwrap_or_default())
    );
    if !ctx.static_site {
        select(
            &mut out,
            "kind",
            Kind::ALL.iter().map(|k| k.as_str()),
            query.kind.map(Kind::as_str),
        );
        select(
            &mut out,
            "status",
            Status::ALL.iter().map(|s| s.as_str()),
            query.status.map(Status::as_str),
        );
        for (name, value) in [
            ("tag", &query.tag),
            ("author", &query.author),
            ("path", &query.path),
        ] {
            let _ = writeln!(
                out,
                "<label for=\"{name}\">{name}</label> <input id=\"{name}\" name=\"{name}\" value=\"{}\">",
                esc(value.as_deref().unwrap_or_default())
            );
        }
    }
    out.push_str("<button type=\"submit\">Search</button>\n</form>\n");
    out
}

fn select<'a>(
    out: &mut String,
    name: &str,
    choices: impl Iterator<Item = &'a str>,
    current: Option<&str>,
) {
    let _ = write!(
        out,
        "<label for=\"{name}\">{name}</label> <select id=\"{name}\" name=\"{name}\"><option value=\"\">any</option>"
    );
    for choice in choices {
        let selected = if current == Some(choice) {
            " selected"
        } else {
            ""
        };
        let _ = write!(out, "<option{selected}>{choice}</option>");
    }
    out.push_str("</select>\n");
}

/// The filter as a query string, without the page number.
pub fn query_string(query: &RecordQuery) -> String {
    let mut parts = Vec::new();
    let mut add = |name: &str, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            parts.push(format!("{name}={}", url_part(v)));
        }
    };
    add("q", query.text.as_deref());
    add("kind", query.kind.map(Kind::as_str));
    add("status", query.status.map(Status::as_str));
    add("tag", query.tag.as_deref());
    add("author", query.author.as_deref());
    add("path", query.path.as_deref());
    parts.join("&amp;")
}

fn pager(ctx: &Ctx, query: &RecordQuery, page: &RecordPage) -> String {
    let pages = page.total.div_ceil(page.per_page.max(1)).max(1);
    if pages <= 1 {
        return String::new();
    }
    let qs = query_string(query);
    let mut out = String::from("<nav class=\"pager\" aria-label=\"Pages\">");
    if page.page > 1 {
        let _ = write!(
            out,
            "<a rel=\"prev\" href=\"{}\">← Newer</a> ",
            ctx.timeline(page.page - 1, &qs)
        );
    }
    let _ = write!(out, "<span>Page {} of {pages}</span>", page.page);
    if page.page < pages {
        let _ = write!(
            out,
            " <a rel=\"next\" href=\"{}\">Older →</a>",
            ctx.timeline(page.page + 1, &qs)
        );
    }
    out.push_str("</nav>\n");
    out
}
