//! HTML building blocks: escaping, links that work both served and as static files, and the
//! page frame every page shares.
//!
//! Every piece of record text goes through [`esc`] (or the Markdown sanitizer) before it is
//! written: records come from pull requests, so a title is hostile until proven otherwise. The
//! frame loads only same-origin CSS and JavaScript, so the server's Content-Security-Policy can
//! forbid inline script entirely.

use std::fmt::Write as _;

/// `text` with `& < > " '` escaped, safe inside element content and quoted attributes.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` made safe for a query-string value.
pub fn url_part(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Where the pages are: served by `git zen serve` (absolute paths) or written as files by
/// `git zen site build` (relative paths, so the site works from `file://` and under any base
/// URL).
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Static files rather than served pages.
    pub static_site: bool,
    /// For a static page, the way up to the site's root (`""` or `"../"`).
    pub up: String,
    /// The version of the records the page shows; served pages poll for a newer one.
    pub version: Option<String>,
    /// Whether a hub page exists.
    pub hub: bool,
    /// The public base URL of a static site (for canonical links), ending in `/`.
    pub base_url: Option<String>,
}

impl Ctx {
    /// The context of a served page.
    pub fn served(version: String, hub: bool) -> Ctx {
        Ctx {
            static_site: false,
            up: String::new(),
            version: Some(version),
            hub,
            base_url: None,
        }
    }

    /// The context of a static page `depth` folders below the site's root.
    pub fn static_at(depth: usize, base_url: Option<String>, hub: bool) -> Ctx {
        Ctx {
            static_site: true,
            up: "../".repeat(depth),
            version: None,
            hub,
            base_url,
        }
    }

    /// A top-level page (`records`, `graph`, …; `""` for the overview).
    pub fn page(&self, name: &str) -> String {
        match (self.static_site, name) {
            (false, _) => format!("/{name}"),
            (true, "") => format!("{}index.html", self.up),
            (true, _) => format!("{}{name}.html", self.up),
        }
    }

    /// The timeline's page `n` (1-based) with the filter `query` (served pages only).
    pub fn timeline(&self, n: usize, query: &str) -> String {
        if self.static_site {
            return if n <= 1 {
                format!("{}records.html", self.up)
            } else {
                format!("{}records-{n}.html", self.up)
            };
        }
        let mut url = "/records".to_owned();
        let mut sep = '?';
        if !query.is_empty() {
            let _ = write!(url, "?{query}");
            sep = '&';
        }
        if n > 1 {
            let _ = write!(url, "{sep}page={n}");
        }
        url
    }

    /// A record's page.
    pub fn record(&self, id: &str) -> String {
        if self.static_site {
            format!("{}r/{id}.html", self.up)
        } else {
            format!("/r/{id}")
        }
    }

    /// An embedded asset.
    pub fn asset(&self, name: &str) -> String {
        if self.static_site {
            format!("{}assets/{name}", self.up)
        } else {
            format!("/assets/{name}")
        }
    }
}

/// The navigation: (page name, label).
const NAV: [(&str, &str); 7] = [
    ("", "Overview"),
    ("records", "Timeline"),
    ("graph", "Graph"),
    ("code", "Code map"),
    ("policies", "Policies"),
    ("hub", "Hub"),
    ("services", "Services"),
];

/// The whole page: head, navigation, `<main>` with `title` as its one `<h1>`, then `body`.
/// `current` names the navigation entry to mark; `canonical` is the page's path under the base
/// URL of a static site.
pub fn page(ctx: &Ctx, current: &str, title: &str, canonical: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 2048);
    out.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{} · git zen</title>", esc(title));
    let _ = writeln!(
        out,
        "<link rel=\"stylesheet\" href=\"{}\">",
        ctx.asset("style.css")
    );
    if let Some(base) = &ctx.base_url {
        let _ = writeln!(
            out,
            "<link rel=\"canonical\" href=\"{}\">",
            esc(&format!("{base}{canonical}"))
        );
    }
    if let Some(version) = &ctx.version {
        let _ = writeln!(
            out,
            "<meta name=\"zen-version\" content=\"{}\">",
            esc(version)
        );
    }
    if ctx.static_site {
        let _ = writeln!(
            out,
            "<script src=\"{}search-index.js\" defer></script>",
            ctx.up
        );
    }
    let _ = writeln!(
        out,
        "<script src=\"{}\" defer></script>",
        ctx.asset("app.js")
    );
    out.push_str("</head>\n");
    let mode = if ctx.static_site { "static" } else { "served" };
    let _ = writeln!(
        out,
        "<body data-mode=\"{mode}\" data-root=\"{}\">",
        esc(&ctx.up)
    );
    out.push_str("<a class=\"skip\" href=\"#main\">Skip to content</a>\n");
    out.push_str("<header><nav aria-label=\"Main\"><ul>\n");
    for (name, label) in NAV {
        // A static site has no hub page and no services page: both show one clone's state.
        if (name == "hub" && !ctx.hub) || (name == "services" && ctx.static_site) {
            continue;
        }
        let marker = if name == current {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<li><a href=\"{}\"{marker}>{label}</a></li>",
            ctx.page(name)
        );
    }
    out.push_str("</ul></nav></header>\n");
    let _ = writeln!(
        out,
        "<main id=\"main\" tabindex=\"-1\">\n<h1>{}</h1>",
        esc(title)
    );
    out.push_str(body);
    out.push_str("</main>\n<footer><p>git zen · team memory inside git</p></footer>\n");
    out.push_str("</body>\n</html>\n");
    out
}

/// A record's status as a small badge.
pub fn badge(text: &str) -> String {
    format!("<span class=\"badge badge-{0}\">{0}</span>", esc(text))
}
