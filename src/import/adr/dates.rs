//! Decision dates: the first date in a `Date:` value (`YYYY-MM-DD`, or day/month/year with a
//! month/day/year fallback) and the date in a log4brains stem `YYYYMMDD-slug`.

/// The date of a log4brains-style stem `YYYYMMDD-slug` (or a bare `YYYYMMDD`), or of a
/// `YYYY-MM-DD-slug` stem (Jekyll and many hand-made folders).
pub(super) fn stem_date(stem: &str) -> Option<jiff::civil::Date> {
    let b = stem.as_bytes();
    if b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && (b.len() == 10 || matches!(b[10], b'-' | b'_'))
        && let DateFound::Date(d) = find_date(&stem[..10])
    {
        return Some(d);
    }
    let bytes = stem.as_bytes();
    if bytes.len() < 8 || !bytes[..8].iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes.len() > 8 && bytes[8] != b'-' && bytes[8] != b'_' {
        return None;
    }
    let y: i16 = stem.get(..4)?.parse().ok()?;
    let m: i8 = stem.get(4..6)?.parse().ok()?;
    let d: i8 = stem.get(6..8)?.parse().ok()?;
    if !(1900..=2199).contains(&y) {
        return None;
    }
    jiff::civil::Date::new(y, m, d).ok()
}

pub(super) enum DateFound {
    Date(jiff::civil::Date),
    /// Parsed as month/day/year because day/month/year was impossible; carries the text shown.
    MonthFirst(jiff::civil::Date, String),
    None,
}

/// Finds the first date in a text: `YYYY-MM-DD` (also `/` or `.`), or `DD/MM/YYYY` (adr-tools'
/// pre-2017 default, also `DD.MM.YYYY`), falling back to `MM/DD/YYYY` when the day/month reading is
/// impossible. Trailing times and surrounding link syntax are ignored.
pub(super) fn find_date(s: &str) -> DateFound {
    let b = s.as_bytes();
    let read_num = |from: usize| -> (usize, usize) {
        let len = b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
        let value = s
            .get(from..from + len.min(9))
            .and_then(|d| d.parse::<usize>().ok())
            .unwrap_or(usize::MAX);
        (len, value)
    };
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let (l1, n1) = read_num(i);
        let next = i + l1;
        let sep = b.get(next).copied();
        if matches!(sep, Some(b'-' | b'/' | b'.')) {
            let (l2, n2) = read_num(next + 1);
            let after2 = next + 1 + l2;
            if l2 > 0 && b.get(after2).copied() == sep {
                let (l3, n3) = read_num(after2 + 1);
                if l3 > 0 {
                    let shown = s.get(i..after2 + 1 + l3).unwrap_or("").to_string();
                    if l1 == 4 && l2 <= 2 && l3 <= 2 {
                        if let Some(d) = make_date(n1, n2, n3) {
                            return DateFound::Date(d);
                        }
                    } else if l1 <= 2 && l2 <= 2 && l3 == 4 && sep != Some(b'-') {
                        if let Some(d) = make_date(n3, n2, n1) {
                            return DateFound::Date(d);
                        }
                        if let Some(d) = make_date(n3, n1, n2) {
                            return DateFound::MonthFirst(d, shown);
                        }
                    }
                }
            }
        }
        i = next.max(i + 1);
    }
    DateFound::None
}

fn make_date(y: usize, m: usize, d: usize) -> Option<jiff::civil::Date> {
    let y = i16::try_from(y).ok()?;
    let m = i8::try_from(m).ok()?;
    let d = i8::try_from(d).ok()?;
    jiff::civil::Date::new(y, m, d).ok()
}
