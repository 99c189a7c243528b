//! git-zen: a team's memory inside git.
//!
//! Decisions, patterns and lessons are [records](record) — Markdown files with TOML front matter in
//! a git-tracked `.datazentr/` folder ([store]) — so they are reviewed in pull requests and travel
//! with push and pull. This crate is the library behind the `git zen` command: every command's work
//! is done here and returns typed errors; the binary only parses arguments and prints.

#![deny(missing_docs)]

pub mod changes;
pub mod draft;
pub mod error;
pub mod event;
pub mod fault;
pub mod fsutil;
pub mod genesis;
pub mod hooks;
pub mod hub;
pub mod id;
pub mod import;
pub mod index;
pub mod jsonedit;
pub mod marked;
pub mod mcp;
pub mod org;
pub mod par;
pub mod policy;

pub mod record;
pub mod repo;
pub mod semantic;
pub mod services;
pub mod store;
pub mod text;
pub mod usecase;
pub mod validate;
pub mod web;
