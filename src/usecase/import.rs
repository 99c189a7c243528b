//! Importing a team's existing decision records as a use case: the person importing is the
//! author of last resort, and a report with anything skipped is a failed command once shown.

use std::path::Path;

use crate::error::UserError;
use crate::import::{ImportReport, import_adr_folder};
use crate::repo::Repo;
use crate::store::Store;

/// Imports the ADR folder `dir` into `store` (a dry run writes nothing) and returns what
/// happened, file by file. Files that cannot be imported are in the report, not an error: the
/// rest are imported all the same; [`failed`] says whether the command should end in failure.
pub fn adr_folder(
    repo: &Repo,
    store: &Store,
    dir: &Path,
    dry_run: bool,
) -> Result<ImportReport, UserError> {
    Ok(import_adr_folder(store, dir, repo.author(), dry_run)?)
}

/// A report with skipped files ends the command with exit 1 ("bad input"), after it is shown.
pub fn failed(report: &ImportReport) -> Option<UserError> {
    (!report.skipped.is_empty()).then(UserError::reported)
}
