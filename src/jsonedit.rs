//! Setting one member of a JSON configuration file that people and other tools also edit (an
//! MCP client's `.mcp.json`), leaving every other byte as it was.
//!
//! serde_json without `preserve_order` would sort the keys of a file it re-serialises, and any
//! serialiser would re-indent it: a one-line change would show as a rewrite in review. So the file
//! is parsed once to validate it and to decide whether anything must change, then edited as text:
//! a small scanner finds the byte spans of the members on the way to the one to set, and the new
//! value is spliced in (or the member inserted after the last one, with the file's own
//! indentation, line endings and compactness). The scanner only ever sees valid JSON.

use serde_json::Value;

/// Why the file cannot be edited. Each message starts with the line, for `file:line: …`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonEditError {
    /// Not JSON at all.
    #[error("{line}:{column}: not valid JSON: {message}")]
    Invalid {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's explanation.
        message: String,
    },
    /// A value on the way to the member is not an object (`"mcpServers": []`).
    #[error("{line}: {what} is not a JSON object")]
    NotAnObject {
        /// `the top level` or `"mcpServers"`.
        what: String,
        /// 1-based line where its value starts.
        line: usize,
    },
}

/// `text` with the member at `path` (keys from the top-level object down) set to `value`, a JSON
/// text of one line; `None` when the member exists and `current` accepts it as it is. Missing
/// objects on the way are created. Whitespace-only text counts as `{}`.
pub fn set_member(
    text: &str,
    path: &[&str],
    value: &str,
    current: impl Fn(&Value) -> bool,
) -> Result<Option<String>, JsonEditError> {
    let blank = text.trim().is_empty();
    let parsed: Value = if blank {
        Value::Object(Default::default())
    } else {
        serde_json::from_str(text).map_err(|e| JsonEditError::Invalid {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?
    };
    if path
        .iter()
        .try_fold(&parsed, |v, key| v.get(key))
        .is_some_and(current)
    {
        return Ok(None);
    }
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    if blank {
        let member = nested(&path[1..], value, "  ", "  ", newline);
        return Ok(Some(format!(
            "{{{newline}  \"{}\": {member}{newline}}}{newline}",
            path[0]
        )));
    }
    let unit = indent_unit(text);
    let mut open = skip_ws(text, 0);
    let mut what = "the top level".to_owned();
    for (depth, key) in path.iter().enumerate() {
        if text.as_bytes()[open] != b'{' {
            return Err(JsonEditError::NotAnObject {
                what,
                line: crate::text::line_at(text, open),
            });
        }
        let (members, close) = members(text, open);
        let last = depth + 1 == path.len();
        match members.iter().rev().find(|m| m.key == *key) {
            Some(m) if last => {
                return Ok(Some(splice(text, m.value, m.end, value)));
            }
            Some(m) => {
                open = m.value;
                what = format!("\"{key}\"");
            }
            None => {
                let sep = members.last().map(|m| &text[m.sep.0..m.sep.1]);
                let inner = match sep {
                    Some(sep) => sep.rsplit('\n').next().unwrap_or("").to_owned(),
                    None => format!("{}{unit}", line_indent(text, open)),
                };
                let minified = sep.is_some_and(|s| !s.contains('\n'))
                    || (sep.is_none() && !text[..text.len().min(open + 1)].contains('\n'));
                let member = if minified {
                    format!("\"{key}\":{}", nested_min(&path[depth + 1..], value))
                } else {
                    let child = nested(&path[depth + 1..], value, &inner, &unit, newline);
                    format!("\"{key}\": {child}")
                };
                return Ok(Some(match (members.last(), sep) {
                    (Some(m), Some(sep)) => splice(text, m.end, m.end, &format!(",{sep}{member}")),
                    _ if minified => splice(text, open + 1, close, &member),
                    _ => splice(
                        text,
                        open + 1,
                        close,
                        &format!(
                            "{newline}{inner}{member}{newline}{}",
                            line_indent(text, open)
                        ),
                    ),
                }));
            }
        }
    }
    unreachable!("the loop returns at the last key")
}

/// serde_json's message without its " at line L column C" tail (the error carries both).
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// `value` wrapped in one object per key of `keys`, pretty, for a member indented by `indent`.
fn nested(keys: &[&str], value: &str, indent: &str, unit: &str, newline: &str) -> String {
    match keys.split_first() {
        None => value.to_owned(),
        Some((key, rest)) => {
            let inner = format!("{indent}{unit}");
            let child = nested(rest, value, &inner, unit, newline);
            format!("{{{newline}{inner}\"{key}\": {child}{newline}{indent}}}")
        }
    }
}

/// [`nested`] for a file written on one line.
fn nested_min(keys: &[&str], value: &str) -> String {
    match keys.split_first() {
        None => value.to_owned(),
        Some((key, rest)) => format!("{{\"{key}\":{}}}", nested_min(rest, value)),
    }
}

fn splice(text: &str, from: usize, to: usize, with: &str) -> String {
    format!("{}{with}{}", &text[..from], &text[to..])
}

/// One member of an object: its key, the whitespace before the key (after `{` or `,`), and the
/// span of its value.
struct Member {
    key: String,
    sep: (usize, usize),
    value: usize,
    end: usize,
}

/// The members of the object whose `{` is at `open`, and the position of its `}`.
fn members(text: &str, open: usize) -> (Vec<Member>, usize) {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = open + 1;
    loop {
        let key_at = skip_ws(text, at);
        if bytes[key_at] == b'}' {
            return (out, key_at);
        }
        let key_end = value_end(text, key_at);
        let key = serde_json::from_str(&text[key_at..key_end]).unwrap_or_default();
        let colon = skip_ws(text, key_end);
        let value = skip_ws(text, colon + 1);
        let end = value_end(text, value);
        out.push(Member {
            key,
            sep: (at, key_at),
            value,
            end,
        });
        let next = skip_ws(text, end);
        if bytes[next] == b'}' {
            return (out, next);
        }
        at = next + 1; // past the comma
    }
}

/// Where the JSON value starting at `at` ends (the byte after it).
fn value_end(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    match bytes[at] {
        b'"' => string_end(bytes, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            loop {
                match bytes[i] {
                    b'"' => {
                        i = string_end(bytes, i);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        // A number, true, false or null: up to the next delimiter.
        _ => {
            let len = bytes[at..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n'))
                .unwrap_or(bytes.len() - at);
            at + len
        }
    }
}

/// The byte after the string whose opening quote is at `at`.
fn string_end(bytes: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    while bytes[i] != b'"' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i + 1
}

fn skip_ws(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    // A UTF-8 byte order mark before the top level counts as whitespace, as editors treat it.
    if at == 0 && text.starts_with('\u{feff}') {
        at = 3;
    }
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
        at += 1;
    }
    at
}

/// The leading whitespace of the line holding byte `at`.
fn line_indent(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// The file's indentation step: the shortest indentation of an indented line, else two spaces.
fn indent_unit(text: &str) -> String {
    text.lines()
        .map(|l| &l[..l.len() - l.trim_start_matches([' ', '\t']).len()])
        .filter(|i| !i.is_empty())
        .min_by_key(|i| i.len())
        .unwrap_or("  ")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: &str = r#"{"command": "git"}"#;

    fn set(text: &str) -> String {
        let wanted: Value = serde_json::from_str(V).unwrap();
        set_member(text, &["mcpServers", "zen"], V, |v| *v == wanted)
            .unwrap()
            .unwrap_or_else(|| text.to_owned())
    }

    #[test]
    fn a_new_member_follows_the_files_own_layout_and_keeps_every_other_byte() {
        let pretty = "{\n    \"z\": 1,\n    \"mcpServers\": {\n        \"other\": {\"a\": [1, 2]}\n    }\n}\n";
        let out = set(pretty);
        assert_eq!(
            out,
            "{\n    \"z\": 1,\n    \"mcpServers\": {\n        \"other\": {\"a\": [1, 2]},\n        \"zen\": {\"command\": \"git\"}\n    }\n}\n"
        );
        assert_eq!(set(&out), out, "a second run changes nothing");
        assert_eq!(
            set("{\"b\":\"}\"}"),
            "{\"b\":\"}\",\"mcpServers\":{\"zen\":{\"command\": \"git\"}}}"
        );
        assert_eq!(
            set("{\r\n  \"b\": true\r\n}\r\n"),
            "{\r\n  \"b\": true,\r\n  \"mcpServers\": {\r\n    \"zen\": {\"command\": \"git\"}\r\n  }\r\n}\r\n"
        );
        assert_eq!(
            set("{\n  \"mcpServers\": {}\n}\n"),
            "{\n  \"mcpServers\": {\n    \"zen\": {\"command\": \"git\"}\n  }\n}\n"
        );
        assert_eq!(
            set(""),
            "{\n  \"mcpServers\": {\n    \"zen\": {\"command\": \"git\"}\n  }\n}\n"
        );
    }

    #[test]
    fn an_outdated_member_is_replaced_in_place() {
        let text =
            "{\"mcpServers\": {\"zen\": {\"command\": \"old\", \"x\": \"\\\"}\"}, \"n\": 1}}";
        assert_eq!(
            set(text),
            "{\"mcpServers\": {\"zen\": {\"command\": \"git\"}, \"n\": 1}}"
        );
    }

    #[test]
    fn invalid_json_and_non_objects_are_refused_with_their_line() {
        let err = set_member("{\n  \"a\": 1,\n}\n", &["m"], V, |_| false).unwrap_err();
        assert!(
            matches!(err, JsonEditError::Invalid { line: 3, .. }),
            "{err}"
        );
        let err = set_member("{\n\"mcpServers\": []}", &["mcpServers", "z"], V, |_| false);
        assert_eq!(
            err.unwrap_err().to_string(),
            "2: \"mcpServers\" is not a JSON object"
        );
    }
}
