//! The embedded assets: a fixed table of names compiled into the binary, so a request can
//! name nothing else (no path is ever joined, nothing is read from disk).

/// The assets: (name, content type, bytes).
pub const ASSETS: [(&str, &str, &str); 2] = [
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("assets/style.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/app.js"),
    ),
];

/// The asset called `name`, as (content type, bytes).
pub fn get(name: &str) -> Option<(&'static str, &'static str)> {
    ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, t, b)| (*t, *b))
}
