//! The `secrets` rule kind: keyword prefilter, regexes, entropy and allowlists over added lines.
