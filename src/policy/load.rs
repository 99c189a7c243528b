//! Reading policy files and merging them into the effective rules.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{Hook, Policies, PolicyError, Rule, RuleKind, Severity, Source, secrets};
use crate::store::DIR;
use crate::text::{line_at, toml_error_line};

/// The built-in policy sets, embedded in the binary: `(name, TOML text)`.
pub const BUILT_IN_SETS: &[(&str, &str)] = &[
    ("security", include_str!("../../policies/security.toml")),
    ("quality", include_str!("../../policies/quality.toml")),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    rule: Vec<Spanned<toml::Table>>,
    #[serde(default)]
    secrets: Option<SecretsSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsSection {
    #[serde(default)]
    allowlist: secrets::Allowlist,
}

#[derive(Deserialize)]
struct Config {
    policies: Option<PoliciesConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PoliciesConfig {
    sets: Option<Vec<Spanned<String>>>,
    /// `false` turns off the pre-commit note about past failures where a change is made.
    past_failures: Option<bool>,
    /// `false` turns off the hooks' journal of verdicts in the git dir.
    journal: Option<bool>,
}

/// A rule's keys as merged so far, and where they came from.
struct Pending {
    id: String,
    table: toml::Table,
    source: Source,
}

/// Loads the effective policies for the work tree at `workdir`: the built-in sets that
/// `.datazentr/config.toml` enables, merged with `.datazentr/policies/*.toml` in name order.
pub fn load(workdir: &Path) -> Result<Policies, PolicyError> {
    let root = workdir.join(DIR);
    let Settings {
        sets,
        past_failures,
        journal,
    } = settings(&root.join("config.toml"))?;
    let mut pending: Vec<Pending> = Vec::new();
    let mut policies = Policies {
        past_failure_notes: past_failures,
        journal,
        ..Policies::default()
    };
    for (name, text) in BUILT_IN_SETS {
        if sets.iter().any(|s| s == name) {
            let file = PathBuf::from(format!("<built-in>/{name}.toml"));
            read_file(&file, text, false, &mut pending, &mut policies)?;
        }
    }
    let dir = root.join("policies");
    let mut files = match fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(source) => return Err(PolicyError::Io { path: dir, source }),
    };
    files.sort();
    for path in files {
        let text = fs::read_to_string(&path).map_err(|source| PolicyError::Io {
            path: path.clone(),
            source,
        })?;
        let relative = path.strip_prefix(workdir).unwrap_or(&path).to_path_buf();
        read_file(&relative, &text, true, &mut pending, &mut policies)?;
        policies.project_files.push(relative);
    }
    for rule in pending {
        build(rule, &mut policies)?;
    }
    Ok(policies)
}

/// What `[policies]` in `.datazentr/config.toml` says besides the rules.
struct Settings {
    /// The built-in sets it enables (all by default).
    sets: Vec<String>,
    /// Whether past failures are noted at commit time (`past_failures`, on by default).
    past_failures: bool,
    /// Whether the hooks keep their journal of verdicts (`journal`, on by default).
    journal: bool,
}

/// Reads `[policies]` from the config file at `config`; a missing file means the defaults.
fn settings(config: &Path) -> Result<Settings, PolicyError> {
    let all = || BUILT_IN_SETS.iter().map(|(n, _)| n.to_string()).collect();
    let text = match fs::read_to_string(config) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Settings {
                sets: all(),
                past_failures: true,
                journal: true,
            });
        }
        Err(source) => {
            return Err(PolicyError::Io {
                path: config.to_path_buf(),
                source,
            });
        }
    };
    let file = PathBuf::from(DIR).join("config.toml");
    let parsed: Config = toml::from_str(&text).map_err(|e| toml_error(&file, &text, &e))?;
    let section = parsed.policies;
    let past_failures = section
        .as_ref()
        .and_then(|p| p.past_failures)
        .unwrap_or(true);
    let journal = section.as_ref().and_then(|p| p.journal).unwrap_or(true);
    let Some(sets) = section.and_then(|p| p.sets) else {
        return Ok(Settings {
            sets: all(),
            past_failures,
            journal,
        });
    };
    for set in &sets {
        if !BUILT_IN_SETS.iter().any(|(n, _)| n == set.get_ref()) {
            return Err(PolicyError::Invalid {
                file,
                line: line_at(&text, set.span().start),
                message: format!(
                    "unknown policy set `{}`; the built-in sets are {}",
                    set.get_ref(),
                    set_names()
                ),
            });
        }
    }
    Ok(Settings {
        sets: sets.into_iter().map(Spanned::into_inner).collect(),
        past_failures,
        journal,
    })
}

fn set_names() -> String {
    BUILT_IN_SETS
        .iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn read_file(
    file: &Path,
    text: &str,
    project: bool,
    pending: &mut Vec<Pending>,
    policies: &mut Policies,
) -> Result<(), PolicyError> {
    let parsed: PolicyFile = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    if let Some(secrets) = parsed.secrets {
        policies.project_allowlist |= project;
        let global = &mut policies.secrets_allowlist;
        global.paths.extend(secrets.allowlist.paths);
        global.regexes.extend(secrets.allowlist.regexes);
        global.stopwords.extend(secrets.allowlist.stopwords);
    }
    for rule in parsed.rule {
        let line = line_at(text, rule.span().start);
        let table = rule.into_inner();
        let invalid = |message: String| PolicyError::Invalid {
            file: file.to_path_buf(),
            line,
            message,
        };
        let id = match table.get("id") {
            Some(toml::Value::String(id)) if !id.trim().is_empty() => id.clone(),
            Some(_) => return Err(invalid("a rule's `id` must be a non-empty string".into())),
            None => {
                return Err(invalid(
                    "this [[rule]] has no `id`; add `id = \"…\"` (a new name, or a built-in rule's id to override it)".into(),
                ));
            }
        };
        let project_files = if project {
            vec![file.to_path_buf()]
        } else {
            Vec::new()
        };
        match pending.iter_mut().find(|p| p.id == id) {
            Some(existing) => {
                existing.table.extend(table);
                existing.source.file = file.to_path_buf();
                existing.source.line = line;
                existing.source.project_files.extend(project_files);
                existing.source.project_files.dedup();
            }
            None => pending.push(Pending {
                id,
                table,
                source: Source {
                    file: file.to_path_buf(),
                    line,
                    project_files,
                },
            }),
        }
    }
    Ok(())
}

fn build(rule: Pending, policies: &mut Policies) -> Result<(), PolicyError> {
    let Pending {
        id,
        mut table,
        source,
    } = rule;
    let invalid = |message: String| PolicyError::Invalid {
        file: source.file.clone(),
        line: source.line,
        message: format!("rule `{id}`: {message}"),
    };
    table.remove("id");
    let disabled = take::<bool>(&mut table, "disabled").map_err(&invalid)?;
    if disabled == Some(true) {
        policies.disabled.push(id);
        return Ok(());
    }
    let kind_name = take::<String>(&mut table, "kind")
        .map_err(&invalid)?
        .ok_or_else(|| {
            invalid(format!(
                "no `kind`; it is one of {} (or the id of a built-in rule to override, check its spelling)",
                KINDS.join(", ")
            ))
        })?;
    let hooks = take::<Vec<Hook>>(&mut table, "hooks").map_err(&invalid)?;
    let severity = take::<Severity>(&mut table, "severity")
        .map_err(&invalid)?
        .unwrap_or(Severity::Error);
    let message = take::<String>(&mut table, "message").map_err(&invalid)?;
    let kind = parse_kind(&kind_name, table).map_err(&invalid)?;
    let hooks = hooks.unwrap_or_else(|| default_hooks(&kind).to_vec());
    let message = message.unwrap_or_else(|| format!("{} rule failed", kind.name()));
    policies.rules.push(Rule {
        id,
        hooks,
        severity,
        message,
        source,
        kind,
    });
    Ok(())
}

const KINDS: [&str; 7] = [
    "forbidden-paths",
    "file-size",
    "secrets",
    "added-lines",
    "commit-message",
    "requires-decision",
    "command",
];

fn parse_kind(name: &str, table: toml::Table) -> Result<RuleKind, String> {
    let value = toml::Value::Table(table);
    fn spec<T: serde::de::DeserializeOwned>(value: toml::Value) -> Result<T, String> {
        value.clone().try_into().map_err(|e: toml::de::Error| {
            // Deserialized again from text, where the error's span tells which key is wrong.
            let text = toml::to_string(&value).unwrap_or_default();
            let key = toml::from_str::<T>(&text).err().and_then(|e| {
                let start = text[..e.span()?.start].rfind('\n').map_or(0, |i| i + 1);
                let (key, _) = text[start..].split_once('=')?;
                Some(key.trim().trim_matches('"').to_owned())
            });
            match key {
                Some(key) if !key.is_empty() && !key.contains('\n') => {
                    format!("`{key}`: {}", e.message())
                }
                _ => e.message().to_owned(),
            }
        })
    }
    Ok(match name {
        "forbidden-paths" => RuleKind::ForbiddenPaths(
            spec::<super::paths::Spec>(value)?.compile("that must not be added")?,
        ),
        "file-size" => RuleKind::FileSize(spec::<super::size::Spec>(value)?.compile()?),
        "secrets" => {
            let spec: secrets::SecretsSpec = spec(value)?;
            RuleKind::Secrets(spec)
        }
        "added-lines" => RuleKind::AddedLines(spec::<super::lines::Spec>(value)?.compile()?),
        "commit-message" => {
            RuleKind::CommitMessage(spec::<super::message::Spec>(value)?.compile()?)
        }
        "requires-decision" => RuleKind::RequiresDecision(super::decision::RequiresDecision {
            guarded: spec::<super::paths::Spec>(value)?.compile("whose changes need a decision")?,
        }),
        "command" => RuleKind::Command(spec::<super::command::Spec>(value)?.compile()?),
        other => {
            return Err(format!(
                "unknown kind `{other}`; it is one of {}",
                KINDS.join(", ")
            ));
        }
    })
}

fn default_hooks(kind: &RuleKind) -> &'static [Hook] {
    match kind {
        RuleKind::ForbiddenPaths(_)
        | RuleKind::FileSize(_)
        | RuleKind::Secrets(_)
        | RuleKind::AddedLines(_) => &[Hook::PreCommit, Hook::PrePush],
        RuleKind::CommitMessage(_) | RuleKind::RequiresDecision(_) => {
            &[Hook::CommitMsg, Hook::PrePush]
        }
        RuleKind::Command(_) => &[Hook::PreCommit],
    }
}

fn take<T: serde::de::DeserializeOwned>(
    table: &mut toml::Table,
    key: &str,
) -> Result<Option<T>, String> {
    table
        .remove(key)
        .map(|v| {
            v.try_into()
                .map_err(|e: toml::de::Error| format!("`{key}`: {}", e.message()))
        })
        .transpose()
}

fn toml_error(file: &Path, text: &str, e: &toml::de::Error) -> PolicyError {
    PolicyError::Invalid {
        file: file.to_path_buf(),
        line: toml_error_line(text, e),
        message: e.message().to_owned(),
    }
}
