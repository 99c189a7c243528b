//! Rendering a template: handlebars in strict mode with HTML escaping off, over file contents
//! ending in `.hbs` and over every path component, and the checks that keep every rendered path
//! inside the target.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use handlebars::Handlebars;

use super::GenesisError;
use super::template::TemplateFile;

/// A file ready to write: its path relative to the target and its bytes.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Path under the new project's root.
    pub path: PathBuf,
    /// Contents.
    pub content: Vec<u8>,
    /// Whether to make it executable.
    pub executable: bool,
}

/// The handlebars registry genesis uses: strict (an unknown variable is an error), no escaping.
pub fn engine() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb
}

/// Renders `text` from `source` (a file or a default, for messages).
pub fn render_text(
    hb: &Handlebars<'_>,
    text: &str,
    answers: &BTreeMap<String, String>,
    source: &str,
) -> Result<String, GenesisError> {
    hb.render_template(text, answers).map_err(|e| {
        let line = e.line_no.or_else(|| match e.reason() {
            handlebars::RenderErrorReason::TemplateError(t) => t.pos().map(|p| p.0),
            _ => None,
        });
        GenesisError::Render {
            file: source.to_owned(),
            line: line.unwrap_or(1),
            message: e.reason().to_string(),
        }
    })
}

/// Renders every file of every source (`(origin, files)`: the template, then each skill) with
/// `answers`, checking every path before anything is written; two sources writing one path is an
/// error naming both.
pub fn render_files(
    sources: &[(String, &[TemplateFile])],
    answers: &BTreeMap<String, String>,
) -> Result<Vec<Rendered>, GenesisError> {
    let hb = engine();
    let mut out: Vec<Rendered> = Vec::new();
    let mut origins: Vec<&str> = Vec::new();
    for (origin, files) in sources {
        for file in files.iter() {
            let source = format!("{origin}: files/{}", file.path);
            let path = render_text(&hb, &file.path, answers, &source)?;
            let (path, content) = match path.strip_suffix(".hbs") {
                Some(stripped) => {
                    let text =
                        std::str::from_utf8(&file.content).map_err(|_| GenesisError::Render {
                            file: source.clone(),
                            line: 1,
                            message: "a .hbs file must be UTF-8 text".into(),
                        })?;
                    let rendered = render_text(&hb, text, answers, &source)?;
                    (stripped.to_owned(), rendered.into_bytes())
                }
                None => (path, file.content.clone()),
            };
            let path = safe_relative(&path)?;
            if let Some(at) = out.iter().position(|r| r.path == path) {
                return Err(GenesisError::Unsafe {
                    path: path.display().to_string(),
                    why: format!("both {} and {origin} write it", origins[at]),
                });
            }
            out.push(Rendered {
                path,
                content,
                executable: file.executable,
            });
            origins.push(origin);
        }
    }
    Ok(out)
}

/// Renders a template and the skills composed into it, the template first.
pub fn render_project(
    template: &super::Template,
    skills: &[super::Skill],
    answers: &BTreeMap<String, String>,
) -> Result<Vec<Rendered>, GenesisError> {
    let mut sources = vec![(
        format!("template {}", template.meta.name),
        template.files.as_slice(),
    )];
    for skill in skills {
        sources.push((format!("skill {}", skill.meta.name), skill.files.as_slice()));
    }
    render_files(&sources, answers)
}

/// `path` as a relative path that stays inside the target: no root, no `..`, no empty name.
pub fn safe_relative(path: &str) -> Result<PathBuf, GenesisError> {
    let unsafe_path = |why: &str| GenesisError::Unsafe {
        path: path.to_owned(),
        why: why.to_owned(),
    };
    if path.is_empty() || path.split('/').any(str::is_empty) {
        return Err(unsafe_path("a path component renders empty"));
    }
    let mut clean = PathBuf::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(name) => clean.push(name),
            Component::CurDir => {}
            Component::ParentDir => return Err(unsafe_path("it leaves the target with `..`")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(unsafe_path("it is absolute"));
            }
        }
    }
    if clean.starts_with(".git") {
        return Err(unsafe_path("templates may not write into .git"));
    }
    Ok(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_target_are_refused() {
        for bad in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "",
            ".git/hooks/pre-commit",
        ] {
            assert!(safe_relative(bad).is_err(), "{bad}");
        }
        assert_eq!(
            safe_relative("./src/main.rs").unwrap(),
            PathBuf::from("src/main.rs")
        );
    }

    #[test]
    fn two_sources_writing_one_path_is_an_error_naming_both() {
        let file = |path: &str| TemplateFile {
            path: path.into(),
            content: b"x".to_vec(),
            executable: false,
        };
        let (a, b) = ([file("Dockerfile")], [file("Dockerfile.hbs")]);
        let sources = [
            ("skill docker".to_owned(), &a[..]),
            ("skill deploy".to_owned(), &b[..]),
        ];
        let err = render_files(&sources, &BTreeMap::new())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("both skill docker and skill deploy write it"),
            "{err}"
        );
    }

    #[test]
    fn strict_mode_names_the_file_and_line() {
        let hb = engine();
        let answers = BTreeMap::from([("name".to_owned(), "demo".to_owned())]);
        assert_eq!(
            render_text(&hb, "<{{name}}>", &answers, "f").unwrap(),
            "<demo>"
        );
        let err = render_text(&hb, "ok\n{{missing}}\n", &answers, "files/a.hbs").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("files/a.hbs:2"), "{text}");
        assert!(text.contains("missing"), "{text}");
    }
}
