//! `git zen services status|flush|costs`, and [`notify`], how commands emit events.

use std::io::Write;

use git_zen::repo::Repo;
use git_zen::services::{self, Outbox, ServicesConfig};

use super::{CmdResult, open_repo, output};

/// Queues `event` for the project's webhooks and starts delivering it in the background. A
/// failure here never fails the command that emitted it: it is a warning.
pub fn notify(repo: &Repo, event: &str, data: serde_json::Value) {
    match services::emit(repo, event, &data) {
        Ok(0) => {}
        Ok(_) => services::flush_in_background(repo.workdir()),
        Err(e) => {
            let _ = output::warning(
                &mut anstream::stderr(),
                &format!("event {event} not queued: {e}"),
            );
        }
    }
}

/// Webhook deliveries and AI spend: what is queued, what landed, what it cost.
#[derive(Debug, clap::Args)]
pub struct ServicesArgs {
    #[command(subcommand)]
    command: ServicesCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ServicesCommand {
    /// Webhooks, outbox depth, the latest deliveries and failures, AI spend.
    Status {
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Deliver what is queued now (events whose next attempt is later are tried too).
    Flush {
        /// Deliver only what is due, quietly (what commands start after emitting an event).
        #[arg(long, hide = true)]
        background: bool,
    },
    /// What the AI calls cost, by provider and model, from the ledger.
    Costs {
        /// Only calls on or after this day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(serde::Serialize)]
struct StatusJson<'a> {
    webhooks: Vec<WebhookJson<'a>>,
    #[serde(flatten)]
    outbox: services::Status,
    ai_spend_usd: f64,
}

#[derive(serde::Serialize)]
struct WebhookJson<'a> {
    url: &'a str,
    events: &'a [String],
    signed: bool,
}

pub fn run_services(args: &ServicesArgs) -> CmdResult {
    let repo = open_repo()?;
    let config = ServicesConfig::load(repo.workdir())?;
    let mut out = anstream::stdout();
    match &args.command {
        ServicesCommand::Status { json } => {
            let outbox = Outbox::open(&repo.state_dir())?;
            let status = outbox.status()?;
            let spend = services::ledger::total(&outbox, None)?;
            let report = StatusJson {
                webhooks: config
                    .webhooks
                    .iter()
                    .map(|h| WebhookJson {
                        url: &h.url,
                        events: &h.events,
                        signed: h.secret_env.is_some(),
                    })
                    .collect(),
                outbox: status,
                ai_spend_usd: spend,
            };
            if *json {
                output::json(&mut out, &report)?;
            } else {
                if report.webhooks.is_empty() {
                    writeln!(
                        out,
                        "webhooks: none configured ([[webhook]] in .datazentr/config.toml)"
                    )?;
                }
                for h in &report.webhooks {
                    let signed = if h.signed { ", signed" } else { "" };
                    writeln!(out, "webhook {} ({}{signed})", h.url, h.events.join(", "))?;
                }
                writeln!(
                    out,
                    "outbox: {} queued, {} refused",
                    report.outbox.queued, report.outbox.refused
                )?;
                for d in &report.outbox.recent {
                    writeln!(
                        out,
                        "  delivered {} {} -> {} ({}, {} attempt(s)) {}",
                        d.event, &d.delivery_id, d.url, d.status, d.attempts, d.time
                    )?;
                }
                for f in &report.outbox.failing {
                    let state = if f.refused { "refused" } else { "failing" };
                    writeln!(
                        out,
                        "  {state} {} {} -> {}: {} ({} attempt(s))",
                        f.event, f.delivery_id, f.url, f.last_error, f.attempts
                    )?;
                }
                writeln!(out, "AI spend: ${:.4}", report.ai_spend_usd)?;
            }
        }
        ServicesCommand::Flush { background } => {
            let outbox = Outbox::open(&repo.state_dir())?;
            if !background {
                outbox.make_due()?;
            }
            let report = outbox.flush(&config)?;
            if !background {
                writeln!(
                    out,
                    "{} delivered, {} still queued, {} refused",
                    report.delivered, report.deferred, report.refused
                )?;
                if report.deferred > 0 || report.refused > 0 {
                    writeln!(
                        anstream::stderr(),
                        "  hint: `git zen services status` shows why"
                    )?;
                }
            }
        }
        ServicesCommand::Costs { since, json } => {
            let outbox = Outbox::open(&repo.state_dir())?;
            let rows = services::ledger::by_model(&outbox, since.as_deref())?;
            if *json {
                output::json(&mut out, &rows)?;
            } else if rows.is_empty() {
                writeln!(anstream::stderr(), "no AI calls recorded")?;
            } else {
                let mut total = 0.0;
                for r in &rows {
                    total += r.cost_usd;
                    writeln!(
                        out,
                        "{:<10} {:<28} {:>5} call(s) {:>9} in {:>9} out  ${:.4}",
                        r.provider, r.model, r.calls, r.input_tokens, r.output_tokens, r.cost_usd
                    )?;
                }
                writeln!(out, "total ${total:.4}")?;
            }
        }
    }
    Ok(())
}
