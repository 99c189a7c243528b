//! HTTP with the manners a shared service expects: a timeout per request, retries with
//! exponential backoff and full jitter on network errors, 5xx and 429 (honouring `Retry-After`),
//! no retry on other 4xx, and a rate limit per endpoint.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::Response;

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all (the first included).
    pub max_attempts: u32,
    /// The first wait; it doubles per attempt.
    pub base: Duration,
    /// No wait is longer than this (a longer `Retry-After` ends the attempts: try later).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// A response that came back 2xx, with what it took.
#[derive(Debug)]
pub struct Delivered {
    /// The 2xx response, body unread.
    pub response: Response,
    /// Attempts made, the first included.
    pub attempts: u32,
}

/// Why a request did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpFailure {
    /// The endpoint refused it for good (a 4xx other than 408 and 429): retrying cannot help.
    #[error("{url} answered {status}: {body}")]
    Refused {
        /// The URL POSTed to.
        url: String,
        /// The HTTP status it answered.
        status: u16,
        /// The first 300 characters of the answer's body: usually the endpoint's reason.
        body: String,
    },
    /// Every attempt failed in a way worth retrying later (network, 5xx, 429).
    #[error("{url}: {last} (after {attempts} attempt(s))")]
    Exhausted {
        /// The URL POSTed to.
        url: String,
        /// The last failure: a network error or a status, with the wait asked for if too long.
        last: String,
        /// Attempts made, the first included.
        attempts: u32,
        /// When the endpoint asked to be tried again, if it said.
        retry_after: Option<Duration>,
    },
}

/// Spaces requests to one endpoint at least `60 / rate_per_minute` seconds apart.
#[derive(Debug, Default)]
pub struct RateLimiter {
    last: HashMap<String, Instant>,
}

impl RateLimiter {
    /// Waits until a request to `key` may go out at `per_minute`, then records it.
    pub fn wait(&mut self, key: &str, per_minute: u32) {
        let interval = Duration::from_secs(60) / per_minute.max(1);
        if let Some(last) = self.last.get(key) {
            let next = *last + interval;
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
        }
        self.last.insert(key.to_owned(), Instant::now());
    }
}

/// Sends with `send` until a 2xx, a refusal, or the attempts run out.
pub fn send_with_retries(
    url: &str,
    policy: RetryPolicy,
    limiter: &mut RateLimiter,
    per_minute: u32,
    mut send: impl FnMut() -> Result<Response, reqwest::Error>,
) -> Result<Delivered, HttpFailure> {
    for attempt in 1..=policy.max_attempts.max(1) {
        limiter.wait(url, per_minute);
        let (last, wait) = match send() {
            Ok(response) if response.status().is_success() => {
                return Ok(Delivered {
                    response,
                    attempts: attempt,
                });
            }
            Ok(response) if retryable(response.status()) => (
                format!("HTTP {}", response.status().as_u16()),
                retry_after(&response),
            ),
            Ok(response) => {
                let status = response.status().as_u16();
                let body: String = response
                    .text()
                    .unwrap_or_default()
                    .chars()
                    .take(300)
                    .collect();
                return Err(HttpFailure::Refused {
                    url: url.to_owned(),
                    status,
                    body,
                });
            }
            Err(e) => (describe(&e), None),
        };
        if attempt >= policy.max_attempts {
            return Err(HttpFailure::Exhausted {
                url: url.to_owned(),
                last,
                attempts: attempt,
                retry_after: wait,
            });
        }
        let delay = match wait {
            Some(asked) if asked > policy.max_delay => {
                return Err(HttpFailure::Exhausted {
                    url: url.to_owned(),
                    last: format!("{last}, asked to wait {} s", asked.as_secs()),
                    attempts: attempt,
                    retry_after: Some(asked),
                });
            }
            Some(asked) => asked,
            None => backoff(policy, attempt),
        };
        std::thread::sleep(delay);
    }
    unreachable!("the loop returns on its last attempt")
}

/// 5xx, 429 and 408 are worth another try.
fn retryable(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(response: &Response) -> Option<Duration> {
    let value = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    parse_retry_after(value, jiff::Timestamp::now())
}

/// Parses a `Retry-After` value (delta-seconds or an IMF-fixdate) relative to `now`.
pub fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let seconds = (when.as_second() - now.as_second()).max(0) as u64;
    Some(Duration::from_secs(seconds))
}

/// `base × 2^(attempt-1)`, capped, with full jitter (a random wait up to that).
fn backoff(policy: RetryPolicy, attempt: u32) -> Duration {
    let cap = policy
        .base
        .saturating_mul(1 << (attempt - 1).min(16))
        .min(policy.max_delay);
    let mut random = [0u8; 8];
    let _ = getrandom::fill(&mut random);
    let millis = cap.as_millis().max(1) as u64;
    Duration::from_millis(millis / 2 + u64::from_le_bytes(random) % (millis / 2 + 1))
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(inner) = source {
            text.push_str(&format!(": {inner}"));
            source = inner.source();
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        let now: jiff::Timestamp = "2026-11-24T12:00:00Z".parse().unwrap();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Tue, 24 Nov 2026 12:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Tue, 24 Nov 2026 11:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn the_rate_limit_spaces_requests_to_one_endpoint_only() {
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        limiter.wait("a", 600);
        limiter.wait("b", 600);
        assert!(
            start.elapsed() < Duration::from_millis(50),
            "other endpoints do not wait"
        );
        limiter.wait("a", 600);
        assert!(
            start.elapsed() >= Duration::from_millis(100),
            "600/min is 100 ms apart"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        assert!(backoff(policy, 1) <= Duration::from_millis(100));
        assert!(backoff(policy, 4) >= Duration::from_millis(400));
        assert!(backoff(policy, 12) <= Duration::from_secs(1));
    }
}
