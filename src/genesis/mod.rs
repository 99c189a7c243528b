//! Genesis: a new git repository rendered from a template, its memory initialised, its first
//! commit made — written in a temporary folder beside the target and moved into place only when
//! complete, so a failure leaves nothing behind.

pub mod link;
pub mod render;
pub mod seed;
pub mod skill;
pub mod template;
pub mod update;

use crate::error::Hint;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use render::Rendered;
pub use skill::Skill;
pub use template::{Template, Variable};

use crate::repo::run_captured;
use crate::store::{DIR, Store};

/// Why genesis failed. Nothing was written when it did.
#[derive(Debug, thiserror::Error)]
pub enum GenesisError {
    /// No built-in template has that name.
    #[error("no template named `{0}`")]
    UnknownTemplate(String),
    /// A template file is malformed.
    #[error("{}:{line}: {message}", file.display())]
    Invalid {
        /// The template or skill file (`<built-in>/…` for one compiled in).
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong: the TOML parser's message, or a failed check of the file.
        message: String,
    },
    /// Rendering failed (an unknown variable in strict mode, bad syntax).
    #[error("{file}:{line}: {message}")]
    Render {
        /// The template file (or `default of <variable>`).
        file: String,
        /// 1-based line.
        line: usize,
        /// What handlebars said.
        message: String,
    },
    /// A rendered path would leave the target, or two files collide.
    #[error("refusing to write {path}: {why}")]
    Unsafe {
        /// The path as rendered.
        path: String,
        /// Why it is refused.
        why: String,
    },
    /// A symbolic link in a template that is absolute or leads outside its `files/` folder.
    #[error("refusing the symbolic link {link} -> {target}: {why}")]
    Symlink {
        /// The link, as found in the template (or as rendered).
        link: String,
        /// Its target, as written.
        target: String,
        /// Why it is refused.
        why: String,
    },
    /// An answer is missing or does not match the variable's pattern.
    #[error("variable `{name}`: {message}")]
    Answer {
        /// The variable.
        name: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// The target exists and is not an empty folder.
    #[error("{} already exists and is not an empty folder", .0.display())]
    TargetExists(PathBuf),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder, in the template or the target.
        path: PathBuf,
        /// The OS error, shown after the path.
        source: std::io::Error,
    },
    /// `git` failed.
    #[error(transparent)]
    Git(#[from] crate::repo::RepoError),
    /// The hub could not be read.
    #[error("cannot read the memory hub {hub}: {message}")]
    Hub {
        /// The hub as given.
        hub: String,
        /// What went wrong.
        message: String,
    },
    /// Files still hold conflict markers from an earlier update.
    #[error("these files still hold conflict markers from an earlier update: {}", .0.join(", "))]
    Conflicts(Vec<String>),
    /// The template asked for hooks and they could not be installed (the project is in place).
    #[error("the project is created, but its hooks could not be installed: {0}")]
    Hooks(String),
    /// Skills do not compose (unknown, a cycle, two writing one file).
    #[error("{0}")]
    Skill(String),
    /// The store could not be initialised.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The hub's cache could not be read.
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
}

impl GenesisError {
    /// For `map_err`: an I/O error about `path`.
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> GenesisError + use<> {
        let path = path.to_path_buf();
        move |source| GenesisError::Io { path, source }
    }
}

/// What a genesis made.
#[derive(Debug, Serialize)]
pub struct Created {
    /// The new repository.
    pub target: PathBuf,
    /// The template's name and version.
    pub template: String,
    /// Files written from the template and the skills.
    pub files: Vec<PathBuf>,
    /// The skills applied, requirements first.
    pub skills: Vec<String>,
    /// Records copied from the hub.
    pub inherited: Vec<seed::Inherited>,
    /// Whether git-zen's hooks were installed (the template asks for them).
    pub hooks: bool,
    /// Every variable's value.
    pub answers: BTreeMap<String, String>,
    /// The first commit, unless a dry run.
    pub commit: Option<String>,
    /// The project's id in its hub's registry (when made with a hub).
    pub project_id: Option<String>,
    /// How registering in the hub went: its sync report, or why it failed (the project is in
    /// place either way).
    #[serde(skip)]
    pub registered: Option<Result<crate::hub::SyncReport, crate::hub::HubError>>,
}

/// Asks a person for a variable's value: `(variable, its spec, the default)`; an empty answer
/// takes the default.
pub type Ask<'a> = dyn FnMut(&str, &Variable, Option<&str>) -> std::io::Result<String> + 'a;

/// The values a template is rendered with, and which of them were its defaults.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    /// Every variable's value, the built-ins included.
    pub values: BTreeMap<String, String>,
    /// The variables that took their default (none given, or an empty answer), in the
    /// template's order: a first genesis says what it chose for the user.
    pub defaulted: Vec<String>,
}

/// The values a template is rendered with: the built-ins (`name`, `year`, `author`, `email`),
/// then each variable from `given`, else from `ask` (a person at a terminal; `None` takes the
/// defaults), else its rendered default. Every answer is checked against its `pattern`.
pub fn answers(
    template: &Template,
    name: &str,
    identity: (&str, &str),
    given: &BTreeMap<String, String>,
    mut ask: Option<&mut Ask<'_>>,
) -> Result<Answers, GenesisError> {
    if let Some(unknown) = given.keys().find(|k| !template.variables.contains_key(*k)) {
        return Err(GenesisError::Answer {
            name: unknown.clone(),
            message: format!(
                "template `{}` has no such variable; it has: {}",
                template.meta.name,
                template
                    .variables
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    let hb = render::engine();
    let mut values = BTreeMap::from([
        ("name".to_owned(), name.to_owned()),
        ("year".to_owned(), current_year()),
        ("author".to_owned(), identity.0.to_owned()),
        ("email".to_owned(), identity.1.to_owned()),
    ]);
    let mut defaulted = Vec::new();
    for (var, spec) in &template.variables {
        let default = spec
            .default
            .as_deref()
            .map(|d| render::render_text(&hb, d, &values, &format!("the default of `{var}`")))
            .transpose()?;
        let value = match (given.get(var), ask.as_mut()) {
            (Some(v), _) => v.clone(),
            (None, Some(ask)) => {
                let answer = ask(var, spec, default.as_deref()).map_err(|e| GenesisError::Io {
                    path: PathBuf::from("<stdin>"),
                    source: e,
                })?;
                if answer.is_empty() {
                    defaulted.push(var.clone());
                    default.clone().unwrap_or_default()
                } else {
                    answer
                }
            }
            (None, None) => {
                defaulted.push(var.clone());
                default.clone().ok_or_else(|| GenesisError::Answer {
                    name: var.clone(),
                    message: format!("no value and no default; give one with --set {var}=…"),
                })?
            }
        };
        if let Some(pattern) = &spec.pattern {
            let re = regex::Regex::new(pattern).map_err(|e| GenesisError::Answer {
                name: var.clone(),
                message: format!("the template's pattern `{pattern}` is not a valid regex: {e}"),
            })?;
            if !re.is_match(&value) {
                return Err(GenesisError::Answer {
                    name: var.clone(),
                    message: format!("{value:?} does not match `{pattern}`"),
                });
            }
        }
        values.insert(var.clone(), value);
    }
    Ok(Answers { values, defaulted })
}

/// The author git would use outside any repository: `(name, email)` from the user's config.
pub fn identity(cwd: &Path) -> (String, String) {
    let out = run_captured(git(cwd).args(["config", "--get-regexp", r"^user\.(name|email)$"]))
        .unwrap_or_default();
    let (mut name, mut email) = (String::new(), String::new());
    // The last value wins, as with `git config --get`.
    for line in out.lines() {
        match line.split_once(' ') {
            Some(("user.name", v)) => name = v.trim().to_owned(),
            Some(("user.email", v)) => email = v.trim().to_owned(),
            _ => {}
        }
    }
    (name, email)
}

/// For `map_err`: a gix error while making the repository at `path`.
fn gix_io(path: &Path) -> impl FnOnce(gix::Error) -> GenesisError + use<> {
    let path = path.to_path_buf();
    move |e| GenesisError::Io {
        path,
        source: std::io::Error::other(e.to_string()),
    }
}

/// A `git` command for a repository being created: none of the caller's repository variables.
pub(crate) use crate::repo::git_at as git;

/// Renders `template` into a new repository at `target` (seeded with the hub records `select`
/// picks, `close` being the ids recall by meaning found close to the project): files, `git init`, `.datazentr/` with
/// `genesis.toml`, and one first commit. With `dry_run`, renders and checks everything and
/// writes nothing.
pub fn create(
    template: &Template,
    skills: &[Skill],
    hub: Option<&seed::HubMemory>,
    close: &std::collections::HashSet<String>,
    target: &Path,
    answers: BTreeMap<String, String>,
    dry_run: bool,
) -> Result<Created, GenesisError> {
    if target.exists() {
        let empty = std::fs::read_dir(target).is_ok_and(|mut d| d.next().is_none());
        if !target.is_dir() || !empty {
            return Err(GenesisError::TargetExists(target.to_path_buf()));
        }
    }
    let rendered = render::render_project(template, skills, &answers)?;
    let skill_names: Vec<String> = skills.iter().map(|s| s.meta.name.clone()).collect();
    let mut tags = template.meta.tags.clone();
    tags.extend(skills.iter().flat_map(|s| s.meta.tags.iter().cloned()));
    let seeds: Vec<&crate::record::Record> = hub
        .map(|h| seed::select(h, &tags, close))
        .unwrap_or_default();
    let mut created = Created {
        target: target.to_path_buf(),
        template: format!("{} {}", template.meta.name, template.meta.version),
        files: rendered.iter().map(|r| r.path.clone()).collect(),
        skills: skill_names.clone(),
        inherited: seeds
            .iter()
            .map(|r| seed::Inherited {
                id: r.id.to_string(),
                kind: r.kind.to_string(),
                title: r.title.clone(),
                evidence: hub
                    .and_then(|h| h.evidence.get(r.id.as_str()))
                    .filter(|e| e.projects > 0)
                    .map(|e| e.summary()),
            })
            .collect(),
        answers,
        commit: None,
        hooks: false,
        project_id: hub.map(|_| crate::id::RecordId::generate().to_string()),
        registered: None,
    };
    if dry_run {
        return Ok(created);
    }
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging = tempfile::Builder::new()
        .prefix(".zen-genesis-")
        .tempdir_in(parent)
        .map_err(GenesisError::io(parent))?;
    let root = staging.path();
    for file in &rendered {
        file.write_under(root)?;
    }
    run_captured(git(root).args(["init", "-q"]))?;
    Store::init_at(root)?;
    if let Some(hub) = hub {
        seed::write_inherited(root, hub.label(), &seeds)?;
        // The project's hub, for promote, outcome and recall --hub run inside it.
        let config = root.join(DIR).join("config.toml");
        let mut text = std::fs::read_to_string(&config).map_err(GenesisError::io(&config))?;
        text.push_str(&format!(
            "# The memory hub this project was born from (promote, outcome, recall --hub).\nhub = {}\n",
            toml_edit::Value::from(hub.label())
        ));
        std::fs::write(&config, text).map_err(GenesisError::io(&config))?;
    }
    for skill in skills {
        let dir = root.join(DIR).join("skills");
        std::fs::create_dir_all(&dir).map_err(GenesisError::io(&dir))?;
        let guide = dir.join(format!("{}.md", skill.meta.name));
        std::fs::write(&guide, &skill.text).map_err(GenesisError::io(&guide))?;
        for (file, text) in &skill.policies {
            let path = root
                .join(DIR)
                .join("policies")
                .join(format!("{}-{file}", skill.meta.name));
            std::fs::write(&path, text).map_err(GenesisError::io(&path))?;
        }
    }
    let project_name = created.answers.get("name").cloned().unwrap_or_default();
    let record = GenesisRecord {
        template: TemplateRecord {
            name: &template.meta.name,
            version: &template.meta.version,
            source: &template.source,
            skills: &skill_names,
        },
        project: created
            .project_id
            .as_deref()
            .zip(hub)
            .map(|(id, hub)| ProjectRecord {
                name: &project_name,
                id,
                hub: hub.label(),
            }),
        answers: &created.answers,
    };
    let genesis_toml = root.join(DIR).join("genesis.toml");
    let text = format!(
        "# Written by `git zen genesis`: the template and answers this project was made from.\n{}",
        toml::to_string(&record).expect("genesis record serializes")
    );
    std::fs::write(&genesis_toml, text).map_err(GenesisError::io(&genesis_toml))?;
    run_captured(git(root).args(["add", "-A"]))?;
    let message = format!(
        "Genesis from template {} {}",
        template.meta.name, template.meta.version
    );
    // No auto-maintenance: a new repository has nothing to pack, and it is one process less.
    run_captured(git(root).args([
        "-c",
        "maintenance.auto=false",
        "commit",
        "-q",
        "--no-verify",
        "-m",
        &message,
    ]))?;
    // Read and written in-process: two fewer git processes on every genesis.
    let repo = gix::open_opts(root, gix::open::Options::isolated()).map_err(gix_io(root))?;
    let head = repo.head_id().map_err(gix_io(root))?.detach();
    created.commit = Some(head.to_string());
    // What the template rendered, for `git zen update` to merge a newer version against.
    repo.reference(
        update::BASE_REF,
        head,
        gix::refs::transaction::PreviousValue::Any,
        "genesis: the template's first render",
    )
    .map_err(gix_io(root))?;
    if target.exists() {
        std::fs::remove_dir(target).map_err(GenesisError::io(target))?;
    }
    let kept = staging.keep();
    std::fs::rename(&kept, target).map_err(|source| {
        let _ = std::fs::remove_dir_all(&kept);
        GenesisError::Io {
            path: target.to_path_buf(),
            source,
        }
    })?;
    if template.meta.hooks {
        // After the move: hooks live in the repository's final place, found through git.
        let repo = crate::repo::Repo::open_exact(target)?;
        crate::hooks::install(&repo).map_err(|e| GenesisError::Hooks(e.to_string()))?;
        created.hooks = true;
    }
    if let (Some(hub), Some(id)) = (hub, &created.project_id) {
        let entry = crate::hub::registry::ProjectEntry {
            name: project_name,
            id: id.clone(),
            template: template.meta.name.clone(),
            version: template.meta.version.clone(),
            skills: skill_names,
            inherited: created.inherited.iter().map(|r| r.id.clone()).collect(),
            stage: crate::hub::registry::Stage::Planning,
            created: crate::record::now_rfc3339(),
            author: format!(
                "{} <{}>",
                created.answers.get("author").map_or("", String::as_str),
                created.answers.get("email").map_or("", String::as_str)
            ),
        };
        created.registered = Some(crate::hub::registry::register(&hub.hub, &entry));
    }
    Ok(created)
}

#[derive(Serialize)]
struct GenesisRecord<'a> {
    template: TemplateRecord<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    project: Option<ProjectRecord<'a>>,
    answers: &'a BTreeMap<String, String>,
}

/// The project's entry in its hub's registry.
#[derive(Serialize)]
struct ProjectRecord<'a> {
    name: &'a str,
    id: &'a str,
    hub: &'a str,
}

#[derive(Serialize)]
struct TemplateRecord<'a> {
    name: &'a str,
    version: &'a str,
    source: &'a str,
    skills: &'a [String],
}

/// This year (UTC), for the `year` variable.
fn current_year() -> String {
    jiff::Timestamp::now().to_string()[..4].to_owned()
}

impl Hint for GenesisError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            GenesisError::UnknownTemplate(_) => "`git zen template list` shows them; a folder path works too".into(),
            GenesisError::Symlink { .. } => "a template's links must be relative and lead to a path inside its files/ folder; copy the file in instead".into(),
            GenesisError::TargetExists(_) => "pick a new name, or empty it first".into(),
            GenesisError::Hub { .. } => "give a path or URL of a git repository with a .datazentr/ folder, or use --no-memory".into(),
            GenesisError::Conflicts(_) => "resolve them (keep the right text, delete the <<<<<<< ======= >>>>>>> lines), then run update again".into(),
            GenesisError::Hooks(_) => "run `git zen hooks install` in it".into(),
            GenesisError::Git(e) => return e.hint(),
            GenesisError::Store(e) => return e.hint(),
            GenesisError::Index(e) => return e.hint(),
            GenesisError::Invalid { .. }
            | GenesisError::Render { .. }
            | GenesisError::Unsafe { .. }
            | GenesisError::Answer { .. }
            | GenesisError::Io { .. }
            | GenesisError::Skill(_) => return None,
        })
    }
}
