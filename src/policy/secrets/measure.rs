//! What the scanner measures of a secret and shows of it: its entropy, whether it is mostly one
//! character (a placeholder), the mask a report shows, and the fingerprint a baseline keeps.

/// Whether one character makes up more than half of the secret (`xxxxxxxx`, `AKIA000…`).
pub(super) fn mostly_one_character(secret: &[u8]) -> bool {
    let mut counts = [0usize; 256];
    for &b in secret {
        counts[usize::from(b)] += 1;
    }
    counts
        .iter()
        .max()
        .is_some_and(|&most| most * 2 > secret.len())
}

/// The SHA-256 of a secret in lowercase hex.
pub fn fingerprint(secret: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(secret)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Masks a secret for reports: keeps at most the first 4 characters and shows its length, e.g.
/// `AKIA…(20 chars)`; short secrets (<8) show no characters at all. Never reveals more than 4
/// chars. Control characters among the 4 are shown as `?`.
pub fn mask(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let len = text.chars().count();
    let unit = if len == 1 { "char" } else { "chars" };
    if len < 8 {
        return format!("…({len} {unit})");
    }
    let head: String = text
        .chars()
        .take(4)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    format!("{head}…({len} {unit})")
}

/// Shannon entropy in bits per character (per byte): 0 for an empty or one-symbol string, at
/// most log2 of its length, 8 at the very most.
pub fn shannon_entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[usize::from(b)] += 1;
    }
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}
