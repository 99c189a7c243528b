//! The use cases: one function per thing a user can do, shared by every front end.
//!
//! The command line, the MCP server and the HTTP API only parse their input, call one of these
//! and render what it returns. A use case takes typed input, does the whole job — checks,
//! writes with their rollbacks, the events they cause — and returns a typed outcome, or a
//! [`UserError`] carrying its hints as data. Nothing under `src/cli/` or `src/mcp/` writes a
//! record, a hub or the outbox itself, so the front ends cannot drift apart.
//!
//! What varies per front end is injected through [`Ui`]: where warnings go as they happen, and
//! whether a person can edit a file (an agent cannot). Events are queued in the outbox here;
//! starting their delivery is the front end's business ([`Emitted::needs_delivery`]).

pub mod agents;
pub mod check;
pub mod ci;
pub mod draft;
pub mod edit;
pub mod genesis;
pub mod hub;
pub mod import;
pub mod meaning;
pub mod read;
pub mod record;
pub mod review;
pub mod server;
pub mod services;

use std::path::Path;

use crate::error::UserError;
use crate::event::Event;
use crate::repo::Repo;

/// What a use case needs from the front end that called it (terminal, MCP server, HTTP API).
pub trait Ui {
    /// Something the user should know that does not stop the work, said when it happens.
    fn warn(&mut self, message: &str);

    /// Opens `file` in the user's editor and returns when they closed it. A front end without
    /// a person at a keyboard refuses.
    fn edit(&mut self, repo: &Repo, file: &Path) -> Result<(), UserError>;
}

/// A [`Ui`] for callers with nobody at a keyboard (an agent, a server): warnings are kept to be
/// returned with the answer, and editing is refused.
#[derive(Debug, Default)]
pub struct Unattended {
    /// The warnings, in the order they were said; returned to the agent with the answer.
    pub warnings: Vec<String>,
}

impl Ui for Unattended {
    fn warn(&mut self, message: &str) {
        self.warnings.push(message.to_owned());
    }

    fn edit(&mut self, _repo: &Repo, file: &Path) -> Result<(), UserError> {
        Err(UserError::failed(format!(
            "{} cannot be opened in an editor here: nobody is at a keyboard",
            file.display()
        )))
    }
}

/// The events a use case caused, and how many webhook deliveries they queued.
#[derive(Debug, Default)]
pub struct Emitted {
    /// Every event, in order (also those no webhook wants).
    pub events: Vec<Event>,
    /// Outbox deliveries queued: one per event and webhook that wants it (0 without webhooks).
    pub queued: usize,
}

impl Emitted {
    /// Whether something waits in the outbox for delivery.
    pub fn needs_delivery(&self) -> bool {
        self.queued > 0
    }
}

/// Queues `events` for the project's webhooks. A failure to queue never fails the write that
/// caused the event: it is a warning.
pub fn publish(repo: &Repo, ui: &mut dyn Ui, events: Vec<Event>) -> Emitted {
    let mut queued = 0;
    for event in &events {
        match crate::services::emit(repo, event) {
            Ok(n) => queued += n,
            Err(e) => ui.warn(&format!("event {} not queued: {e}", event.name())),
        }
    }
    Emitted { events, queued }
}

/// What a command says when no author can be recorded.
pub const NO_AUTHOR: &str =
    "no author recorded: set one with `git config --global user.name \"Your Name\"` and user.email";
