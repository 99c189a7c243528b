//! The labelled corpus in `tests/fixtures/secrets/`: every built-in rule against samples written
//! for this project, scored per provider.
//!
//! Why a corpus apart from the cases in `tests.rs`: those pin which rule owns which line; this one
//! measures what a user sees — for each provider, how many of its real-shaped tokens are reported
//! (recall) and how many of its look-alikes are (false alarms) — so a rule change that trades one
//! for the other shows up as a number, and a drop below the bar fails the build.
//!
//! # Format
//!
//! One sample per line: `<+|-> <provider> <path> <line>`, separated by single spaces; the line is
//! the rest, verbatim (leading spaces kept). `+` says some rule must report the line, and — unless
//! the provider is `any` — one whose id is `secret-<provider>` or starts with
//! `secret-<provider>-`; `-` says no rule may report it. Lines starting with `#` and blank
//! lines are comments. `[[kind:len]]`, `[[uuid]]` and `[[ghcrc]]` are replaced by generated
//! characters (see [`super::tests::expand`]), seeded by the sample line, so no
//! file holds a token anyone issued and every run sees the same text. `⏎` is a line break, for a
//! credential whose two halves sit on neighbouring lines.

use std::collections::BTreeMap;
use std::path::Path;

use std::collections::BTreeSet;

use super::tests::{CORPUS, Expect, builtin, expand, scanner};

/// Stands for a line break in a sample, for pairs split over lines (composite rules).
const LINE_BREAK: char = '⏎';

/// Recall every provider with a rule must reach on its `+` samples.
const LEAST_RECALL: f64 = 0.95;
/// The most `-` samples, over the whole corpus, any rule may report.
const MOST_FALSE_ALARMS: f64 = 0.05;

/// One labelled sample.
struct Sample {
    /// `file:line`, for failure messages.
    place: String,
    positive: bool,
    provider: String,
    path: String,
    text: String,
}

/// FNV-1a over the sample's own text: stable across runs and platforms, and a sample keeps its
/// generated values when lines are added or moved around it.
fn seed(line: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in line.as_bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Reads every `*.txt` file of the corpus; a malformed line fails the test with its place.
fn samples() -> Vec<Sample> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/secrets");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/secrets exists")
        .map(|e| e.expect("read corpus dir").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let name = file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&file).expect("read corpus file");
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let place = format!("{name}:{}", i + 1);
            let mut fields = line.splitn(4, ' ');
            let (Some(sign), Some(provider), Some(path), Some(sample)) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                panic!("{place}: want `<+|-> <provider> <path> <line>`");
            };
            let positive = match sign {
                "+" => true,
                "-" => false,
                _ => panic!("{place}: starts with {sign:?}, want + or -"),
            };
            out.push(Sample {
                positive,
                provider: provider.to_owned(),
                path: path.to_owned(),
                text: expand(sample, seed(line)).replace(LINE_BREAK, "\n"),
                place,
            });
        }
    }
    out
}

/// Whether rule `id` belongs to `provider`.
fn owns(provider: &str, id: &str) -> bool {
    provider == "any"
        || id.strip_prefix("secret-").is_some_and(|rest| {
            rest == provider
                || rest
                    .strip_prefix(provider)
                    .is_some_and(|r| r.starts_with('-'))
        })
}

/// Per provider: `+` samples, of them reported by the provider's rule, `-` samples, of them
/// reported by any rule.
#[derive(Default)]
struct Score {
    positives: usize,
    caught: usize,
    negatives: usize,
    alarms: usize,
}

#[test]
fn the_corpus_meets_the_recall_and_false_alarm_bars() {
    let samples = samples();
    let mut scores: BTreeMap<&str, Score> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut alarms = Vec::new();
    for sample in &samples {
        let mut hits = Vec::new();
        scanner().scan(&sample.path, sample.text.as_bytes(), &|_| true, &mut hits);
        let score = scores.entry(&sample.provider).or_default();
        if sample.positive {
            score.positives += 1;
            if hits.iter().any(|h| owns(&sample.provider, &h.rule)) {
                score.caught += 1;
            } else {
                let rules: Vec<&str> = hits.iter().map(|h| h.rule.as_str()).collect();
                misses.push(format!(
                    "{}: missed (got {rules:?}): {}",
                    sample.place, sample.text
                ));
            }
        } else {
            score.negatives += 1;
            if let Some(hit) = hits.first() {
                score.alarms += 1;
                alarms.push(format!(
                    "{}: {} reported: {}",
                    sample.place, hit.rule, sample.text
                ));
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    eprintln!(
        "{:<24} {:>9} {:>7} {:>9} {:>7}",
        "provider", "caught", "recall", "alarms", "rate"
    );
    for (provider, s) in &scores {
        eprintln!(
            "{provider:<24} {:>9} {:>7.2} {:>9} {:>7.2}",
            format!("{}/{}", s.caught, s.positives),
            ratio(s.caught, s.positives),
            format!("{}/{}", s.alarms, s.negatives),
            ratio(s.alarms, s.negatives.max(1)) * f64::from(u8::from(s.negatives > 0)),
        );
    }
    for line in misses.iter().chain(&alarms) {
        eprintln!("{line}");
    }
    let sum = |f: fn(&Score) -> usize| scores.values().map(f).sum::<usize>();
    let (negatives, alarmed) = (sum(|s| s.negatives), sum(|s| s.alarms));
    let providers = scores.values().filter(|s| s.positives > 0).count();
    eprintln!(
        "{} samples; {providers} providers with positives; recall {:.3}; false alarms {alarmed}/{negatives} = {:.3}",
        samples.len(),
        ratio(sum(|s| s.caught), sum(|s| s.positives)),
        ratio(alarmed, negatives),
    );
    let low: Vec<String> = scores
        .iter()
        .filter(|(_, s)| s.positives > 0 && ratio(s.caught, s.positives) < LEAST_RECALL)
        .map(|(p, s)| format!("{p}: {}/{}", s.caught, s.positives))
        .collect();
    assert!(
        low.is_empty(),
        "recall below {LEAST_RECALL} for {low:?}:\n{}",
        misses.join("\n")
    );
    assert!(
        ratio(alarmed, negatives) <= MOST_FALSE_ALARMS,
        "false alarms {alarmed}/{negatives} above {MOST_FALSE_ALARMS}:\n{}",
        alarms.join("\n")
    );
}

/// Every built-in rule must earn its place: it reports some `+` sample here (or a positive case
/// of `tests.rs`), and every provider has a `-` sample, a look-alike its rules must not report.
#[test]
fn every_builtin_rule_reports_a_sample_and_every_provider_has_a_negative() {
    let samples = samples();
    let mut reporting: BTreeSet<String> = CORPUS
        .iter()
        .filter(|c| c.3 != Expect::Quiet)
        .map(|c| c.0.to_owned())
        .collect();
    for sample in samples.iter().filter(|s| s.positive) {
        let mut hits = Vec::new();
        scanner().scan(&sample.path, sample.text.as_bytes(), &|_| true, &mut hits);
        reporting.extend(hits.into_iter().map(|h| h.rule));
    }
    let silent: Vec<String> = builtin()
        .0
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| !reporting.contains(id))
        .collect();
    assert!(silent.is_empty(), "rules no sample exercises: {silent:?}");
    let with_negative: BTreeSet<&str> = samples
        .iter()
        .filter(|s| !s.positive)
        .map(|s| s.provider.as_str())
        .collect();
    let without: BTreeSet<&str> = samples
        .iter()
        .map(|s| s.provider.as_str())
        .filter(|p| !with_negative.contains(p))
        .collect();
    assert!(
        without.is_empty(),
        "providers without a negative sample: {without:?}"
    );
}

#[test]
fn a_provider_owns_its_rules_only() {
    assert!(owns("github", "secret-github"));
    assert!(owns("github", "secret-github-token"));
    assert!(!owns("github", "secret-githubx-token"));
    assert!(!owns("git", "secret-github-token"));
    assert!(owns("any", "secret-generic"));
}

/// Writes the expanded corpus for `bench/secrets` — one file per sample under
/// `$GIT_ZEN_CORPUS_OUT/<n>/<path>`, and `labels.tsv` (`n`, `+`/`-`, provider, path) — so other
/// scanners can be run on exactly the text git-zen is scored on. Ignored unless asked for.
#[test]
#[ignore = "run by bench/secrets"]
fn write_the_corpus_for_other_scanners() {
    let Some(out) = std::env::var_os("GIT_ZEN_CORPUS_OUT") else {
        return;
    };
    let out = Path::new(&out);
    let mut labels = String::new();
    for (n, sample) in samples().iter().enumerate() {
        let file = out.join(n.to_string()).join(&sample.path);
        std::fs::create_dir_all(file.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&file, format!("{}\n", sample.text)).expect("write sample");
        labels.push_str(&format!(
            "{n}\t{}\t{}\t{}\n",
            if sample.positive { "+" } else { "-" },
            sample.provider,
            sample.path
        ));
    }
    std::fs::write(out.join("labels.tsv"), labels).expect("write labels");
}
