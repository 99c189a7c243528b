//! Errors as a person or an agent is told them: a kind, a message, and hints kept as data.
//!
//! Library errors are typed per module (`StoreError`, `HubError`, …) and say *what* went wrong in
//! their `Display`. What to do about it is a separate [`Hint`], so a front end decides how to show
//! it (the CLI prints `  hint: …` lines under `error: …`; the MCP server puts the same lines in
//! the tool error) and no caller ever has to match message text to find out. At the edge every
//! error becomes one [`UserError`], whose [`ErrorKind`] picks the exit code — the shape of jj's
//! `CommandError`.

use std::fmt;

/// Advice that comes with an error: what the user can do about it.
pub trait Hint {
    /// The hint, when the error has one (one line, or several joined by newlines).
    fn hint(&self) -> Option<String> {
        None
    }
}

/// How a failure ends a command: the exit code, and whether the message is still to be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input or a failed operation: the message is shown, exit 1.
    Failed,
    /// The invocation itself is wrong (a flag, a field): exit 2 on the command line.
    Usage,
    /// The failure was already shown in full (a check's findings): exit 1, nothing more to say.
    Reported,
    /// The reader of the output went away (`git zen list | head`): not an error at all.
    BrokenPipe,
}

/// A classified error with its notes and hints, ready for any front end to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    /// Picks the exit code and whether `message` is shown.
    pub kind: ErrorKind,
    /// What went wrong (may span lines, e.g. a list of problems).
    pub message: String,
    /// Facts the user needs beside the message ("your text is kept in …"), shown indented.
    pub notes: Vec<String>,
    /// What to do, one per line, shown as `hint:` lines after the notes.
    pub hints: Vec<String>,
}

impl UserError {
    /// A failure with `message` and nothing else yet.
    pub fn failed(message: impl Into<String>) -> UserError {
        UserError::of_kind(ErrorKind::Failed, message)
    }

    /// A usage error (exit 2 on the command line).
    pub fn usage(message: impl Into<String>) -> UserError {
        UserError::of_kind(ErrorKind::Usage, message)
    }

    /// A failure whose details were already shown: empty message, exit 1.
    pub fn reported() -> UserError {
        UserError::of_kind(ErrorKind::Reported, "")
    }

    fn of_kind(kind: ErrorKind, message: impl Into<String>) -> UserError {
        UserError {
            kind,
            message: message.into(),
            notes: Vec::new(),
            hints: Vec::new(),
        }
    }

    /// Adds a hint after the existing ones (shown as `hint: …`).
    pub fn hint(mut self, hint: impl Into<String>) -> UserError {
        self.hints.push(hint.into());
        self
    }

    /// Adds a note after the existing ones (shown indented, before the hints).
    pub fn note(mut self, note: impl Into<String>) -> UserError {
        self.notes.push(note.into());
        self
    }

    /// Replaces the hints (a caller that knows better advice than the error's own).
    pub fn with_hints_replaced(mut self, hint: impl Into<String>) -> UserError {
        self.hints = vec![hint.into()];
        self
    }

    /// Any library error as [`ErrorKind::Failed`]: its `Display` as the message, plus its [`Hint`].
    pub fn from_error<E: std::error::Error + Hint>(error: &E) -> UserError {
        let mut user = UserError::failed(error.to_string());
        user.hints.extend(error.hint());
        user
    }
}

/// The message, then each note indented, then each hint as `  hint: …` — the text the command
/// line prints after `error: ` and the MCP server returns as the tool error.
impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for note in &self.notes {
            write!(f, "\n  {note}")?;
        }
        for hint in &self.hints {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UserError {}

impl From<std::io::Error> for UserError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            UserError::of_kind(ErrorKind::BrokenPipe, "")
        } else {
            UserError::failed(e.to_string())
        }
    }
}

impl From<serde_json::Error> for UserError {
    fn from(e: serde_json::Error) -> Self {
        UserError::failed(e.to_string())
    }
}

/// `From<E> for UserError` for library errors that carry a [`Hint`].
macro_rules! user_error_from {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for UserError {
            fn from(e: $t) -> Self {
                UserError::from_error(&e)
            }
        }
    )*};
}

user_error_from!(
    crate::policy::baseline::BaselineError,
    crate::changes::ChangesError,
    crate::genesis::GenesisError,
    crate::hooks::HooksError,
    crate::hub::HubError,
    crate::import::ImportError,
    crate::index::IndexError,
    crate::policy::PolicyError,
    crate::policy::run::RunError,
    crate::policy::secrets::SecretsError,
    crate::policy::trust::TrustError,
    crate::record::RecordError,
    crate::repo::RepoError,
    crate::services::ServicesError,
    crate::store::StoreError,
    crate::mcp::ServeError,
    crate::semantic::model::ModelError,
);

/// Errors whose messages say all there is: no hint.
impl Hint for crate::policy::PolicyError {}
impl Hint for crate::policy::secrets::SecretsError {}
impl Hint for crate::record::RecordError {}
impl Hint for crate::mcp::ServeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_and_hints_follow_the_message_in_order() {
        let e = UserError::failed("it broke")
            .note("your text is kept in x.md")
            .hint("run `git zen edit 1`");
        assert_eq!(
            e.to_string(),
            "it broke\n  your text is kept in x.md\n  hint: run `git zen edit 1`"
        );
    }

    #[test]
    fn a_broken_pipe_is_its_own_kind() {
        let e = UserError::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert_eq!(e.kind, ErrorKind::BrokenPipe);
    }
}
