//! The `secrets` rule kind: keyword prefilter, regexes, entropy and allowlists over added lines.
//!
//! A `kind = "secrets"` rule names a token format: `keywords` that any line holding such a token
//! contains, a `regex` that finds the token in that line, optionally the capture group that is the
//! secret, a least Shannon entropy, and an allowlist. The built-in rules live in
//! `policies/security.toml`.
//!
//! # How a file is scanned
//!
//! [`Scanner::new`] builds one Aho-Corasick automaton over every rule's keywords (ASCII
//! case-insensitive; a contiguous NFA, quick to build, replaced by a faster DFA once a run has
//! scanned half a megabyte). [`Scanner::scan`] runs it over the whole file in one pass; at the
//! first keyword in a line it finds the line's bounds and number, skips the line unless it is an
//! added one, gathers every rule with a keyword in that line, runs only their regexes on it, and
//! goes on from the next line — so each line is checked at most once, and lines without a keyword
//! cost only the automaton's pass. Regexes, allowlist regexes and globs are compiled the first
//! time they are needed (a pre-commit hook that scans a small change compiles only the few
//! regexes its lines call for); [`Scanner::new`] checks their syntax cheaply, and
//! [`Scanner::compile_all`] compiles everything when a command wants every error up front.
//!
//! A rule with no keywords runs on every added line. That is much slower (its regex runs on all
//! the text instead of on a few lines): give rules keywords. Start regexes with `(?-u)` (ASCII
//! `\w`, `\b`, `\s` and case folding), as the built-in ones do: Unicode classes under `(?i)`
//! take milliseconds to compile.
//!
//! # What is reported
//!
//! For each match: the secret is the `secret_group` capture (by default the first capture group
//! that took part in the match, or the whole match when none did); it must reach `entropy`; then
//! the rule's allowlist, the global allowlist and the built-in filter may drop it. Where two
//! rules match overlapping text on one line, the rule that comes first in the list owns that text
//! even if its allowlist drops it, so a later, looser rule (the built-in `secret-generic`) neither
//! repeats a specific rule's finding nor reports what that rule knows to be an example.
//!
//! - A line containing [`ALLOW_MARKER`] (`zen:allow-secret`) is never reported.
//! - An [`Allowlist`] drops a finding when the file's path matches one of its `paths` (globset
//!   globs, matched against the repository-relative path with `/` separators; `*` and `**` cross
//!   `/`, so `**/yarn.lock` matches at any depth), one of its `regexes` matches the secret (or,
//!   for an entry starting with `line:`, the rest of the entry matches the whole line), or the
//!   secret contains one of its `stopwords`, compared case-insensitively.
//! - The global allowlist is the union of the `[secrets.allowlist]` tables of all policy files;
//!   the caller merges them and passes the result to [`Scanner::new`]. It applies to every rule.
//!   The built-in one holds the data-driven false-positive filters: lockfile paths, integrity
//!   hashes, placeholders (`${…}`, `{{…}}`, `<…>`, `%s`, `$VAR`), environment lookups
//!   (`process.env.`, `os.environ`, `getenv(`, `ENV[`) and stopwords (`example`, `xxxx`,
//!   `changeme`, `your_`, `dummy`, `redacted`, `****`, …).
//! - The one filter in code: a secret in which a single character makes up more than half of it
//!   (`AKIAAAAAAAAAAAAAAAAA`, `xoxb-000000000000-…`, `********`) is a placeholder.
//!
//! Reports never carry the secret itself, only [`mask`]ed: at most its first four characters and
//! its length.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};
use globset::{Glob, GlobSet, GlobSetBuilder};
use memchr::{memchr, memmem, memrchr};
use regex::bytes::{Captures, Match};
use serde::Deserialize;

mod compile;
#[cfg(test)]
mod corpus;
mod measure;
mod near;
#[cfg(test)]
mod tests;

use compile::{LazyRegex, check_regex, parens};
use measure::mostly_one_character;
pub use measure::{fingerprint, mask, shannon_entropy};
pub use near::Near;

/// A line containing this text is never reported, whatever it holds.
pub const ALLOW_MARKER: &str = "zen:allow-secret";

/// The prefix of an allowlist regex that is matched against the whole line instead of the secret.
pub const LINE_PREFIX: &str = "line:";

/// The keys of a `kind = "secrets"` rule (after the common keys are removed).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsSpec {
    /// Lowercase ASCII literals, matched case-insensitively: the regex runs only on added lines
    /// that contain one of them. Empty means the regex runs on every added line, which is slow.
    pub keywords: Vec<String>,
    /// A Rust regex (`regex::bytes`), matched against one line without its line end. Unicode is
    /// on unless it starts with `(?-u)`, as the built-in rules do: that compiles much faster.
    pub regex: String,
    /// The capture group holding the secret. Default: the first capture group that took part in
    /// the match (group 1 for a regex with one group), or the whole match if none did.
    #[serde(default)]
    pub secret_group: Option<usize>,
    /// The least Shannon entropy, in bits per character, the secret must have to be reported.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// This rule's exceptions, applied before the global allowlist.
    #[serde(default)]
    pub allowlist: Allowlist,
    /// A partner that must appear within a few lines for the match to count (see [`Near`]).
    #[serde(default)]
    pub near: Option<Near>,
}

/// Exceptions: a finding is dropped if its path matches `paths` (globset globs, `**/` style), or a
/// `regexes` entry matches the secret (or, for an entry starting with `line:`, the line), or the
/// secret contains a `stopwords` entry (case-insensitive).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowlist {
    /// Globs matched against the repository-relative path (`/` separators; `*` crosses `/`).
    #[serde(default)]
    pub paths: Vec<String>,
    /// Regexes matched against the secret; with a `line:` prefix, against the whole line.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Substrings that mark a secret as a placeholder, compared case-insensitively.
    #[serde(default)]
    pub stopwords: Vec<String>,
}

/// A bad rule: a regex or glob that does not parse, or a keyword or group that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// A rule's `regex` does not parse.
    #[error("rule `{rule}`: invalid regex `{pattern}`: {reason}")]
    Regex {
        /// The rule id.
        rule: String,
        /// The regex as written.
        pattern: String,
        /// What the regex parser said.
        reason: String,
    },
    /// A regex in a rule's allowlist does not parse.
    #[error("rule `{rule}`: invalid allowlist regex `{pattern}`: {reason}")]
    AllowlistRegex {
        /// The rule id.
        rule: String,
        /// The regex as written.
        pattern: String,
        /// What the regex parser said.
        reason: String,
    },
    /// A path glob in a rule's allowlist does not parse.
    #[error("rule `{rule}`: invalid allowlist glob `{pattern}`: {reason}")]
    AllowlistGlob {
        /// The rule id.
        rule: String,
        /// The glob as written.
        pattern: String,
        /// What the glob parser said.
        reason: String,
    },
    /// A regex in a `[secrets.allowlist]` table does not parse.
    #[error("[secrets.allowlist]: invalid regex `{pattern}`: {reason}")]
    GlobalRegex {
        /// The regex as written.
        pattern: String,
        /// What the regex parser said.
        reason: String,
    },
    /// A path glob in a `[secrets.allowlist]` table does not parse.
    #[error("[secrets.allowlist]: invalid glob `{pattern}`: {reason}")]
    GlobalGlob {
        /// The glob as written.
        pattern: String,
        /// What the glob parser said.
        reason: String,
    },
    /// `secret_group` names a capture group the regex does not have.
    #[error(
        "rule `{rule}`: secret_group = {group}, but the regex has {groups} capture group(s); \
         use a group number from 0 (the whole match) to {groups}"
    )]
    SecretGroup {
        /// The rule id.
        rule: String,
        /// The `secret_group` asked for.
        group: usize,
        /// The number of capture groups in the regex (not counting group 0).
        groups: usize,
    },
    /// A keyword that would make the prefilter useless or could never match within a line.
    #[error("rule `{rule}`: keyword {keyword:?} {problem}")]
    Keyword {
        /// The rule id.
        rule: String,
        /// The keyword as written.
        keyword: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The keyword automaton could not be built (far too many keywords).
    #[error("building the secrets keyword automaton: {0}")]
    Automaton(String),
}

/// One secret found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHit {
    /// The id of the rule that found it.
    pub rule: String,
    /// The 1-based line number.
    pub line: u32,
    /// The 1-based byte column where the secret starts.
    pub column: u32,
    /// The secret as [`mask`] shows it.
    pub masked: String,
    /// The SHA-256 of the secret in lowercase hex: what a baseline records instead of it.
    pub fingerprint: String,
}

/// A compiled set of secrets rules, built once per run.
pub struct Scanner {
    rules: Vec<Rule>,
    /// Every rule's keywords, deduplicated; `None` when no rule has any.
    keywords: Option<Keywords>,
    /// For each keyword (automaton pattern id), the rules that have it, in ascending order.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules without keywords: they run on every added line.
    every_line: Vec<usize>,
    global: Allow,
    marker: memmem::Finder<'static>,
}

/// Once a run has scanned this many bytes, the keyword automaton is rebuilt as a DFA: it takes
/// about 0.3 ms longer to build than the NFA, and searches about 1.5 times faster, so it pays
/// for itself at about this size. A hook scanning a small change never builds it.
const DFA_AFTER_BYTES: usize = 512 * 1024;

/// The keyword automaton: every rule's keywords, ASCII case-insensitive, standard semantics (so
/// overlapping matches within a line can be listed).
struct Keywords {
    patterns: Vec<Vec<u8>>,
    /// A contiguous NFA: quick to build.
    nfa: AhoCorasick,
    /// A DFA, built once [`DFA_AFTER_BYTES`] have been scanned; `None` if it could not be built.
    dfa: OnceLock<Option<AhoCorasick>>,
    scanned: AtomicUsize,
}

impl Keywords {
    fn new(patterns: Vec<Vec<u8>>) -> Result<Keywords, SecretsError> {
        let nfa = Self::build(&patterns, AhoCorasickKind::ContiguousNFA)
            .map_err(|e| SecretsError::Automaton(e.to_string()))?;
        Ok(Keywords {
            patterns,
            nfa,
            dfa: OnceLock::new(),
            scanned: AtomicUsize::new(0),
        })
    }

    fn build(
        patterns: &[Vec<u8>],
        kind: AhoCorasickKind,
    ) -> Result<AhoCorasick, aho_corasick::BuildError> {
        AhoCorasick::builder()
            .kind(Some(kind))
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(patterns)
    }

    /// The automaton to scan `len` more bytes with.
    fn automaton(&self, len: usize) -> &AhoCorasick {
        let total = self
            .scanned
            .fetch_add(len, Ordering::Relaxed)
            .saturating_add(len);
        if total < DFA_AFTER_BYTES {
            return &self.nfa;
        }
        self.dfa
            .get_or_init(|| Self::build(&self.patterns, AhoCorasickKind::DFA).ok())
            .as_ref()
            .unwrap_or(&self.nfa)
    }
}

struct Rule {
    id: String,
    regex: LazyRegex,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    allow: Allow,
    near: Option<near::Partner>,
}

/// One file's scan: what every line needs, and scratch space.
struct FileScan<'a> {
    path: &'a str,
    /// The whole file, for composite rules' partners on other lines.
    content: &'a [u8],
    /// The keyword automaton for this scan, if any rule has keywords.
    automaton: Option<&'a AhoCorasick>,
    /// The rules that apply to the current line.
    rules: Vec<usize>,
    /// Byte spans of the line already owned by a rule's match.
    owned: Vec<(usize, usize)>,
}

impl Scanner {
    /// `rules`: (rule id, spec). `global`: the union of all policy files' global allowlists,
    /// applied to every rule.
    ///
    /// Checks the syntax of every regex and glob and the keywords, but compiles regexes only when
    /// a scan first needs them (see [`Scanner::compile_all`]). Rule order matters: where two rules
    /// match overlapping text on a line, only the earlier one may report it.
    pub fn new(
        rules: Vec<(String, SecretsSpec)>,
        global: &Allowlist,
    ) -> Result<Scanner, SecretsError> {
        Self::new_checking(rules, global, |_| true, true)
    }

    /// Like [`Scanner::new`], checking the syntax only of the rules for which `check(id)` is
    /// true (and of the global allowlist when `check_global`). Built-in rules are compiled by
    /// git-zen's own tests, so a hook need not pay to parse them again on every commit.
    pub fn new_checking(
        rules: Vec<(String, SecretsSpec)>,
        global: &Allowlist,
        check: impl Fn(&str) -> bool,
        check_global: bool,
    ) -> Result<Scanner, SecretsError> {
        let global = Allow::new(global, Place::Global, check_global)?;
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut pattern_ids: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut every_line = Vec::new();
        let mut compiled = Vec::with_capacity(rules.len());
        for (index, (id, spec)) in rules.into_iter().enumerate() {
            let checked = check(&id);
            if checked {
                check_regex(&spec.regex).map_err(|reason| SecretsError::Regex {
                    rule: id.clone(),
                    pattern: spec.regex.clone(),
                    reason,
                })?;
            }
            if let Some(group) = spec.secret_group {
                let groups = parens(&spec.regex).groups;
                if group > groups {
                    return Err(SecretsError::SecretGroup {
                        rule: id,
                        group,
                        groups,
                    });
                }
            }
            for keyword in &spec.keywords {
                let problem = if keyword.is_empty() {
                    Some("is empty: it would match everywhere; leave `keywords` empty instead")
                } else if keyword.contains(['\n', '\r']) {
                    Some("contains a line break, so it can never match within one line")
                } else {
                    None
                };
                if let Some(problem) = problem {
                    return Err(SecretsError::Keyword {
                        rule: id,
                        keyword: keyword.clone(),
                        problem,
                    });
                }
                let key = keyword.as_bytes().to_ascii_lowercase();
                let next = patterns.len();
                let pattern = *pattern_ids.entry(key.clone()).or_insert(next);
                if pattern == next {
                    patterns.push(key);
                    keyword_rules.push(Vec::new());
                }
                if keyword_rules[pattern].last() != Some(&index) {
                    keyword_rules[pattern].push(index);
                }
            }
            if spec.keywords.is_empty() {
                every_line.push(index);
            }
            let allow = Allow::new(&spec.allowlist, Place::Rule(&id), checked)?;
            if let Some(near) = &spec.near
                && checked
            {
                check_regex(&near.regex).map_err(|reason| SecretsError::Regex {
                    rule: id.clone(),
                    pattern: near.regex.clone(),
                    reason,
                })?;
            }
            compiled.push(Rule {
                id,
                near: spec.near.as_ref().map(near::Partner::new),
                regex: LazyRegex::new(spec.regex.clone(), spec.regex),
                secret_group: spec.secret_group,
                entropy: spec.entropy,
                allow,
            });
        }
        let keywords = if patterns.is_empty() {
            None
        } else {
            Some(Keywords::new(patterns)?)
        };
        Ok(Scanner {
            rules: compiled,
            keywords,
            keyword_rules,
            every_line,
            global,
            marker: memmem::Finder::new(ALLOW_MARKER),
        })
    }

    /// Scans one file's content. `added(line)` says whether the 1-based line number is an added
    /// line (only those are reported). Pushes findings to `out`, in line order.
    ///
    /// `path` is the repository-relative path with `/` separators, matched against allowlist
    /// globs. Content is treated as bytes; the caller decides whether to skip binary files.
    pub fn scan(
        &self,
        path: &str,
        content: &[u8],
        added: &dyn Fn(u32) -> bool,
        out: &mut Vec<SecretHit>,
    ) {
        if self.rules.is_empty() || content.is_empty() || self.global.allows_path(path) {
            return;
        }
        let mut file = FileScan {
            path,
            content,
            automaton: self.keywords.as_ref().map(|k| k.automaton(content.len())),
            rules: Vec::new(),
            owned: Vec::new(),
        };
        match file.automaton {
            Some(automaton) if self.every_line.is_empty() => {
                self.scan_keyword_lines(automaton, &mut file, content, added, out);
            }
            _ => self.scan_every_line(&mut file, content, added, out),
        }
    }

    /// The fast path: only lines with a keyword are looked at.
    fn scan_keyword_lines(
        &self,
        automaton: &AhoCorasick,
        file: &mut FileScan<'_>,
        content: &[u8],
        added: &dyn Fn(u32) -> bool,
        out: &mut Vec<SecretHit>,
    ) {
        // `pos` is always the start of a line; `line` is the number of the line at `counted`.
        let mut pos = 0;
        let mut counted = 0;
        let mut line: u32 = 1;
        while pos < content.len() {
            let Some(hit) = automaton.find(Input::new(content).span(pos..content.len())) else {
                break;
            };
            let start = memrchr(b'\n', &content[pos..hit.start()]).map_or(pos, |i| pos + i + 1);
            let end = memchr(b'\n', &content[hit.end()..]).map_or(content.len(), |i| hit.end() + i);
            line = line.saturating_add(count_newlines(&content[counted..start]));
            counted = start;
            if added(line) {
                self.check_line(file, line, &content[start..end], out);
            }
            pos = end + 1;
        }
    }

    /// The slow path, when some rule has no keywords: every added line is looked at.
    fn scan_every_line(
        &self,
        file: &mut FileScan<'_>,
        content: &[u8],
        added: &dyn Fn(u32) -> bool,
        out: &mut Vec<SecretHit>,
    ) {
        // No line after the last `\n`: `added` is only asked about lines the file has.
        let lines = content.strip_suffix(b"\n").unwrap_or(content);
        let mut line: u32 = 0;
        for text in lines.split(|&b| b == b'\n') {
            line = line.saturating_add(1);
            if added(line) {
                self.check_line(file, line, text, out);
            }
        }
    }

    /// Runs the rules that apply to one added line (without its `\n`).
    fn check_line(
        &self,
        file: &mut FileScan<'_>,
        line_no: u32,
        line: &[u8],
        out: &mut Vec<SecretHit>,
    ) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if self.marker.find(line).is_some() {
            return;
        }
        file.rules.clear();
        if let Some(automaton) = file.automaton {
            for hit in automaton.find_overlapping_iter(line) {
                file.rules
                    .extend_from_slice(&self.keyword_rules[hit.pattern().as_usize()]);
            }
        }
        file.rules.extend_from_slice(&self.every_line);
        if file.rules.is_empty() {
            return;
        }
        file.rules.sort_unstable();
        file.rules.dedup();
        file.owned.clear();
        for i in 0..file.rules.len() {
            let rule = &self.rules[file.rules[i]];
            // A regex that fails to compile (over the size limit) is inert here;
            // `compile_all` reports it.
            let Ok(regex) = rule.regex.get() else {
                continue;
            };
            for caps in regex.captures_iter(line) {
                let Some(secret) = rule.secret(&caps) else {
                    continue;
                };
                let span = (secret.start(), secret.end());
                if span.0 == span.1 || file.owned.iter().any(|&(s, e)| s < span.1 && span.0 < e) {
                    continue;
                }
                // A composite rule without its partner nearby leaves the text to later rules.
                if rule
                    .near
                    .as_ref()
                    .is_some_and(|p| !p.is_near(file.content, line_no))
                {
                    continue;
                }
                file.owned.push(span);
                if self.reportable(rule, file.path, line, secret.as_bytes()) {
                    out.push(SecretHit {
                        rule: rule.id.clone(),
                        line: line_no,
                        column: u32::try_from(span.0 + 1).unwrap_or(u32::MAX),
                        masked: mask(secret.as_bytes()),
                        fingerprint: fingerprint(secret.as_bytes()),
                    });
                }
            }
        }
    }

    /// Entropy, then the rule's allowlist, the global allowlist and the built-in filter.
    fn reportable(&self, rule: &Rule, path: &str, line: &[u8], secret: &[u8]) -> bool {
        if let Some(least) = rule.entropy
            && shannon_entropy(secret) < least
        {
            return false;
        }
        let lower = secret.to_ascii_lowercase();
        if rule.allow.allows_path(path) || rule.allow.allows_value(line, secret, &lower) {
            return false;
        }
        // The global path allowlist was checked before the scan started.
        if self.global.allows_value(line, secret, &lower) {
            return false;
        }
        !mostly_one_character(secret)
    }

    /// Compiles every regex and glob now, returning the first that fails (a regex over the size
    /// limit, which the cheap check in [`Scanner::new`] cannot see) or a `secret_group` beyond the
    /// regex's groups. For `git zen` commands that validate policies; scans do not need it.
    pub fn compile_all(&self) -> Result<(), SecretsError> {
        for rule in &self.rules {
            let regex = rule.regex.get().map_err(|reason| SecretsError::Regex {
                rule: rule.id.clone(),
                pattern: rule.regex.written.clone(),
                reason: reason.to_owned(),
            })?;
            let groups = regex.captures_len() - 1;
            if let Some(group) = rule.secret_group
                && group > groups
            {
                return Err(SecretsError::SecretGroup {
                    rule: rule.id.clone(),
                    group,
                    groups,
                });
            }
            if let Some(partner) = &rule.near {
                partner.compile().map_err(|reason| SecretsError::Regex {
                    rule: rule.id.clone(),
                    pattern: partner.written().to_owned(),
                    reason,
                })?;
            }
            rule.allow.compile_all(Place::Rule(&rule.id))?;
        }
        self.global.compile_all(Place::Global)
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule ids, in order.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.id.as_str())
    }
}

impl fmt::Debug for Scanner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scanner")
            .field("rules", &self.rule_ids().collect::<Vec<_>>())
            .field("keywords", &self.keyword_rules.len())
            .finish_non_exhaustive()
    }
}

impl Rule {
    /// The secret in one match: the chosen group, or the first group that took part, or the match.
    fn secret<'h>(&self, caps: &Captures<'h>) -> Option<Match<'h>> {
        match self.secret_group {
            Some(group) => caps.get(group),
            None => (1..caps.len())
                .find_map(|i| caps.get(i))
                .or_else(|| caps.get(0)),
        }
    }
}

/// Where an allowlist comes from, for error messages.
#[derive(Clone, Copy)]
enum Place<'a> {
    Rule(&'a str),
    Global,
}

impl Place<'_> {
    fn regex_error(self, pattern: &str, reason: String) -> SecretsError {
        match self {
            Place::Rule(rule) => SecretsError::AllowlistRegex {
                rule: rule.to_owned(),
                pattern: pattern.to_owned(),
                reason,
            },
            Place::Global => SecretsError::GlobalRegex {
                pattern: pattern.to_owned(),
                reason,
            },
        }
    }

    fn glob_error(self, pattern: &str, reason: String) -> SecretsError {
        match self {
            Place::Rule(rule) => SecretsError::AllowlistGlob {
                rule: rule.to_owned(),
                pattern: pattern.to_owned(),
                reason,
            },
            Place::Global => SecretsError::GlobalGlob {
                pattern: pattern.to_owned(),
                reason,
            },
        }
    }
}

/// A compiled [`Allowlist`]; its globs and regexes are compiled on first use, each regex on its
/// own (cheaper than one set, and a finding that an early entry allows never compiles the rest).
struct Allow {
    paths: Vec<String>,
    path_set: OnceLock<Result<GlobSet, String>>,
    secret_regexes: Vec<LazyRegex>,
    line_regexes: Vec<LazyRegex>,
    /// Lowercase.
    stopwords: Vec<Vec<u8>>,
}

impl Allow {
    fn new(list: &Allowlist, place: Place<'_>, check: bool) -> Result<Allow, SecretsError> {
        for pattern in list.paths.iter().filter(|_| check) {
            Glob::new(pattern).map_err(|e| place.glob_error(pattern, e.kind().to_string()))?;
        }
        let mut secret_regexes = Vec::new();
        let mut line_regexes = Vec::new();
        for entry in &list.regexes {
            let (target, pattern) = match entry.strip_prefix(LINE_PREFIX) {
                Some(pattern) => (&mut line_regexes, pattern),
                None => (&mut secret_regexes, entry.as_str()),
            };
            if check {
                check_regex(pattern).map_err(|reason| place.regex_error(entry, reason))?;
            }
            target.push(LazyRegex::new(entry.clone(), pattern.to_owned()));
        }
        Ok(Allow {
            paths: list.paths.clone(),
            path_set: OnceLock::new(),
            secret_regexes,
            line_regexes,
            stopwords: list
                .stopwords
                .iter()
                .filter(|w| !w.is_empty())
                .map(|w| w.as_bytes().to_ascii_lowercase())
                .collect(),
        })
    }

    fn path_set(&self) -> &Result<GlobSet, String> {
        self.path_set.get_or_init(|| {
            let mut builder = GlobSetBuilder::new();
            for pattern in &self.paths {
                builder.add(Glob::new(pattern).map_err(|e| e.to_string())?);
            }
            builder.build().map_err(|e| e.to_string())
        })
    }

    fn allows_path(&self, path: &str) -> bool {
        !self.paths.is_empty() && self.path_set().as_ref().is_ok_and(|set| set.is_match(path))
    }

    /// Whether a regex or stopword allows this secret (`lower` is it in ASCII lowercase).
    fn allows_value(&self, line: &[u8], secret: &[u8], lower: &[u8]) -> bool {
        self.stopwords
            .iter()
            .any(|w| memmem::find(lower, w).is_some())
            || self.secret_regexes.iter().any(|r| r.is_match(secret))
            || self.line_regexes.iter().any(|r| r.is_match(line))
    }

    fn compile_all(&self, place: Place<'_>) -> Result<(), SecretsError> {
        if !self.paths.is_empty()
            && let Err(reason) = self.path_set()
        {
            let pattern = self.paths.join("`, `");
            return Err(place.glob_error(&pattern, reason.clone()));
        }
        for regex in self.secret_regexes.iter().chain(&self.line_regexes) {
            if let Err(reason) = regex.get() {
                return Err(place.regex_error(&regex.written, reason.to_owned()));
            }
        }
        Ok(())
    }
}

fn count_newlines(bytes: &[u8]) -> u32 {
    // A plain loop that LLVM vectorizes; it runs over each byte of the file at most once.
    let n = bytes.iter().filter(|&&b| b == b'\n').count();
    u32::try_from(n).unwrap_or(u32::MAX)
}
