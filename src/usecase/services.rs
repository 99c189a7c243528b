//! The team's automation: what the webhooks and the AI cost ledger say, delivering the outbox,
//! and drafting records from a commit range with the configured AI provider.

use crate::error::UserError;
use crate::record::{Kind, NewRecord};
use crate::repo::Repo;
use crate::services::ledger::{self, ModelSpend};
use crate::services::outbox::FlushReport;
use crate::services::{self, Outbox, ServicesConfig};

/// One webhook from `.datazentr/config.toml`, as `services status` shows it.
#[derive(Debug, serde::Serialize)]
pub struct WebhookLine {
    /// Where events are POSTed.
    pub url: String,
    /// Event names it receives (`record.created`, …); `["*"]` for all.
    pub events: Vec<String>,
    /// Whether a secret env var is configured to HMAC-sign its requests (the secret is not read).
    pub signed: bool,
}

/// What `services status` answers.
#[derive(Debug, serde::Serialize)]
pub struct ServicesStatus {
    /// Every configured webhook, in config order.
    pub webhooks: Vec<WebhookLine>,
    /// The outbox: queued, refused, recent deliveries and failures.
    #[serde(flatten)]
    pub outbox: services::Status,
    /// Total dollars the cost ledger holds for AI calls, ever (0 when none were made).
    pub ai_spend_usd: f64,
}

/// The webhooks, the outbox and the AI spend of the project.
pub fn status(repo: &Repo) -> Result<ServicesStatus, UserError> {
    let config = ServicesConfig::load(repo.workdir())?;
    let outbox = Outbox::open(&repo.state_dir())?;
    Ok(ServicesStatus {
        webhooks: config
            .webhooks
            .iter()
            .map(|h| WebhookLine {
                url: h.url.clone(),
                events: h.events.clone(),
                signed: h.secret_env.is_some(),
            })
            .collect(),
        outbox: outbox.status()?,
        ai_spend_usd: ledger::total(&outbox, None)?,
    })
}

/// Delivers what is queued: everything now (`all_now`), or only what is due (what the
/// background delivery after a command does).
pub fn flush(repo: &Repo, all_now: bool) -> Result<FlushReport, UserError> {
    let config = ServicesConfig::load(repo.workdir())?;
    let outbox = Outbox::open(&repo.state_dir())?;
    if all_now {
        outbox.make_due()?;
    }
    Ok(outbox.flush(&config)?)
}

/// AI spend by provider and model, since a day (`YYYY-MM-DD`) if given.
pub fn costs(repo: &Repo, since: Option<&str>) -> Result<Vec<ModelSpend>, UserError> {
    let outbox = Outbox::open(&repo.state_dir())?;
    Ok(ledger::by_model(&outbox, since)?)
}

/// Draft records the AI proposed for a commit range, not written yet.
#[derive(Debug)]
pub struct Distilled {
    /// `<provider> <model>`, for messages.
    pub provider: String,
    /// Commits in the range summarized for the prompt.
    pub commits: usize,
    /// The drafts, each checked to render and parse as a valid record; nothing is written yet.
    pub drafts: Vec<NewRecord>,
    /// Input tokens the provider counted.
    pub input_tokens: u64,
    /// Output tokens the provider counted.
    pub output_tokens: u64,
    /// Dollars by the configured price (0 without one); already appended to the ledger.
    pub cost_usd: f64,
}

/// Asks the configured AI provider for `kind` records drawn from the commits of `range`
/// (`A..B`, or `REV` for `REV..HEAD`); the call goes to the cost ledger. Each draft is then
/// accepted with [`super::record::accept_draft`].
pub fn distill(repo: &Repo, range: &str, kind: Kind) -> Result<Distilled, UserError> {
    let config = ServicesConfig::load(repo.workdir())?;
    let mut client = services::ai::AiClient::from_config(&config)?;
    let outbox = Outbox::open(&repo.state_dir())?;
    let summary = services::distill::summarize(repo, range)?;
    if summary.commits == 0 {
        return Err(UserError::failed(format!("no commits in {range}"))
            .hint("give a range like main~20..main"));
    }
    let answer = client.complete(
        &outbox,
        &services::distill::system_prompt(kind),
        &summary.text,
        &format!("distill {range}"),
    )?;
    let drafts = services::distill::drafts(&answer.text, kind, repo.author())?;
    Ok(Distilled {
        provider: client.describe(),
        commits: summary.commits,
        drafts,
        input_tokens: answer.input_tokens,
        output_tokens: answer.output_tokens,
        cost_usd: answer.cost_usd,
    })
}
