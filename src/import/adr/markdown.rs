//! The Markdown structure the parser works on: source lines with fenced code blocks marked,
//! ATX headings, list bullets, HTML comments, the front-matter fence, and the body rebuilt from
//! the lines that are not metadata.

/// One source line with its 1-based number and whether it sits inside a fenced code block.
pub(super) struct Line<'a> {
    pub(super) text: &'a str,
    pub(super) no: usize,
    /// True for fence lines and everything between them.
    pub(super) in_code: bool,
    /// True when the line starts inside an HTML comment or opens one: a heading there is a
    /// template's hint (`<!-- # Believe in ghosts -->`), never the record's title.
    pub(super) in_comment: bool,
}

/// Splits on `\n`, dropping a trailing `\r`, and marks fenced code blocks (``` and ~~~).
pub(super) fn split_lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut comment_open = false;
    for (idx, raw) in text.split('\n').enumerate() {
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        let mut in_code = fence.is_some();
        let in_comment = !in_code && (comment_open || text.trim_start().starts_with("<!--"));
        if !in_code {
            comment_open = comment_state_after(text, comment_open);
        }
        let candidate = strip_indent(text).map(|t| (t.chars().next(), t));
        if let Some((Some(c @ ('`' | '~')), t)) = candidate {
            let run = t.chars().take_while(|&x| x == c).count();
            if run >= 3 {
                match fence {
                    None => {
                        fence = Some((c, run));
                        in_code = true;
                    }
                    Some((open_c, open_len)) => {
                        if c == open_c
                            && run >= open_len
                            && t[run * c.len_utf8()..].trim().is_empty()
                        {
                            fence = None;
                        }
                    }
                }
            }
        }
        out.push(Line {
            text,
            no: idx + 1,
            in_code,
            in_comment,
        });
    }
    // `split` yields one empty piece after a final newline; it is not a line of its own.
    if out.len() > 1 && out.last().is_some_and(|l| l.text.is_empty()) && text.ends_with('\n') {
        out.pop();
    }
    out
}

/// Whether an HTML comment is still open after `line`, given whether one was open before it.
fn comment_state_after(line: &str, mut open: bool) -> bool {
    let mut rest = line;
    loop {
        let marker = if open { "-->" } else { "<!--" };
        match rest.find(marker) {
            Some(at) => {
                rest = &rest[at + marker.len()..];
                open = !open;
            }
            None => return open,
        }
    }
}

/// Removes up to three leading spaces (Markdown block indentation); None for deeper indentation.
pub(super) fn strip_indent(line: &str) -> Option<&str> {
    let spaces = line.bytes().take_while(|&b| b == b' ').count();
    if spaces > 3 {
        None
    } else {
        Some(&line[spaces..])
    }
}

/// An ATX heading: its level and text (closing `#`s removed, trimmed).
pub(super) fn heading(line: &str) -> Option<(usize, &str)> {
    let t = strip_indent(line)?;
    let level = t.bytes().take_while(|&b| b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &t[level..];
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
        return None;
    }
    let mut text = rest.trim();
    let without_closing = text.trim_end_matches('#');
    if without_closing.is_empty() {
        text = "";
    } else if without_closing.ends_with([' ', '\t']) {
        text = without_closing.trim_end();
    }
    Some((level, text))
}

pub(super) enum FrontMatter {
    None,
    Unclosed,
    /// Index of the closing `---` line.
    Closed(usize),
}

pub(super) fn front_matter_end(lines: &[Line<'_>]) -> FrontMatter {
    match lines.first() {
        Some(first) if first.text.trim_end() == "---" => {}
        _ => return FrontMatter::None,
    }
    match (1..lines.len()).find(|&i| matches!(lines[i].text.trim_end(), "---" | "...")) {
        Some(end) => FrontMatter::Closed(end),
        None => FrontMatter::Unclosed,
    }
}

/// Joins the kept lines, trimming blank lines at both ends and collapsing the blank lines left
/// around removed blocks.
pub(super) fn build_body(lines: &[Line<'_>], removed: &[bool]) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut removed_since_kept = false;
    for (line, &gone) in lines.iter().zip(removed) {
        if gone {
            removed_since_kept = true;
            continue;
        }
        let blank = line.text.trim().is_empty();
        if blank
            && !line.in_code
            && (kept.is_empty()
                || (removed_since_kept && kept.last().is_some_and(|l| l.trim().is_empty())))
        {
            continue;
        }
        if !blank {
            removed_since_kept = false;
        }
        kept.push(line.text);
    }
    while kept.last().is_some_and(|l| l.trim().is_empty()) {
        kept.pop();
    }
    if kept.is_empty() {
        return String::new();
    }
    let mut body = kept.join("\n");
    body.push('\n');
    body
}

/// Removes a leading list marker (`*`, `-`, `+`).
pub(super) fn strip_bullet(t: &str) -> &str {
    match t.as_bytes().first() {
        Some(b'*' | b'-' | b'+') if t[1..].starts_with([' ', '\t']) => t[1..].trim_start(),
        _ => t,
    }
}

/// Removes `<!-- … -->` comments (an unclosed one runs to the end of the text).
pub(super) fn strip_html_comments(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("<!--") {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start + 4..].find("-->") {
            Some(end) => rest = &rest[start + 4 + end + 3..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}
