//! The durable outbox: an event is a row before any delivery is tried, and the row goes only
//! after a 2xx, so a crash, a killed process or an offline laptop loses nothing; the delivery id
//! stays the same on every retry, so the receiver can de-duplicate.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::http::{HttpFailure, RateLimiter, RetryPolicy, send_with_retries};
use super::webhook::{self, Payload, RepoInfo};
use super::{ServicesConfig, ServicesError};
use crate::id::{RecordId, now_millis};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS outbox (
    delivery_id     TEXT PRIMARY KEY,
    url             TEXT NOT NULL,
    event           TEXT NOT NULL,
    body            TEXT NOT NULL,      -- the exact JSON POSTed, so a retry sends the same bytes
    created         TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL DEFAULT 0,
    lease_until_ms  INTEGER NOT NULL DEFAULT 0,
    lease_pid       INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    dead            INTEGER NOT NULL DEFAULT 0   -- refused for good (a 4xx): kept, shown, not retried
);
CREATE TABLE IF NOT EXISTS deliveries (
    delivery_id TEXT NOT NULL,
    url         TEXT NOT NULL,
    event       TEXT NOT NULL,
    status      INTEGER NOT NULL,
    attempts    INTEGER NOT NULL,
    time        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger (
    time          TEXT NOT NULL,
    provider      TEXT NOT NULL,
    model         TEXT NOT NULL,
    input_tokens  INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cost_usd      REAL NOT NULL,
    purpose       TEXT NOT NULL
);
";

/// The services database of one worktree (`services.sqlite` in its git-dir state folder): the
/// outbox, the delivery log and the AI cost ledger.
pub struct Outbox {
    conn: Connection,
    path: PathBuf,
}

/// What `services status` shows of the outbox.
#[derive(Debug, Serialize)]
pub struct Status {
    /// Deliveries waiting (one per event and webhook), due now or later; refused ones not counted.
    pub queued: u64,
    /// Events an endpoint refused for good (kept, not retried).
    pub refused: u64,
    /// The 10 latest deliveries that landed, newest first.
    pub recent: Vec<DeliveryRow>,
    /// Up to 10 waiting deliveries whose last attempt failed, newest first (refused ones included).
    pub failing: Vec<FailingRow>,
}

/// One delivery that landed.
#[derive(Debug, Serialize)]
pub struct DeliveryRow {
    /// The delivery id, sent as `X-Zen-Delivery`; the same on every retry.
    pub delivery_id: String,
    /// The webhook URL it was POSTed to.
    pub url: String,
    /// The event name (`record.created`, …).
    pub event: String,
    /// The 2xx status the endpoint answered.
    pub status: u16,
    /// Attempts it took, over every flush (1: the first try landed).
    pub attempts: u32,
    /// When it landed (RFC 3339).
    pub time: String,
}

/// A queued event whose last attempt failed.
#[derive(Debug, Serialize)]
pub struct FailingRow {
    /// The delivery id, sent as `X-Zen-Delivery`; the same on every retry.
    pub delivery_id: String,
    /// The webhook URL it is POSTed to.
    pub url: String,
    /// The event name (`record.created`, …).
    pub event: String,
    /// Attempts so far, over every flush.
    pub attempts: u32,
    /// What went wrong last (`HTTP <status>: <body>` for a refusal).
    pub last_error: String,
    /// Refused for good (a status not worth retrying, such as 404): kept and shown, never retried.
    pub refused: bool,
}

/// What a flush did.
#[derive(Debug, Default, Serialize)]
pub struct FlushReport {
    /// Delivered (2xx).
    pub delivered: usize,
    /// Still queued after this flush (retried later).
    pub deferred: usize,
    /// Refused for good by a status not worth retrying; they stay in the outbox, marked refused.
    pub refused: usize,
}

impl Outbox {
    /// Opens (or creates) the services database in `state_dir`.
    pub fn open(state_dir: &Path) -> Result<Outbox, ServicesError> {
        let path = state_dir.join("services.sqlite");
        let sqlite = |source| ServicesError::Sqlite {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(state_dir).map_err(|source| ServicesError::Io {
            path: state_dir.to_path_buf(),
            source,
        })?;
        let conn = Connection::open(&path).map_err(sqlite)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(sqlite)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sqlite)?;
        // FULL: a queued event must survive a power cut, not only a crash.
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sqlite)?;
        conn.execute_batch(SCHEMA).map_err(sqlite)?;
        Ok(Outbox { conn, path })
    }

    pub(crate) fn sqlite(&self, source: rusqlite::Error) -> ServicesError {
        ServicesError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Queues `event` with `data` for every webhook of `config` that wants it; returns how many
    /// deliveries were queued.
    pub fn enqueue(
        &self,
        config: &ServicesConfig,
        repo: &RepoInfo,
        event: &str,
        data: &serde_json::Value,
    ) -> Result<usize, ServicesError> {
        let time = crate::record::now_rfc3339();
        let mut queued = 0;
        for hook in config.webhooks.iter().filter(|h| h.wants(event)) {
            let delivery_id = RecordId::generate().to_string();
            let body = serde_json::to_string(&Payload {
                schema: webhook::SCHEMA,
                delivery_id: &delivery_id,
                event,
                time: &time,
                repo,
                data,
            })
            .expect("a payload serializes");
            self.conn
                .execute(
                    "INSERT INTO outbox(delivery_id, url, event, body, created) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![delivery_id, hook.url, event, body, time],
                )
                .map_err(|e| self.sqlite(e))?;
            queued += 1;
        }
        Ok(queued)
    }

    /// Takes the oldest due event no live process holds, for this process.
    fn claim(&self, lease: Duration) -> Result<Option<Claimed>, ServicesError> {
        let now = now_millis() as i64;
        let candidates: Vec<(String, i64)> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT delivery_id, lease_pid FROM outbox
                     WHERE dead = 0 AND next_attempt_ms <= ?1 ORDER BY created, delivery_id",
                )
                .map_err(|e| self.sqlite(e))?;
            stmt.query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| self.sqlite(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.sqlite(e))?
        };
        let me = i64::from(std::process::id());
        for (id, pid) in candidates {
            // A lease of a process that is gone (killed mid-delivery) is void at once.
            let holder_gone = pid != 0 && pid != me && !process_alive(pid);
            let taken = self
                .conn
                .execute(
                    "UPDATE outbox SET lease_until_ms = ?1, lease_pid = ?2
                     WHERE delivery_id = ?3 AND dead = 0
                       AND (lease_until_ms <= ?4 OR lease_pid = 0 OR ?5)",
                    params![now + lease.as_millis() as i64, me, id, now, holder_gone],
                )
                .map_err(|e| self.sqlite(e))?;
            if taken == 1 {
                return self
                    .conn
                    .query_row(
                        "SELECT delivery_id, url, event, body, attempts FROM outbox WHERE delivery_id = ?1",
                        [&id],
                        |r| {
                            Ok(Claimed {
                                delivery_id: r.get(0)?,
                                url: r.get(1)?,
                                event: r.get(2)?,
                                body: r.get(3)?,
                                attempts: r.get(4)?,
                            })
                        },
                    )
                    .optional()
                    .map_err(|e| self.sqlite(e));
            }
        }
        Ok(None)
    }

    /// Delivers every due event to its endpoint (retries, `Retry-After`, rate limits); what
    /// cannot be delivered now stays queued with its next attempt time.
    pub fn flush(&self, config: &ServicesConfig) -> Result<FlushReport, ServicesError> {
        let mut report = FlushReport::default();
        let mut limiter = RateLimiter::default();
        let mut clients: std::collections::HashMap<u64, reqwest::blocking::Client> =
            std::collections::HashMap::new();
        let mut seen = std::collections::HashSet::new();
        loop {
            let Some(event) = self.claim(Duration::from_secs(600))? else {
                break;
            };
            if !seen.insert(event.delivery_id.clone()) {
                // Deferred earlier in this flush and due again already: leave it for later.
                self.release(&event.delivery_id)?;
                break;
            }
            // The endpoint's settings now (it may have been removed from the config since).
            let hook = config.webhooks.iter().find(|h| h.url == event.url);
            let timeout = hook.map_or(10, |h| h.timeout_secs);
            let client = match clients.get(&timeout) {
                Some(c) => c.clone(),
                None => {
                    let c = reqwest::blocking::Client::builder()
                        .timeout(Duration::from_secs(timeout))
                        .user_agent(concat!("git-zen/", env!("CARGO_PKG_VERSION")))
                        .build()
                        .map_err(|e| ServicesError::Client(e.to_string()))?;
                    clients.insert(timeout, c.clone());
                    c
                }
            };
            let secret = hook
                .and_then(|h| h.secret_env.as_deref())
                .and_then(|var| std::env::var(var).ok());
            let policy = RetryPolicy {
                max_attempts: hook.map_or(6, |h| h.max_attempts),
                ..RetryPolicy::default()
            };
            let per_minute = hook.map_or(60, |h| h.rate_per_minute);
            let sent = send_with_retries(&event.url, policy, &mut limiter, per_minute, || {
                let mut request = client
                    .post(&event.url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .header(webhook::EVENT_HEADER, &event.event)
                    .header(webhook::DELIVERY_HEADER, &event.delivery_id)
                    .body(event.body.clone());
                if let Some(secret) = &secret {
                    request = request.header(
                        webhook::SIGNATURE_HEADER,
                        webhook::sign(secret.as_bytes(), event.body.as_bytes()),
                    );
                }
                request.send()
            });
            match sent {
                Ok(done) => {
                    let tx = self
                        .conn
                        .unchecked_transaction()
                        .map_err(|e| self.sqlite(e))?;
                    tx.execute(
                        "DELETE FROM outbox WHERE delivery_id = ?1",
                        [&event.delivery_id],
                    )
                    .map_err(|e| self.sqlite(e))?;
                    tx.execute(
                        "INSERT INTO deliveries(delivery_id, url, event, status, attempts, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![
                            event.delivery_id,
                            event.url,
                            event.event,
                            done.response.status().as_u16(),
                            event.attempts + done.attempts,
                            crate::record::now_rfc3339()
                        ],
                    )
                    .map_err(|e| self.sqlite(e))?;
                    tx.commit().map_err(|e| self.sqlite(e))?;
                    report.delivered += 1;
                }
                Err(HttpFailure::Refused { status, body, .. }) => {
                    self.conn
                        .execute(
                            "UPDATE outbox SET dead = 1, attempts = attempts + 1, lease_pid = 0, lease_until_ms = 0, last_error = ?2 WHERE delivery_id = ?1",
                            params![event.delivery_id, format!("HTTP {status}: {body}")],
                        )
                        .map_err(|e| self.sqlite(e))?;
                    report.refused += 1;
                }
                Err(HttpFailure::Exhausted {
                    last,
                    attempts,
                    retry_after,
                    ..
                }) => {
                    let total = event.attempts + attempts;
                    // Later flushes wait longer: a minute doubling up to an hour.
                    let wait = retry_after.unwrap_or_else(|| {
                        Duration::from_secs(60 << total.saturating_sub(1).min(6))
                            .min(Duration::from_secs(3600))
                    });
                    self.conn
                        .execute(
                            "UPDATE outbox SET attempts = ?2, next_attempt_ms = ?3, lease_pid = 0, lease_until_ms = 0, last_error = ?4 WHERE delivery_id = ?1",
                            params![event.delivery_id, total, now_millis() as i64 + wait.as_millis() as i64, last],
                        )
                        .map_err(|e| self.sqlite(e))?;
                    report.deferred += 1;
                }
            }
        }
        Ok(report)
    }

    fn release(&self, id: &str) -> Result<(), ServicesError> {
        self.conn
            .execute(
                "UPDATE outbox SET lease_pid = 0, lease_until_ms = 0 WHERE delivery_id = ?1",
                [id],
            )
            .map_err(|e| self.sqlite(e))?;
        Ok(())
    }

    /// Makes every queued (not refused) event due now, for an explicit `services flush`.
    pub fn make_due(&self) -> Result<(), ServicesError> {
        self.conn
            .execute("UPDATE outbox SET next_attempt_ms = 0 WHERE dead = 0", [])
            .map_err(|e| self.sqlite(e))?;
        Ok(())
    }

    /// Queue depth, latest deliveries and failures.
    pub fn status(&self) -> Result<Status, ServicesError> {
        let count = |sql: &str| -> Result<u64, ServicesError> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(|e| self.sqlite(e))
        };
        let recent = {
            let mut stmt = self
                .conn
                .prepare("SELECT delivery_id, url, event, status, attempts, time FROM deliveries ORDER BY rowid DESC LIMIT 10")
                .map_err(|e| self.sqlite(e))?;
            stmt.query_map([], |r| {
                Ok(DeliveryRow {
                    delivery_id: r.get(0)?,
                    url: r.get(1)?,
                    event: r.get(2)?,
                    status: r.get(3)?,
                    attempts: r.get(4)?,
                    time: r.get(5)?,
                })
            })
            .map_err(|e| self.sqlite(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.sqlite(e))?
        };
        let failing = {
            let mut stmt = self
                .conn
                .prepare("SELECT delivery_id, url, event, attempts, last_error, dead FROM outbox WHERE last_error IS NOT NULL ORDER BY created DESC LIMIT 10")
                .map_err(|e| self.sqlite(e))?;
            stmt.query_map([], |r| {
                Ok(FailingRow {
                    delivery_id: r.get(0)?,
                    url: r.get(1)?,
                    event: r.get(2)?,
                    attempts: r.get(3)?,
                    last_error: r.get(4)?,
                    refused: r.get::<_, i64>(5)? != 0,
                })
            })
            .map_err(|e| self.sqlite(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.sqlite(e))?
        };
        Ok(Status {
            queued: count("SELECT count(*) FROM outbox WHERE dead = 0")?,
            refused: count("SELECT count(*) FROM outbox WHERE dead = 1")?,
            recent,
            failing,
        })
    }

    /// Whether anything is due now (a cheap check before starting a background flush).
    pub fn has_due(&self) -> Result<bool, ServicesError> {
        self.conn
            .query_row(
                "SELECT 1 FROM outbox WHERE dead = 0 AND next_attempt_ms <= ?1 LIMIT 1",
                [now_millis() as i64],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| self.sqlite(e))
    }
}

struct Claimed {
    delivery_id: String,
    url: String,
    event: String,
    body: String,
    attempts: u32,
}

/// Whether process `pid` is alive (Linux: its /proc entry; elsewhere assumed alive, so only the
/// lease's time frees it).
fn process_alive(pid: i64) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}
