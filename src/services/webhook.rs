//! Webhook payloads (a stable, documented schema), their HMAC-SHA256 signature, and one
//! delivery of one payload.

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

/// The payload schema version; bumped only with an incompatible change.
pub const SCHEMA: u32 = 1;

/// The header carrying `sha256=<hex HMAC-SHA256 of the body>` when a secret is configured.
pub const SIGNATURE_HEADER: &str = "X-Zen-Signature";
/// The header carrying the delivery id (the receiver de-duplicates on it).
pub const DELIVERY_HEADER: &str = "X-Zen-Delivery";
/// The header carrying the event name.
pub const EVENT_HEADER: &str = "X-Zen-Event";

/// Where an event happened, sent as the payload's `repo`.
#[derive(Debug, Clone, Serialize)]
pub struct RepoInfo {
    /// The work tree's folder name (empty if it has none, like `/`).
    pub name: String,
    /// The work tree's path on the machine that emitted the event.
    pub path: String,
    /// The full commit id `HEAD` pointed at when the event was queued; `None` on an unborn branch.
    pub head: Option<String>,
}

/// One event as POSTed: `{"schema":1,"delivery_id":…,"event":…,"time":…,"repo":{…},"data":{…}}`.
#[derive(Debug, Serialize)]
pub struct Payload<'a> {
    /// Always [`SCHEMA`]; a receiver can refuse versions it does not know.
    pub schema: u32,
    /// Unique per event and endpoint; the same on every retry.
    pub delivery_id: &'a str,
    /// `record.created`, `record.superseded`, `policy.failed`, `genesis.created`, `hub.promoted`.
    pub event: &'a str,
    /// When it happened (RFC 3339).
    pub time: &'a str,
    /// The repository the event happened in.
    pub repo: &'a RepoInfo,
    /// What: the event's own fields (a record summary, a policy report, …).
    pub data: &'a serde_json::Value,
}

/// `sha256=<hex>` of `body` under `secret`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// Whether `signature` (`sha256=<hex>`) is `body`'s under `secret`, compared in constant time.
pub fn verify(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Some(hex) = signature.strip_prefix("sha256=") else {
        return false;
    };
    let Some(bytes) = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    mac.verify_slice(&bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_tampering_fails() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let sig = sign(b"k", b"body");
        assert!(verify(b"k", b"body", &sig));
        assert!(!verify(b"k", b"bodY", &sig));
        assert!(!verify(b"other", b"body", &sig));
        assert!(!verify(b"k", b"body", "sha256=zz"));
    }
}
