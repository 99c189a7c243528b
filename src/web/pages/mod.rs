//! The dashboard's pages, one file each. A page is a function from a [`ReadModel`] and a
//! [`Ctx`] to the whole HTML document: the server and the static site call the same functions.

pub mod code;
pub mod graph;
pub mod overview;
pub mod policies;
pub mod record;
pub mod services;
pub mod timeline;

pub mod hub;

use std::fmt::Write as _;

use super::html::{Ctx, badge, esc};
use super::model::Row;

pub use super::html::page as frame;
pub use super::model::ReadModel;

/// A list of record rows: title link, kind, status, date, author, tags, snippet.
pub fn rows(ctx: &Ctx, rows: &[Row]) -> String {
    if rows.is_empty() {
        return "<p class=\"empty\">No records.</p>\n".to_owned();
    }
    let mut out = String::from("<ol class=\"rows\">\n");
    for row in rows {
        let _ = write!(
            out,
            "<li class=\"row kind-{kind}\"><a href=\"{href}\">{title}</a> {kind_badge} {status}",
            kind = row.kind,
            href = ctx.record(&row.id),
            title = esc(&row.title),
            kind_badge = badge(&row.kind.to_string()),
            status = badge(&row.status.to_string()),
        );
        let date = row
            .created
            .as_deref()
            .map_or("", |c| c.get(..10).unwrap_or(c));
        let author = row.author.as_deref().map(author_name).unwrap_or_default();
        let _ = write!(
            out,
            " <span class=\"meta\"><time>{}</time> {}</span>",
            esc(date),
            esc(author)
        );
        if !row.tags.is_empty() {
            out.push_str(" <span class=\"tags\">");
            for tag in &row.tags {
                let _ = write!(out, "<span class=\"tag\">{}</span> ", esc(tag));
            }
            out.push_str("</span>");
        }
        if let Some(snippet) = &row.snippet {
            let _ = write!(out, "<p class=\"snippet\">{}</p>", esc(snippet));
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
    out
}

/// `Name` of `Name <mail>`.
pub fn author_name(author: &str) -> &str {
    author.split(" <").next().unwrap_or(author).trim()
}
