//! `git zen site build`: the dashboard's pages as static files, for GitHub or GitLab Pages.
//!
//! Every link is relative (`records.html`, `../r/<id>.html`), so the site works from
//! `file://` and under any base URL; `--base-url` only adds canonical links. Search runs in the
//! browser over `search-index.js` (the same array as `search.json`, loadable from `file://`
//! where `fetch` is not). The build is deterministic: nothing depends on the time of the build
//! or the order files are listed in, so the same records give the same bytes and a CI job's
//! diff of the site can be reviewed. What belongs to one clone only — the hooks' verdicts, the
//! outbox, a hub's clone — is left out.
//!
//! Cost at 10k records: one cache refresh, one `git log` for the history of every record, one
//! `git ls-files`, then the record pages rendered on every core, each worker with its own
//! connection to the cache (related records are a search each).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::UserError;
use crate::index::Hit;
use crate::record::Record;
use crate::repo::{self, Repo};

use super::html::Ctx;
use super::local::{LocalModel, Shared, parse_log};
use super::model::{
    Change, HubView, PolicyView, ReadModel, RecordPage, RecordQuery, Row, ServicesView, Snapshot,
    VerdictView,
};
use super::pages::{self, timeline};

/// The file that marks a folder as a site git-zen built, so a rebuild may replace it.
pub const MARKER: &str = ".git-zen-site";

/// What to build.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    /// The folder to write (replaced whole when it holds an earlier build).
    pub out: PathBuf,
    /// The site's public URL path or URL (`/docs/decisions/`), for canonical links.
    pub base_url: Option<String>,
}

/// What was built.
#[derive(Debug, Clone)]
pub struct Built {
    /// Where.
    pub out: PathBuf,
    /// How many HTML pages.
    pub pages: usize,
    /// How many records.
    pub records: usize,
}

/// Why a site cannot be written.
fn refuse(out: &Path) -> UserError {
    UserError::failed(format!(
        "{} is not empty and was not built by `git zen site build`: refusing to replace it",
        out.display()
    ))
    .hint("pick an empty or new folder with --out")
}

/// Builds the site of `repo` into `options.out`.
pub fn build(repo: Repo, options: &SiteOptions) -> Result<Built, UserError> {
    let out = std::path::absolute(&options.out)
        .map_err(|e| UserError::failed(format!("{}: {e}", options.out.display())))?;
    if out.exists() {
        let empty = fs::read_dir(&out)?.next().is_none();
        if !empty && !out.join(MARKER).is_file() {
            return Err(refuse(&out));
        }
    }
    let base_url = options.base_url.as_ref().map(|b| {
        let mut b = b.trim().to_owned();
        if !b.ends_with('/') {
            b.push('/');
        }
        b
    });
    let workdir = repo.workdir().to_path_buf();
    let shared = Arc::new(Shared::default());
    let local = LocalModel::open(repo, shared.clone(), None)?;
    let histories = histories(local.repo())?;
    let files = local.files()?;
    let all = local.all()?;
    let related = related_by_title_words(&all.records, pages::record::RELATED);
    let model = SiteModel {
        local: &local,
        histories: &histories,
        related: &related,
    };
    let mut site: Vec<(String, Vec<u8>)> = Vec::new();
    let top = Ctx::static_at(0, base_url.clone(), false);
    site.push((
        "index.html".into(),
        pages::overview::render(&model, &top)?.into_bytes(),
    ));
    let total = all.records.len();
    let pages_count = total.div_ceil(timeline::PER_PAGE).max(1);
    let newest: Vec<&Record> = all.records.iter().rev().collect();
    for n in 1..=pages_count {
        let rows: Vec<Row> = newest
            .iter()
            .skip((n - 1) * timeline::PER_PAGE)
            .take(timeline::PER_PAGE)
            .map(|r| Row::of(r))
            .collect();
        let page = RecordPage {
            rows,
            total,
            page: n,
            per_page: timeline::PER_PAGE,
        };
        let name = if n == 1 {
            "records.html".to_owned()
        } else {
            format!("records-{n}.html")
        };
        let html = timeline::render_page(&top, &RecordQuery::default(), &page);
        site.push((name, html.into_bytes()));
    }
    for (name, html) in [
        ("graph.html", pages::graph::render(&model, &top)?),
        ("code.html", pages::code::render(&model, &top)?),
        ("policies.html", pages::policies::render(&model, &top)?),
    ] {
        site.push((name.into(), html.into_bytes()));
    }
    let ctx = Ctx::static_at(1, base_url, false);
    let governed = pages::record::Governed::new(
        &files,
        all.records
            .iter()
            .flat_map(|r| r.paths.iter().map(String::as_str)),
    );
    let rendered = crate::par::map_with(
        &all.records,
        64,
        || {
            Repo::discover(&workdir)
                .map_err(UserError::from)
                .and_then(|repo| LocalModel::open(repo, shared.clone(), None))
        },
        |worker, record| {
            let local = worker.as_ref().map_err(Clone::clone)?;
            let model = SiteModel {
                local,
                histories: &histories,
                related: &related,
            };
            let file = record.file.to_string_lossy().replace('\\', "/");
            let history = histories.get(&file).map(Vec::as_slice).unwrap_or_default();
            pages::record::render_with(&model, &ctx, record, history, &governed)
        },
    );
    for (record, html) in all.records.iter().zip(rendered) {
        site.push((format!("r/{}.html", record.id), html?.into_bytes()));
    }
    let html_pages = site.len();
    let index = search_index(&all)?;
    site.push(("search.json".into(), format!("{index}\n").into_bytes()));
    site.push((
        "search-index.js".into(),
        format!("window.ZEN_INDEX = {index};\n").into_bytes(),
    ));
    for (name, _, body) in super::assets::ASSETS {
        site.push((format!("assets/{name}"), body.as_bytes().to_vec()));
    }
    site.push((MARKER.into(), b"built by git zen site build\n".to_vec()));
    write_site(&out, &site)?;
    Ok(Built {
        out,
        pages: html_pages,
        records: total,
    })
}

/// The client-side search index: per record its id, kind, status, title, tags and the start of
/// its body as plain text.
fn search_index(all: &Snapshot) -> Result<String, UserError> {
    let entries: Vec<serde_json::Value> = all
        .records
        .iter()
        .rev()
        .map(|r| {
            let text: String = r
                .body
                .lines()
                .filter(|l| !l.starts_with('#'))
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(400)
                .collect();
            serde_json::json!({
                "id": r.id.as_str(),
                "kind": r.kind,
                "status": r.status,
                "title": r.title,
                "tags": r.tags,
                "text": text,
                "snippet": text.chars().take(160).collect::<String>(),
            })
        })
        .collect();
    // serde_json escapes nothing that could end a <script> element here: the index is its own
    // file, never inlined into a page.
    Ok(serde_json::to_string(&entries)?)
}

/// Writes the site next to `out` and swaps it into place, so a failed build leaves the old
/// site whole and a rebuild leaves no page of a deleted record behind.
fn write_site(out: &Path, site: &[(String, Vec<u8>)]) -> Result<(), UserError> {
    let parent = out.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    let building = parent.join(format!(".{name}.building-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = fs::remove_dir_all(&building);
    for (path, bytes) in site {
        let file = building.join(path);
        if let Some(dir) = file.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(&file, bytes)
            .map_err(|e| UserError::failed(format!("cannot write {}: {e}", file.display())))?;
    }
    if out.exists() {
        fs::rename(out, &old)?;
    }
    fs::rename(&building, out)?;
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

/// The history of every record file, from one `git log` over `.datazentr/`.
fn histories(repo: &Repo) -> Result<HashMap<String, Vec<Change>>, UserError> {
    let mut git = repo.git();
    git.args([
        "log",
        "--format=%x1e%H%x1f%an%x1f%aI%x1f%s",
        "--name-only",
        "--",
        ".datazentr",
    ]);
    // No commits yet: no history.
    let out = repo::run_captured(&mut git).unwrap_or_default();
    let mut map: HashMap<String, Vec<Change>> = HashMap::new();
    for entry in out.split('\x1e').filter(|e| !e.trim().is_empty()) {
        let mut lines = entry.lines();
        let Some(change) = lines.next().and_then(|h| parse_log(h).pop()) else {
            continue;
        };
        for file in lines.filter(|l| !l.is_empty()) {
            let list = map.entry(file.to_owned()).or_default();
            if list.len() < 50 {
                list.push(change.clone());
            }
        }
    }
    Ok(map)
}

/// The read model of a static site: the repository's, with the history read in bulk and
/// nothing that belongs to one clone only.
struct SiteModel<'a> {
    local: &'a LocalModel,
    histories: &'a HashMap<String, Vec<Change>>,
    related: &'a HashMap<String, Vec<Hit>>,
}

/// Each current record's related records by shared title words, for the whole site at once: a
/// word shared by few titles counts more (its inverse document frequency), words in more than
/// 500 titles count for nothing, and ties go to the newer record. Deterministic, and one pass
/// over an inverted index instead of one search per page.
fn related_by_title_words(records: &[Record], limit: usize) -> HashMap<String, Vec<Hit>> {
    let words = |r: &Record| -> Vec<String> {
        let mut w: Vec<String> = r
            .title
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() > 2)
            .map(str::to_lowercase)
            .collect();
        w.sort();
        w.dedup();
        w
    };
    let current: Vec<&Record> = records.iter().filter(|r| r.status.is_current()).collect();
    let titles: Vec<Vec<String>> = current.iter().map(|r| words(r)).collect();
    let mut postings: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, title) in titles.iter().enumerate() {
        for word in title {
            postings.entry(word.as_str()).or_default().push(i);
        }
    }
    let n = current.len().max(1) as f64;
    let mut out = HashMap::new();
    for record in records {
        let mut scores: HashMap<usize, f64> = HashMap::new();
        for word in words(record) {
            let Some(posting) = postings.get(word.as_str()).filter(|p| p.len() <= 500) else {
                continue;
            };
            let idf = (n / posting.len() as f64).ln() + 1.0;
            for &i in posting {
                *scores.entry(i).or_default() += idf;
            }
        }
        let mut ranked: Vec<(usize, f64)> = scores
            .into_iter()
            .filter(|&(i, _)| current[i].id != record.id)
            .collect();
        ranked.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(current[b.0].id.cmp(&current[a.0].id))
        });
        let hits = ranked
            .into_iter()
            .take(limit)
            .map(|(i, score)| Hit::found(current[i].clone(), score))
            .collect();
        out.insert(record.id.to_string(), hits);
    }
    out
}

impl ReadModel for SiteModel<'_> {
    fn version(&self) -> Result<String, UserError> {
        self.local.version()
    }
    fn all(&self) -> Result<Arc<Snapshot>, UserError> {
        self.local.all()
    }
    fn records(&self, query: &RecordQuery) -> Result<RecordPage, UserError> {
        self.local.records(query)
    }
    fn record(&self, id: &str) -> Result<Record, UserError> {
        self.local.record(id)
    }
    fn recall(&self, text: &str, limit: usize) -> Result<Vec<Hit>, UserError> {
        self.local.recall(text, limit)
    }
    /// By shared title words, not by meaning: the site's bytes must not depend on which vectors
    /// this clone's cache happens to hold, and embedding a large memory takes minutes.
    fn related(&self, id: &str, limit: usize) -> Result<Vec<Hit>, UserError> {
        let mut hits = self.related.get(id).cloned().unwrap_or_default();
        hits.truncate(limit);
        Ok(hits)
    }
    fn history(&self, file: &str) -> Result<Vec<Change>, UserError> {
        Ok(self.histories.get(file).cloned().unwrap_or_default())
    }
    fn files(&self) -> Result<Arc<Vec<String>>, UserError> {
        self.local.files()
    }
    fn policies(&self) -> Result<PolicyView, UserError> {
        self.local.policies()
    }
    fn verdicts(&self, _limit: usize) -> Result<Vec<VerdictView>, UserError> {
        Ok(Vec::new())
    }
    fn hub(&self) -> Result<Option<HubView>, UserError> {
        Ok(None)
    }
    fn services(&self) -> Result<ServicesView, UserError> {
        Ok(ServicesView::default())
    }
}
