//! Finding the decision files in a folder: every Markdown file at any depth, a folder-per-record
//! (`<slug>/index.md` or `<slug>/README.md` alone in its folder) as one record named by its
//! folder, and symbolic links set aside unread.
//!
//! A link is never followed: it could bring any file on the machine (a key, a password file)
//! into a record the user then commits or promotes. The one harmless case is told apart without
//! reading it: a link to a file beside it (`README.md -> index.md`, a common way to make a
//! record show on a forge) is a second name for a file that is judged itself, left alone.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A file to judge.
pub(super) struct Candidate {
    /// The file itself.
    pub(super) path: PathBuf,
    /// The name the parser sees: the file name, or `<folder>.md` for a folder-per-record, whose
    /// folder carries the record's number or slug.
    pub(super) name: String,
}

/// What a folder holds.
#[derive(Default)]
pub(super) struct Found {
    /// Files to parse, sorted by path.
    pub(super) files: Vec<Candidate>,
    /// Symbolic links (never read), with what they point to.
    pub(super) links: Vec<(PathBuf, PathBuf)>,
    /// Files left alone for a reason that is not a problem.
    pub(super) not_adrs: Vec<(PathBuf, &'static str)>,
}

/// Walks `dir` (already canonical). Hidden folders (`.git`, `.log4brains`) are not entered.
pub(super) fn walk(dir: &Path) -> io::Result<Found> {
    let mut found = Found::default();
    visit(dir, true, &mut found)?;
    found.files.sort_by(|a, b| a.path.cmp(&b.path));
    found.links.sort();
    found.not_adrs.sort();
    Ok(found)
}

fn is_markdown(p: &Path) -> bool {
    p.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("md") || x.eq_ignore_ascii_case("markdown"))
}

fn named(p: &Path, name: &str) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.eq_ignore_ascii_case(name))
}

fn visit(dir: &Path, root: bool, found: &mut Found) -> io::Result<()> {
    let mut files = Vec::new();
    let mut links = Vec::new();
    let mut subdirs = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        // The entry itself, not what a link points to.
        match entry.file_type() {
            Ok(t) if t.is_symlink() && (is_markdown(&path) || !hidden) => links.push(path),
            Ok(t) if t.is_file() && is_markdown(&path) => files.push(path),
            Ok(t) if t.is_dir() && !hidden => subdirs.push(path),
            _ => {}
        }
    }
    files.sort();
    let record_file = ["index.md", "README.md"]
        .iter()
        .find_map(|n| files.iter().find(|f| named(f, n)))
        .cloned();
    let only_record_files = files
        .iter()
        .all(|f| named(f, "index.md") || named(f, "README.md"));
    match record_file {
        // `<slug>/index.md`: one record, known by its folder's name.
        Some(file) if !root && only_record_files => {
            let folder = dir.file_name().map(|n| n.to_string_lossy().into_owned());
            for other in files.iter().filter(|f| **f != file) {
                found
                    .not_adrs
                    .push((other.clone(), "a second file of the record beside index.md"));
            }
            found.files.push(Candidate {
                path: file,
                name: format!("{}.md", folder.unwrap_or_default()),
            });
        }
        _ => found.files.extend(files.iter().cloned().map(|path| {
            Candidate {
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                path,
            }
        })),
    }
    for link in links {
        let target = fs::read_link(&link).unwrap_or_default();
        // `README.md -> index.md`: a second name for a file beside it, which is judged itself.
        let beside = target.components().count() == 1
            && files
                .iter()
                .any(|f| f.file_name() == Some(target.as_os_str()));
        if beside {
            found
                .not_adrs
                .push((link, "a link to a file beside it, which is judged itself"));
        } else {
            found.links.push((link, target));
        }
    }
    for sub in subdirs {
        visit(&sub, false, found)?;
    }
    Ok(())
}
