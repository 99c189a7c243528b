//! Record bodies as HTML: Markdown rendered with pulldown-cmark, then sanitized.
//!
//! Records arrive in pull requests, so a body may hold `<script>`, `<img onerror=…>` or a
//! `javascript:` link. Sanitizing works on the parser's events, before any HTML exists: raw
//! HTML (blocks and inline) becomes text, so it shows escaped; a link or image whose address
//! has a scheme other than http, https or mailto loses its address and keeps its words; images
//! become links (nothing is loaded from elsewhere). What remains is markup pulldown-cmark writes
//! itself, with every text and attribute escaped.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// `markdown` as sanitized HTML.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    // For each open link or image: whether its tag was kept (an unsafe one is dropped, and so
    // must its end be).
    let mut open: Vec<bool> = Vec::new();
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => None,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        })
        | Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let safe = is_safe_url(&dest_url);
            open.push(safe);
            safe.then_some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => open
            .pop()
            .unwrap_or(false)
            .then_some(Event::End(TagEnd::Link)),
        Event::Text(text) => Some(Event::Text(text)),
        other => Some(other),
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// Whether a link may point at `url`: no scheme (relative, `#anchor`), or http, https, mailto.
/// Browsers ignore tabs, newlines and leading spaces in a scheme (`java\tscript:`), so they
/// are ignored here too.
pub fn is_safe_url(url: &CowStr<'_>) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_end = cleaned.find(':');
    let path_start = cleaned.find(['/', '?', '#']);
    match (scheme_end, path_start) {
        (Some(colon), Some(slash)) if slash < colon => true,
        (Some(colon), _) => matches!(&cleaned[..colon], "http" | "https" | "mailto"),
        (None, _) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = render("Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn script_links_lose_their_address_and_keep_their_words() {
        let html = render("[click](javascript:alert(1)) [tab](java\tscript:x) [ok](https://e.org)");
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("click"), "{html}");
        assert!(html.contains("href=\"https://e.org\""), "{html}");
    }

    #[test]
    fn images_become_links() {
        let html = render("![logo](https://e.org/x.png) ![bad](javascript:x)");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("<a href=\"https://e.org/x.png\">logo</a>"),
            "{html}"
        );
    }
}
