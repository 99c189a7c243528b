//! Rendering a template: handlebars in strict mode with HTML escaping off, over file contents
//! ending in `.hbs` and over every path component, and the checks that keep every rendered path
//! inside the target.

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use handlebars::Handlebars;

use super::GenesisError;
use super::link::resolve_link;
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
    /// Whether it is a symbolic link: `content` is then its target.
    pub symlink: bool,
}

impl Rendered {
    /// Writes it under `root` (a folder where nothing is at its path yet), making its folders:
    /// a file with its bytes (and mode), or a symbolic link to its target.
    pub fn write_under(&self, root: &Path) -> Result<(), GenesisError> {
        let path = root.join(&self.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(GenesisError::io(dir))?;
        }
        if self.symlink {
            let target = std::ffi::OsStr::from_bytes(&self.content);
            return std::os::unix::fs::symlink(target, &path).map_err(GenesisError::io(&path));
        }
        std::fs::write(&path, &self.content).map_err(GenesisError::io(&path))?;
        if self.executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .map_err(GenesisError::io(&path))?;
        }
        Ok(())
    }
}

/// The handlebars registry genesis uses: strict (an unknown variable is an error), no escaping,
/// and the case helpers a default needs to turn a project name into a package or module name
/// (`{{snake_case name}}`: `my-api` → `my_api`, which Python can import).
pub fn engine() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_helper("snake_case", Box::new(CaseHelper('_')));
    hb.register_helper("kebab_case", Box::new(CaseHelper('-')));
    hb
}

/// `{{snake_case x}}` and `{{kebab_case x}}`: the words of `x` (split at anything that is not an
/// ASCII letter or digit, and where a lowercase letter meets an uppercase one), lowercased and
/// joined by the separator.
struct CaseHelper(char);

impl handlebars::HelperDef for CaseHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &handlebars::Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc handlebars::Context,
        _: &mut handlebars::RenderContext<'reg, 'rc>,
        out: &mut dyn handlebars::Output,
    ) -> handlebars::HelperResult {
        let value = h.param(0).and_then(|p| p.value().as_str()).ok_or_else(|| {
            handlebars::RenderErrorReason::ParamNotFoundForIndex("case helper", 0)
        })?;
        out.write(&case_words(value, self.0))?;
        Ok(())
    }
}

/// `My API-tool` → `my_api_tool` (with `_`) or `my-api-tool` (with `-`).
pub fn case_words(text: &str, separator: char) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_lower = false;
    let mut pending_break = false;
    for c in text.chars() {
        if !c.is_ascii_alphanumeric() {
            pending_break = !out.is_empty();
            prev_lower = false;
            continue;
        }
        if (pending_break || (prev_lower && c.is_ascii_uppercase())) && !out.is_empty() {
            out.push(separator);
        }
        pending_break = false;
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_lowercase());
    }
    out
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
                // A link's target is kept as written; only its own path is rendered.
                _ if file.symlink => (path, file.content.clone()),
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
                symlink: file.symlink,
            });
            origins.push(origin);
        }
    }
    check_links(&out)?;
    Ok(out)
}

/// Checks the rendered symbolic links against the rendered paths: each must still lead inside
/// the project (rendering may change how deep a link sits), and nothing may be written under a
/// link, where it would land wherever the link points.
fn check_links(rendered: &[Rendered]) -> Result<(), GenesisError> {
    let links: BTreeMap<String, String> = rendered
        .iter()
        .filter(|r| r.symlink)
        .map(|r| {
            (
                slashed(&r.path),
                String::from_utf8_lossy(&r.content).into_owned(),
            )
        })
        .collect();
    if links.is_empty() {
        return Ok(());
    }
    let lookup = |inside: &str| links.get(inside).cloned();
    for (link, target) in &links {
        resolve_link(link, target, &lookup).map_err(|why| GenesisError::Symlink {
            link: link.clone(),
            target: target.clone(),
            why,
        })?;
    }
    for r in rendered {
        let path = slashed(&r.path);
        let under = links.keys().find(|l| path.starts_with(&format!("{l}/")));
        if let Some(link) = under {
            return Err(GenesisError::Unsafe {
                path,
                why: format!("it lies under the symbolic link {link}"),
            });
        }
    }
    Ok(())
}

fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
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
    let first = clean
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy());
    if first.is_some_and(|first| super::link::is_git_dir_name(&first)) {
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
            ".GIT/hooks/pre-commit",
            ".Git./config",
        ] {
            assert!(safe_relative(bad).is_err(), "{bad}");
        }
        assert_eq!(
            safe_relative("./src/main.rs").unwrap(),
            PathBuf::from("src/main.rs")
        );
    }

    #[test]
    fn rendered_links_are_checked_where_they_land() {
        let file = |path: &str, content: &str, symlink: bool| TemplateFile {
            path: path.into(),
            content: content.as_bytes().to_vec(),
            executable: false,
            symlink,
        };
        let answers = BTreeMap::from([("dir".to_owned(), ".".to_owned())]);
        // Inside in the template (files/{{dir}}/link -> ../x is files/x), outside once `{{dir}}`
        // renders to `.`.
        let files = [file("{{dir}}/link", "../x", true)];
        let err = render_files(&[("template t".to_owned(), &files[..])], &answers)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("refusing the symbolic link link -> ../x: it leads outside"),
            "{err}"
        );
        // A file rendered under a link would be written wherever the link points.
        let files = [file("docs", "src", true), file("docs/x.md", "x", false)];
        let err = render_files(&[("template t".to_owned(), &files[..])], &answers)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("it lies under the symbolic link docs"),
            "{err}"
        );
        // A link's target is kept as written, and a `.hbs` link is not rendered.
        let files = [file("{{dir}}/a/link.hbs", "../{{dir}}", true)];
        let out = render_files(&[("template t".to_owned(), &files[..])], &answers).unwrap();
        assert_eq!(out[0].path, PathBuf::from("a/link.hbs"));
        assert_eq!(out[0].content, b"../{{dir}}");
    }

    #[test]
    fn two_sources_writing_one_path_is_an_error_naming_both() {
        let file = |path: &str| TemplateFile {
            path: path.into(),
            content: b"x".to_vec(),
            executable: false,
            symlink: false,
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

#[cfg(test)]
mod case_tests {
    use super::case_words;

    #[test]
    fn project_names_become_package_and_crate_names() {
        assert_eq!(case_words("my-api", '_'), "my_api");
        assert_eq!(case_words("My API tool", '-'), "my-api-tool");
        assert_eq!(case_words("myApi2", '_'), "my_api2");
        assert_eq!(case_words("--x--", '_'), "x");
    }

    #[test]
    fn the_helpers_render_in_templates() {
        let hb = super::engine();
        let values = std::collections::BTreeMap::from([("name".to_owned(), "My-Api".to_owned())]);
        assert_eq!(
            hb.render_template("{{snake_case name}}", &values).unwrap(),
            "my_api"
        );
        assert_eq!(
            hb.render_template("{{kebab_case name}}", &values).unwrap(),
            "my-api"
        );
    }
}
