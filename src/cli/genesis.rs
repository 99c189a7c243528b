//! `git zen genesis` and `git zen template list`.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use git_zen::genesis::seed::HubMemory;
use git_zen::genesis::{self, Skill, Template, Variable};
use git_zen::hub::{self, Hub};

use super::ui::{Terminal, deliver};
use super::{CmdResult, UserError, absolute, interactive, output};

/// Create a new git repository from a template, with its memory initialised and a first commit.
///
/// Files ending in `.hbs` and every path are rendered with handlebars (an unknown variable is an
/// error). Built-in variables: name, year, author, email. On a terminal each template variable
/// without a value is asked for; elsewhere (or with --defaults) defaults are taken.
#[derive(Debug, clap::Args)]
pub struct GenesisArgs {
    /// The new project's name; also the folder created (relative to the current directory).
    name: String,
    /// A built-in template's name, or a template folder (`./my-template`).
    #[arg(short, long, default_value = "rust-cli")]
    template: String,
    /// A skill to compose in (besides the template's own); repeatable. Skills it requires come too.
    #[arg(short, long = "skill", value_name = "NAME")]
    skills: Vec<String>,
    /// A memory hub (a configured name, or the path or URL of a git repository with a
    /// .datazentr/ folder; default: the default hub, if one is configured): its best-scored
    /// patterns and lessons from failures that share the template's or skills' tags are copied
    /// in, its templates override built-ins, and the new project is registered in it.
    #[arg(long, value_name = "NAME|PATH|URL", conflicts_with = "no_memory")]
    hub: Option<String>,
    /// Inherit no memory.
    #[arg(long)]
    no_memory: bool,
    /// A variable's value, `KEY=VALUE`; repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Take every default without asking.
    #[arg(long)]
    defaults: bool,
    /// Render and check everything, write nothing, and list what would be created.
    #[arg(long)]
    dry_run: bool,
}

pub fn run_genesis(args: &GenesisArgs) -> CmdResult {
    let cwd = std::env::current_dir()
        .map_err(|e| UserError::failed(format!("cannot read the current directory: {e}")))?;
    let hub = if args.no_memory {
        None
    } else {
        open_hub(args.hub.as_deref())?
    };
    if let Some(hub) = &hub {
        for e in &hub.errors {
            output::warning(&mut anstream::stderr(), &format!("hub record skipped: {e}"))?;
        }
        super::hub::report_sync(&hub.hub, &hub.sync)?;
    }
    let hub_templates = match &hub {
        Some(h) => hub::layout::templates_dir(&h.hub)?,
        None => None,
    };
    let template = Template::find_with_hub(&args.template, &cwd, hub_templates.as_deref())?;
    let mut wanted = template.meta.skills.clone();
    wanted.extend(args.skills.iter().cloned());
    let skills = genesis::skill::compose(&wanted, &Skill::built_ins()?)?;
    let mut given = BTreeMap::new();
    for pair in &args.set {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| UserError::usage(format!("--set {pair}: expected KEY=VALUE")))?;
        given.insert(key.trim().to_owned(), value.to_owned());
    }
    let (author, email) = genesis::identity(&cwd);
    if !args.dry_run && (author.is_empty() || email.is_empty()) {
        return Err(UserError::failed(
            "git has no user.name or user.email for the first commit",
        )
        .hint("git config --global user.name \"Your Name\"; git config --global user.email you@example.com"));
    }
    let mut prompt =
        |var: &str, spec: &Variable, default: Option<&str>| -> std::io::Result<String> {
            let mut err = std::io::stderr();
            let question = spec.prompt.as_deref().unwrap_or(var);
            match default {
                Some(d) => write!(err, "{question} [{d}]: ")?,
                None => write!(err, "{question}: ")?,
            }
            err.flush()?;
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            Ok(line.trim().to_owned())
        };
    let ask: Option<&mut genesis::Ask<'_>> = if args.defaults || !interactive() {
        None
    } else {
        Some(&mut prompt)
    };
    let answers = genesis::answers(&template, &args.name, (&author, &email), &given, ask)?;
    let target = absolute(std::path::Path::new(&args.name));
    let spinner = output::spinner(&format!("creating {}", target.display()));
    let created = git_zen::usecase::genesis::create(
        &mut Terminal,
        &template,
        &skills,
        hub.as_ref(),
        &target,
        answers.values.clone(),
        args.dry_run,
    );
    spinner.finish_and_clear();
    let (created, emitted) = created?;
    let mut out = anstream::stdout();
    let verb = if args.dry_run {
        "would create"
    } else {
        "created"
    };
    writeln!(
        out,
        "{verb} {} from template {}",
        created.target.display(),
        created.template
    )?;
    for file in &created.files {
        writeln!(out, "  {}", file.display())?;
    }
    if !answers.defaulted.is_empty() {
        let chosen: Vec<String> = answers
            .defaulted
            .iter()
            .map(|var| format!("{var} = {:?}", created.answers.get(var).map_or("", |v| v)))
            .collect();
        writeln!(out, "defaults chosen: {}", chosen.join(", "))?;
    }
    if !created.skills.is_empty() {
        writeln!(out, "skills: {}", created.skills.join(", "))?;
    }
    if let Some(hub) = &hub {
        writeln!(
            out,
            "inherited from hub {} ({} of its {} records):",
            hub.hub.name,
            created.inherited.len(),
            hub.records.len()
        )?;
        for r in &created.inherited {
            write!(out, "  {} {:<8} {}", &r.id[..10], r.kind, r.title)?;
            match &r.evidence {
                Some(e) => writeln!(out, " ({e})")?,
                None => writeln!(out)?,
            }
        }
    }
    match &created.registered {
        Some(Ok(report)) => {
            writeln!(
                out,
                "registered in hub {}",
                hub.as_ref().map_or("", |h| h.hub.name.as_str())
            )?;
            if let Some(h) = &hub {
                super::hub::report_sync(&h.hub, report)?;
            }
        }
        Some(Err(e)) => output::warning(
            &mut anstream::stderr(),
            &format!("the project is created, but registering it in the hub failed: {e}"),
        )?,
        None => {}
    }
    if created.hooks {
        writeln!(out, "hooks installed (pre-commit, commit-msg, pre-push)")?;
    }
    if let Some(commit) = &created.commit {
        writeln!(out, "first commit {}", &commit[..12.min(commit.len())])?;
        deliver(&created.target, &emitted);
    }
    Ok(())
}

/// The hub genesis reads: the one named (its failure is an error), else the default hub (if
/// it cannot be read, genesis goes on without memory, saying so).
fn open_hub(spec: Option<&str>) -> Result<Option<HubMemory>, UserError> {
    let Some(hub) = Hub::configured(spec, None)? else {
        return Ok(None);
    };
    let spinner = output::spinner(&format!("reading hub {}", hub.name));
    let read = genesis::seed::read_hub(hub);
    spinner.finish_and_clear();
    match read {
        Ok(memory) => Ok(Some(memory)),
        Err(e) if spec.is_none() => {
            output::warning(
                &mut anstream::stderr(),
                &format!("{e}\n  going on without inherited memory"),
            )?;
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Work with project templates.
#[derive(Debug, clap::Args)]
pub struct TemplateArgs {
    #[command(subcommand)]
    command: TemplateCommand,
}

#[derive(Debug, clap::Subcommand)]
enum TemplateCommand {
    /// The built-in templates and a hub's, with their descriptions (a hub's template overrides
    /// a built-in one of the same name).
    List {
        /// Include a hub's templates: the one named, else the default hub.
        #[arg(long, value_name = "HUB", num_args = 0..=1, default_missing_value = "")]
        hub: Option<String>,
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
}

#[derive(serde::Serialize)]
struct TemplateJson<'a> {
    name: &'a str,
    version: &'a str,
    description: &'a str,
    skills: &'a [String],
    tags: &'a [String],
    variables: Vec<&'a str>,
    source: &'a str,
}

pub fn run_template(args: &TemplateArgs) -> CmdResult {
    let TemplateCommand::List { json, hub } = &args.command;
    let mut templates = Template::built_ins()?;
    let hub = match hub {
        Some(spec) => Some(Hub::resolve(Some(spec), None)?),
        None => None,
    };
    if let Some(hub) = &hub {
        super::hub::report_sync(hub, &hub.sync()?)?;
        if let Some(dir) = hub::layout::templates_dir(hub)? {
            for t in Template::in_folder(&dir)? {
                templates.retain(|b| b.meta.name != t.meta.name);
                templates.push(t);
            }
        }
        templates.sort_by(|a, b| a.meta.name.cmp(&b.meta.name));
    }
    let mut out = anstream::stdout();
    if *json {
        let list: Vec<TemplateJson> = templates
            .iter()
            .map(|t| TemplateJson {
                name: &t.meta.name,
                version: &t.meta.version,
                description: &t.meta.description,
                skills: &t.meta.skills,
                tags: &t.meta.tags,
                variables: t.variables.keys().map(String::as_str).collect(),
                source: &t.source,
            })
            .collect();
        output::json(&mut out, &list)?;
    } else {
        for t in &templates {
            let from = match &hub {
                Some(h) if t.source != "built-in" => format!("  [hub {}]", h.name),
                _ => String::new(),
            };
            writeln!(
                out,
                "{:<16} {:<8} {}{from}",
                t.meta.name, t.meta.version, t.meta.description
            )?;
        }
    }
    Ok(())
}

/// Work with skills: guidance, files and policies genesis composes into a new project.
#[derive(Debug, clap::Args)]
pub struct SkillArgs {
    #[command(subcommand)]
    command: SkillCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SkillCommand {
    /// The built-in skills.
    List {
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
    /// One skill's guidance, files and policies.
    Show {
        /// The skill's name.
        name: String,
    },
}

#[derive(serde::Serialize)]
struct SkillJson<'a> {
    name: &'a str,
    description: &'a str,
    requires: &'a [String],
    tags: &'a [String],
    files: Vec<&'a str>,
    policies: Vec<&'a str>,
}

pub fn run_skill(args: &SkillArgs) -> CmdResult {
    let skills = Skill::built_ins()?;
    let mut out = anstream::stdout();
    match &args.command {
        SkillCommand::List { json: true } => {
            let list: Vec<SkillJson> = skills
                .iter()
                .map(|s| SkillJson {
                    name: &s.meta.name,
                    description: &s.meta.description,
                    requires: &s.meta.requires,
                    tags: &s.meta.tags,
                    files: s.files.iter().map(|f| f.path.as_str()).collect(),
                    policies: s.policies.iter().map(|p| p.0.as_str()).collect(),
                })
                .collect();
            output::json(&mut out, &list)?;
        }
        SkillCommand::List { json: false } => {
            for s in &skills {
                writeln!(out, "{:<20} {}", s.meta.name, s.meta.description)?;
            }
        }
        SkillCommand::Show { name } => {
            let skill = skills
                .iter()
                .find(|s| &s.meta.name == name)
                .ok_or_else(|| {
                    UserError::failed(format!("no skill named `{name}`"))
                        .hint("`git zen skill list` shows them")
                })?;
            writeln!(out, "{} — {}", skill.meta.name, skill.meta.description)?;
            if !skill.meta.requires.is_empty() {
                writeln!(out, "requires: {}", skill.meta.requires.join(", "))?;
            }
            for f in &skill.files {
                writeln!(out, "file: {}", f.path)?;
            }
            for (p, _) in &skill.policies {
                writeln!(out, "policy: {p}")?;
            }
            writeln!(out, "{}", skill.body.trim_end())?;
        }
    }
    Ok(())
}

/// Re-apply the template this project was made from (perhaps a newer version) with the recorded
/// answers, merging three ways: files you did not change take the template's new text, files you
/// changed are merged, and real clashes get git-style conflict markers (exit 1, each listed).
/// Nothing is committed.
#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    /// Use this template (a built-in name or a folder) instead of the recorded one.
    #[arg(short, long)]
    template: Option<String>,
}

pub fn run_update(args: &UpdateArgs) -> CmdResult {
    let repo = super::open_repo()?;
    let cwd = std::env::current_dir()
        .map_err(|e| UserError::failed(format!("cannot read the current directory: {e}")))?;
    let done = genesis::update::update(&repo, args.template.as_deref(), &cwd)?;
    let mut out = anstream::stdout();
    writeln!(out, "template {} -> {}", done.from, done.to)?;
    for (label, paths) in [
        ("updated", &done.updated),
        ("merged", &done.merged),
        ("removed", &done.removed),
        ("kept", &done.kept),
        ("CONFLICT", &done.conflicts),
    ] {
        for p in paths {
            writeln!(out, "  {label:<8} {}", p.display())?;
        }
    }
    if !done.kept.is_empty() {
        writeln!(
            out,
            "kept: symbolic links the template changed and so did you (their targets do not merge); yours are left as they are"
        )?;
    }
    if done.conflicts.is_empty() {
        Ok(())
    } else {
        Err(UserError::failed(format!(
            "{} file(s) have conflict markers: {}",
            done.conflicts.len(),
            done.conflicts
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .hint("resolve them, then commit"))
    }
}
