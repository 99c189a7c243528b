//! The `added-lines` rule kind: a pattern that must not appear in added lines (merge-conflict
//! markers, trailing whitespace, debug leftovers…).

use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

use super::paths::FileFilter;
use crate::changes::AddedLines;

/// The keys of an `added-lines` rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pattern: String,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    except: Vec<String>,
}

impl Spec {
    /// Compiles the pattern (multi-line: `^` and `$` match at line boundaries) and the globs.
    pub fn compile(self) -> Result<AddedLinesRule, String> {
        let regex = RegexBuilder::new(&self.pattern)
            .multi_line(true)
            .crlf(true)
            .build()
            .map_err(|e| format!("`pattern`: bad regex `{}`: {e}", self.pattern))?;
        Ok(AddedLinesRule {
            filter: FileFilter::new(&self.files, &self.except)?,
            pattern: self.pattern,
            regex,
        })
    }
}

/// A pattern that must not appear in added lines of the matching files.
#[derive(Debug)]
pub struct AddedLinesRule {
    /// The regex as written, for messages (the compiled one is private).
    pub pattern: String,
    /// The files it applies to (`files`, default every file, minus `except`).
    pub filter: FileFilter,
    regex: Regex,
}

impl AddedLinesRule {
    /// 1-based numbers of the added lines of `content` where the pattern matches (once per line).
    pub fn find(&self, content: &[u8], added: &AddedLines) -> Vec<u32> {
        let mut lines = Vec::new();
        let (mut pos, mut line) = (0usize, 1u32);
        for m in self.regex.find_iter(content) {
            line += memchr::memchr_iter(b'\n', &content[pos..m.start()]).count() as u32;
            pos = m.start();
            if lines.last() != Some(&line) && added.contains(line) {
                lines.push(line);
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_each_added_line_once() {
        let rule = Spec {
            pattern: "[ \\t]+$".into(),
            files: vec![],
            except: vec![],
        }
        .compile()
        .unwrap();
        let text = b"ok\ntrail  \nfine\nmore \t\r\nend";
        assert_eq!(rule.find(text, &AddedLines::All), vec![2, 4]);
        assert_eq!(
            rule.find(text, &AddedLines::Ranges(vec![3..5, 9..10])),
            vec![4]
        );
    }
}
