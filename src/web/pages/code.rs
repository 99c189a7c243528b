//! `/code`: the repository's folders and files, each with the records in force that govern
//! it (their `paths` globs match it).
//!
//! Cost: every glob of every record is compiled once into one `GlobSet`, and each tracked file
//! is matched against the set once — O(files × matching automaton), not files × records.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use globset::{Glob, GlobSetBuilder};

use crate::error::UserError;
use crate::record::{Record, Status};

use super::{ReadModel, frame};
use crate::web::html::{Ctx, badge, esc};

/// At most this many files are listed (the folders still count all of them).
pub const MAX_FILES: usize = 3000;

/// The code map page.
pub fn render(model: &dyn ReadModel, ctx: &Ctx) -> Result<String, UserError> {
    let all = model.all()?;
    let files = model.files()?;
    let governing: Vec<&Record> = all
        .records
        .iter()
        .filter(|r| !r.paths.is_empty() && matches!(r.status, Status::Proposed | Status::Accepted))
        .collect();
    let mut builder = GlobSetBuilder::new();
    let mut owner = Vec::new();
    for (i, r) in governing.iter().enumerate() {
        for glob in &r.paths {
            if let Ok(g) = Glob::new(glob) {
                builder.add(g);
                owner.push(i);
            }
        }
    }
    let set = builder
        .build()
        .map_err(|e| UserError::failed(format!("cannot compile the records' paths: {e}")))?;
    // folder -> file -> governing record indexes
    let mut folders: BTreeMap<&str, Vec<(&str, BTreeSet<usize>)>> = BTreeMap::new();
    for file in files.iter().take(MAX_FILES) {
        let who: BTreeSet<usize> = set.matches(file).into_iter().map(|g| owner[g]).collect();
        let folder = file.rsplit_once('/').map_or(".", |(dir, _)| dir);
        folders.entry(folder).or_default().push((file, who));
    }
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<p>{} tracked files in {} folders; {} records in force govern code.</p>",
        files.len(),
        folders.len(),
        governing.len()
    );
    if files.len() > MAX_FILES {
        let _ = writeln!(
            body,
            "<p class=\"note\">Only the first {MAX_FILES} files are listed.</p>"
        );
    }
    body.push_str("<ul class=\"tree\">\n");
    for (folder, entries) in &folders {
        let union: BTreeSet<usize> = entries
            .iter()
            .flat_map(|(_, w)| w.iter().copied())
            .collect();
        let _ = write!(
            body,
            "<li><details{}><summary><code>{}/</code> <span class=\"meta\">{} files, {} records</span></summary><ul>",
            if union.is_empty() { "" } else { " open" },
            esc(folder),
            entries.len(),
            union.len()
        );
        for (file, who) in entries {
            let name = file.rsplit_once('/').map_or(*file, |(_, n)| n);
            let _ = write!(body, "<li><code>{}</code>", esc(name));
            for &i in who {
                let r = governing[i];
                let _ = write!(
                    body,
                    " <a href=\"{}\">{}</a> {}",
                    ctx.record(r.id.as_str()),
                    esc(&r.title),
                    badge(r.kind.as_str())
                );
            }
            body.push_str("</li>");
        }
        body.push_str("</ul></details></li>\n");
    }
    body.push_str("</ul>\n");
    Ok(frame(ctx, "code", "Code map", "code.html", &body))
}
