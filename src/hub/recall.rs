//! `recall --hub`: the hub's records ranked by relevance × the evidence of the projects that
//! used them, merged with the project's own memory, each hit saying where it lives.

use super::{Hub, HubError};
use crate::index::{Evidence, Hit, RecallQuery, recall};
use crate::record::Kind;

/// How much evidence moves a hit: a score of 0.5 (no evidence) leaves relevance as it is; the
/// best possible evidence multiplies it by 1.5, the worst by 0.5.
fn weight(score: f64) -> f64 {
    0.5 + score
}

/// The evidence weight for `hit`: whole on a bm25 score, softened on a fused one (see
/// [`crate::semantic::fuse::soften`]).
fn weigh(hit: &Hit, score: f64) -> f64 {
    match hit.fused_score {
        Some(_) => crate::semantic::fuse::soften(weight(score)),
        None => weight(score),
    }
}

/// The hub's hits for `query`, each with its evidence; patterns whose evidence is mostly
/// failure are warnings. Reads the local clone (no network: `sync` fetches).
///
/// `prepare` runs on the hub's cache before the search (recall uses it to fill in the vectors
/// it is missing).
pub fn hub_hits<E: From<HubError>>(
    hub: &Hub,
    query: &RecallQuery<'_>,
    prepare: &mut dyn FnMut(&crate::index::Index) -> Result<(), E>,
) -> Result<Vec<Hit>, E> {
    if !hub.has_clone() {
        hub.sync()?;
    }
    let index = hub.index()?;
    prepare(&index)?;
    let mut hits = recall(&index, query).map_err(HubError::from)?;
    for hit in &mut hits {
        let Some(record) = hit
            .id
            .parse()
            .ok()
            .and_then(|id| index.get(&id).ok().flatten())
        else {
            continue;
        };
        let evidence = index.evidence(&record).map_err(HubError::from)?;
        attach_evidence(hit, evidence, &hub.name);
    }
    Ok(hits)
}

/// Weighs a hit from hub `hub` by the evidence of the projects that used its record (see
/// [`weight`]); a pattern whose evidence is mostly failure becomes a warning. The org-wide index
/// weighs its hits the same way.
pub(crate) fn attach_evidence(hit: &mut Hit, evidence: Evidence, hub: &str) {
    hit.score *= weigh(hit, evidence.score);
    if hit.kind == Kind::Pattern && evidence.mostly_failure() {
        hit.warning = true;
    }
    hit.location = format!("hub {hub}");
    hit.evidence = Some(evidence);
}

/// Local and hub hits together, best first: a record in both (inherited or promoted) is shown
/// once, as the local copy carrying the hub's evidence.
pub fn merge(mut local: Vec<Hit>, hub: Vec<Hit>, limit: usize) -> Vec<Hit> {
    for hit in hub {
        match local.iter_mut().find(|l| l.id == hit.id) {
            Some(mine) => {
                if let Some(e) = &hit.evidence {
                    mine.score *= weigh(mine, e.score);
                    mine.warning |= mine.kind == Kind::Pattern && e.mostly_failure();
                }
                mine.evidence = hit.evidence;
                mine.location = format!("local, {}", hit.location);
            }
            None => local.push(hit),
        }
    }
    local.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| b.id.cmp(&a.id)));
    local.truncate(limit);
    local
}
