//! What a file name and a title say: the stem, whether the file is a README, index or template
//! rather than a decision, and the ADR number in `0003-use-x.md` or `# 3. Use X`.

use super::strip_prefix_ci;

/// The bare file name without directories and without a `.md`/`.markdown` extension.
pub fn file_stem(file_name: &str) -> String {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let lower = name.to_ascii_lowercase();
    for ext in [".md", ".markdown"] {
        if lower.ends_with(ext) && name.len() > ext.len() {
            return name[..name.len() - ext.len()].to_string();
        }
    }
    name.to_string()
}

/// Names of files that sit in ADR folders but are not decisions: READMEs, indexes and templates.
/// A numbered file is a template only when nothing but `template` follows its number
/// (`0000-TEMPLATE.md`, `NNNN-adr-template.md`), so `0005-use-templates.md` stays a decision.
pub(super) fn is_non_adr_name(stem: &str) -> bool {
    let lower = stem.to_ascii_lowercase();
    let unnumbered = lower.trim_start_matches(|c: char| {
        c.is_ascii_digit() || matches!(c, 'n' | 'x') && lower.starts_with(['n', 'x'])
    });
    let unnumbered = unnumbered.trim_start_matches(['-', '_', '.']);
    if unnumbered.len() < lower.len() {
        return matches!(
            unnumbered,
            "template" | "adr-template" | "adr_template" | "template-adr" | "decision-template"
        );
    }
    let s = lower;
    matches!(
        s.as_str(),
        "index" | "readme" | "toc" | "contents" | "table-of-contents" | "_sidebar"
    ) || s.starts_with("template")
        || s.starts_with("adr-template")
        || s.starts_with("adr_template")
        || s.ends_with("-template")
        || s.ends_with("_template")
}

/// True for titles that are still a template's placeholder.
pub(super) fn is_placeholder_title(title: &str) -> bool {
    if title == "TITLE" || title == "NUMBER. TITLE" {
        return true;
    }
    let wrapped = matches!(
        (title.chars().next(), title.chars().last()),
        (Some('{'), Some('}')) | (Some('['), Some(']')) | (Some('<'), Some('>'))
    );
    wrapped && title.to_lowercase().contains("title")
}

/// Leading number of a stem: `0003-x` → 3, also `ADR-0013-x`, `adr_15-x`. None if there are no
/// digits or the number does not fit.
pub(super) fn stem_number(stem: &str) -> Option<u32> {
    let s = match strip_prefix_ci(stem, "adr") {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        Some(rest) if rest.starts_with(['-', '_']) => &rest[1..],
        _ => stem,
    };
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    s[..digits].parse().ok()
}

/// Splits a number prefix off a title: `3. Use X`, `ADR-0003: Use X`, `ADR 3 - Use X`, `0003 - Use X`.
pub(super) fn split_title_number(title: &str) -> (Option<u32>, &str) {
    let t = title.trim();
    let (after_adr, had_adr) = match strip_prefix_ci(t, "adr") {
        Some(rest) => {
            let rest = rest.strip_prefix(['-', '_', ' ']).unwrap_or(rest);
            (rest, true)
        }
        None => (t, false),
    };
    let digits = after_adr.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return (None, t);
    }
    let Ok(n) = after_adr[..digits].parse::<u32>() else {
        return (None, t);
    };
    let rest = &after_adr[digits..];
    let stripped = if let Some(r) = rest.strip_prefix('.') {
        // `3. Title` needs whitespace after the dot (so `3.5 GHz` is not a number prefix).
        r.starts_with([' ', '\t']).then_some(r)
    } else {
        let r = rest.trim_start();
        let sep = ['-', ':', '–', '—', '|']
            .iter()
            .find_map(|&c| r.strip_prefix(c));
        match sep {
            Some(after) if had_adr || after.starts_with([' ', '\t']) => Some(after),
            None if had_adr && rest.starts_with([' ', '\t']) => Some(r),
            _ => None,
        }
    };
    match stripped.map(str::trim) {
        Some(rest) if !rest.is_empty() => (Some(n), rest),
        _ => (None, t),
    }
}

/// A title as written, made presentable: Markdown escapes undone (`Span\<T\>` → `Span<T>`), a
/// heading anchor (`{#adr_0018}`) and a label (`ADR:`, `Architecture Decision Record:`) removed,
/// a template's placeholder number (`n. `, `NNNN - `) removed, and the ADR number split off
/// (`3. X`, `ADR-003: X`, `18) X`, and `6 X` when the file name says 6 too — without the file's
/// word a leading number may be part of the title, as in `3 AZs per region`).
pub(super) fn clean_title(raw: &str, file_number: Option<u32>) -> (Option<u32>, String) {
    let unescaped = unescape_markdown(raw);
    let mut t = unescaped.trim();
    if let Some(open) = t.rfind("{#")
        && t.ends_with('}')
    {
        t = t[..open].trim_end();
    }
    for label in ["architecture decision record", "decision record", "adr"] {
        if let Some(rest) = strip_prefix_ci(t, label) {
            let rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix([':', '-', '–', '—'])
                && !after.trim().is_empty()
                && !after.trim_start().starts_with(|c: char| c.is_ascii_digit())
            {
                t = after.trim();
                break;
            }
        }
    }
    t = strip_placeholder_number(t);
    let (number, rest) = split_title_number(t);
    if number.is_some() {
        return (number, rest.to_string());
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0
        && let (Ok(n), Some(after)) = (t[..digits].parse::<u32>(), t[digits..].strip_prefix(')'))
        && !after.trim().is_empty()
    {
        return (Some(n), after.trim().to_string());
    }
    if digits > 0
        && t[..digits].parse::<u32>().ok() == file_number
        && t[digits..].starts_with(' ')
        && !t[digits..].trim().is_empty()
    {
        return (file_number, t[digits..].trim().to_string());
    }
    (None, t.to_string())
}

/// `n. X`, `N. X`, `NNNN - X`, `XXXX: X`, `ADR-NNNN: X` → `X`: the number a template left unfilled.
fn strip_placeholder_number(t: &str) -> &str {
    let body = match strip_prefix_ci(t, "adr") {
        Some(rest) if rest.starts_with(['-', '_', ' ']) => &rest[1..],
        _ => t,
    };
    let token = body
        .bytes()
        .take_while(|b| matches!(b, b'n' | b'N' | b'x' | b'X' | b'#'))
        .count();
    if token == 0 || (token > 1 && !body[..token].bytes().all(|b| b == body.as_bytes()[0])) {
        return t;
    }
    let rest = &body[token..];
    let after = rest
        .strip_prefix(['.', ':', ')'])
        .or_else(|| rest.trim_start().strip_prefix(['-', '–', ':']));
    match after {
        Some(after) if after.starts_with(' ') && !after.trim().is_empty() => after.trim(),
        _ => t,
    }
}

/// Undoes Markdown backslash escapes: `\<` → `<`, `\_` → `_` (only before ASCII punctuation, as
/// CommonMark defines them; any other backslash stays).
pub(super) fn unescape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && next.is_ascii_punctuation()
        {
            out.push(next);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// A title made from a file name when the file has none: `0003-use-postgres` → `Use postgres`.
pub(super) fn title_from_stem(stem: &str) -> String {
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    let rest = stem[digits..].trim_start_matches(['-', '_', '.', ' ']);
    let words = if rest.is_empty() { stem } else { rest }.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => stem.to_string(),
    }
}

/// Whether a stem names an index of other records (`ADRs.md`, `decision-log.md`) rather than one.
pub fn is_index_name(stem: &str) -> bool {
    matches!(
        stem.to_ascii_lowercase().as_str(),
        "adrs"
            | "adr"
            | "decisions"
            | "decision-log"
            | "decision_log"
            | "log"
            | "summary"
            | "overview"
            | "architecture-decisions"
    )
}

/// Why a file that is not a decision was left alone, for the import's report.
pub fn not_adr_reason(stem: &str) -> &'static str {
    let lower = stem.to_ascii_lowercase();
    if lower == "readme" {
        "a README"
    } else if lower.contains("template") {
        "a template"
    } else if is_index_name(&lower) || is_non_adr_name(&lower) {
        "an index of the records"
    } else {
        "a template (its title is still a placeholder)"
    }
}
