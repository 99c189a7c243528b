//! One client for the Anthropic Messages API and OpenAI-compatible chat endpoints: base URL,
//! model and key from config and the environment, retries and a rate limit as for webhooks,
//! and every call appended to the cost ledger.

use std::time::Duration;

use serde_json::{Value, json};

use super::config::AiConfig;
use super::http::{RateLimiter, RetryPolicy, send_with_retries};
use super::ledger::{self, Call};
use super::{Outbox, ServicesConfig, ServicesError};

/// A configured provider, ready to call.
pub struct AiClient {
    config: AiConfig,
    key: String,
    base: String,
    http: reqwest::blocking::Client,
    limiter: RateLimiter,
}

/// One answer, already recorded in the ledger.
#[derive(Debug, Clone)]
pub struct Completion {
    /// The answer's text parts joined; never blank (a blank answer is an error).
    pub text: String,
    /// Input tokens the provider counted.
    pub input_tokens: u64,
    /// Output tokens the provider counted.
    pub output_tokens: u64,
    /// What it cost, by the configured price (0 without one).
    pub cost_usd: f64,
}

impl AiClient {
    /// The client `config` describes; a clear error when there is no `[ai]` table or no key.
    pub fn from_config(config: &ServicesConfig) -> Result<AiClient, ServicesError> {
        let ai = config.ai.clone().ok_or(ServicesError::NoAi)?;
        let (default_base, default_key) = match ai.provider.as_str() {
            "anthropic" => ("https://api.anthropic.com", "ANTHROPIC_API_KEY"),
            _ => ("https://api.openai.com/v1", "OPENAI_API_KEY"),
        };
        let var = ai.key_env.clone().unwrap_or_else(|| default_key.to_owned());
        let key = std::env::var(&var)
            .ok()
            .filter(|k| !k.trim().is_empty())
            .ok_or_else(|| ServicesError::NoKey {
                var: var.clone(),
                provider: ai.provider.clone(),
            })?;
        let base = ai
            .base_url
            .clone()
            .unwrap_or_else(|| default_base.to_owned())
            .trim_end_matches('/')
            .to_owned();
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(ai.timeout_secs))
            .user_agent(concat!("git-zen/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ServicesError::Client(e.to_string()))?;
        Ok(AiClient {
            config: ai,
            key,
            base,
            http,
            limiter: RateLimiter::default(),
        })
    }

    /// The provider and model, for messages.
    pub fn describe(&self) -> String {
        format!("{} {}", self.config.provider, self.config.model)
    }

    /// Asks for a completion of `prompt` under `system`, and records the call in the ledger
    /// with `purpose`.
    pub fn complete(
        &mut self,
        outbox: &Outbox,
        system: &str,
        prompt: &str,
        purpose: &str,
    ) -> Result<Completion, ServicesError> {
        let anthropic = self.config.provider == "anthropic";
        let (url, body) = if anthropic {
            (
                format!("{}/v1/messages", self.base),
                json!({
                    "model": self.config.model,
                    "max_tokens": self.config.max_tokens,
                    "system": system,
                    "messages": [{"role": "user", "content": prompt}],
                }),
            )
        } else {
            (
                format!("{}/chat/completions", self.base),
                json!({
                    "model": self.config.model,
                    "max_tokens": self.config.max_tokens,
                    "messages": [
                        {"role": "system", "content": system},
                        {"role": "user", "content": prompt},
                    ],
                }),
            )
        };
        let policy = RetryPolicy {
            max_attempts: self.config.max_attempts,
            ..RetryPolicy::default()
        };
        let (http, key) = (&self.http, &self.key);
        let delivered = send_with_retries(
            &url,
            policy,
            &mut self.limiter,
            self.config.rate_per_minute,
            || {
                let request = http.post(&url).json(&body);
                let request = if anthropic {
                    request
                        .header("x-api-key", key)
                        .header("anthropic-version", "2023-06-01")
                } else {
                    request.bearer_auth(key)
                };
                request.send()
            },
        )
        .map_err(ServicesError::Http)?;
        let answer: Value = delivered
            .response
            .json()
            .map_err(|e| ServicesError::BadAnswer(format!("{url}: the answer is not JSON: {e}")))?;
        let (text, input, output) = if anthropic {
            let text = answer["content"]
                .as_array()
                .map(|parts| {
                    parts
                        .iter()
                        .filter_map(|p| p["text"].as_str())
                        .collect::<Vec<_>>()
                        .join("")
                })
                .unwrap_or_default();
            (
                text,
                answer["usage"]["input_tokens"].as_u64().unwrap_or(0),
                answer["usage"]["output_tokens"].as_u64().unwrap_or(0),
            )
        } else {
            (
                answer["choices"][0]["message"]["content"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                answer["usage"]["prompt_tokens"].as_u64().unwrap_or(0),
                answer["usage"]["completion_tokens"].as_u64().unwrap_or(0),
            )
        };
        let call = Call {
            provider: &self.config.provider,
            model: &self.config.model,
            input_tokens: input,
            output_tokens: output,
            purpose,
        };
        let price = self.config.prices.get(&self.config.model).copied();
        // The call happened and cost money even when its text is useless: ledger first.
        let cost_usd = ledger::append(outbox, &call, price)?;
        if text.trim().is_empty() {
            return Err(ServicesError::BadAnswer(format!(
                "{url}: the answer has no text: {}",
                answer.to_string().chars().take(300).collect::<String>()
            )));
        }
        Ok(Completion {
            text,
            input_tokens: input,
            output_tokens: output,
            cost_usd,
        })
    }
}
