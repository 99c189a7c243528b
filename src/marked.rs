//! A section git-zen owns inside someone else's text file (`AGENTS.md`, `CLAUDE.md`), between a
//! begin and an end marker line — the way git-branchless keeps its block in a hook.
//!
//! Only the marked lines are git-zen's: [`upsert`] replaces what is between them, or appends the
//! section when there is none, and leaves every other byte of the file as it was. A marker counts
//! only at the start of a line, so a document that mentions the markers in its prose is not
//! mistaken for a section. The file's line endings are kept: a CRLF file gets a CRLF section.

/// How the begin marker line starts (the rest of the line is free text for the reader).
pub const BEGIN: &str = "<!-- git-zen:begin";
/// The end marker line.
pub const END: &str = "<!-- git-zen:end -->";

/// Why the section could not be placed: the markers already in the file are in a state a
/// rewrite would lose text in. Each message starts with the 1-based line, for `file:line: …`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkerError {
    /// A begin marker and no end marker after it.
    #[error("{0}: a `{BEGIN} -->` marker with no `{END}` after it")]
    Unclosed(usize),
    /// An end marker with no begin marker before it.
    #[error("{0}: a `{END}` marker with no `{BEGIN} -->` before it")]
    Stray(usize),
    /// A second begin marker.
    #[error("{line}: a second git-zen section (the first begins on line {first})")]
    Twice {
        /// The second begin marker's line.
        line: usize,
        /// The first's.
        first: usize,
    },
}

impl MarkerError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            MarkerError::Unclosed(_) | MarkerError::Stray(_) => {
                "delete the lone marker line (and any old git-zen text after it), then run this again"
            }
            MarkerError::Twice { .. } => {
                "delete one of the git-zen sections (markers included), then run this again"
            }
        }
    }
}

/// `text` with `section` in place of its marked section, or appended after a blank line when it
/// has none. `section` starts with the begin marker line and ends with the end marker line
/// (no newline after it), with `\n` line endings.
pub fn upsert(text: &str, section: &str) -> Result<String, MarkerError> {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let section = if newline == "\n" {
        section.to_owned()
    } else {
        section.replace('\n', "\r\n")
    };
    match find(text)? {
        Some((start, end)) => Ok(format!("{}{section}{}", &text[..start], &text[end..])),
        None if text.is_empty() => Ok(format!("{section}{newline}")),
        None => {
            let mut out = text.to_owned();
            if !out.ends_with('\n') {
                out.push_str(newline);
            }
            if !out.ends_with(&format!("{newline}{newline}")) {
                out.push_str(newline);
            }
            out.push_str(&section);
            out.push_str(newline);
            Ok(out)
        }
    }
}

/// The byte span of the marked section: from the start of the begin line to the end of the end
/// marker line, its line break excluded.
fn find(text: &str) -> Result<Option<(usize, usize)>, MarkerError> {
    let mut begin: Option<(usize, usize)> = None;
    let mut span = None;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let number = i + 1;
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        if trimmed.starts_with(BEGIN) {
            if let Some((_, first)) = begin.or(span.map(|(_, _, first)| (0, first))) {
                return Err(MarkerError::Twice {
                    line: number,
                    first,
                });
            }
            begin = Some((start, number));
        } else if trimmed.starts_with(END.trim_end_matches(" -->")) {
            let Some((from, first)) = begin.take() else {
                return Err(MarkerError::Stray(number));
            };
            let end = start + line.trim_end_matches(['\n', '\r']).len();
            span = Some((from, end, first));
        }
    }
    if let Some((_, line)) = begin {
        return Err(MarkerError::Unclosed(line));
    }
    Ok(span.map(|(from, to, _)| (from, to)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECTION: &str = "<!-- git-zen:begin -->\nnew\n<!-- git-zen:end -->";

    #[test]
    fn a_section_is_appended_after_a_blank_line_and_then_replaced_in_place() {
        let once = upsert("# Mine\nkeep", SECTION).unwrap();
        assert_eq!(once, format!("# Mine\nkeep\n\n{SECTION}\n"));
        assert_eq!(upsert(&once, SECTION).unwrap(), once);
        let edited = once.replace("new", "old\nlines") + "after\n";
        assert_eq!(
            upsert(&edited, SECTION).unwrap(),
            format!("# Mine\nkeep\n\n{SECTION}\nafter\n")
        );
    }

    #[test]
    fn crlf_files_get_a_crlf_section() {
        let out = upsert("a\r\n", SECTION).unwrap();
        assert_eq!(
            out,
            "a\r\n\r\n<!-- git-zen:begin -->\r\nnew\r\n<!-- git-zen:end -->\r\n"
        );
        assert_eq!(upsert(&out, SECTION).unwrap(), out);
    }

    #[test]
    fn markers_in_prose_do_not_count_and_broken_ones_are_refused() {
        let prose = "Use `<!-- git-zen:begin -->` markers.\n";
        assert!(upsert(prose, SECTION).unwrap().starts_with(prose));
        assert_eq!(
            upsert("x\n<!-- git-zen:begin -->\n", SECTION),
            Err(MarkerError::Unclosed(2))
        );
        assert_eq!(
            upsert("<!-- git-zen:end -->\n", SECTION),
            Err(MarkerError::Stray(1))
        );
        let twice = format!("{SECTION}\n{SECTION}\n");
        assert_eq!(
            upsert(&twice, SECTION),
            Err(MarkerError::Twice { line: 4, first: 1 })
        );
    }
}
