//! The dashboard: `git zen serve` (pages and a JSON API over HTTP) and `git zen site build`
//! (the same pages as static files).
//!
//! The HTTP server is a third front end beside the command line and the MCP server: it parses
//! a request, reads through the [`model::ReadModel`] (or calls a write use case) and renders.
//! Pages are server-rendered HTML that works without JavaScript; one small embedded script
//! adds search-as-you-type, client-side search on the static site, and live reload when the
//! records change. Everything a page shows from a record is escaped or sanitized
//! ([`html::esc`], [`markdown`]); the server's guard ([`guard`]) adds the security headers and
//! refuses requests for other hosts.

pub mod api;
pub mod assets;
pub mod guard;
pub mod html;
pub mod local;
pub mod markdown;
pub mod model;
pub mod pages;
pub mod server;
pub mod site;
