use super::refs::{collect_refs, ref_from_target};
use super::*;

const TOOLS_1: &str =
    include_str!("../../../tests/fixtures/adr/adr-tools/0001-record-architecture-decisions.md");
const TOOLS_2: &str =
    include_str!("../../../tests/fixtures/adr/adr-tools/0002-use-mysql-for-persistence.md");
const TOOLS_3: &str =
    include_str!("../../../tests/fixtures/adr/adr-tools/0003-use-postgresql-for-persistence.md");
const TOOLS_4: &str = include_str!(
    "../../../tests/fixtures/adr/adr-tools/0004-partition-the-invoice-table-by-month.md"
);
const TOOLS_README: &str = include_str!("../../../tests/fixtures/adr/adr-tools/README.md");
const MADR_1: &str = include_str!(
    "../../../tests/fixtures/adr/madr/0001-use-markdown-architectural-decision-records.md"
);
const MADR_2: &str =
    include_str!("../../../tests/fixtures/adr/madr/0002-use-rest-for-the-public-api.md");
const MADR_3: &str = include_str!("../../../tests/fixtures/adr/madr/0003-log-in-json.md");
const MADR_4: &str =
    include_str!("../../../tests/fixtures/adr/madr/0004-use-graphql-for-the-public-api.md");
const MADR_TEMPLATE: &str = include_str!("../../../tests/fixtures/adr/madr/adr-template.md");
const L4B_1: &str = include_str!(
    "../../../tests/fixtures/adr/log4brains/20200925-use-markdown-architectural-decision-records.md"
);
const L4B_2: &str =
    include_str!("../../../tests/fixtures/adr/log4brains/20201002-store-sessions-in-redis.md");
const L4B_3: &str =
    include_str!("../../../tests/fixtures/adr/log4brains/20210114-store-sessions-in-postgres.md");
const L4B_INDEX: &str = include_str!("../../../tests/fixtures/adr/log4brains/index.md");
const L4B_TEMPLATE: &str = include_str!("../../../tests/fixtures/adr/log4brains/template.md");

/// Every fixture with its file name.
const FIXTURES: &[(&str, &str)] = &[
    ("0001-record-architecture-decisions.md", TOOLS_1),
    ("0002-use-mysql-for-persistence.md", TOOLS_2),
    ("0003-use-postgresql-for-persistence.md", TOOLS_3),
    ("0004-partition-the-invoice-table-by-month.md", TOOLS_4),
    ("README.md", TOOLS_README),
    (
        "0001-use-markdown-architectural-decision-records.md",
        MADR_1,
    ),
    ("0002-use-rest-for-the-public-api.md", MADR_2),
    ("0003-log-in-json.md", MADR_3),
    ("0004-use-graphql-for-the-public-api.md", MADR_4),
    ("adr-template.md", MADR_TEMPLATE),
    (
        "20200925-use-markdown-architectural-decision-records.md",
        L4B_1,
    ),
    ("20201002-store-sessions-in-redis.md", L4B_2),
    ("20210114-store-sessions-in-postgres.md", L4B_3),
    ("index.md", L4B_INDEX),
    ("template.md", L4B_TEMPLATE),
];

fn parse(name: &str, text: &str) -> ParsedAdr {
    match parse_adr(name, text) {
        Ok(adr) => adr,
        Err(e) => panic!("{name} did not parse: {e:?}"),
    }
}

fn date(y: i16, m: i8, d: i8) -> Option<jiff::civil::Date> {
    Some(jiff::civil::date(y, m, d))
}

fn stem(s: &str) -> AdrRef {
    AdrRef::Stem(s.to_string())
}

// ----- adr-tools -----------------------------------------------------------------------

#[test]
fn adr_tools_first_record() {
    let adr = parse("0001-record-architecture-decisions.md", TOOLS_1);
    assert_eq!(adr.format, AdrFormat::AdrTools);
    assert_eq!(adr.number, Some(1));
    assert_eq!(adr.stem, "0001-record-architecture-decisions");
    assert_eq!(adr.title, "Record architecture decisions");
    assert_eq!(adr.date, date(2016, 2, 12));
    assert_eq!(adr.status.as_deref(), Some("accepted"));
    assert!(adr.supersedes.is_empty() && adr.superseded_by.is_empty() && adr.related.is_empty());
    assert!(adr.tags.is_empty());
    assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
    assert!(
        adr.body.starts_with("## Context\n\nDecisions about"),
        "{}",
        adr.body
    );
    assert!(adr.body.ends_with("by a newer one.\n"));
    assert!(!adr.body.contains("## Status"));
    assert!(!adr.body.contains("Date:"));
    assert!(!adr.body.contains("# 1."));
}

#[test]
fn adr_tools_superseded_record_with_uk_date() {
    let adr = parse("0002-use-mysql-for-persistence.md", TOOLS_2);
    assert_eq!(adr.format, AdrFormat::AdrTools);
    assert_eq!(adr.number, Some(2));
    assert_eq!(adr.title, "Use MySQL for persistence");
    // adr-tools wrote dd/mm/yyyy before it switched to ISO 8601.
    assert_eq!(adr.date, date(2016, 3, 3));
    assert_eq!(adr.status.as_deref(), Some("superseded"));
    assert_eq!(adr.superseded_by, vec![AdrRef::Number(3)]);
    assert!(adr.supersedes.is_empty());
    assert!(adr.related.is_empty());
    assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
    assert!(adr.body.starts_with("## Context\n"));
    assert!(!adr.body.contains("Superceded"));
}

#[test]
fn adr_tools_superseding_record_with_amendment_and_code_block() {
    let adr = parse("0003-use-postgresql-for-persistence.md", TOOLS_3);
    assert_eq!(adr.number, Some(3));
    assert_eq!(adr.title, "Use PostgreSQL for persistence");
    assert_eq!(adr.date, date(2017, 6, 20));
    assert_eq!(adr.status.as_deref(), Some("accepted"));
    assert_eq!(adr.supersedes, vec![AdrRef::Number(2)]);
    assert!(adr.superseded_by.is_empty());
    assert_eq!(adr.related, vec![AdrRef::Number(4)]);
    assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
    assert!(
        adr.body
            .contains("# not a heading: this is inside a code block\n```\n")
    );
    assert!(adr.body.contains("## Consequences\n"));
}

#[test]
fn adr_tools_amends_is_related() {
    let adr = parse("0004-partition-the-invoice-table-by-month.md", TOOLS_4);
    assert_eq!(adr.status.as_deref(), Some("proposed"));
    assert_eq!(adr.related, vec![AdrRef::Number(3)]);
    assert!(adr.supersedes.is_empty() && adr.superseded_by.is_empty());
}

#[test]
fn adr_tools_readme_is_skipped() {
    assert_eq!(
        parse_adr("README.md", TOOLS_README),
        Err(AdrParseError::NotAnAdr)
    );
}

#[test]
fn adr_tools_template_is_skipped_by_content() {
    let template =
        "# NUMBER. TITLE\n\nDate: DATE\n\n## Status\n\nSTATUS\n\n## Context\n\nContext here...\n";
    assert_eq!(
        parse_adr("some-file.md", template),
        Err(AdrParseError::NotAnAdr)
    );
    assert_eq!(
        parse_adr("templates/template.md", template),
        Err(AdrParseError::NotAnAdr)
    );
}

#[test]
fn adr_tools_keeps_accepted_next_to_superseded_line_as_superseded() {
    let text = "# 5. Cache\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\nSuperseded by [7. Other](0007-other.md)\n\n## Context\n\nX\n";
    let adr = parse("0005-cache.md", text);
    assert_eq!(adr.status.as_deref(), Some("superseded"));
    assert_eq!(adr.superseded_by, vec![AdrRef::Number(7)]);
}

#[test]
fn adr_tools_status_section_extra_text_is_reported() {
    let text = "# 6. X\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\nAgreed in the March review.\n\n## Context\n\nC\n";
    let adr = parse("0006-x.md", text);
    assert_eq!(adr.status.as_deref(), Some("accepted"));
    assert_eq!(adr.warnings.len(), 1);
    assert_eq!(adr.warnings[0].0, 9);
    assert!(adr.warnings[0].1.contains("not imported"));
}

#[test]
fn adr_tools_link_text_with_relation_words_is_not_split() {
    let text = "# 9. Y\n\nDate: 2021-01-01\n\n## Status\n\nAccepted\n\nSupercedes [8. Replaces the cache](0008-replaces-the-cache.md)\n";
    let adr = parse("0009-y.md", text);
    assert_eq!(adr.supersedes, vec![AdrRef::Number(8)]);
    assert!(adr.related.is_empty());
    assert_eq!(adr.body, "");
}

// ----- MADR ----------------------------------------------------------------------------

#[test]
fn madr4_front_matter() {
    let adr = parse(
        "0001-use-markdown-architectural-decision-records.md",
        MADR_1,
    );
    assert_eq!(adr.format, AdrFormat::Madr);
    assert_eq!(adr.number, Some(1));
    assert_eq!(adr.title, "Use Markdown Architectural Decision Records");
    assert_eq!(adr.date, date(2019, 3, 11));
    assert_eq!(adr.status.as_deref(), Some("accepted"));
    assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
    assert!(adr.body.starts_with("## Context and Problem Statement\n"));
    assert!(!adr.body.contains("decision-makers"));
    assert!(adr.body.ends_with("plain Markdown.\n"));
}

#[test]
fn madr2_bullets_superseded() {
    let adr = parse("0002-use-rest-for-the-public-api.md", MADR_2);
    assert_eq!(adr.format, AdrFormat::Madr);
    assert_eq!(adr.number, Some(2));
    assert_eq!(adr.title, "Use REST for the public API");
    assert_eq!(adr.date, date(2019, 5, 14));
    assert_eq!(adr.status.as_deref(), Some("superseded"));
    assert_eq!(adr.superseded_by, vec![AdrRef::Number(4)]);
    assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
    assert!(
        adr.body
            .starts_with("Technical Story: https://tracker.example.com/API-112\n\n## Context")
    );
    assert!(!adr.body.contains("Deciders"));
    assert!(adr.body.contains("### Negative Consequences\n"));
}

#[test]
fn madr3_quoted_status_tags_and_block_lists() {
    let adr = parse("0003-log-in-json.md", MADR_3);
    assert_eq!(adr.format, AdrFormat::Madr);
    assert_eq!(adr.number, Some(3));
    assert_eq!(adr.title, "Log in JSON");
    assert_eq!(adr.date, date(2022, 10, 3));
    assert_eq!(adr.status.as_deref(), Some("proposed"));
    assert_eq!(
        adr.tags,
        vec!["observability".to_string(), "logging".to_string()]
    );
    assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
    assert!(adr.body.starts_with("## Context and Problem Statement\n"));
    assert!(!adr.body.contains("support"));
}

#[test]
fn madr_superseding_record_via_links_section() {
    let adr = parse("0004-use-graphql-for-the-public-api.md", MADR_4);
    assert_eq!(adr.format, AdrFormat::Madr);
    assert_eq!(adr.status.as_deref(), Some("accepted"));
    assert_eq!(adr.date, date(2023, 2, 27));
    assert_eq!(adr.supersedes, vec![AdrRef::Number(2)]);
    assert!(adr.superseded_by.is_empty());
    // The Links section is content: it stays in the body.
    assert!(
        adr.body.ends_with(
            "## Links\n\n* Supersedes [ADR-0002](0002-use-rest-for-the-public-api.md)\n"
        )
    );
    assert!(adr.body.starts_with("## Context and Problem Statement\n"));
}

#[test]
fn madr_template_is_skipped() {
    assert_eq!(
        parse_adr("adr-template.md", MADR_TEMPLATE),
        Err(AdrParseError::NotAnAdr)
    );
    // Also when a copy of the template sits under another name.
    assert_eq!(
        parse_adr("0099-new.md", MADR_TEMPLATE),
        Err(AdrParseError::NotAnAdr)
    );
    let madr2 = "# [short title of solved problem and solution]\n\n* Status: [proposed | rejected | accepted]\n";
    assert_eq!(
        parse_adr("template.md", madr2),
        Err(AdrParseError::NotAnAdr)
    );
    assert_eq!(parse_adr("0000-x.md", madr2), Err(AdrParseError::NotAnAdr));
    let madr1 = "# <Short Title of the Issue>\n\n## Considered Alternatives\n";
    assert_eq!(parse_adr("0001-x.md", madr1), Err(AdrParseError::NotAnAdr));
}

#[test]
fn madr_front_matter_superseded_by_quoted_link() {
    let text = "---\nstatus: \"superseded by [ADR-0005](0005-example.md)\"\ndate: 2023-01-01\n---\n\n# Old\n\nBody\n";
    let adr = parse("0003-old.md", text);
    assert_eq!(adr.status.as_deref(), Some("superseded"));
    assert_eq!(adr.superseded_by, vec![AdrRef::Number(5)]);
    assert_eq!(adr.body, "Body\n");
}

#[test]
fn madr4_bare_adr_number_and_jekyll_keys() {
    let text =
        "---\nparent: Decisions\nnav_order: 3\nstatus: superseded by ADR-0123\n---\n# Old way\n";
    let adr = parse("0003-old-way.md", text);
    assert_eq!(adr.status.as_deref(), Some("superseded"));
    assert_eq!(adr.superseded_by, vec![AdrRef::Number(123)]);
    assert_eq!(adr.date, None);
    assert_eq!(adr.body, "");
    assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
}

#[test]
fn front_matter_reference_lists() {
    let text = "---\nstatus: accepted\nsupersedes: [3, 20201016-use-x]\nrelated:\n  - \"[ADR-0002](0002-y.md)\"\n---\n# T\n";
    let adr = parse("0004-t.md", text);
    assert_eq!(
        adr.supersedes,
        vec![AdrRef::Number(3), stem("20201016-use-x")]
    );
    assert_eq!(adr.related, vec![AdrRef::Number(2)]);
}

#[test]
fn front_matter_that_is_never_closed_is_invalid() {
    let err = parse_adr("0001-x.md", "---\nstatus: accepted\n# Title\n").unwrap_err();
    match err {
        AdrParseError::Invalid { line, message, fix } => {
            assert_eq!(line, 1);
            assert!(message.contains("never closed"));
            assert!(fix.contains("`---`"), "{fix}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn front_matter_comment_is_not_a_title() {
    // Changed by issue 16: a file without a heading takes its title from the file name.
    let text = "---\n# a YAML comment\nstatus: accepted\n---\n";
    let adr = parse("0001-x.md", text);
    assert_eq!(adr.title, "X");
    assert_eq!(adr.title_from, TitleFrom::FileName);
}

// ----- log4brains ----------------------------------------------------------------------

#[test]
fn log4brains_first_record_with_bracket_tags() {
    let adr = parse(
        "20200925-use-markdown-architectural-decision-records.md",
        L4B_1,
    );
    assert_eq!(adr.format, AdrFormat::Log4brains);
    assert_eq!(adr.number, None);
    assert_eq!(
        adr.stem,
        "20200925-use-markdown-architectural-decision-records"
    );
    assert_eq!(adr.title, "Use Markdown Architectural Decision Records");
    assert_eq!(adr.date, date(2020, 9, 25));
    assert_eq!(adr.status.as_deref(), Some("accepted"));
    assert_eq!(adr.tags, vec!["doc".to_string(), "process".to_string()]);
    assert!(adr.warnings.is_empty(), "{:?}", adr.warnings);
    assert!(adr.body.starts_with("## Context and Problem Statement\n"));
}

#[test]
fn log4brains_superseded_by_slug() {
    let adr = parse("20201002-store-sessions-in-redis.md", L4B_2);
    assert_eq!(adr.format, AdrFormat::Log4brains);
    assert_eq!(adr.status.as_deref(), Some("superseded"));
    assert_eq!(
        adr.superseded_by,
        vec![stem("20210114-store-sessions-in-postgres")]
    );
    assert_eq!(adr.tags, vec!["backend".to_string(), "cache".to_string()]);
    assert_eq!(adr.date, date(2020, 10, 2));
    assert!(
        adr.body
            .starts_with("Technical Story: SHOP-231\n\n## Context")
    );
}

#[test]
fn log4brains_date_from_stem_intro_and_links_section() {
    let adr = parse("20210114-store-sessions-in-postgres.md", L4B_3);
    assert_eq!(adr.format, AdrFormat::Log4brains);
    assert_eq!(adr.number, None);
    assert_eq!(adr.date, date(2021, 1, 14));
    assert_eq!(adr.status.as_deref(), Some("accepted"));
    assert_eq!(
        adr.tags,
        vec!["backend".to_string(), "persistence".to_string()]
    );
    assert_eq!(
        adr.supersedes,
        vec![stem("20201002-store-sessions-in-redis")]
    );
    assert_eq!(
        adr.related,
        vec![stem("20200925-use-markdown-architectural-decision-records")]
    );
    assert!(
        adr.body
            .starts_with("Running a separate Redis only for sessions turned out not to be worth it.\n\n## Context"),
        "{}",
        adr.body
    );
}

#[test]
fn log4brains_index_and_template_are_skipped() {
    assert_eq!(
        parse_adr("index.md", L4B_INDEX),
        Err(AdrParseError::NotAnAdr)
    );
    assert_eq!(
        parse_adr("template.md", L4B_TEMPLATE),
        Err(AdrParseError::NotAnAdr)
    );
    // The template is recognised by its title too.
    assert_eq!(
        parse_adr("20240101-copy.md", L4B_TEMPLATE),
        Err(AdrParseError::NotAnAdr)
    );
}

#[test]
fn log4brains_bare_slug_and_draft() {
    let text = "# A\n\n- Status: superseded by 20201016-use-x\n";
    let adr = parse("20200101-a.md", text);
    assert_eq!(adr.superseded_by, vec![stem("20201016-use-x")]);
    let adr = parse(
        "20200101-b.md",
        "# B\n\n- Status: draft\n- Date: 2020-01-05\n",
    );
    assert_eq!(adr.status.as_deref(), Some("proposed"));
    assert_eq!(adr.date, date(2020, 1, 5));
}

// ----- supersede pairs -----------------------------------------------------------------

#[test]
fn supersede_pairs_agree_in_both_directions() {
    let old = parse("0002-use-mysql-for-persistence.md", TOOLS_2);
    let new = parse("0003-use-postgresql-for-persistence.md", TOOLS_3);
    assert_eq!(old.superseded_by, vec![AdrRef::Number(3)]);
    assert_eq!(new.supersedes, vec![AdrRef::Number(2)]);

    let old = parse("0002-use-rest-for-the-public-api.md", MADR_2);
    let new = parse("0004-use-graphql-for-the-public-api.md", MADR_4);
    assert_eq!(old.superseded_by, vec![AdrRef::Number(4)]);
    assert_eq!(new.supersedes, vec![AdrRef::Number(2)]);

    let old = parse("20201002-store-sessions-in-redis.md", L4B_2);
    let new = parse("20210114-store-sessions-in-postgres.md", L4B_3);
    assert_eq!(old.superseded_by, vec![AdrRef::Stem(new.stem.clone())]);
    assert_eq!(new.supersedes, vec![AdrRef::Stem(old.stem.clone())]);
}

// ----- line endings, errors, robustness ------------------------------------------------

#[test]
fn crlf_gives_the_same_result() {
    for &(name, text) in FIXTURES {
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(parse_adr(name, text), parse_adr(name, &crlf), "{name}");
    }
    let adr = parse(
        "0002-use-mysql-for-persistence.md",
        &TOOLS_2.replace('\n', "\r\n"),
    );
    assert!(!adr.body.contains('\r'));
}

#[test]
fn byte_order_mark_is_ignored() {
    let with_bom = format!("\u{feff}{MADR_1}");
    assert_eq!(
        parse_adr(
            "0001-use-markdown-architectural-decision-records.md",
            &with_bom
        ),
        parse_adr(
            "0001-use-markdown-architectural-decision-records.md",
            MADR_1
        )
    );
}

#[test]
fn missing_title_comes_from_the_file_name() {
    // Changed by issue 16: no `# Title` heading is no longer a reason to refuse a file.
    for text in [
        "Just prose.\n\n## Context\n\nX\n",
        "#NoSpace\n",
        "```\n# in code\n```\n",
        "\n\n#   \n\nBody\n",
        "<!--\n# Believe in ghosts\n-->\n\nText\n",
    ] {
        let adr = parse("0001-use-the-file-name.md", text);
        assert_eq!(adr.title, "Use the file name", "{text:?}");
        assert_eq!(adr.title_from, TitleFrom::FileName);
    }
}

#[test]
fn an_empty_file_is_invalid_with_a_fix() {
    for text in ["", "\n\n"] {
        match parse_adr("0001-x.md", text) {
            Err(AdrParseError::Invalid { line: 1, fix, .. }) => assert!(fix.contains("remove")),
            other => panic!("{text:?} gave {other:?}"),
        }
    }
}

#[test]
fn titles_come_from_front_matter_then_any_heading() {
    let adr = parse(
        "breaking-db-changes.md",
        "---\ntitle: \"ADR: Breaking DB changes\"\n---\n\n## Background\n\nWhy.\n",
    );
    assert_eq!(adr.title, "Breaking DB changes");
    assert_eq!(adr.title_from, TitleFrom::FrontMatter);
    assert!(adr.body.starts_with("## Background"), "{}", adr.body);

    let adr = parse(
        "0012-x.md",
        "## 12. Level two title\n\n## Status\n\nAccepted\n",
    );
    assert_eq!(
        (adr.number, adr.title.as_str()),
        (Some(12), "Level two title")
    );
    assert_eq!(adr.title_from, TitleFrom::Heading);

    let adr = parse("0013-y.md", "## Context\n\nNo title at all.\n");
    assert_eq!(adr.title, "Y");
}

#[test]
fn titles_lose_numbers_placeholders_anchors_and_escapes() {
    let cases = [
        (
            "0006-blocking.md",
            "6 Blocking calls off the runtime",
            "Blocking calls off the runtime",
        ),
        ("0003-x.md", "3 AZs per region", "AZs per region"),
        ("decision.md", "3 AZs per region", "3 AZs per region"),
        ("0001-x.md", "1. First", "First"),
        ("0003-x.md", "ADR-003: Third", "Third"),
        ("0018-x.md", "18) Keep it {#adr_0018}", "Keep it"),
        (
            "0020-x.md",
            "n. Django for the admin site",
            "Django for the admin site",
        ),
        ("0021-x.md", "NNNN - Pick a queue", "Pick a queue"),
        ("0022-x.md", "ADR-NNNN: Pick a cache", "Pick a cache"),
        (
            "0023-x.md",
            "Return Span\\<T\\> from parsers",
            "Return Span<T> from parsers",
        ),
        (
            "0024-x.md",
            "Architecture Decision Record: Use ADRs",
            "Use ADRs",
        ),
        ("0025-x.md", "Naming", "Naming"),
    ];
    for (name, heading, want) in cases {
        let adr = parse(name, &format!("# {heading}\n\n* Status: accepted\n"));
        assert_eq!(adr.title, want, "{heading}");
        assert_eq!(adr.title_changed, heading != want, "{heading}");
    }
}

#[test]
fn unknown_status_gives_warning_with_line() {
    let adr = parse(
        "0007-x.md",
        "# 7. X\n\nDate: 2020-02-02\n\n## Status\n\nPondering\n\n## Context\n",
    );
    assert_eq!(adr.status, None);
    assert_eq!(adr.imported_status.as_deref(), Some("Pondering"));
    assert_eq!(adr.warnings.len(), 1);
    assert_eq!(adr.warnings[0].0, 7);
    // Changed by issue 16: the warning says what is stored (it said "status left empty").
    assert!(
        adr.warnings[0]
            .1
            .contains("status `Pondering` is not one git-zen knows")
            && adr.warnings[0].1.contains("stored as proposed"),
        "{:?}",
        adr.warnings
    );

    let adr = parse("0008-y.md", "# Y\n\n* Status: maybe later\n");
    assert_eq!(adr.status, None);
    assert_eq!(adr.warnings[0].0, 3);
}

#[test]
fn status_synonyms() {
    let cases = [
        ("Accepted", Some("accepted")),
        ("APPROVED", Some("accepted")),
        ("done", Some("accepted")),
        ("Accepted (2026-04-30)", Some("accepted")),
        ("**Accepted**", Some("accepted")),
        ("~~Proposed~~ Accepted", Some("accepted")),
        ("✅ accepted", Some("accepted")),
        ("draft", Some("proposed")),
        ("In review", Some("proposed")),
        ("WIP", Some("proposed")),
        ("obsolete", Some("deprecated")),
        ("Deprecated", Some("deprecated")),
        ("retired", Some("deprecated")),
        ("rejected", Some("rejected")),
        ("Withdrawn", Some("rejected")),
        ("won't do", Some("rejected")),
        ("superseded", Some("superseded")),
        ("Superceded", Some("superseded")),
        ("frobnicated", None),
    ];
    for (word, want) in cases {
        let adr = parse("0001-x.md", &format!("# X\n\n* Status: {word}\n"));
        assert_eq!(adr.status.as_deref(), want, "{word}");
        assert_eq!(
            adr.warnings.is_empty(),
            want.is_some() && want != Some("superseded"),
            "{word}: {:?}",
            adr.warnings
        );
    }
}

#[test]
fn statuses_in_the_wild_keep_what_was_written() {
    let cases = [
        ("[Approved]", Some("accepted"), Some("Approved")),
        (
            "[Deprecated](https://example.org/pull/395)",
            Some("deprecated"),
            None,
        ),
        ("**rejected**", Some("rejected"), None),
        ("On hold", Some("proposed"), Some("On hold")),
        ("Partly superseded", None, Some("Partly superseded")),
        ("Gathering information", None, Some("Gathering information")),
        ("Draft/Final/Postponed/Cancelled", None, None),
        ("proposed, approved, rejected, deprecated", None, None),
    ];
    for (written, status, kept) in cases {
        let adr = parse("0001-x.md", &format!("# X\n\n## Status\n\n{written}\n"));
        assert_eq!(adr.status.as_deref(), status, "{written}");
        assert_eq!(adr.imported_status.as_deref(), kept, "{written}");
    }
    let adr = parse(
        "0003-x.md",
        "# 3. X\n\n## Status\n\nPartly superseded by [33. Y](0033-y.md)\n",
    );
    assert!(adr.superseded_by.is_empty());
    assert_eq!(adr.related, vec![AdrRef::Number(33)]);
    let adr = parse("0004-x.md", "# 4. X\n\n## Context\n\nNo status here.\n");
    assert_eq!(adr.status, None);
    assert!(
        adr.warnings[0]
            .1
            .contains("no status found: stored as proposed")
    );
}

#[test]
fn people_and_dates_in_the_file_are_kept() {
    let adr = parse(
        "2021-03-04-pick-a-db.md",
        "---\nauthor: Ann Example\ndeciders: [Ann, \"Bo\"]\n---\n# Pick a DB\n",
    );
    assert_eq!(adr.authors, vec!["Ann Example"]);
    assert_eq!(adr.deciders, vec!["Ann", "Bo"]);
    assert_eq!(adr.date, date(2021, 3, 4));
    let adr = parse(
        "0002-x.md",
        "# X\n\n* Deciders: Cy, Di\n* Introduced: 2019-05-06\n* Status: accepted\n",
    );
    assert_eq!(adr.deciders, vec!["Cy", "Di"]);
    assert_eq!(adr.date, date(2019, 5, 6));
}

#[test]
fn links_by_url_and_record_folder() {
    let mut refs = Vec::new();
    collect_refs(
        "[old](https://github.com/o/r/blob/main/doc/adr/0005-x.md) [f](../0007-y/index.md)",
        &mut refs,
    );
    assert_eq!(
        refs,
        vec![
            AdrRef::Url("https://github.com/o/r/blob/main/doc/adr/0005-x.md".into()),
            AdrRef::Number(7)
        ]
    );
}

#[test]
fn status_placeholder_in_a_real_record_is_reported() {
    let text = "# Result types\n\n* Status: [proposed | rejected | accepted | deprecated] <!-- optional -->\n\nBody\n";
    let adr = parse("0004-result-types.md", text);
    assert_eq!(adr.status, None);
    assert_eq!(adr.warnings.len(), 1);
    assert!(adr.warnings[0].1.contains("placeholder"));
    assert_eq!(adr.body, "Body\n");
}

#[test]
fn superseded_without_target_is_reported() {
    let adr = parse(
        "0004-x.md",
        "# X\n\n* Status: superseded by the new caching approach\n",
    );
    assert_eq!(adr.status.as_deref(), Some("superseded"));
    assert!(adr.superseded_by.is_empty());
    assert_eq!(adr.warnings.len(), 1);
    assert_eq!(adr.warnings[0].0, 3);
}

#[test]
fn bare_numbers_after_superseded_by() {
    let adr = parse(
        "003-x.md",
        "# ADR003 - X\n\n* Date: 2026-07-01\n* Status: SUPERSEDED by 004\n",
    );
    assert_eq!(adr.number, Some(3));
    assert_eq!(adr.title, "X");
    assert_eq!(adr.superseded_by, vec![AdrRef::Number(4)]);
}

#[test]
fn dates_in_other_shapes() {
    let linked = "# X\n\n* Date: [2020-06-15](https://example.com/pull/34) <!-- optional -->\n";
    assert_eq!(parse("0001-x.md", linked).date, date(2020, 6, 15));

    let with_time = "---\ndate: 2021-03-04T10:00:00Z\n---\n# X\n";
    assert_eq!(parse("0001-x.md", with_time).date, date(2021, 3, 4));

    let month_first = parse(
        "0001-x.md",
        "# 1. X\n\nDate: 12/31/2016\n\n## Status\n\nAccepted\n",
    );
    assert_eq!(month_first.date, date(2016, 12, 31));
    assert_eq!(month_first.warnings.len(), 1, "{:?}", month_first.warnings);
    assert_eq!(month_first.warnings[0].0, 3);

    let placeholder = parse(
        "0001-x.md",
        "# X\n\n* Status: accepted\n* Date: [YYYY-MM-DD when the decision was last updated]\n",
    );
    assert_eq!(placeholder.date, None);
    assert!(placeholder.warnings[0].1.contains("placeholder"));

    let bad = parse(
        "0001-x.md",
        "# 1. X\n\nDate: last Tuesday\n\n## Status\n\nAccepted\n",
    );
    assert_eq!(bad.date, None);
    assert_eq!(
        bad.warnings,
        vec![(
            3,
            "could not read the date `last Tuesday` (expected YYYY-MM-DD)".to_string()
        )]
    );

    let impossible = parse(
        "0001-x.md",
        "# 1. X\n\nDate: 2020-02-30\nStatus: accepted\n",
    );
    assert_eq!(impossible.date, None);
    assert_eq!(impossible.warnings.len(), 1);

    // log4brains: an unreadable Date falls back to the stem's date.
    let fallback = parse("20200101-x.md", "# X\n\n- Date: soon\n- Status: accepted\n");
    assert_eq!(fallback.date, date(2020, 1, 1));
    assert_eq!(fallback.warnings.len(), 1);
}

#[test]
fn title_number_prefixes() {
    assert_eq!(
        split_title_number("3. Use Postgres"),
        (Some(3), "Use Postgres")
    );
    assert_eq!(
        split_title_number("ADR-0003: Use Postgres"),
        (Some(3), "Use Postgres")
    );
    assert_eq!(split_title_number("ADR 12 — Split"), (Some(12), "Split"));
    assert_eq!(split_title_number("adr-7 Use X"), (Some(7), "Use X"));
    assert_eq!(split_title_number("0004 - Use Y"), (Some(4), "Use Y"));
    assert_eq!(
        split_title_number("3.5 GHz is enough"),
        (None, "3.5 GHz is enough")
    );
    assert_eq!(split_title_number("2024 roadmap"), (None, "2024 roadmap"));
    assert_eq!(split_title_number("Adrenaline"), (None, "Adrenaline"));
    assert_eq!(split_title_number("3."), (None, "3."));
    assert_eq!(
        split_title_number("99999999999. Huge"),
        (None, "99999999999. Huge")
    );
}

#[test]
fn numbers_from_heading_and_file_names() {
    let adr = parse("use-x.md", "# 12. Use X\n\nDate: 2020-01-01\n");
    assert_eq!(adr.number, Some(12));
    assert_eq!(adr.stem, "use-x");
    let adr = parse(
        "ADR-0013-submissions.md",
        "# ADR-0013: Submissions\n\n* Status: accepted\n",
    );
    assert_eq!(adr.number, Some(13));
    assert_eq!(adr.title, "Submissions");
    assert!(adr.warnings.is_empty());
    let adr = parse(
        "0005-x.md",
        "# 6. X\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n",
    );
    assert_eq!(adr.number, Some(5));
    assert_eq!(adr.warnings.len(), 1);
    assert_eq!(adr.warnings[0].0, 1);
    let adr = parse("hello.md", "# Hello ##\n");
    assert_eq!(adr.number, None);
    assert_eq!(adr.title, "Hello");
    assert_eq!(adr.format, AdrFormat::Madr);
    assert_eq!(adr.stem, "hello");
}

#[test]
fn link_targets_resolve_to_numbers_or_stems() {
    assert_eq!(ref_from_target("0005-use-x.md"), Some(AdrRef::Number(5)));
    assert_eq!(
        ref_from_target("./0005-use-x.md#decision"),
        Some(AdrRef::Number(5))
    );
    assert_eq!(
        ref_from_target("../other/ADR-015-states.md"),
        Some(AdrRef::Number(15))
    );
    assert_eq!(ref_from_target("0005-use-x"), Some(AdrRef::Number(5)));
    assert_eq!(
        ref_from_target("20201016-use-x.md"),
        Some(stem("20201016-use-x"))
    );
    assert_eq!(ref_from_target("notes.md"), Some(stem("notes")));
    assert_eq!(ref_from_target("https://example.com/0005-x.md"), None);
    assert_eq!(ref_from_target("diagram.png"), None);
    assert_eq!(ref_from_target("#section"), None);
    let mut refs = Vec::new();
    collect_refs(
        "[ADR-0007](example.md) and ADR-0009, also [x](https://e.com)",
        &mut refs,
    );
    assert_eq!(refs, vec![AdrRef::Number(7), AdrRef::Number(9)]);
}

#[test]
fn bold_keys_and_plain_status_line() {
    let text =
        "# Bold\n\n- **Status:** Accepted\n- **Date**: 2021-05-06\n- Owner: Team A\n\nIntro.\n";
    let adr = parse("0001-bold.md", text);
    assert_eq!(adr.status.as_deref(), Some("accepted"));
    assert_eq!(adr.date, date(2021, 5, 6));
    assert_eq!(adr.body, "- Owner: Team A\n\nIntro.\n");

    let plain = parse(
        "0002-plain.md",
        "# ADR-0002: Plain\n\nStatus: Superseded by [ADR-0003](0003-x.md)\nDate: 2026-08-31\n\n## Context\n",
    );
    assert_eq!(plain.format, AdrFormat::AdrTools);
    assert_eq!(plain.superseded_by, vec![AdrRef::Number(3)]);
    assert_eq!(plain.body, "## Context\n");
}

#[test]
fn text_above_the_title_is_kept() {
    let adr = parse(
        "0001-x.md",
        "<!-- keep -->\n\n# 1. X\n\nDate: 2020-01-01\n\n## Context\n",
    );
    assert_eq!(adr.body, "<!-- keep -->\n\n## Context\n");
}

#[test]
fn skips_by_name_but_not_numbered_files() {
    for name in [
        "template.md",
        "TEMPLATE.md",
        "adr-template-minimal.md",
        "index.md",
        "README.md",
        "my-template.md",
    ] {
        assert_eq!(
            parse_adr(name, "# Real title\n"),
            Err(AdrParseError::NotAnAdr),
            "{name}"
        );
    }
    assert!(parse_adr("0005-choose-a-template.md", "# 5. Choose a template\n").is_ok());
}

/// A tiny deterministic generator so the fuzz-style tests need no extra crates.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn garbage_never_panics() {
    #[rustfmt::skip]
    let pieces = [
        "#", "# ", "## Status", "---", "...", "\n", "\r\n", "\r", "[", "]", "(", ")", "](",
        "~~", "```", "~~~", "* ", "- ", "Status:", "Date:", "superseded by ", "supersedes ",
        "ADR-", "0", "9", "99999999999", "2020-", "/", ".", "<!--", "-->", "{", "}", "|",
        "\u{0}", "\u{feff}", "é", "🦀", "\u{fffd}", " ", "\t", "**", "_", "`", ":", "20201016-x",
        ".md", "http://", "Tags: [", "\"", "'",
    ];
    let mut rng = Lcg(42);
    for _ in 0..3000 {
        let n = (rng.next() % 40) as usize;
        let mut text = String::new();
        for _ in 0..n {
            text.push_str(pieces[(rng.next() as usize) % pieces.len()]);
        }
        let name = if rng.next() & 1 == 0 {
            "0001-x.md"
        } else {
            "20200101-x.md"
        };
        let _ = parse_adr(name, &text);
    }
    // Every byte value, as lossy text.
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let _ = parse_adr("0001-bin.md", &String::from_utf8_lossy(&bytes));
    // Every prefix of every fixture (at char boundaries) parses or fails cleanly.
    for &(name, text) in FIXTURES {
        for (i, _) in text.char_indices() {
            let _ = parse_adr(name, &text[..i]);
        }
    }
    for name in [
        "",
        ".md",
        "/",
        "é.md",
        "0",
        "99999999999999999999-x.md",
        "20201340-x.md",
    ] {
        let _ = parse_adr(name, "# T\n");
    }
}

#[test]
fn large_hostile_input_is_fast() {
    let n = 200_000;
    let mut text = String::from("# 1. X\n\nDate: 2020-01-01\n\n## Status\n\n");
    text.push_str(&"[".repeat(n));
    text.push_str(&"](".repeat(n));
    text.push('\n');
    text.push_str(&"superseded by ".repeat(n / 10));
    text.push('\n');
    text.push_str(&"ADR-".repeat(n));
    text.push('\n');
    text.push_str("* Status: ");
    text.push_str(&"[a](0001-x.md) ".repeat(n / 10));
    text.push('\n');
    text.push_str(&"#".repeat(n));
    text.push('\n');
    text.push_str(&"1/".repeat(n));
    text.push('\n');
    text.push_str(&"- Date: 1-1-1-1-".repeat(n / 10));
    // Linear, not a wall-clock budget (which fails on a loaded machine): the hostile inputs may
    // cost no more than 100 times a plain ADR body of the same size.
    let plain =
        "Some context about the decision, with [a link](0002-y.md) and a date 2020-01-01.\n"
            .repeat(text.len() / 80);
    let start = std::time::Instant::now();
    let _ = parse_adr(
        "0001-x.md",
        &format!("# 1. X\n\n## Status\n\nAccepted\n\n{plain}"),
    );
    let baseline = start.elapsed().max(std::time::Duration::from_millis(5));
    let start = std::time::Instant::now();
    let _ = parse_adr("0001-x.md", &text);
    let _ = parse_adr("0001-x.md", &"\n".repeat(n));
    let _ = parse_adr("0001-x.md", &"# T\n".repeat(n));
    let _ = parse_adr("0001-x.md", &format!("# T\n\n{}", "## Status\n".repeat(n)));
    let _ = parse_adr("0001-x.md", &format!("---\n{}", "tags: a, b\n".repeat(n)));
    assert!(
        start.elapsed() < baseline * 100,
        "hostile inputs took {:?}, a plain body of the same size {baseline:?}",
        start.elapsed()
    );
}
