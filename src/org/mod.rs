//! The org-wide index: every team's hub in one PostgreSQL, searchable by the whole organisation.
//!
//! Git stays the source of truth: hubs are git remotes, and the database holds only what can be
//! rebuilt from them. `org index` fetches each hub into a bare mirror of its own, diffs the tree
//! it indexed last (stored per hub) against the new one and writes only the paths that changed,
//! in one transaction per hub under an advisory lock, so a killed indexer leaves the previous
//! state and two indexers never write the same hub at once ([`index`]). Records are searched by
//! weighted `tsvector`s (title above tags above body) and by pgvector's HNSW index over the
//! embedded model's vectors, fused and weighted exactly as local recall ([`recall`]). Servers
//! hold no state of their own: any number of `serve --database` processes read the same
//! database through [`model::OrgModel`].
//!
//! Cost: one round trip per query; writes go through `COPY` into a staging table and one
//! `INSERT … ON CONFLICT`, so indexing is bound by parsing and the database's text search
//! configuration, not by round trips.

pub mod index;
pub mod model;
pub mod recall;
mod schema;
mod tls;

use std::sync::Mutex;
use std::time::Duration;

use crate::error::Hint;

pub use schema::{InitReport, SCHEMA_VERSION, init};

/// The environment variable naming the database when `--database` is not given.
pub const DATABASE_ENV: &str = "GIT_ZEN_DATABASE_URL";

/// Why an org-wide operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    /// Neither `--database` nor `GIT_ZEN_DATABASE_URL` names a database.
    #[error("no database given")]
    NoDatabase,
    /// The URL does not parse (its text is not repeated: it may hold a password).
    #[error("the database URL does not parse: {0}")]
    BadUrl(String),
    /// The server could not be reached or refused the login.
    #[error("cannot connect to the database {target}: {message}")]
    Connect {
        /// Host, port and database name (never the user or password).
        target: String,
        /// What the driver said.
        message: String,
    },
    /// A statement failed.
    #[error("the database {target} failed: {message}")]
    Db {
        /// Host, port and database name.
        target: String,
        /// What the server said.
        message: String,
    },
    /// The database has no git-zen tables yet.
    #[error("the database {0} has no git-zen schema yet")]
    NoSchema(String),
    /// The schema was made by a newer git-zen.
    #[error(
        "the database's git-zen schema is version {found}, newer than this git-zen knows ({known})"
    )]
    Newer {
        /// The version in the database.
        found: i32,
        /// The newest version this binary knows.
        known: i32,
    },
    /// The schema is older than this git-zen needs.
    #[error("the database's git-zen schema is version {found}; this git-zen needs {known}")]
    Older {
        /// The version in the database.
        found: i32,
        /// The version this binary needs.
        known: i32,
    },
    /// The TLS settings cannot be used (an unreadable `sslrootcert`).
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    /// The vector extension is missing and could not be created.
    #[error("the database cannot enable pgvector: {0}")]
    NoVector(String),
    /// No hub of that name is in the index.
    #[error("no hub named `{0}` in the org index")]
    UnknownHub(String),
    /// A hub of that name is already in the index.
    #[error("a hub named `{name}` is already in the org index ({url})")]
    HubExists {
        /// The name asked for.
        name: String,
        /// The URL already registered under it.
        url: String,
    },
    /// A hub name or URL that cannot be used.
    #[error(transparent)]
    Hub(#[from] crate::hub::HubError),
    /// The embedding model could not be loaded.
    #[error(transparent)]
    Model(#[from] crate::semantic::model::ModelError),
    /// Some hubs could not be indexed (each was reported; the others were indexed).
    #[error("{failed} of {total} hubs could not be indexed")]
    Partial {
        /// How many failed.
        failed: usize,
        /// How many there are.
        total: usize,
    },
}

impl Hint for OrgError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            OrgError::NoDatabase => format!(
                "pass --database postgres://user@host/db, or set {DATABASE_ENV}"
            ),
            OrgError::BadUrl(_) => {
                "write it as postgres://user[:password]@host[:port]/database[?sslmode=require]"
                    .into()
            }
            OrgError::Connect { message, .. } if message.contains("certificate") => {
                "the server's certificate is not trusted: name its CA with `sslrootcert=PATH`, or \
                 use `sslmode=require` to encrypt without checking who answers"
                    .into()
            }
            OrgError::Connect { .. } => {
                "check the host, port, user and password; `?sslmode=require` for a managed database"
                    .into()
            }
            OrgError::Tls(_) => {
                "`sslrootcert` names a PEM file of the CA certificates to trust, or `system`".into()
            }
            OrgError::NoSchema(_) | OrgError::Older { .. } => {
                "run `git zen org init` to create or migrate the schema".into()
            }
            OrgError::Newer { .. } => {
                "upgrade git-zen: a newer version created this schema, and this one would misread it"
                    .into()
            }
            OrgError::NoVector(_) => {
                "install pgvector on the server, or have an administrator run `CREATE EXTENSION vector`"
                    .into()
            }
            OrgError::UnknownHub(_) => "`git zen org hub list` shows the hubs".into(),
            OrgError::HubExists { .. } => "pick another name".into(),
            OrgError::Hub(e) => return e.hint(),
            OrgError::Model(e) => return e.hint(),
            OrgError::Partial { .. } => {
                "the reasons are above; the next `git zen org index` tries those hubs again".into()
            }
            OrgError::Db { .. } => return None,
        })
    }
}

/// A database: where it is, and a few open connections to reuse.
///
/// Connections are checked before reuse, so a server outlives a restart of the database: the
/// requests during the restart fail, the next ones connect again.
pub struct Db {
    config: postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    target: String,
    idle: Mutex<Vec<postgres::Client>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("target", &self.target).finish()
    }
}

/// A connection borrowed from a [`Db`], given back when dropped (unless it broke).
pub struct Conn<'a> {
    db: &'a Db,
    client: Option<postgres::Client>,
}

impl std::ops::Deref for Conn<'_> {
    type Target = postgres::Client;
    fn deref(&self) -> &postgres::Client {
        self.client.as_ref().expect("a connection until dropped")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut postgres::Client {
        self.client.as_mut().expect("a connection until dropped")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take()
            && !client.is_closed()
        {
            let mut idle = self.db.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < 8 {
                idle.push(client);
            }
        }
    }
}

impl Db {
    /// The database `url` names, else the one in `GIT_ZEN_DATABASE_URL`. Nothing is connected
    /// yet.
    pub fn open(url: Option<&str>) -> Result<Db, OrgError> {
        let from_env = std::env::var(DATABASE_ENV).ok();
        let url = url
            .or(from_env.as_deref())
            .filter(|u| !u.trim().is_empty())
            .ok_or(OrgError::NoDatabase)?;
        let (url, tls) = tls::split(url).map_err(OrgError::BadUrl)?;
        let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| {
            // The driver's message never repeats the URL.
            OrgError::BadUrl(e.to_string())
        })?;
        config.ssl_mode(tls.mode);
        let tls = tls::connector(&tls).map_err(OrgError::Tls)?;
        if config.get_application_name().is_none() {
            config.application_name("git-zen");
        }
        config.connect_timeout(Duration::from_secs(10));
        let host = config
            .get_hosts()
            .first()
            .map(|h| match h {
                postgres::config::Host::Tcp(name) => name.clone(),
                postgres::config::Host::Unix(path) => path.display().to_string(),
            })
            .unwrap_or_else(|| "localhost".into());
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let name = config.get_dbname().unwrap_or("(default)").to_owned();
        Ok(Db {
            config,
            tls,
            target: format!("{host}:{port}/{name}"),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Host, port and database, for messages (no credentials).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// A connection: an idle one that still answers, or a new one.
    pub fn conn(&self) -> Result<Conn<'_>, OrgError> {
        loop {
            let reused = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let Some(mut client) = reused else { break };
            if client.is_valid(Duration::from_secs(5)).is_ok() {
                return Ok(Conn {
                    db: self,
                    client: Some(client),
                });
            }
        }
        let client = self
            .config
            .connect(self.tls.clone())
            .map_err(|e| OrgError::Connect {
                target: self.target.clone(),
                message: message(&e),
            })?;
        Ok(Conn {
            db: self,
            client: Some(client),
        })
    }

    /// A connection to a database whose schema this git-zen reads.
    pub fn checked(&self) -> Result<Conn<'_>, OrgError> {
        let mut conn = self.conn()?;
        schema::check(self, &mut conn)?;
        Ok(conn)
    }

    /// For `map_err`: a failed statement.
    pub(crate) fn err(&self) -> impl Fn(postgres::Error) -> OrgError + '_ {
        move |e| OrgError::Db {
            target: self.target.clone(),
            message: message(&e),
        }
    }
}

/// The driver's message with the server's detail, when it has one.
fn message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_owned(),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text = format!("{text}: {s}");
                source = s.source();
            }
            text
        }
    }
}

/// The hubs in the org index.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OrgHub {
    /// Its name, as every hit names it.
    pub name: String,
    /// Its remote.
    pub url: String,
    /// The tree indexed last (`None`: never indexed).
    pub tree: Option<String>,
    /// When it was indexed last (RFC 3339).
    pub indexed_at: Option<String>,
    /// Records indexed (malformed ones included).
    pub records: i64,
    /// Why the last run could not index it, if it could not.
    pub problem: Option<String>,
}

/// Adds a hub to the index (indexed by the next `org index`).
pub fn hub_add(db: &Db, name: &str, url: &str) -> Result<OrgHub, OrgError> {
    crate::hub::config::check_name(name)?;
    let url = crate::hub::config::normalize_url(url)
        .ok_or_else(|| crate::hub::HubError::Unknown(url.to_owned()))?;
    let mut conn = db.checked()?;
    let existing = conn
        .query_opt("SELECT url FROM zen_hubs WHERE name = $1", &[&name])
        .map_err(db.err())?;
    if let Some(row) = existing {
        return Err(OrgError::HubExists {
            name: name.to_owned(),
            url: row.get(0),
        });
    }
    conn.execute(
        "INSERT INTO zen_hubs (name, url) VALUES ($1, $2)",
        &[&name, &url],
    )
    .map_err(db.err())?;
    Ok(OrgHub {
        name: name.to_owned(),
        url,
        tree: None,
        indexed_at: None,
        records: 0,
        problem: None,
    })
}

/// Removes a hub and everything indexed from it.
pub fn hub_remove(db: &Db, name: &str) -> Result<(), OrgError> {
    let mut conn = db.checked()?;
    let n = conn
        .execute("DELETE FROM zen_hubs WHERE name = $1", &[&name])
        .map_err(db.err())?;
    if n == 0 {
        return Err(OrgError::UnknownHub(name.to_owned()));
    }
    Ok(())
}

/// Every hub in the index, by name.
pub fn hub_list(db: &Db) -> Result<Vec<OrgHub>, OrgError> {
    let mut conn = db.checked()?;
    let rows = conn
        .query(
            "SELECT name, url, tree,
                    to_char(indexed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    records::bigint, problem
             FROM zen_hubs ORDER BY name",
            &[],
        )
        .map_err(db.err())?;
    Ok(rows
        .iter()
        .map(|r| OrgHub {
            name: r.get(0),
            url: r.get(1),
            tree: r.get(2),
            indexed_at: r.get(3),
            records: r.get(4),
            problem: r.get(5),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_server_never_the_credentials() {
        let db = Db::open(Some(
            "postgres://zen:s3cret@db.internal:6543/zen?sslmode=require",
        ))
        .unwrap();
        assert_eq!(db.target(), "db.internal:6543/zen");
        assert!(!format!("{db:?}").contains("s3cret"));
        let bad = Db::open(Some("postgres://zen:s3cret@db.internal:notaport/zen")).unwrap_err();
        assert!(!bad.to_string().contains("s3cret"), "{bad}");
    }

    #[test]
    fn every_sslmode_builds_its_connector() {
        for mode in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
            Db::open(Some(&format!(
                "postgres://zen@db.internal/zen?sslmode={mode}"
            )))
            .unwrap();
        }
    }
}
