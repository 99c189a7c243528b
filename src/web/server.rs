//! `git zen serve`: the pages and the JSON API over HTTP, on one thread with a blocking pool.
//!
//! Each request opens the repository and a [`LocalModel`] on the blocking pool (the cache is
//! SQLite, the history is `git log`), so every answer sees the records as they are at that
//! moment; the list of all records is reused between requests while the cache's version says
//! nothing changed. Every response passes [`guard`]: wrong `Host` refused, security headers
//! added.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;

use crate::error::{ErrorKind, UserError};
use crate::repo::Repo;
use crate::store::Store;

use super::html::{Ctx, esc};
use super::local::{LocalModel, Shared};
use super::model::ReadModel;
use super::pages::{self, timeline};
use super::{api, assets, guard};

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// A directory inside the repository to serve.
    pub dir: PathBuf,
    /// The address to listen on (127.0.0.1 unless asked otherwise).
    pub bind: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// The hub of the hub page (`Some("")`: the project's default hub).
    pub hub: Option<String>,
    /// Enable the write routes, guarded by a token.
    pub allow_write: bool,
    /// Serve the org index in this database instead of the repository (`dir` is unused).
    pub database: Option<Arc<crate::org::Db>>,
    /// With a database and a bind address beyond loopback: the token every request must bear.
    pub read_token: Option<String>,
}

/// Where the server listens, told to the caller once it does.
#[derive(Debug, Clone)]
pub struct Serving {
    /// `http://address:port/`.
    pub url: String,
    /// The write token, with `--allow-write`.
    pub token: Option<String>,
}

struct App {
    dir: PathBuf,
    addr: SocketAddr,
    token: Option<String>,
    hub: Option<String>,
    shared: Arc<Shared>,
    org: Option<crate::org::model::OrgModel>,
    read_token: Option<String>,
}

type AppState = State<Arc<App>>;

impl App {
    /// Runs `f` with a fresh model on the blocking pool.
    async fn with_model<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&dyn ReadModel, &Ctx) -> Result<T, UserError> + Send + 'static,
    ) -> Result<T, UserError> {
        let app = self.clone();
        tokio::task::spawn_blocking(move || {
            if let Some(org) = &app.org {
                let ctx = Ctx::served(org.version()?, true);
                return f(org, &ctx);
            }
            let repo = Repo::discover(&app.dir)?;
            let model = LocalModel::open(repo, app.shared.clone(), app.hub.clone())?;
            let ctx = Ctx::served(model.version()?, app.hub.is_some());
            f(&model, &ctx)
        })
        .await
        .map_err(|e| UserError::failed(format!("the request failed: {e}")))?
    }

    /// Runs `f` with the repository on the blocking pool (writes).
    async fn with_repo<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Repo) -> Result<T, UserError> + Send + 'static,
    ) -> Result<T, UserError> {
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || f(&Repo::discover(&dir)?))
            .await
            .map_err(|e| UserError::failed(format!("the request failed: {e}")))?
    }
}

/// Serves until the process ends; `ready` is called once the port is open.
pub fn serve(options: ServeOptions, ready: impl FnOnce(&Serving)) -> Result<(), UserError> {
    // Fail now, on the command line, rather than on the first request.
    let org = match &options.database {
        Some(db) => Some(crate::org::model::OrgModel::open(db.clone())?),
        None => {
            Store::open(&Repo::discover(&options.dir)?)?;
            None
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| UserError::failed(format!("cannot start the server: {e}")))?;
    runtime.block_on(async move {
        let wanted = SocketAddr::new(options.bind, options.port);
        let listener = tokio::net::TcpListener::bind(wanted).await.map_err(|e| {
            UserError::failed(format!("cannot listen on {wanted}: {e}"))
                .hint("pick another port with --port, or 0 for any free one")
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| UserError::failed(format!("cannot read the address: {e}")))?;
        let token = options.allow_write.then(guard::new_token);
        let app = Arc::new(App {
            dir: options.dir,
            addr,
            token: token.clone(),
            hub: options.hub,
            shared: Arc::default(),
            org,
            read_token: options.read_token,
        });
        ready(&Serving {
            url: format!("http://{addr}/"),
            token,
        });
        axum::serve(listener, router(app))
            .await
            .map_err(|e| UserError::failed(format!("the server stopped: {e}")))
    })
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(overview))
        .route("/records", get(timeline_page))
        .route("/r/{id}", get(record_page))
        .route("/graph", get(graph_page))
        .route("/code", get(code_page))
        .route("/policies", get(policies_page))
        .route("/hub", get(hub_page))
        .route("/services", get(services_page))
        .route("/assets/{name}", get(asset))
        .route("/api/v1/records", get(api_records).post(api_create))
        .route("/api/v1/records/{id}", get(api_record))
        .route("/api/v1/recall", get(api_recall))
        .route("/api/v1/related/{id}", get(api_related))
        .route("/api/v1/version", get(api_version))
        .route("/api/v1/outcomes", axum::routing::post(api_outcome))
        .route("/api/v1/openapi.json", get(openapi))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), protect))
        .with_state(app)
}

/// Refuses a request whose `Host` is not the served address (421), and secures every answer.
async fn protect(State(app): AppState, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    let refused = app
        .read_token
        .as_deref()
        .is_some_and(|token| !guard::bears_token(token, request.headers()));
    let mut response = match host {
        Some(_) if refused => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "this server needs its token: Authorization: Bearer <token>\n",
        )
            .into_response(),
        Some(host) if guard::host_allowed(app.addr, &host) => next.run(request).await,
        Some(_) => (
            StatusCode::MISDIRECTED_REQUEST,
            "this server answers only requests for its own address\n",
        )
            .into_response(),
        None => (StatusCode::BAD_REQUEST, "a Host header is required\n").into_response(),
    };
    guard::secure(&mut response);
    response
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn status_of(e: &UserError) -> StatusCode {
    match e.kind {
        ErrorKind::Usage => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn error_page(status: StatusCode, e: &UserError) -> Response {
    let ctx = Ctx::served(String::new(), false);
    let mut body = format!("<p class=\"notice\">{}</p>", esc(&e.message));
    for hint in &e.hints {
        body.push_str(&format!("<p>hint: {}</p>", esc(hint)));
    }
    let title = status.canonical_reason().unwrap_or("Error");
    html(status, super::html::page(&ctx, "", title, "", &body))
}

fn page_result(result: Result<String, UserError>) -> Response {
    match result {
        Ok(body) => html(StatusCode::OK, body),
        Err(e) => error_page(status_of(&e), &e),
    }
}

async fn overview(State(app): AppState) -> Response {
    page_result(app.with_model(|m, c| pages::overview::render(m, c)).await)
}

async fn timeline_page(
    State(app): AppState,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let query = match api::record_query(&params, timeline::PER_PAGE) {
        Ok(q) => q,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e),
    };
    page_result(
        app.with_model(move |m, c| timeline::render(m, c, &query))
            .await,
    )
}

async fn record_page(State(app): AppState, Path(id): Path<String>) -> Response {
    let result = app
        .with_model(move |m, c| match m.record(&id) {
            Ok(_) => pages::record::render(m, c, &id).map(Ok),
            Err(e) => Ok(Err(e)),
        })
        .await;
    match result {
        Ok(Ok(body)) => html(StatusCode::OK, body),
        Ok(Err(e)) => error_page(StatusCode::NOT_FOUND, &e),
        Err(e) => error_page(status_of(&e), &e),
    }
}

async fn graph_page(State(app): AppState) -> Response {
    page_result(app.with_model(|m, c| pages::graph::render(m, c)).await)
}

async fn code_page(State(app): AppState) -> Response {
    page_result(app.with_model(|m, c| pages::code::render(m, c)).await)
}

async fn policies_page(State(app): AppState) -> Response {
    page_result(app.with_model(|m, c| pages::policies::render(m, c)).await)
}

async fn services_page(State(app): AppState) -> Response {
    page_result(app.with_model(|m, c| pages::services::render(m, c)).await)
}

async fn hub_page(State(app): AppState) -> Response {
    match app.with_model(|m, c| pages::hub::render(m, c)).await {
        Ok(Some(body)) => html(StatusCode::OK, body),
        Ok(None) => error_page(
            StatusCode::NOT_FOUND,
            &UserError::failed("no hub page: this server was started without --hub")
                .hint("start it with `git zen serve --hub NAME`"),
        ),
        Err(e) => error_page(status_of(&e), &e),
    }
}

async fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        &UserError::failed("there is no such page"),
    )
}

async fn asset(Path(name): Path<String>) -> Response {
    match assets::get(&name) {
        Some((content_type, body)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset\n").into_response(),
    }
}

fn json_result(result: Result<Value, UserError>, not_found: bool) -> Response {
    match result {
        Ok(value) => (StatusCode::OK, axum::Json(value)).into_response(),
        Err(e) => {
            let status = match e.kind {
                ErrorKind::Usage => StatusCode::BAD_REQUEST,
                _ if not_found => StatusCode::NOT_FOUND,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            (status, axum::Json(api::error_json(&e))).into_response()
        }
    }
}

async fn api_records(
    State(app): AppState,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let result = match api::record_query(&params, api::PER_PAGE) {
        Ok(query) => app.with_model(move |m, _| api::records(m, &query)).await,
        Err(e) => Err(e),
    };
    json_result(result, false)
}

async fn api_record(State(app): AppState, Path(id): Path<String>) -> Response {
    json_result(app.with_model(move |m, _| api::record(m, &id)).await, true)
}

async fn api_recall(
    State(app): AppState,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    json_result(
        app.with_model(move |m, _| api::recall(m, &params)).await,
        false,
    )
}

async fn api_related(
    State(app): AppState,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    json_result(
        app.with_model(move |m, _| api::related(m, &id, &params))
            .await,
        true,
    )
}

async fn api_version(State(app): AppState) -> Response {
    json_result(
        app.with_model(|m, _| Ok(serde_json::json!({ "version": m.version()? })))
            .await,
        false,
    )
}

async fn openapi() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        api::OPENAPI,
    )
        .into_response()
}

/// A write route: refused unless writes are on, the token matches and the body is JSON.
async fn write(
    app: Arc<App>,
    headers: HeaderMap,
    body: Bytes,
    f: fn(&Repo, &[u8]) -> Result<Value, UserError>,
) -> Response {
    if let Some((status, message)) = guard::write_refusal(app.token.as_deref(), &headers) {
        return (status, axum::Json(serde_json::json!({ "error": message }))).into_response();
    }
    match app.with_repo(move |repo| f(repo, &body)).await {
        Ok(value) => (StatusCode::CREATED, axum::Json(value)).into_response(),
        Err(e) => json_result(Err(e), false),
    }
}

async fn api_create(State(app): AppState, headers: HeaderMap, body: Bytes) -> Response {
    write(app, headers, body, api::create).await
}

async fn api_outcome(State(app): AppState, headers: HeaderMap, body: Bytes) -> Response {
    write(app, headers, body, api::outcome).await
}
