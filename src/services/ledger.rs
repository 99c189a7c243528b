//! The cost ledger: one row per AI call (provider, model, tokens, price, purpose, time), in the
//! services database; `services costs` sums it.

use rusqlite::params;
use serde::Serialize;

use super::config::Price;
use super::{Outbox, ServicesError};

/// One call, as recorded.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    /// `anthropic` or `openai`, as configured.
    pub provider: &'a str,
    /// The model name as sent to the provider (the key of its price).
    pub model: &'a str,
    /// Input tokens the provider counted.
    pub input_tokens: u64,
    /// Output tokens the provider counted.
    pub output_tokens: u64,
    /// What it was for (`distill main~20..main`).
    pub purpose: &'a str,
}

/// Spend per provider and model, one row per pair, sorted by provider then model.
#[derive(Debug, Serialize)]
pub struct ModelSpend {
    /// `anthropic` or `openai`.
    pub provider: String,
    /// The model name as configured.
    pub model: String,
    /// How many calls the ledger holds for this pair.
    pub calls: u64,
    /// Input tokens, summed over those calls.
    pub input_tokens: u64,
    /// Output tokens, summed over those calls.
    pub output_tokens: u64,
    /// Dollars, summed at the price in force at each call (0 for calls with no price).
    pub cost_usd: f64,
}

/// The price of `call` at `price` (no price configured: 0, and the tokens still count).
pub fn cost(call: &Call<'_>, price: Option<Price>) -> f64 {
    price.map_or(0.0, |p| {
        (call.input_tokens as f64 * p.input_per_mtok
            + call.output_tokens as f64 * p.output_per_mtok)
            / 1_000_000.0
    })
}

/// Appends `call` to the ledger, stamped now; returns its cost in dollars.
pub fn append(
    outbox: &Outbox,
    call: &Call<'_>,
    price: Option<Price>,
) -> Result<f64, ServicesError> {
    let dollars = cost(call, price);
    outbox
        .conn()
        .execute(
            "INSERT INTO ledger(time, provider, model, input_tokens, output_tokens, cost_usd, purpose) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                crate::record::now_rfc3339(),
                call.provider,
                call.model,
                call.input_tokens as i64,
                call.output_tokens as i64,
                dollars,
                call.purpose
            ],
        )
        .map_err(|e| outbox.sqlite(e))?;
    Ok(dollars)
}

/// Spend per provider and model, calls on or after `since` (`YYYY-MM-DD`) only.
pub fn by_model(outbox: &Outbox, since: Option<&str>) -> Result<Vec<ModelSpend>, ServicesError> {
    let mut stmt = outbox
        .conn()
        .prepare(
            "SELECT provider, model, count(*), sum(input_tokens), sum(output_tokens), sum(cost_usd)
             FROM ledger WHERE ?1 IS NULL OR time >= ?1 GROUP BY provider, model ORDER BY provider, model",
        )
        .map_err(|e| outbox.sqlite(e))?;
    let rows = stmt
        .query_map(params![since], |r| {
            Ok(ModelSpend {
                provider: r.get(0)?,
                model: r.get(1)?,
                calls: r.get::<_, i64>(2)? as u64,
                input_tokens: r.get::<_, i64>(3)? as u64,
                output_tokens: r.get::<_, i64>(4)? as u64,
                cost_usd: r.get(5)?,
            })
        })
        .map_err(|e| outbox.sqlite(e))?;
    rows.collect::<Result<_, _>>().map_err(|e| outbox.sqlite(e))
}

/// Dollars spent on every call, or since a day (`YYYY-MM-DD`, compared with the RFC 3339 time).
pub fn total(outbox: &Outbox, since: Option<&str>) -> Result<f64, ServicesError> {
    // Folded from +0.0: an empty `sum()` of floats is -0.0, which prints as "$-0.0000".
    Ok(by_model(outbox, since)?
        .iter()
        .fold(0.0, |total, m| total + m.cost_usd))
}
