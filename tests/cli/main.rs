//! End-to-end tests of the `git zen` command in real temporary git repositories.

mod support;

mod agents;
mod bad_input;
mod baselines;
mod browser;
mod dashboard;
mod editing;
mod faults;
mod genesis;
mod git_conventions;
mod hooks;
mod hub;
mod importing;
mod judging;
mod mcp;
mod meaning;
mod merging;
mod org;
mod pg;
mod policies;
mod recall;
mod records;
mod regressions;
mod screens;
mod services;
mod verdicts;
