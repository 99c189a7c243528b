//! What a policy run found, and its SARIF form for code-scanning UIs.

use serde::Serialize;

use super::{Policies, Severity};

/// One broken rule at one place: a file and line, a commit, or the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The id of the rule that failed (what `GIT_ZEN_SKIP` takes).
    pub rule: String,
    /// The rule's severity: an `error` finding blocks, a `warn` one does not.
    pub severity: Severity,
    /// The file, relative to the work tree (none for message rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line in the file (or in the message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The commit, abbreviated to 12 hex digits, when checking commits (a range or a push).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The rule's `message`: what it guards and what to do.
    pub message: String,
    /// Evidence: the masked secret, the size, a gate's output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For a secret: the SHA-256 of the secret in hex, what a baseline records (never shown).
    #[serde(skip)]
    pub fingerprint: Option<String>,
}

/// Everything one run found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Findings in the order they were found.
    pub findings: Vec<Finding>,
    /// Rules named in `GIT_ZEN_SKIP` that were skipped.
    pub skipped: Vec<String>,
    /// Command gates not run because their policy file is not trusted.
    pub untrusted: Vec<String>,
    /// How many rules ran.
    pub rules_run: usize,
    /// Files whose content was read.
    pub files_checked: usize,
}

/// The JSON shape of a report: `git zen check --json`, and the MCP server's `check_staged`.
#[derive(Debug, Serialize)]
pub struct ReportJson<'a> {
    /// Whether an `error` finding blocks.
    pub blocked: bool,
    /// Number of `error` findings.
    pub errors: usize,
    /// Number of `warn` findings.
    pub warnings: usize,
    /// The report's own fields.
    #[serde(flatten)]
    pub report: &'a Report,
}

impl Report {
    /// The report with its verdict and counts, as JSON shows it.
    pub fn to_json(&self) -> ReportJson<'_> {
        ReportJson {
            blocked: self.blocks(),
            errors: self.count(Severity::Error),
            warnings: self.count(Severity::Warn),
            report: self,
        }
    }

    /// Number of findings with `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Whether an `error` finding blocks the commit or push.
    pub fn blocks(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// The report as a SARIF 2.1.0 log (what GitHub and GitLab code scanning read).
    pub fn to_sarif(&self, policies: &Policies) -> serde_json::Value {
        use serde_json::json;
        let rules: Vec<_> = policies
            .rules
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "shortDescription": { "text": r.message },
                    "properties": { "kind": r.kind.name() },
                    "defaultConfiguration": { "level": level(r.severity) },
                })
            })
            .collect();
        let results: Vec<_> = self
            .findings
            .iter()
            .map(|f| {
                let mut text = f.message.clone();
                if let Some(detail) = &f.detail {
                    text = format!("{text} ({detail})");
                }
                let mut result = json!({
                    "ruleId": f.rule,
                    "level": level(f.severity),
                    "message": { "text": text },
                });
                if let Some(path) = &f.path {
                    let mut location = json!({
                        "artifactLocation": { "uri": uri_path(path), "uriBaseId": "%SRCROOT%" }
                    });
                    if let Some(line) = f.line {
                        location["region"] = json!({ "startLine": line });
                    }
                    result["locations"] = json!([{ "physicalLocation": location }]);
                }
                if let Some(commit) = &f.commit {
                    result["properties"] = json!({ "commit": commit });
                }
                result
            })
            .collect();
        json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": {
                    "name": "git-zen",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }},
                "results": results,
            }],
        })
    }
}

/// A repository path as a relative URI reference: bytes outside RFC 3986's unreserved set and
/// `/` are percent-encoded (a path may hold spaces, `#` or `%`).
fn uri_path(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warn => "warning",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_become_uri_references() {
        assert_eq!(super::uri_path("src/a b#1%.py"), "src/a%20b%231%25.py");
        assert_eq!(super::uri_path("ü.txt"), "%C3%BC.txt");
    }
}
