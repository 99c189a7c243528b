//! Policies: rules loaded from the built-in sets and the project's `.datazentr/policies/`, run
//! against a set of changes by the hooks and by `git zen check`.

pub mod secrets;
