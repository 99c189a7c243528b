//! Which lines of a file are new: every line of an added file, the inserted lines of a modified one.

use std::ops::Range;

use imara_diff::{Algorithm, Diff, InternedInput};

/// The lines a change added, by 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddedLines {
    /// Every line (a new file).
    All,
    /// Sorted, disjoint ranges of added lines.
    Ranges(Vec<Range<u32>>),
}

impl AddedLines {
    /// Whether 1-based `line` was added.
    pub fn contains(&self, line: u32) -> bool {
        match self {
            AddedLines::All => true,
            AddedLines::Ranges(ranges) => {
                let i = ranges.partition_point(|r| r.end <= line);
                ranges.get(i).is_some_and(|r| r.contains(&line))
            }
        }
    }

    /// Whether no line was added.
    pub fn is_empty(&self) -> bool {
        matches!(self, AddedLines::Ranges(r) if r.is_empty())
    }
}

/// The lines of `new` that are not in `old` (all of them when there is no `old`), as git's
/// histogram diff sees them.
pub fn added_lines(old: Option<&[u8]>, new: &[u8]) -> AddedLines {
    let Some(old) = old else {
        return AddedLines::All;
    };
    let input = InternedInput::new(old, new);
    let diff = Diff::compute(Algorithm::Histogram, &input);
    AddedLines::Ranges(
        diff.hunks()
            .filter(|h| !h.after.is_empty())
            .map(|h| h.after.start + 1..h.after.end + 1)
            .collect(),
    )
}

/// git's own test for binary content: a NUL byte in the first 8000 bytes.
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(8000)]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inserted_lines_count_as_added() {
        let added = added_lines(Some(b"a\nb\nc\n"), b"a\nnew\nb\nc\nend\n");
        assert_eq!(added, AddedLines::Ranges(vec![2..3, 5..6]));
        assert!(added.contains(2) && added.contains(5));
        assert!(!added.contains(1) && !added.contains(3) && !added.contains(4));
        assert!(added_lines(Some(b"same\n"), b"same\n").is_empty());
        assert!(added_lines(None, b"x").contains(1));
    }

    #[test]
    fn binary_is_a_nul_near_the_start() {
        assert!(is_binary(b"PNG\0\x01"));
        assert!(!is_binary(b"plain text\n"));
    }
}
