//! The terminal as the use cases' [`Ui`], and the start of event delivery after a write.

use std::path::Path;

use git_zen::error::UserError;
use git_zen::repo::Repo;
use git_zen::usecase::{Emitted, Ui};

use super::output;

/// Warnings go to stderr as they happen; files open in the editor git would use.
pub struct Terminal;

impl Ui for Terminal {
    fn warn(&mut self, message: &str) {
        let _ = output::warning(&mut anstream::stderr(), message);
    }

    fn edit(&mut self, repo: &Repo, file: &Path) -> Result<(), UserError> {
        Ok(repo.edit_file(file)?)
    }
}

/// Starts delivering what a use case queued, in a background process: a command never waits
/// for the network.
pub fn deliver(workdir: &Path, emitted: &Emitted) {
    if emitted.needs_delivery() {
        git_zen::services::flush_in_background(workdir);
    }
}
