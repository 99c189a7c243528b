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
    // Most edits touch a few lines of a file: diff only what lies between the common first and
    // last lines, so the diff does not hash every line of both sides.
    let head = common_prefix_lines(old, new);
    let tail = common_suffix_lines(&old[head.0..], &new[head.0..]);
    let (old_mid, new_mid) = (
        &old[head.0..old.len() - tail],
        &new[head.0..new.len() - tail],
    );
    let first_line = head.1;
    let input = InternedInput::new(old_mid, new_mid);
    let diff = Diff::compute(Algorithm::Histogram, &input);
    AddedLines::Ranges(
        diff.hunks()
            .filter(|h| !h.after.is_empty())
            .map(|h| first_line + h.after.start + 1..first_line + h.after.end + 1)
            .collect(),
    )
}

/// Bytes and lines of the whole lines `a` and `b` begin with.
fn common_prefix_lines(a: &[u8], b: &[u8]) -> (usize, u32) {
    let same = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let end = memchr::memrchr(b'\n', &a[..same]).map_or(0, |i| i + 1);
    (end, memchr::memchr_iter(b'\n', &a[..end]).count() as u32)
}

/// Bytes of the whole lines `a` and `b` end with (not reaching into a line either one cuts).
fn common_suffix_lines(a: &[u8], b: &[u8]) -> usize {
    let same = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    if same == a.len() && same == b.len() {
        return same;
    }
    // The suffix must start right after a newline in both.
    let tail = &a[a.len() - same..];
    let mut cut = 0;
    while cut < same {
        let at_line_start = |s: &[u8]| {
            let start = s.len() - same + cut;
            start == 0 || s[start - 1] == b'\n'
        };
        if at_line_start(a) && at_line_start(b) {
            return same - cut;
        }
        cut += memchr::memchr(b'\n', &tail[cut..]).map_or(same - cut, |i| i + 1);
    }
    0
}

impl AddedLines {
    /// The added lines of `content` as runs of consecutive whole lines: `(number of the run's
    /// first line, its bytes)`, so a rule can scan only what is new.
    pub fn spans<'c>(&self, content: &'c [u8]) -> Vec<(u32, &'c [u8])> {
        let ranges = match self {
            AddedLines::All => return vec![(1, content)],
            AddedLines::Ranges(ranges) => ranges,
        };
        let mut spans = Vec::with_capacity(ranges.len());
        let (mut line, mut pos) = (1u32, 0usize);
        let line_start = |target: u32, line: &mut u32, pos: &mut usize| {
            while *line < target && *pos < content.len() {
                *pos =
                    memchr::memchr(b'\n', &content[*pos..]).map_or(content.len(), |i| *pos + i + 1);
                *line += 1;
            }
            *pos
        };
        for range in ranges {
            let start = line_start(range.start, &mut line, &mut pos);
            let end = line_start(range.end, &mut line, &mut pos);
            if start < end {
                spans.push((range.start, &content[start..end]));
            }
        }
        spans
    }
}

/// git's own test for binary content: a NUL byte in the first 8000 bytes.
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(8000)]).is_some()
}

#[cfg(test)]
// A one-element Vec of ranges is exactly what these tests mean.
#[allow(clippy::single_range_in_vec_init)]
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
    fn common_lines_at_either_end_are_skipped_but_numbering_holds() {
        let old = b"1\n2\n3\n4\n5\n";
        assert_eq!(
            added_lines(Some(old), b"1\n2\nx\n3\n4\n5\n"),
            AddedLines::Ranges(vec![3..4])
        );
        assert_eq!(
            added_lines(Some(old), b"1\n2\n3\n4\n5\n6\n"),
            AddedLines::Ranges(vec![6..7])
        );
        assert_eq!(
            added_lines(Some(old), b"0\n1\n2\n3\n4\n5\n"),
            AddedLines::Ranges(vec![1..2])
        );
        assert_eq!(
            added_lines(Some(b"a\nb"), b"a\nbc"),
            AddedLines::Ranges(vec![2..3])
        );
        assert_eq!(
            added_lines(Some(b"ab\n"), b"xab\n"),
            AddedLines::Ranges(vec![1..2])
        );
        assert_eq!(
            added_lines(Some(b"x\n12\n"), b"x\n3\n12\n"),
            AddedLines::Ranges(vec![2..3])
        );
    }

    #[test]
    fn spans_are_the_added_lines_bytes() {
        let text = b"a\nb\nc\nd";
        let added = AddedLines::Ranges(vec![2..3, 4..5]);
        assert_eq!(added.spans(text), vec![(2, &b"b\n"[..]), (4, &b"d"[..])]);
        assert_eq!(AddedLines::All.spans(text), vec![(1, &text[..])]);
    }

    #[test]
    fn binary_is_a_nul_near_the_start() {
        assert!(is_binary(b"PNG\0\x01"));
        assert!(!is_binary(b"plain text\n"));
    }
}
