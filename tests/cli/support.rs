//! A hermetic test world: a temp home, a real git repository, and the real `git-zen` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_git-zen");

/// A repository in a temp folder with its own HOME, so no user config leaks in.
pub struct TestRepo {
    root: TempDir,
}

/// What a command printed, and how it ended.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
}

impl Run {
    /// What a finished process printed.
    pub fn from(output: Output) -> Run {
        Run {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code(),
        }
    }

    /// Fails the test unless the process exited 0.
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code,
            Some(0),
            "failed:\n{}{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Fails the test unless stderr contains `text`.
    pub fn stderr_has(&self, text: &str) -> &Run {
        assert!(
            self.stderr.contains(text),
            "no {text:?} in:\n{}",
            self.stderr
        );
        self
    }

    /// Fails the test unless stdout contains `text`.
    pub fn stdout_has(&self, text: &str) -> &Run {
        assert!(
            self.stdout.contains(text),
            "no {text:?} in:\n{}",
            self.stdout
        );
        self
    }

    /// The id in the `git zen edit <id>` hint printed when a draft is kept.
    pub fn kept_draft_id(&self) -> String {
        let hint = self
            .stderr
            .lines()
            .find(|l| l.contains("git zen edit"))
            .expect("a draft hint");
        let command = hint.split('`').nth(1).expect("a quoted command");
        command.split_whitespace().nth(3).expect("an id").to_owned()
    }

    /// The last word of the last line of stdout (where `record` prints the new id).
    pub fn last_word(&self) -> String {
        self.stdout
            .lines()
            .last()
            .and_then(|l| l.split_whitespace().last())
            .unwrap_or_default()
            .to_owned()
    }
}

/// What a child process takes from the test process's environment; everything else is cleared, so
/// variables such as `GIT_CONFIG_PARAMETERS`, `GIT_DIR`, `GIT_ZEN_BACKGROUND`, `CI` or `NO_COLOR` in
/// the runner's environment never reach git or git-zen.
/// - `PATH`: to find git, and what git, hooks and `man` run in turn.
/// - `TMPDIR`: temp files go where the tests' own temp folders are (git-zen makes some).
/// - `LLVM_PROFILE_FILE`: set only by coverage runs; without it an instrumented git-zen would write
///   its profile into the work tree under test.
pub const INHERITED: [&str; 3] = ["PATH", "TMPDIR", "LLVM_PROFILE_FILE"];

/// Applies the hermetic environment to any command: the variables named in [`INHERITED`], a home of
/// its own, no system git config, `:` as editor, UTC and the C locale. Variables a test sets after
/// this are kept.
pub fn hermetic(cmd: &mut Command, home: &Path) {
    cmd.env_clear();
    for var in INHERITED {
        if let Some(value) = std::env::var_os(var) {
            cmd.env(var, value);
        }
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_EDITOR", ":")
        .env("TZ", "UTC")
        .env("LC_ALL", "C");
}

impl TestRepo {
    /// A new repository with no commits, user.name/email set in its local config.
    pub fn new() -> TestRepo {
        let repo = TestRepo::empty();
        repo.git(&["init", "-q", "-b", "main", "."]);
        repo.git(&["config", "user.name", "Test Author"]);
        repo.git(&["config", "user.email", "author@example.com"]);
        repo
    }

    /// A temp world with a home folder and a `work` folder that is not a repository yet.
    pub fn empty() -> TestRepo {
        let root = tempfile::Builder::new()
            .prefix("zen-test-")
            .tempdir()
            .expect("temp dir");
        std::fs::create_dir_all(root.path().join("home")).unwrap();
        std::fs::create_dir_all(root.path().join("work")).unwrap();
        TestRepo { root }
    }

    /// A repository with `git zen init` done.
    pub fn initialized() -> TestRepo {
        let repo = TestRepo::new();
        repo.zen_ok(&["init"]);
        repo
    }

    pub fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    /// The work tree.
    pub fn path(&self) -> PathBuf {
        self.root.path().join("work")
    }

    /// Another folder inside the temp world (not inside the repository).
    pub fn outside(&self, name: &str) -> PathBuf {
        let dir = self.root.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// `git-zen` run in the work tree.
    pub fn zen_cmd(&self, args: &[&str]) -> Command {
        self.zen_cmd_in(&self.path(), args)
    }

    /// `git-zen` run in `dir`.
    pub fn zen_cmd_in(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        hermetic(&mut cmd, &self.home());
        cmd.args(args).current_dir(dir);
        cmd
    }

    /// Runs `git-zen` and returns what happened, whatever it was.
    pub fn zen(&self, args: &[&str]) -> Run {
        Run::from(self.zen_cmd(args).output().expect("run git-zen"))
    }

    /// Runs `git-zen` with `editor` as GIT_EDITOR.
    pub fn zen_with_editor(&self, editor: &Path, args: &[&str]) -> Run {
        Run::from(
            self.zen_cmd(args)
                .env("GIT_EDITOR", editor)
                .output()
                .expect("run git-zen"),
        )
    }

    /// Runs `git-zen` and fails the test unless it exits 0.
    pub fn zen_ok(&self, args: &[&str]) -> Run {
        let run = self.zen(args);
        assert_eq!(
            run.code,
            Some(0),
            "git zen {args:?} failed:\n{}{}",
            run.stdout,
            run.stderr
        );
        run
    }

    /// Runs `git-zen`, expecting exit 1, and returns what it printed.
    pub fn zen_fails(&self, args: &[&str]) -> Run {
        let run = self.zen(args);
        assert_eq!(
            run.code,
            Some(1),
            "git zen {args:?} should fail with 1:\n{}{}",
            run.stdout,
            run.stderr
        );
        run
    }

    /// Records something and returns its id.
    pub fn record(&self, args: &[&str]) -> String {
        let mut full = vec!["record"];
        full.extend_from_slice(args);
        self.zen_ok(&full).last_word()
    }

    /// A `git` command in the work tree with the hermetic environment.
    pub fn git_cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        hermetic(&mut cmd, &self.home());
        cmd.args(args)
            .current_dir(self.path())
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z");
        cmd
    }

    /// A `git` command that finds this build's `git-zen` on PATH, as installed hooks need.
    pub fn git_zen_path_cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.git_cmd(args);
        let bin_dir = Path::new(BIN).parent().unwrap();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![bin_dir.to_path_buf()];
        dirs.extend(std::env::split_paths(&path));
        cmd.env("PATH", std::env::join_paths(dirs).unwrap());
        cmd
    }

    /// Runs git (with hooks able to find `git-zen`) and returns what happened, whatever it was.
    pub fn git_run(&self, args: &[&str]) -> Run {
        Run::from(self.git_zen_path_cmd(args).output().expect("run git"))
    }

    /// Runs git and returns stdout; fails the test if git fails.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_cmd(args).output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Reads a file relative to the work tree.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Writes a file relative to the work tree (creating folders).
    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// `list --json` parsed.
    pub fn list_json(&self, extra: &[&str]) -> Vec<serde_json::Value> {
        let mut args = vec!["list", "--json"];
        args.extend_from_slice(extra);
        serde_json::from_str(&self.zen_ok(&args).stdout).expect("list --json is JSON")
    }

    /// `show --json` parsed.
    pub fn show_json(&self, id: &str) -> serde_json::Value {
        serde_json::from_str(&self.zen_ok(&["show", id, "--json"]).stdout)
            .expect("show --json is JSON")
    }

    /// The file of record `id`, relative to the work tree.
    pub fn file_of(&self, id: &str) -> String {
        self.show_json(id)["file"].as_str().unwrap().to_owned()
    }

    /// Every file under `.datazentr/` with its content, for "nothing changed" assertions.
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files: Vec<_> = walkdir::WalkDir::new(self.path().join(".datazentr"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
            .collect();
        files.sort();
        files
    }

    /// `text` with what changes from run to run replaced, for snapshots: this world's home, work
    /// tree and temp folder by `[HOME]`, `[REPO]` and `[ROOT]` (as given and with links resolved,
    /// as a process's working directory reads), and commit hashes (7 to 40 hex digits) by `[HASH]`.
    /// Ids, dates and times are not touched: the tests make those fixed.
    pub fn normalize(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (dir, name) in [
            (self.home(), "[HOME]"),
            (self.path(), "[REPO]"),
            (self.root.path().to_path_buf(), "[ROOT]"),
        ] {
            let resolved = dir.canonicalize().unwrap_or_else(|_| dir.clone());
            for form in [resolved, dir] {
                text = text.replace(form.to_str().unwrap(), name);
            }
        }
        let hash = regex::Regex::new(r"\b[0-9a-f]{7,40}\b").unwrap();
        hash.replace_all(&text, "[HASH]").into_owned()
    }
}

/// Runs `git` in `dir` with the hermetic environment of `home`, fails the test if git fails, and
/// returns its standard output.
pub fn git_at(home: &Path, dir: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new("git");
    hermetic(&mut cmd, home);
    let out = cmd.args(args).current_dir(dir).output().expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes an executable shell script (used as GIT_EDITOR) and returns its path.
pub fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\nset -e\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}
