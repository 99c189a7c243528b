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
/// committed evaluation, questions score their record at 0.35–0.75, while questions about
/// nothing in the memory stay under 0.30 with every record.
pub const STRONG_SIMILARITY: f32 = 0.40;

/// The `k` of reciprocal-rank fusion: a hit's fused score is Σ 1/(k + rank) over the lists it is
/// in. 60 is the value of the original paper and of most search engines that fuse.
const RRF_K: f64 = 60.0;

/// A record's place in the fused ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Fused {
    /// The record's row in the cache.
    pub rowid: i64,
    /// 1-based rank in the keyword list, if it was in it.
    pub keyword_rank: Option<usize>,
    /// Cosine similarity to the question, if the record has a vector and was among the nearest.
    pub similarity: Option<f32>,
    /// Reciprocal-rank fusion of both lists.
    pub fused: f64,
}

/// Fuses a keyword ranking (row ids, best first) with a semantic one (row id and similarity,
/// best first); lists should be of equal depth so neither dominates by length.
pub fn fuse(keyword: &[i64], semantic: &[(i64, f32)]) -> Vec<Fused> {
    let mut by_row: HashMap<i64, Fused> = HashMap::new();
    for (i, &rowid) in keyword.iter().enumerate() {
        let entry = by_row.entry(rowid).or_insert(Fused {
            rowid,
            keyword_rank: None,
            similarity: None,
            fused: 0.0,
        });
        entry.keyword_rank = Some(i + 1);
        entry.fused += 1.0 / (RRF_K + (i + 1) as f64);
    }
    for (i, &(rowid, similarity)) in semantic.iter().enumerate() {
        let entry = by_row.entry(rowid).or_insert(Fused {
            rowid,
            keyword_rank: None,
            similarity: None,
            fused: 0.0,
        });
        entry.similarity = Some(similarity);
        entry.fused += 1.0 / (RRF_K + (i + 1) as f64);
    }
    let mut fused: Vec<Fused> = by_row.into_values().collect();
    fused.sort_by(|a, b| b.fused.total_cmp(&a.fused).then(b.rowid.cmp(&a.rowid)));
    fused
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_high_in_both_lists_wins() {
        let fused = fuse(&[1, 2, 3], &[(3, 0.8), (1, 0.7), (4, 0.6)]);
        let order: Vec<i64> = fused.iter().map(|f| f.rowid).collect();
        assert_eq!(order, [1, 3, 2, 4]);
        assert_eq!(fused[0].keyword_rank, Some(1));
        assert_eq!(fused[0].similarity, Some(0.7));
        assert_eq!(fused[3].keyword_rank, None);
    }

    #[test]
    fn modes_parse_by_name() {
        assert_eq!("semantic".parse(), Ok(Mode::Semantic));
        assert!("bm25".parse::<Mode>().is_err());
    }
}
