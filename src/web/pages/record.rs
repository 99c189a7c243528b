//! `/r/<id>`: one record — its body (sanitized Markdown), front matter, status, the
//! supersession chain both ways and its links as a small graph, related records, the files its
//! `paths` match today, and its history from git.

use std::collections::BTreeSet;
use std::collections::HashMap;
use std::fmt::Write as _;

use crate::error::UserError;
use crate::record::Record;

use super::{ReadModel, author_name, frame, graph};
use crate::web::html::{Ctx, badge, esc, url_part};
use crate::web::markdown;
use crate::web::model::{Change, Snapshot};

/// Related records shown on a record's page.
pub const RELATED: usize = 5;
/// Files shown per `paths` glob.
const FILES_PER_GLOB: usize = 20;
/// Records followed along a supersession chain, each way.
const CHAIN: usize = 50;

/// The page of the record `id` names, read whole from the model.
pub fn render(model: &dyn ReadModel, ctx: &Ctx, id: &str) -> Result<String, UserError> {
    let record = model.record(id)?;
    let history = model.history(&record.file.to_string_lossy().replace('\\', "/"))?;
    let files = model.files()?;
    let governed = Governed::new(&files, record.paths.iter().map(String::as_str));
    render_with(model, ctx, &record, &history, &governed)
}

/// Which of the repository's files each `paths` glob matches, found in one pass over the files
/// for any number of globs: the static site asks it for every glob of every record at once,
/// instead of matching each glob against every file (minutes at 10k records).
pub struct Governed<'a> {
    files: &'a [String],
    /// Indices into `files`, by glob; a glob that does not parse is absent.
    matches: HashMap<String, Vec<usize>>,
}

impl<'a> Governed<'a> {
    /// Matches `globs` (repeats are fine) against `files`.
    pub fn new<'g>(files: &'a [String], globs: impl IntoIterator<Item = &'g str>) -> Self {
        let mut builder = globset::GlobSetBuilder::new();
        let mut names: Vec<String> = Vec::new();
        for glob in globs {
            if names.iter().any(|n| n == glob) {
                continue;
            }
            if let Ok(parsed) = globset::Glob::new(glob) {
                builder.add(parsed);
                names.push(glob.to_owned());
            }
        }
        let mut matches: HashMap<String, Vec<usize>> =
            names.iter().map(|n| (n.clone(), Vec::new())).collect();
        if let Ok(set) = builder.build() {
            for (i, file) in files.iter().enumerate() {
                for glob in set.matches(file.as_str()) {
                    matches
                        .get_mut(&names[glob])
                        .expect("every glob has a list")
                        .push(i);
                }
            }
        }
        Governed { files, matches }
    }

    fn files_of(&self, glob: &str) -> Vec<&'a String> {
        self.matches
            .get(glob)
            .map(|m| m.iter().map(|&i| &self.files[i]).collect())
            .unwrap_or_default()
    }
}

/// The page of `record`, given its history and the files its globs match.
pub fn render_with(
    model: &dyn ReadModel,
    ctx: &Ctx,
    record: &Record,
    history: &[Change],
    governed: &Governed<'_>,
) -> Result<String, UserError> {
    let all = model.all()?;
    let mut body = String::new();
    let _ = write!(
        body,
        "<p class=\"badges\">{} {}",
        badge(record.kind.as_str()),
        badge(record.status.as_str())
    );
    if let Some(outcome) = record.outcome {
        let _ = write!(body, " {}", badge(&format!("outcome {outcome}")));
    }
    body.push_str("</p>\n");
    if let Some(notice) = notice(ctx, record, &all) {
        body.push_str(&notice);
    }
    body.push_str(&front_matter(ctx, record));
    body.push_str("<section aria-labelledby=\"body\"><h2 id=\"body\" class=\"sr-only\">Body</h2><article class=\"body\">\n");
    body.push_str(&markdown::render(&record.body));
    body.push_str("</article></section>\n");
    body.push_str(&chain(ctx, record, &all));
    let related = model.related(record.id.as_str(), RELATED)?;
    body.push_str("<section aria-labelledby=\"related\"><h2 id=\"related\">Related records</h2>\n");
    if related.is_empty() {
        body.push_str("<p class=\"empty\">None found.</p>\n");
    } else {
        body.push_str("<ul>\n");
        for hit in &related {
            let _ = writeln!(
                body,
                "<li><a href=\"{}\">{}</a> {} {}</li>",
                ctx.record(&hit.id),
                esc(&hit.title),
                badge(hit.kind.as_str()),
                badge(hit.status.as_str())
            );
        }
        body.push_str("</ul>\n");
    }
    body.push_str("</section>\n");
    body.push_str(&governed_section(record, governed));
    body.push_str(&history_table(history));
    Ok(frame(
        ctx,
        "records",
        &record.title,
        &format!("r/{}.html", record.id),
        &body,
    ))
}

fn notice(ctx: &Ctx, record: &Record, all: &Snapshot) -> Option<String> {
    if record.superseded_by.is_empty() {
        return None;
    }
    let mut out = String::from("<p class=\"notice\" role=\"note\">Superseded by ");
    let names: Vec<String> = record
        .superseded_by
        .iter()
        .map(|id| link_to(ctx, id, all))
        .collect();
    out.push_str(&names.join(", "));
    out.push_str(": follow that record instead.</p>\n");
    Some(out)
}

/// A link to the record `id` with its title, or the id as text when there is no such record.
fn link_to(ctx: &Ctx, id: &str, all: &Snapshot) -> String {
    match all.get(id) {
        Some(r) => format!(
            "<a href=\"{}\">{}</a>",
            ctx.record(r.id.as_str()),
            esc(&r.title)
        ),
        None => format!("<code>{}</code>", esc(id)),
    }
}

fn front_matter(ctx: &Ctx, record: &Record) -> String {
    let mut out = String::from(
        "<section aria-labelledby=\"front\"><h2 id=\"front\">Front matter</h2><dl class=\"front\">\n",
    );
    let mut item = |name: &str, value: String| {
        let _ = writeln!(out, "<dt>{name}</dt><dd>{value}</dd>");
    };
    item("id", format!("<code>{}</code>", esc(record.id.as_str())));
    item("kind", esc(record.kind.as_str()));
    item("status", esc(record.status.as_str()));
    if let Some(outcome) = record.outcome {
        item("outcome", esc(outcome.as_str()));
    }
    if !record.tags.is_empty() {
        let tags: Vec<String> = record
            .tags
            .iter()
            .map(|t| {
                if ctx.static_site {
                    format!("<span class=\"tag\">{}</span>", esc(t))
                } else {
                    format!(
                        "<a class=\"tag\" href=\"/records?tag={}\">{}</a>",
                        url_part(t),
                        esc(t)
                    )
                }
            })
            .collect();
        item("tags", tags.join(" "));
    }
    if let Some(created) = &record.created {
        item("created", format!("<time>{}</time>", esc(created)));
    }
    if let Some(author) = &record.author {
        item("author", esc(author_name(author)));
    }
    if let Some(adr) = &record.adr {
        item("ADR", esc(adr));
    }
    item(
        "file",
        format!(
            "<code>{}</code>",
            esc(&record.file.to_string_lossy().replace('\\', "/"))
        ),
    );
    let urls: Vec<String> = record
        .links
        .iter()
        .filter(|l| l.starts_with("http://") || l.starts_with("https://"))
        .map(|l| {
            format!(
                "<a href=\"{0}\" rel=\"nofollow noreferrer\">{0}</a>",
                esc(l)
            )
        })
        .collect();
    if !urls.is_empty() {
        item("links", urls.join("<br>"));
    }
    out.push_str("</dl></section>\n");
    out
}

/// The records before and after this one along supersession, its links, and the graph of them.
fn chain(ctx: &Ctx, record: &Record, all: &Snapshot) -> String {
    let walk = |next: fn(&Record) -> &Vec<String>| {
        let mut seen = BTreeSet::from([record.id.to_string()]);
        let mut order = Vec::new();
        let mut frontier: Vec<String> = next(record).clone();
        while let Some(id) = frontier.pop() {
            if order.len() >= CHAIN || !seen.insert(id.clone()) {
                continue;
            }
            if let Some(r) = all.get(&id) {
                frontier.extend(next(r).iter().cloned());
                order.push(r);
            }
        }
        order
    };
    let before = walk(|r| &r.supersedes);
    let after = walk(|r| &r.superseded_by);
    let linked: Vec<&Record> = record.links.iter().filter_map(|l| all.get(l)).collect();
    let mut out = String::from(
        "<section aria-labelledby=\"chain\"><h2 id=\"chain\">Supersession and links</h2>\n",
    );
    if before.is_empty() && after.is_empty() && linked.is_empty() {
        out.push_str(
            "<p class=\"empty\">This record supersedes none and links none.</p></section>\n",
        );
        return out;
    }
    for (label, list) in [
        ("Supersedes", &before),
        ("Superseded by", &after),
        ("Links to", &linked),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(out, "<h3>{label}</h3><ul>");
        for r in list.iter() {
            let _ = write!(
                out,
                "<li>{} {}</li>",
                link_to(ctx, r.id.as_str(), all),
                badge(r.status.as_str())
            );
        }
        out.push_str("</ul>\n");
    }
    let mut nodes: Vec<&Record> = vec![record];
    for r in before.iter().chain(&after).chain(&linked) {
        if !nodes.iter().any(|n| n.id == r.id) {
            nodes.push(r);
        }
    }
    let edges = graph::edges_among(&nodes);
    out.push_str(&graph::svg(
        ctx,
        &nodes,
        &edges,
        "This record's supersession and links",
    ));
    out.push_str("</section>\n");
    out
}

fn governed_section(record: &Record, governed: &Governed<'_>) -> String {
    let mut out =
        String::from("<section aria-labelledby=\"paths\"><h2 id=\"paths\">Code it governs</h2>\n");
    if record.paths.is_empty() {
        out.push_str("<p class=\"empty\">No <code>paths</code>.</p></section>\n");
        return out;
    }
    out.push_str("<ul class=\"globs\">\n");
    for glob in &record.paths {
        let matched = governed.files_of(glob);
        let _ = write!(
            out,
            "<li><code>{}</code> — {} file{} today",
            esc(glob),
            matched.len(),
            if matched.len() == 1 { "" } else { "s" }
        );
        if !matched.is_empty() {
            out.push_str("<ul>");
            for f in matched.iter().take(FILES_PER_GLOB) {
                let _ = write!(out, "<li><code>{}</code></li>", esc(f));
            }
            if matched.len() > FILES_PER_GLOB {
                let _ = write!(
                    out,
                    "<li>… and {} more</li>",
                    matched.len() - FILES_PER_GLOB
                );
            }
            out.push_str("</ul>");
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul></section>\n");
    out
}

fn history_table(history: &[Change]) -> String {
    let mut out =
        String::from("<section aria-labelledby=\"history\"><h2 id=\"history\">History</h2>\n");
    if history.is_empty() {
        out.push_str("<p class=\"empty\">Not committed yet.</p></section>\n");
        return out;
    }
    out.push_str("<table><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Who</th><th scope=\"col\">Commit</th></tr></thead><tbody>\n");
    for c in history {
        let _ = writeln!(
            out,
            "<tr><td><time>{}</time></td><td>{}</td><td><code>{}</code> {}</td></tr>",
            esc(&c.date),
            esc(&c.author),
            esc(c.commit.get(..10).unwrap_or(&c.commit)),
            esc(&c.subject)
        );
    }
    out.push_str("</tbody></table></section>\n");
    out
}
