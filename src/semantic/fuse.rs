//! Merging the keyword and the semantic ranking, and telling a real answer from a guess.

use std::collections::HashMap;

/// How recall ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Keyword and meaning, fused: the default.
    #[default]
    Hybrid,
    /// Meaning alone (records without a vector yet fall back to keyword ranks).
    Semantic,
    /// Shared words alone (bm25), as before recall by meaning; never loads the model.
    Keyword,
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "hybrid" => Ok(Mode::Hybrid),
            "semantic" => Ok(Mode::Semantic),
            "keyword" => Ok(Mode::Keyword),
            other => Err(format!(
                "unknown recall mode {other:?} (hybrid, semantic or keyword)"
            )),
        }
    }
}

/// Whether a hit answers the question or is only the least bad of the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Match {
    /// Close in meaning, or containing every word asked for.
    Strong,
    /// Neither: shown because something had to be, not because it fits.
    Weak,
}

/// Cosine similarity from which a hit counts as [`Match::Strong`] for all-MiniLM-L6-v2. On the
/// committed evaluation, questions score the record that answers them at 0.38 (median; 0.50 at
/// the 90th percentile), while ten questions about nothing in that memory (office printers,
/// parental leave, GPU clusters) reach at most 0.33 with any record.
pub const STRONG_SIMILARITY: f32 = 0.35;

/// Below this similarity a record found by meaning alone is not listed at all: it is unrelated
/// (on the committed evaluation no question's record scores under 0.2 when it is in the top
/// ten, and questions about nothing there score the unrelated records 0.04–0.33).
pub const LEAST_SIMILARITY: f32 = 0.2;

/// How much of recall's weights (status, outcome, age, a hub's evidence) a fused score takes.
/// Similarities of neighbouring hits differ by a few hundredths, so the full weights (×1.25 for
/// a proven pattern) would override what the question says; a tenth of each weight moves a
/// record by a rank or two instead, as it moves a bm25 score among close matches.
pub const WEIGHT_SHARE: f64 = 0.1;

/// A recall weight, softened for a fused score (see [`WEIGHT_SHARE`]).
pub fn soften(weight: f64) -> f64 {
    1.0 + (weight - 1.0) * WEIGHT_SHARE
}

/// What a top keyword match adds to its cosine similarity: [`KEYWORD_BONUS`] divided by its
/// keyword rank, down to the [`KEYWORD_DEPTH`]th (0.1, 0.05, 0.033). Falling with the rank
/// rather than in a straight line (0.08, 0.053, 0.027 before) lifts the best keyword match
/// clear of close similarities: hit@1 / hit@5 / MRR 0.54 / 0.86 / 0.68 → 0.55 / 0.87 / 0.69 on
/// the committed evaluation, unchanged (0.80 / 0.97 / 0.87) on the public ADRs. Measured against reciprocal-
/// rank fusion on the committed evaluation and on four public ADR collections (see the decision
/// on recall by meaning): RRF let the noisy tail of the keyword list (any-word matches) push
/// the right record out of the top five; a bonus for the few best keyword matches keeps what
/// shared words say without that noise.
pub const KEYWORD_BONUS: f32 = 0.1;

/// How many of the best keyword matches get a bonus.
pub const KEYWORD_DEPTH: usize = 3;

/// How deep the keyword and the meaning lists are read for `limit` hits: fusion needs lists
/// deep enough for a record low in one list and high in the other to surface.
pub fn list_depth(limit: usize) -> usize {
    limit.max(20)
}

/// A record's place in the fused ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Fused {
    /// The record's row in the cache.
    pub rowid: i64,
    /// 1-based rank in the keyword list, if it was in it.
    pub keyword_rank: Option<usize>,
    /// Cosine similarity to the question, if the record has a vector.
    pub similarity: Option<f32>,
    /// The similarity (for a record without a vector yet: the similarity found at its keyword
    /// rank in the semantic list) plus its keyword bonus.
    pub fused: f64,
}

/// Fuses a keyword ranking (row ids, best first) with the similarities of the records that have
/// a vector (`similarity`, most similar first): the `depth` most similar records and every
/// keyword match, each scored by its similarity plus its keyword bonus, best first.
pub fn fuse(keyword: &[i64], similarity: &[(i64, f32)], depth: usize) -> Vec<Fused> {
    let by_row: HashMap<i64, f32> = similarity.iter().copied().collect();
    let mut fused: HashMap<i64, Fused> = HashMap::new();
    for &(rowid, sim) in similarity
        .iter()
        .take(depth)
        .filter(|(_, sim)| *sim >= LEAST_SIMILARITY)
    {
        fused.insert(
            rowid,
            Fused {
                rowid,
                keyword_rank: None,
                similarity: Some(sim),
                fused: f64::from(sim),
            },
        );
    }
    for (i, &rowid) in keyword.iter().enumerate() {
        let own = by_row.get(&rowid).copied();
        // A record not embedded yet is taken to be as similar as the record at its keyword rank
        // in the list by meaning: ranked by keyword alone, among the others.
        let base =
            own.unwrap_or_else(|| similarity.get(i).or(similarity.last()).map_or(0.0, |s| s.1));
        let bonus = if i < KEYWORD_DEPTH {
            KEYWORD_BONUS / (i + 1) as f32
        } else {
            0.0
        };
        fused.insert(
            rowid,
            Fused {
                rowid,
                keyword_rank: Some(i + 1),
                similarity: own,
                fused: f64::from(base + bonus),
            },
        );
    }
    let mut fused: Vec<Fused> = fused.into_values().collect();
    fused.sort_by(|a, b| b.fused.total_cmp(&a.fused).then(b.rowid.cmp(&a.rowid)));
    fused
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_keyword_matches_add_to_their_similarity() {
        // 3 is a little less similar than 1, but the best keyword match.
        let fused = fuse(&[3, 2], &[(1, 0.50), (3, 0.48), (2, 0.20), (4, 0.10)], 3);
        let order: Vec<i64> = fused.iter().map(|f| f.rowid).collect();
        assert_eq!(order, [3, 1, 2]);
        assert_eq!(fused[0].keyword_rank, Some(1));
        assert_eq!(fused[0].similarity, Some(0.48));
        assert!((fused[0].fused - 0.58).abs() < 1e-6);
        assert_eq!(fused[1].keyword_rank, None);
        // The second keyword match gets half the first one's bonus.
        assert!((fused[2].fused - (0.20 + f64::from(KEYWORD_BONUS) / 2.0)).abs() < 1e-6);
    }

    #[test]
    fn a_keyword_match_without_a_vector_takes_the_similarity_at_its_rank() {
        let fused = fuse(&[9], &[(1, 0.50), (2, 0.30)], 2);
        let nine = fused.iter().find(|f| f.rowid == 9).unwrap();
        assert_eq!(nine.similarity, None);
        assert!((nine.fused - f64::from(0.50 + KEYWORD_BONUS)).abs() < 1e-6);
    }

    #[test]
    fn modes_parse_by_name() {
        assert_eq!("semantic".parse(), Ok(Mode::Semantic));
        assert!("bm25".parse::<Mode>().is_err());
    }
}
