//! The vocabulary's lookup table, as bytes: the byte range of each piece in the text of
//! `vocab.txt` and an open-addressing table of piece ids, both little-endian `u32`s.
//!
//! Plain bytes so that the built-in model's table is built once, at compile time, by the build
//! script (which includes this file), and read in place from the binary: building it at run
//! time cost a one-question recall a millisecond. A folder model builds the same table when it
//! loads. Standard library only, for the build script's sake.

/// An empty slot of the table.
pub const EMPTY: u32 = u32::MAX;

/// FNV-1a over the piece's bytes: short keys, no adversary (the vocabulary is the model's own).
/// 64-bit on every target, so a table built on one machine reads the same on another.
pub fn hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The `index`th little-endian `u32` of `bytes`.
pub fn u32_at(bytes: &[u8], index: usize) -> u32 {
    let at = index * 4;
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// The start and end of each line (piece) of `text`, line ends left out.
pub fn line_ranges(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let piece = line.trim_end_matches(['\n', '\r']);
        out.extend_from_slice(&(start as u32).to_le_bytes());
        out.extend_from_slice(&((start + piece.len()) as u32).to_le_bytes());
        start += line.len();
    }
    out
}

/// The piece with id `id`.
pub fn piece<'t>(text: &'t str, lines: &[u8], id: u32) -> &'t str {
    let id = id as usize;
    &text[u32_at(lines, 2 * id) as usize..u32_at(lines, 2 * id + 1) as usize]
}

/// The table of piece ids by [`hash`], twice as many slots as pieces (a power of two); the
/// first line of a piece wins, as in a map filled in line order.
pub fn slots(text: &str, lines: &[u8]) -> Vec<u8> {
    let count = lines.len() / 8;
    let size = (count * 2).next_power_of_two().max(16);
    let mask = size as u64 - 1;
    let mut table = vec![EMPTY; size];
    for id in 0..count as u32 {
        let wanted = piece(text, lines, id);
        let mut slot = (hash(wanted) & mask) as usize;
        loop {
            match table[slot] {
                EMPTY => {
                    table[slot] = id;
                    break;
                }
                other if piece(text, lines, other) == wanted => break,
                _ => slot = (slot + 1) & mask as usize,
            }
        }
    }
    table.iter().flat_map(|id| id.to_le_bytes()).collect()
}

/// The id of `wanted`, if the vocabulary has it.
pub fn find(text: &str, lines: &[u8], slots: &[u8], wanted: &str) -> Option<u32> {
    let size = slots.len() / 4;
    let mask = size as u64 - 1;
    let mut slot = (hash(wanted) & mask) as usize;
    loop {
        match u32_at(slots, slot) {
            EMPTY => return None,
            id if piece(text, lines, id) == wanted => return Some(id),
            _ => slot = (slot + 1) & mask as usize,
        }
    }
}
