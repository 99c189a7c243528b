//! Record ids: collision-free without coordination, sortable by creation time.
//!
//! An id is 22 characters of lowercase Crockford base32: 9 characters of milliseconds since the Unix
//! epoch (good until the year 3084) followed by 13 characters (65 bits) of OS randomness. Two branches
//! or machines writing records at the same millisecond still collide with probability 2⁻⁶⁵, and a plain
//! `ls` lists records oldest first. Like git hashes, any unique prefix names a record.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// Crockford's base32 alphabet, lowercased: no i, l, o or u, so ids survive being read aloud.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const TIME_CHARS: usize = 9;
const RANDOM_CHARS: usize = 13;
/// Length of a full id.
pub const ID_LEN: usize = TIME_CHARS + RANDOM_CHARS;

/// A full record id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordId(String);

/// Why a string is not a record id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not a record id: {reason}")]
pub struct InvalidId {
    text: String,
    reason: &'static str,
}

impl RecordId {
    /// A new id for a record created now.
    pub fn generate() -> Self {
        Self::generate_at(now_millis())
    }

    /// A new id whose time part is `millis` since the Unix epoch (used to keep imports in order).
    pub fn generate_at(millis: u64) -> Self {
        let mut random = [0u8; 9];
        getrandom::fill(&mut random).expect("the operating system has no random number source");
        let random = u128::from_le_bytes({
            let mut wide = [0u8; 16];
            wide[..9].copy_from_slice(&random);
            wide
        });
        let mut id = String::with_capacity(ID_LEN);
        push_base32(&mut id, u128::from(millis), TIME_CHARS);
        push_base32(&mut id, random, RANDOM_CHARS);
        RecordId(id)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Milliseconds since the Unix epoch encoded in the id.
    pub fn millis(&self) -> u64 {
        self.0[..TIME_CHARS].bytes().fold(0u64, |acc, c| {
            (acc << 5) | u64::from(digit_value(c).unwrap_or(0))
        })
    }
}

/// Milliseconds since the Unix epoch, now (0 on a clock set before 1970).
pub fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Whether `text` could be the beginning of an id (so it is worth a prefix lookup).
pub fn is_id_prefix(text: &str) -> bool {
    !text.is_empty() && text.len() <= ID_LEN && text.bytes().all(|c| digit_value(c).is_some())
}

fn push_base32(out: &mut String, mut value: u128, chars: usize) {
    let mut buf = vec![0u8; chars];
    for slot in buf.iter_mut().rev() {
        *slot = ALPHABET[(value & 31) as usize];
        value >>= 5;
    }
    out.push_str(std::str::from_utf8(&buf).expect("alphabet is ASCII"));
}

fn digit_value(c: u8) -> Option<u8> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u8)
}

impl FromStr for RecordId {
    type Err = InvalidId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| InvalidId {
            text: text.to_owned(),
            reason,
        };
        if text.len() != ID_LEN {
            return Err(invalid("an id has 22 characters"));
        }
        if !text.bytes().all(|c| digit_value(c).is_some()) {
            return Err(invalid(
                "an id uses only 0-9 and lowercase a-z without i, l, o and u",
            ));
        }
        Ok(RecordId(text.to_owned()))
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RecordId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_sort_by_time() {
        let early = RecordId::generate_at(1_000);
        let late = RecordId::generate_at(2_000_000_000_000);
        assert_eq!(early.as_str().len(), ID_LEN);
        assert!(early < late);
        assert_eq!(late.millis(), 2_000_000_000_000);
        assert_eq!(late.as_str().parse::<RecordId>().unwrap(), late);
    }

    #[test]
    fn ids_made_in_the_same_millisecond_differ() {
        let ids: std::collections::HashSet<_> =
            (0..10_000).map(|_| RecordId::generate_at(42)).collect();
        assert_eq!(ids.len(), 10_000);
    }

    #[test]
    fn malformed_ids_are_rejected() {
        assert!("short".parse::<RecordId>().is_err());
        assert!("0123456789ABCDEFGHJKMN".parse::<RecordId>().is_err());
        assert!("0123456789abcdefghjkmi".parse::<RecordId>().is_err());
        assert!(is_id_prefix("01kb"));
        assert!(!is_id_prefix("ADR-3"));
    }
}
