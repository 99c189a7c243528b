//! The `[[webhook]]` and `[ai]` tables of `.datazentr/config.toml`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::ServicesError;
use crate::text::{line_of, toml_error_line};

/// What services a project configured; no config file means none.
#[derive(Debug, Default, Deserialize)]
pub struct ServicesConfig {
    /// The `[[webhook]]` tables, in file order; an event is queued only if one wants it.
    #[serde(default, rename = "webhook")]
    pub webhooks: Vec<Webhook>,
    /// The `[ai]` table; `None` means `distill` cannot run.
    #[serde(default)]
    pub ai: Option<AiConfig>,
}

/// One webhook endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// Where events are POSTed.
    pub url: String,
    /// Event names it receives (`record.created`, …); `["*"]` for all.
    pub events: Vec<String>,
    /// The environment variable holding the HMAC-SHA256 secret (no secret: unsigned).
    #[serde(default)]
    pub secret_env: Option<String>,
    /// Seconds one request may take (default 10).
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// At most this many requests per minute to this endpoint (default 60).
    #[serde(default = "default_rate")]
    pub rate_per_minute: u32,
    /// Attempts per flush before an event waits for the next one (default 6).
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
}

/// Which AI provider `distill` talks to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AiConfig {
    /// `anthropic` (Messages API) or `openai` (any OpenAI-compatible chat endpoint).
    pub provider: String,
    /// The model name sent to the provider.
    pub model: String,
    /// The API's base URL (default: the provider's public one).
    #[serde(default)]
    pub base_url: Option<String>,
    /// The environment variable holding the API key (default `ANTHROPIC_API_KEY` /
    /// `OPENAI_API_KEY`).
    #[serde(default)]
    pub key_env: Option<String>,
    /// The answer's token budget, sent as `max_tokens` (default 2048).
    #[serde(default = "default_max_tokens")]
    pub max_tokens: u32,
    /// Seconds one request may take (default 120).
    #[serde(default = "default_ai_timeout")]
    pub timeout_secs: u64,
    /// At most this many requests per minute (default 60).
    #[serde(default = "default_rate")]
    pub rate_per_minute: u32,
    /// Attempts per call, the first included, before giving up (default 6).
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// Prices by model name, in dollars per million tokens; a model without one is logged at $0.
    #[serde(default)]
    pub prices: BTreeMap<String, Price>,
}

/// A model's price, used to cost each call in the ledger.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// Dollars per million input tokens.
    pub input_per_mtok: f64,
    /// Dollars per million output tokens.
    pub output_per_mtok: f64,
}

fn default_timeout() -> u64 {
    10
}
fn default_ai_timeout() -> u64 {
    120
}
fn default_rate() -> u32 {
    60
}
fn default_attempts() -> u32 {
    6
}
fn default_max_tokens() -> u32 {
    2048
}

impl Webhook {
    /// Whether this endpoint subscribed to `event`.
    pub fn wants(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == "*" || e == event)
    }
}

/// Every event git-zen emits, for validating subscriptions.
pub const EVENTS: [&str; 5] = crate::event::Event::NAMES;

impl ServicesConfig {
    /// Reads the services of the project whose work tree is `workdir` (no config: none).
    pub fn load(workdir: &Path) -> Result<ServicesConfig, ServicesError> {
        let file = workdir.join(crate::store::DIR).join("config.toml");
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ServicesConfig::default());
            }
            Err(source) => return Err(ServicesError::Io { path: file, source }),
        };
        let bad = |line: usize, message: String| ServicesError::Config {
            file: file.clone(),
            line,
            message,
        };
        // Other keys (format, hub, policies) belong to other parts of git-zen.
        #[derive(Deserialize)]
        struct Whole {
            #[serde(flatten)]
            services: ServicesConfig,
            #[serde(flatten)]
            _rest: toml::Table,
        }
        let whole: Whole = toml::from_str(&text)
            .map_err(|e| bad(toml_error_line(&text, &e), e.message().to_owned()))?;
        let config = whole.services;
        for hook in &config.webhooks {
            for event in &hook.events {
                if event != "*" && !EVENTS.contains(&event.as_str()) {
                    return Err(bad(
                        line_of(&text, &format!("\"{event}\"")),
                        format!(
                            "unknown event `{event}`: use one of {} (or \"*\")",
                            EVENTS.join(", ")
                        ),
                    ));
                }
            }
            if !(hook.url.starts_with("http://") || hook.url.starts_with("https://")) {
                return Err(bad(
                    line_of(&text, &hook.url),
                    format!(
                        "webhook url `{}` must start with http:// or https://",
                        hook.url
                    ),
                ));
            }
        }
        if let Some(ai) = &config.ai
            && ai.provider != "anthropic"
            && ai.provider != "openai"
        {
            return Err(bad(
                line_of(&text, "provider"),
                format!(
                    "unknown AI provider `{}`: use \"anthropic\" or \"openai\" (any OpenAI-compatible endpoint)",
                    ai.provider
                ),
            ));
        }
        Ok(config)
    }
}
