//! What git-zen tells the team's automation: one typed [`Event`] per kind of change.
//!
//! Every write that means something to others (a record created or superseded, a commit
//! blocked, a record promoted, a project born) returns its events from the library's use case,
//! which also queues them in the outbox ([`crate::services::emit`]), whichever front end called
//! — the CLI, the MCP server or the HTTP API. Delivering them (in the background, or on a
//! server's own thread) is left to the front end. The JSON each event carries is its webhook
//! payload's `data`: the field names are a public contract.

use serde::Serialize;

use crate::policy::{Hook, Report};
use crate::record::Record;

/// One event; its webhook name is [`Event::name`] and its payload's `data` is [`Event::data`].
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Event {
    /// `record.created`: a new record was written.
    RecordCreated {
        /// The new record, as written.
        record: RecordSummary,
    },
    /// `record.superseded`: an older record was replaced.
    RecordSuperseded {
        /// The record replaced: as it was before when a new record supersedes it, but as rewritten
        /// (already `superseded`) after `git zen supersede`.
        record: RecordSummary,
        /// The record replacing it, now listing the old one in `supersedes`.
        superseded_by: RecordSummary,
    },
    /// `policy.failed`: a hook blocked a commit or a push.
    PolicyFailed {
        /// The hook that blocked (`pre-commit`, `commit-msg` or `pre-push` in JSON).
        hook: Hook,
        /// The whole verdict: every finding, not only the blocking ones.
        report: Report,
    },
    /// `hub.promoted`: a record was copied to a hub (or queued for it).
    HubPromoted {
        /// The hub it went to.
        hub: HubRef,
        /// The record promoted, as in the project it came from.
        record: RecordSummary,
        /// Whether the push did not land yet (hub offline): the write waits in the local queue.
        pending: bool,
    },
    /// `genesis.created`: a new project was made from a template.
    GenesisCreated {
        /// `<name> <version>` of the template, space-separated.
        template: String,
        /// Skill names applied, requirements first.
        skills: Vec<String>,
        /// Ids of the records inherited from the hub (empty without a hub).
        inherited: Vec<String>,
        /// The hub's URL, if one seeded it (`None`: made without a hub).
        hub: Option<String>,
    },
}

impl Event {
    /// Every event name, for the webhook configuration's documentation and checks.
    pub const NAMES: [&'static str; 5] = [
        "record.created",
        "record.superseded",
        "policy.failed",
        "genesis.created",
        "hub.promoted",
    ];

    /// The name webhooks subscribe to (one of [`Event::NAMES`]).
    pub fn name(&self) -> &'static str {
        match self {
            Event::RecordCreated { .. } => "record.created",
            Event::RecordSuperseded { .. } => "record.superseded",
            Event::PolicyFailed { .. } => "policy.failed",
            Event::HubPromoted { .. } => "hub.promoted",
            Event::GenesisCreated { .. } => "genesis.created",
        }
    }

    /// `record.created` for `record`.
    pub fn record_created(record: &Record) -> Event {
        Event::RecordCreated {
            record: RecordSummary::of(record),
        }
    }

    /// `record.superseded`: `old` replaced by `new`.
    pub fn record_superseded(old: &Record, new: &Record) -> Event {
        Event::RecordSuperseded {
            record: RecordSummary::of(old),
            superseded_by: RecordSummary::of(new),
        }
    }

    /// The payload as JSON: the `data` of the webhook body (field names are a public contract).
    pub fn data(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("events are plain data")
    }
}

/// A record as events describe it: enough to link to it, not its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordSummary {
    /// Full 22-character id (never a prefix).
    pub id: String,
    /// `decision`, `pattern` or `lesson`.
    pub kind: &'static str,
    /// One-line title.
    pub title: String,
    /// `proposed`, `accepted`, `superseded`, `deprecated` or `rejected`.
    pub status: &'static str,
    /// How a pattern or lesson turned out; `null` for decisions and when not yet known.
    pub outcome: Option<&'static str>,
    /// Free-form tags, as written in the record.
    pub tags: Vec<String>,
    /// File relative to the work tree, with `/`.
    pub file: String,
}

impl RecordSummary {
    /// The summary of `record`.
    pub fn of(record: &Record) -> RecordSummary {
        RecordSummary {
            id: record.id.to_string(),
            kind: record.kind.as_str(),
            title: record.title.clone(),
            status: record.status.as_str(),
            outcome: record.outcome.map(|o| o.as_str()),
            tags: record.tags.clone(),
            file: record.file.to_string_lossy().replace('\\', "/"),
        }
    }
}

/// A hub as events name it (no local paths).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubRef {
    /// Its name in the user's hub config (`url-<hash>` for a hub given only by URL).
    pub name: String,
    /// The remote as configured: a URL, or an absolute local path.
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_has_a_listed_name() {
        let event = Event::GenesisCreated {
            template: "rust-cli 1".into(),
            skills: vec![],
            inherited: vec![],
            hub: None,
        };
        assert!(Event::NAMES.contains(&event.name()));
        assert_eq!(
            event.data(),
            serde_json::json!({ "template": "rust-cli 1", "skills": [], "inherited": [], "hub": null })
        );
    }
}
