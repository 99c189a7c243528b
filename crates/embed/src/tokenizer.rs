//! The uncased BERT tokenizer (basic splitting, then WordPiece), as the model was trained with.
//!
//! Written here rather than taken from the `tokenizers` crate: the model needs only this one
//! algorithm, and the crate would bring a regex engine, an Oniguruma build and serde models for
//! dozens of tokenizers we never use.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

use crate::vocab_table;

/// The id of `[UNK]`, `[CLS]` and `[SEP]` in a vocabulary, found by name.
#[derive(Debug, Clone, Copy)]
struct Specials {
    unknown: u32,
    classify: u32,
    separate: u32,
}

/// WordPiece over a BERT vocabulary (`vocab.txt`: one piece per line, the line number is its id).
#[derive(Debug)]
pub struct Tokenizer {
    pieces: Vocabulary,
    specials: Specials,
    lowercase: bool,
}

/// The vocabulary's pieces by text: an open-addressing table of line numbers over the text of
/// `vocab.txt` itself (see [`crate::vocab_table`]). The built-in model's is built at compile
/// time and borrowed from the binary; a folder model's is built when it loads.
#[derive(Debug)]
struct Vocabulary {
    text: Cow<'static, str>,
    lines: Cow<'static, [u8]>,
    slots: Cow<'static, [u8]>,
}

impl Vocabulary {
    fn new(text: &str) -> Self {
        let lines = vocab_table::line_ranges(text);
        let slots = vocab_table::slots(text, &lines);
        Vocabulary {
            text: Cow::Owned(text.to_owned()),
            lines: Cow::Owned(lines),
            slots: Cow::Owned(slots),
        }
    }

    fn get(&self, piece: &str) -> Option<u32> {
        vocab_table::find(&self.text, &self.lines, &self.slots, piece)
    }

    fn len(&self) -> usize {
        self.lines.len() / 8
    }
}

/// Words longer than this become `[UNK]`, as in BERT's reference tokenizer.
const MAX_WORD_CHARS: usize = 100;

impl Tokenizer {
    /// Builds a tokenizer from the text of `vocab.txt`.
    pub fn from_vocab(vocab: &str, lowercase: bool) -> Result<Self, String> {
        Self::with(Vocabulary::new(vocab), lowercase)
    }

    /// The tokenizer over a table built beforehand by [`crate::vocab_table`]: the text of
    /// `vocab.txt`, its [`line_ranges`](crate::vocab_table::line_ranges) and its
    /// [`slots`](crate::vocab_table::slots).
    pub(crate) fn prebuilt(
        text: &'static str,
        lines: &'static [u8],
        slots: &'static [u8],
        lowercase: bool,
    ) -> Result<Self, String> {
        let pieces = Vocabulary {
            text: Cow::Borrowed(text),
            lines: Cow::Borrowed(lines),
            slots: Cow::Borrowed(slots),
        };
        Self::with(pieces, lowercase)
    }

    fn with(pieces: Vocabulary, lowercase: bool) -> Result<Self, String> {
        let find = |name: &str| {
            pieces
                .get(name)
                .ok_or_else(|| format!("the vocabulary has no {name} piece"))
        };
        let specials = Specials {
            unknown: find("[UNK]")?,
            classify: find("[CLS]")?,
            separate: find("[SEP]")?,
        };
        Ok(Self {
            pieces,
            specials,
            lowercase,
        })
    }

    /// The number of pieces in the vocabulary.
    pub fn vocabulary_size(&self) -> usize {
        self.pieces.len()
    }

    /// The ids for `text`: `[CLS]`, at most `max_len - 2` word pieces, `[SEP]`.
    pub fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let budget = max_len.saturating_sub(2);
        let mut ids = Vec::with_capacity(budget.min(text.len() / 3 + 2) + 2);
        ids.push(self.specials.classify);
        'words: for word in basic_words(text, self.lowercase) {
            for id in self.word_pieces(&word) {
                if ids.len() > budget {
                    break 'words;
                }
                ids.push(id);
            }
        }
        ids.push(self.specials.separate);
        ids
    }

    /// Greedy longest-match-first WordPiece; a word with any unmatched rest is one `[UNK]`.
    fn word_pieces(&self, word: &str) -> Vec<u32> {
        if word.chars().count() > MAX_WORD_CHARS {
            return vec![self.specials.unknown];
        }
        let mut out = Vec::new();
        let mut start = 0;
        let mut candidate = String::with_capacity(word.len() + 2);
        while start < word.len() {
            let mut end = word.len();
            let mut found = None;
            while end > start {
                candidate.clear();
                if start > 0 {
                    candidate.push_str("##");
                }
                candidate.push_str(&word[start..end]);
                if let Some(id) = self.pieces.get(&candidate) {
                    found = Some(id);
                    break;
                }
                end = word[..end]
                    .char_indices()
                    .next_back()
                    .map_or(start, |(i, _)| i);
            }
            match found {
                Some(id) => {
                    out.push(id);
                    start = end;
                }
                None => return vec![self.specials.unknown],
            }
        }
        out
    }
}

/// BERT's "basic" step: drop control characters, isolate CJK ideographs and punctuation,
/// lowercase and strip accents, split on whitespace.
fn basic_words(text: &str, lowercase: bool) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, words: &mut Vec<String>| {
        if !word.is_empty() {
            words.push(std::mem::take(word));
        }
    };
    let folded: Box<dyn Iterator<Item = char>> = if lowercase {
        // Lowercasing, then NFD without nonspacing marks: "Café" and "cafe" are one word.
        Box::new(
            text.chars()
                .flat_map(char::to_lowercase)
                .nfd()
                .filter(|c| !is_nonspacing_mark(*c)),
        )
    } else {
        Box::new(text.chars())
    };
    for c in folded {
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        if c.is_whitespace() {
            flush(&mut word, &mut words);
        } else if is_punctuation(c) || is_cjk(c) {
            flush(&mut word, &mut words);
            words.push(c.to_string());
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut words);
    words
}

/// Control and format characters (zero-width spaces, soft hyphens, byte-order marks), but not the
/// whitespace controls, which split words.
fn is_control(c: char) -> bool {
    if matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    c.is_control()
        || matches!(c, '\u{00ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// ASCII symbols count as punctuation (as BERT does: `$`, `^`, `` ` `` split words too), and so
/// do the Unicode punctuation blocks records actually contain (dashes, quotes, CJK marks).
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '\u{00a1}'
                | '\u{00a7}'
                | '\u{00ab}'
                | '\u{00b6}'
                | '\u{00b7}'
                | '\u{00bb}'
                | '\u{00bf}'
        )
        || matches!(c, '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205e}')
        || matches!(c, '\u{3001}'..='\u{3003}' | '\u{3008}'..='\u{3011}' | '\u{3014}'..='\u{301f}')
        || matches!(c, '\u{ff01}'..='\u{ff03}' | '\u{ff05}'..='\u{ff0a}' | '\u{ff0c}'..='\u{ff0f}')
        || matches!(
            c,
            '\u{ff1a}' | '\u{ff1b}' | '\u{ff1f}' | '\u{ff20}' | '\u{ff3b}'
                ..='\u{ff3d}' | '\u{ff3f}' | '\u{ff5b}' | '\u{ff5d}'
        )
}

/// The CJK ideograph blocks BERT splits into single characters.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{20000}'..='\u{2a6df}'
        | '\u{2a700}'..='\u{2b73f}' | '\u{2b740}'..='\u{2b81f}' | '\u{2b820}'..='\u{2ceaf}'
        | '\u{f900}'..='\u{faff}' | '\u{2f800}'..='\u{2fa1f}')
}

/// Combining marks left by NFD (the accents that lowercasing models drop).
fn is_nonspacing_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokenizer() -> Tokenizer {
        let vocab =
            "[PAD]\n[UNK]\n[CLS]\n[SEP]\nun\n##aff\n##able\nthe\ncafe\n,\n!\n你\nrun\n##ning";
        Tokenizer::from_vocab(vocab, true).unwrap()
    }

    #[test]
    fn splits_words_into_the_longest_known_pieces() {
        assert_eq!(tokenizer().encode("unaffable", 64), [2, 4, 5, 6, 3]);
        assert_eq!(tokenizer().encode("Running!", 64), [2, 12, 13, 10, 3]);
    }

    #[test]
    fn folds_case_and_accents_and_isolates_punctuation_and_ideographs() {
        assert_eq!(tokenizer().encode("The  CAFÉ,你", 64), [2, 7, 8, 9, 11, 3]);
    }

    #[test]
    fn a_word_with_an_unknown_rest_is_one_unknown_piece() {
        assert_eq!(tokenizer().encode("unxyz the", 64), [2, 1, 7, 3]);
    }

    #[test]
    fn truncates_to_the_length_with_the_markers_kept() {
        assert_eq!(tokenizer().encode("the the the the the", 4), [2, 7, 7, 3]);
    }

    #[test]
    fn drops_control_and_zero_width_characters() {
        assert_eq!(tokenizer().encode("ca\u{200b}fe\u{7}", 64), [2, 8, 3]);
    }
}
