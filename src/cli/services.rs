//! `git zen services status|flush|costs`, and [`notify`], how commands emit events.

use std::io::Write;

use git_zen::error::UserError;
use git_zen::usecase;

use super::ui::{Terminal, deliver};
use super::{CmdResult, open_repo, output};

/// Webhook deliveries and AI spend: what is queued, what landed, what it cost.
///
/// Configured in .datazentr/config.toml:
///
///   [[webhook]]
///   url = "https://n8n.example.com/webhook/zen"
///   events = ["record.created", "record.superseded", "policy.failed", "genesis.created", "hub.promoted"]   # or ["*"]
///   secret_env = "ZEN_WEBHOOK_SECRET"   # X-Zen-Signature: sha256=<HMAC-SHA256 of the body>
///   timeout_secs = 10                   # optional, as are the two below
///   rate_per_minute = 60
///   max_attempts = 6
///
///   [ai]
///   provider = "anthropic"              # or "openai": any OpenAI-compatible endpoint
///   model = "claude-sonnet-4-5"
///   base_url = "https://api.anthropic.com"   # optional
///   key_env = "ANTHROPIC_API_KEY"            # optional
///   [ai.prices."claude-sonnet-4-5"]
///   input_per_mtok = 3.0
///   output_per_mtok = 15.0
///
/// Events are queued in <git-dir>/datazentr/services.sqlite before any delivery and removed only
/// after a 2xx; commands and hooks deliver in the background and never wait for the network.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
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

pub fn run_services(args: &ServicesArgs) -> CmdResult {
    let repo = open_repo()?;
    let mut out = anstream::stdout();
    match &args.command {
        ServicesCommand::Status { json } => {
            let report = usecase::services::status(&repo)?;
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
            let report = usecase::services::flush(&repo, !background)?;
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
            let rows = usecase::services::costs(&repo, since.as_deref())?;
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

/// Draft records from a commit range with the configured AI provider: it reads the commit
/// messages and a bounded diff summary and proposes records, which are validated like any
/// record. On a terminal (or with --edit) each draft opens in your editor (empty it to drop
/// it); a draft that does not check out is kept for `git zen edit <id>` and the others go on.
/// Elsewhere the drafts are printed and nothing is written unless --yes. Every call goes to the
/// cost ledger.
#[derive(Debug, clap::Args)]
pub struct DistillArgs {
    /// Commits to read: `A..B`, or one revision meaning `REV..HEAD`.
    range: String,
    /// What to draft.
    #[arg(short, long, value_enum, default_value = "lesson")]
    kind: super::record::KindArg,
    /// Keep every draft without review.
    #[arg(short, long, conflicts_with = "edit")]
    yes: bool,
    /// Review each draft in the editor even when not on a terminal.
    #[arg(short, long)]
    edit: bool,
}

pub fn run_distill(args: &DistillArgs) -> CmdResult {
    let repo = open_repo()?;
    let kind = git_zen::record::Kind::from(args.kind);
    let spinner = output::spinner(&format!("drafting records from {}", args.range));
    let distilled = usecase::services::distill(&repo, &args.range, kind);
    spinner.finish_and_clear();
    let distilled = distilled?;
    let drafts = &distilled.drafts;
    let mut err = anstream::stderr();
    writeln!(
        err,
        "{}: {} draft(s) from {} commit(s); {} input + {} output tokens, ${:.4}",
        distilled.provider,
        drafts.len(),
        distilled.commits,
        distilled.input_tokens,
        distilled.output_tokens,
        distilled.cost_usd
    )?;
    let mut out = anstream::stdout();
    let review = args.edit || (!args.yes && super::interactive());
    if !args.yes && !review {
        for draft in drafts {
            writeln!(out, "{}", git_zen::record::render(draft))?;
        }
        if !drafts.is_empty() {
            writeln!(
                err,
                "nothing written\n  hint: --yes keeps them all; on a terminal each opens for review"
            )?;
        }
        return Ok(());
    }
    let mut kept = 0;
    for draft in drafts {
        match usecase::record::accept_draft(&repo, &mut Terminal, draft, review) {
            Ok((Some(created), emitted)) => {
                writeln!(
                    out,
                    "recorded {} {} {}",
                    created.kind, created.id, created.title
                )?;
                deliver(repo.workdir(), &emitted);
            }
            Ok((None, _)) => writeln!(err, "dropped {}", draft.title)?,
            // One draft that does not check out is kept for `git zen edit`; the others go on.
            Err(e) => {
                output::failure(&mut err, &e);
                kept += 1;
            }
        }
    }
    if kept > 0 {
        return Err(UserError::failed(format!(
            "{kept} of {} draft(s) not recorded; each is kept as a draft",
            drafts.len()
        )));
    }
    Ok(())
}
