//! Skills: guidance (`SKILL.md`, TOML front matter between `+++` lines), optional `files/`
//! rendered into the new project like a template's, and optional `policies/*.toml` added to its
//! `.datazentr/policies/`. A skill's `requires` pulls other skills in.

use std::path::Path;

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

use super::GenesisError;
use super::template::TemplateFile;

static BUILT_IN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/skills");

/// The front matter of `SKILL.md`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SkillMeta {
    /// The skill's name (`--skill NAME`).
    pub name: String,
    /// One line for `skill list`.
    #[serde(default)]
    pub description: String,
    /// Skills this one needs.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Tags used to pick memory from a hub.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A loaded skill.
#[derive(Debug, Clone)]
pub struct Skill {
    /// Its front matter.
    pub meta: SkillMeta,
    /// `SKILL.md` as written (front matter and guidance).
    pub text: String,
    /// The guidance: `SKILL.md` after its front matter.
    pub body: String,
    /// Files to render into the project.
    pub files: Vec<TemplateFile>,
    /// `(file name, TOML text)` of its policy files.
    pub policies: Vec<(String, String)>,
}

impl Skill {
    /// Every built-in skill, by name.
    pub fn built_ins() -> Result<Vec<Skill>, GenesisError> {
        let mut all = Vec::new();
        for dir in BUILT_IN.dirs() {
            let md = dir.path().join("SKILL.md");
            let text = dir
                .get_file(&md)
                .and_then(|f| f.contents_utf8())
                .ok_or_else(|| GenesisError::Invalid {
                    file: Path::new("<built-in>").join(&md),
                    line: 1,
                    message: "missing or not UTF-8".into(),
                })?;
            let (meta, body) = parse(text, &Path::new("<built-in>").join(&md))?;
            let mut files = Vec::new();
            let files_root = dir.path().join("files");
            if let Some(root) = dir.get_dir(&files_root) {
                super::template::collect_embedded(root, &files_root, &mut files);
            }
            files.sort_by(|a, b| a.path.cmp(&b.path));
            let mut policies = Vec::new();
            if let Some(pol) = dir.get_dir(dir.path().join("policies")) {
                for f in pol.files() {
                    let name = f
                        .path()
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned();
                    if name.ends_with(".toml") {
                        policies.push((name, f.contents_utf8().unwrap_or_default().to_owned()));
                    }
                }
            }
            policies.sort();
            all.push(Skill {
                meta,
                text: text.to_owned(),
                body,
                files,
                policies,
            });
        }
        all.sort_by(|a, b| a.meta.name.cmp(&b.meta.name));
        Ok(all)
    }
}

fn parse(text: &str, file: &Path) -> Result<(SkillMeta, String), GenesisError> {
    let invalid = |line: usize, message: String| GenesisError::Invalid {
        file: file.to_path_buf(),
        line,
        message,
    };
    let rest = text.strip_prefix("+++\n").ok_or_else(|| {
        invalid(
            1,
            "SKILL.md must start with a `+++` line (TOML front matter)".into(),
        )
    })?;
    let end = rest
        .find("\n+++\n")
        .ok_or_else(|| invalid(1, "the front matter has no closing `+++` line".into()))?;
    let meta: SkillMeta = toml::from_str(&rest[..end]).map_err(|e| {
        // The TOML starts on line 2, after the opening `+++`.
        let line = e
            .span()
            .map_or(1, |s| crate::text::line_at(rest, s.start) + 1);
        invalid(line, e.message().to_owned())
    })?;
    Ok((meta, rest[end + 5..].to_owned()))
}

/// The skills to apply for `requested`, each after the skills it requires, each once. An unknown
/// name or a cycle is an error naming the skills involved.
pub fn compose(requested: &[String], available: &[Skill]) -> Result<Vec<Skill>, GenesisError> {
    fn visit(
        name: &str,
        from: Option<&str>,
        available: &[Skill],
        path: &mut Vec<String>,
        out: &mut Vec<Skill>,
    ) -> Result<(), GenesisError> {
        if out.iter().any(|s| s.meta.name == name) {
            return Ok(());
        }
        if let Some(at) = path.iter().position(|p| p == name) {
            let mut cycle = path[at..].to_vec();
            cycle.push(name.to_owned());
            return Err(GenesisError::Skill(format!(
                "skills require each other in a cycle: {}",
                cycle.join(" -> ")
            )));
        }
        let skill = available
            .iter()
            .find(|s| s.meta.name == name)
            .ok_or_else(|| {
                GenesisError::Skill(match from {
                    Some(from) => format!("skill `{from}` requires `{name}`, which does not exist"),
                    None => format!(
                        "no skill named `{name}`; the skills are: {}",
                        available
                            .iter()
                            .map(|s| s.meta.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })
            })?;
        path.push(name.to_owned());
        for required in &skill.meta.requires {
            visit(required, Some(name), available, path, out)?;
        }
        path.pop();
        out.push(skill.clone());
        Ok(())
    }
    let mut out = Vec::new();
    for name in requested {
        visit(name, None, available, &mut Vec::new(), &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(name: &str, requires: &[&str]) -> Skill {
        Skill {
            meta: SkillMeta {
                name: name.into(),
                description: String::new(),
                requires: requires.iter().map(|r| r.to_string()).collect(),
                tags: vec![],
            },
            text: String::new(),
            body: String::new(),
            files: vec![],
            policies: vec![],
        }
    }

    #[test]
    fn requirements_come_first_once_and_cycles_are_named() {
        let all = [
            skill("docker", &["ci"]),
            skill("ci", &[]),
            skill("api", &["docker", "ci"]),
        ];
        let names: Vec<String> = compose(&["api".into(), "ci".into()], &all)
            .unwrap()
            .into_iter()
            .map(|s| s.meta.name)
            .collect();
        assert_eq!(names, ["ci", "docker", "api"]);
        let cyclic = [skill("a", &["b"]), skill("b", &["a"])];
        let err = compose(&["a".into()], &cyclic).unwrap_err().to_string();
        assert!(err.contains("a -> b -> a"), "{err}");
        let err = compose(&["x".into()], &cyclic).unwrap_err().to_string();
        assert!(err.contains("no skill named `x`"), "{err}");
    }

    #[test]
    fn the_built_in_skills_load() {
        let all = Skill::built_ins().unwrap();
        let testing = all
            .iter()
            .find(|s| s.meta.name == "testing-strategy")
            .unwrap();
        assert!(testing.body.contains("Test behaviour, not implementation"));
        assert_eq!(testing.policies[0].0, "testing.toml");
    }
}
