//! What a file name and a title say: the stem, whether the file is a README, index or template
//! rather than a decision, and the ADR number in `0003-use-x.md` or `# 3. Use X`.

use super::strip_prefix_ci;

/// The bare file name without directories and without a `.md`/`.markdown` extension.
pub(super) fn file_stem(file_name: &str) -> String {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let lower = name.to_ascii_lowercase();
    for ext in [".md", ".markdown"] {
        if lower.ends_with(ext) && name.len() > ext.len() {
            return name[..name.len() - ext.len()].to_string();
        }
    }
    name.to_string()
}

/// Names of files that sit in ADR folders but are not decisions. Numbered files never match.
pub(super) fn is_non_adr_name(stem: &str) -> bool {
    if stem.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let s = stem.to_ascii_lowercase();
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
