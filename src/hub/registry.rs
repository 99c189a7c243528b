//! The registry of projects born by genesis: `projects/<slug>-<id>/project.toml`, written once,
//! and `projects/<slug>-<id>/stages/<event>.toml`, one file per move along planning → active →
//! graduated — so no two writers ever edit the same file.

use serde::{Deserialize, Serialize};

use super::pending::{Op, Write};
use super::{Hub, HubError, SyncReport};
use crate::id::RecordId;
use crate::repo::Repo;
use crate::store::DIR;

/// Where a project stands; it only moves when someone runs `hub stage` (nothing infers it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Just created: every project starts here.
    Planning,
    /// In development or production.
    Active,
    /// Done: what it learned is in the hub.
    Graduated,
}

impl Stage {
    /// The stage as written in the registry's TOML (lowercase).
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Planning => "planning",
            Stage::Active => "active",
            Stage::Graduated => "graduated",
        }
    }
}

/// A project's registry entry, as genesis writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectEntry {
    /// The name given to genesis; its slug names the project's folder.
    pub name: String,
    /// Its id (made by genesis, recorded in its `genesis.toml`).
    pub id: String,
    /// The template's name (`--template NAME`).
    pub template: String,
    /// That template's version, as its `template.toml` declared it at genesis.
    pub version: String,
    /// Skill names applied by genesis, requirements first.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Ids of the hub records it inherited.
    #[serde(default)]
    pub inherited: Vec<String>,
    /// The stage it was created in (always `planning`); later moves are stage events.
    pub stage: Stage,
    /// When genesis registered it (RFC 3339, UTC).
    pub created: String,
    /// Who ran genesis, as `Name <email>` from the genesis answers (empty when missing).
    #[serde(default)]
    pub author: String,
}

/// A project as `hub projects` shows it: its entry with its current stage.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectView {
    /// The entry as genesis wrote it (its `stage` is the first one, not the current one).
    #[serde(flatten)]
    pub entry: ProjectEntry,
    /// The stage of the newest readable stage event, else the entry's.
    pub current_stage: Stage,
    /// When it moved there (RFC 3339): that event's time, else the entry's `created`.
    pub since: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct StageEvent {
    stage: Stage,
    time: String,
    #[serde(default)]
    author: String,
}

/// `projects/<slug of name>-<id>`, relative to the hub's root.
fn folder(name: &str, id: &str) -> String {
    format!("projects/{}-{id}", crate::record::slugify(name))
}

/// The write that registers `entry` in a hub.
pub fn register_write(entry: &ProjectEntry) -> Write {
    Write {
        path: format!("{}/project.toml", folder(&entry.name, &entry.id)),
        content: format!(
            "# Registered by `git zen genesis`. Stages move in stages/, one file per move.\n{}",
            toml::to_string(entry).expect("a registry entry serializes")
        ),
        replaces_id: None,
    }
}

/// Registers a project born by genesis (queued, then pushed).
pub fn register(hub: &Hub, entry: &ProjectEntry) -> Result<SyncReport, HubError> {
    hub.write(Op {
        message: format!(
            "register project {} ({} {})",
            entry.name, entry.template, entry.version
        ),
        writes: vec![register_write(entry)],
    })
}

/// This project as the registry knows it: `(name, id)` from its `genesis.toml`.
pub fn registered_as(repo: &Repo) -> Result<(String, String), HubError> {
    let file = repo.workdir().join(DIR).join("genesis.toml");
    let table: Option<toml::Table> = std::fs::read_to_string(&file)
        .ok()
        .and_then(|t| toml::from_str(&t).ok());
    let project = table.as_ref().and_then(|t| t.get("project"));
    let get = |key: &str| {
        project
            .and_then(|p| p.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    match (get("name"), get("id")) {
        (Some(name), Some(id)) => Ok((name, id)),
        _ => Err(HubError::NotRegistered(format!(
            "{} records no hub registration ([project] name and id)\n  hint: only projects made by `git zen genesis --hub` are in a hub's registry",
            file.display()
        ))),
    }
}

/// The name this project goes by in a hub: its registered name, else its folder's name.
pub fn project_name(repo: &Repo) -> String {
    registered_as(repo)
        .map(|(name, _)| name)
        .unwrap_or_else(|_| {
            repo.workdir()
                .file_name()
                .map_or_else(|| "project".into(), |n| n.to_string_lossy().into_owned())
        })
}

/// What tells this project apart from every other in a hub's evidence, whatever its folder is
/// called: its registered id, else its root commit (the same in every clone), else its name.
pub fn project_key(repo: &Repo) -> String {
    if let Ok((_, id)) = registered_as(repo) {
        return id;
    }
    let root = crate::repo::run_captured(repo.git().args(["rev-list", "--max-parents=0", "HEAD"]))
        .ok()
        .and_then(|out| out.lines().last().map(str::to_owned));
    root.unwrap_or_else(|| project_name(repo))
}

/// Moves this project to `stage` in its hub: queues a new stage event file (nothing is edited).
/// Refused for a project not registered by genesis.
pub fn set_stage(hub: &Hub, repo: &Repo, stage: Stage) -> Result<SyncReport, HubError> {
    let (name, id) = registered_as(repo)?;
    let event = StageEvent {
        stage,
        time: crate::record::now_rfc3339(),
        author: repo.author().unwrap_or_default(),
    };
    hub.write(Op {
        message: format!("project {name}: {}", stage.as_str()),
        writes: vec![Write {
            path: format!(
                "{}/stages/{}.toml",
                folder(&name, &id),
                RecordId::generate()
            ),
            content: toml::to_string(&event).expect("a stage event serializes"),
            replaces_id: None,
        }],
    })
}

/// The registry as read from a hub's clone (no network).
#[derive(Debug, Default)]
pub struct Listing {
    /// Every registered project, oldest `created` first.
    pub projects: Vec<ProjectView>,
    /// Entries whose `project.toml` does not parse: `(path in the hub, TOML message)`.
    pub problems: Vec<(String, String)>,
}

/// A project folder's files: its entry's blob, and its stage events' (name, blob).
type FolderFiles = (Option<gix::ObjectId>, Vec<(String, gix::ObjectId)>);

/// Every registered project, read from the clone's tree.
pub fn list(hub: &Hub) -> Result<Listing, HubError> {
    let repo = super::objects::open(&hub.clone_dir())?;
    let tree = super::objects::head_tree(&repo)?;
    let mut listing = Listing::default();
    let Some(projects) = super::objects::subtree(&repo, tree, "projects")? else {
        return Ok(listing);
    };
    // Per project folder: its entry, and its stage events in id (= time) order.
    let mut folders: std::collections::BTreeMap<String, FolderFiles> =
        std::collections::BTreeMap::new();
    for file in super::objects::files(&repo, projects)? {
        let (Some(id), Some((folder, rest))) = (file.new, file.path.split_once('/')) else {
            continue;
        };
        let slot = folders.entry(folder.to_owned()).or_default();
        if rest == "project.toml" {
            slot.0 = Some(id);
        } else if let Some(event) = rest.strip_prefix("stages/") {
            slot.1.push((event.to_owned(), id));
        }
    }
    let read = |id| -> Result<String, HubError> {
        Ok(String::from_utf8_lossy(&super::objects::blob(&repo, id)?).into_owned())
    };
    for (folder, (entry, mut stages)) in folders {
        let Some(entry) = entry else { continue };
        let shown = format!("projects/{folder}/project.toml");
        let entry: ProjectEntry = match toml::from_str(&read(entry)?) {
            Ok(entry) => entry,
            Err(e) => {
                listing.problems.push((shown, e.message().to_owned()));
                continue;
            }
        };
        stages.sort();
        let mut current = (entry.stage, entry.created.clone());
        for (_, id) in stages.iter().rev() {
            if let Ok(event) = toml::from_str::<StageEvent>(&read(*id)?) {
                current = (event.stage, event.time);
                break;
            }
        }
        listing.projects.push(ProjectView {
            entry,
            current_stage: current.0,
            since: current.1,
        });
    }
    listing
        .projects
        .sort_by(|a, b| a.entry.created.cmp(&b.entry.created));
    Ok(listing)
}
