//! Where a symbolic link in a template leads. Reading a template folder checks its links as they
//! lie on disk, and rendering checks them again at their rendered paths (a rendered name can
//! change how deep a link sits); both ask [`resolve_link`], so both refuse the same links.

/// How many links [`resolve_link`] follows before it calls it a loop (Linux's limit).
const MAX_HOPS: usize = 40;

/// Where a symbolic link at `link` (`/`-separated, relative to some root) with `target` leads:
/// a path relative to that root, following on the way every link `read_link` knows (given a
/// path relative to the root, the target of the link there). An error saying why when the
/// target is absolute, climbs above the root at any step (with `..`, or through another link),
/// enters `.git`, or loops. A target that does not exist is fine as long as it is inside.
pub fn resolve_link(
    link: &str,
    target: &str,
    read_link: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    if target.starts_with('/') {
        return Err("it is absolute".into());
    }
    let mut at: Vec<String> = link.split('/').map(str::to_owned).collect();
    at.pop();
    let mut pending: Vec<String> = target.rsplit('/').map(str::to_owned).collect();
    let (mut hops, mut via) = (0, None::<String>);
    while let Some(part) = pending.pop() {
        match part.as_str() {
            "" | "." => {}
            ".." => {
                if at.pop().is_none() {
                    return Err(match &via {
                        None => "it leads outside with `..`".into(),
                        Some(other) => {
                            format!("it leads outside with `..` after following the link {other}")
                        }
                    });
                }
            }
            _ => {
                at.push(part);
                let here = at.join("/");
                let Some(next) = read_link(&here) else {
                    continue;
                };
                hops += 1;
                if hops > MAX_HOPS {
                    return Err("its links loop".into());
                }
                if next.starts_with('/') {
                    return Err(format!(
                        "it leads through the absolute link {here} -> {next}"
                    ));
                }
                at.pop();
                pending.extend(next.rsplit('/').map(str::to_owned));
                via = Some(here);
            }
        }
    }
    if at.first().is_some_and(|first| is_git_dir_name(first)) {
        return Err("it leads into .git".into());
    }
    Ok(at.join("/"))
}

/// Whether a path component names the git dir on some file system git-zen may write to:
/// `.git` in any case (case-insensitive file systems: macOS, Windows) and with the trailing
/// dots or spaces Windows drops.
pub fn is_git_dir_name(name: &str) -> bool {
    name.trim_end_matches(['.', ' '])
        .eq_ignore_ascii_case(".git")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn links_resolve_inside_the_root_or_say_how_they_leave() {
        let links = BTreeMap::from([
            ("sub/up".to_owned(), "..".to_owned()),
            ("sub/abs".to_owned(), "/etc".to_owned()),
            ("loop".to_owned(), "loop".to_owned()),
        ]);
        let read = |p: &str| links.get(p).cloned();
        let ok = |link: &str, target: &str| resolve_link(link, target, &read).unwrap();
        let err = |link: &str, target: &str| resolve_link(link, target, &read).unwrap_err();
        assert_eq!(ok("a/b/link", "../c.txt"), "a/c.txt");
        assert_eq!(ok("link", "./sub//x"), "sub/x");
        assert_eq!(ok("sub/link", "up/x"), "x", "sub/up is the root itself");
        assert_eq!(
            ok("link", "missing/file"),
            "missing/file",
            "dangling but inside"
        );
        assert_eq!(err("link", "/etc/passwd"), "it is absolute");
        assert_eq!(
            err("a/link", "../../etc/passwd"),
            "it leads outside with `..`"
        );
        assert_eq!(
            err("link", "sub/up/.."),
            "it leads outside with `..` after following the link sub/up",
            "lexically sub/up/.. is sub; on disk it is the root's parent"
        );
        assert_eq!(
            err("link", "sub/abs/passwd"),
            "it leads through the absolute link sub/abs -> /etc"
        );
        assert_eq!(err("link", "loop"), "its links loop");
        assert_eq!(err("link", ".git/hooks"), "it leads into .git");
        assert_eq!(err("link", ".GIT/hooks"), "it leads into .git");
        assert!(is_git_dir_name(".Git. ") && !is_git_dir_name(".github"));
    }
}
