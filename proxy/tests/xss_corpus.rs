//! DOMPurify's XSS payloads through the body policy, with the output read back by a real
//! HTML parser the way a browser would build it.

use std::path::PathBuf;

use moov_support::sanitize::clean;
use reqwest::Url;
use scraper::Html;
use serde::Deserialize;

const ALLOWED_TAGS: [&str; 15] = [
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
];

#[derive(Deserialize)]
struct Case {
    id: String,
    payload: String,
}

fn corpus_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/xss-dompurify.jsonl")
}

/// Everything wrong with one sanitized fragment.
fn problems(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let doc = Html::parse_fragment(html);
    for node in doc.tree.nodes() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        let name = el.name();
        // The parser's own wrappers around a fragment (`<html>`, the `<body>` context),
        // recognizable by having nothing but wrappers above them.
        let wrapper = |n: &str| n == "html" || n == "body";
        if wrapper(name)
            && node
                .ancestors()
                .all(|a| a.value().as_element().is_none_or(|e| wrapper(e.name())))
        {
            continue;
        }
        if !ALLOWED_TAGS.contains(&name) {
            found.push(format!("element <{name}> is not allowed"));
        }
        for (attr, value) in el.attrs() {
            let lower = attr.to_ascii_lowercase();
            if lower.starts_with("on") {
                found.push(format!("event handler {attr} on <{name}>"));
            }
            if lower == "style" {
                found.push(format!("style attribute on <{name}>"));
            }
            match (name, lower.as_str()) {
                ("a", "href") => match Url::parse(value) {
                    Ok(u) if matches!(u.scheme(), "http" | "https" | "mailto") => {}
                    _ => found.push(format!("href {value:?} is not absolute http(s)/mailto")),
                },
                ("a", "rel") => {}
                _ => found.push(format!("attribute {attr} on <{name}>")),
            }
        }
    }
    found
}

#[test]
fn no_payload_survives_as_markup() {
    let path = corpus_path();
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "notice: {} is absent; skipping the XSS corpus",
            path.display()
        );
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let case: Case = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("line {} of the corpus: {e}", n + 1));
        let once = clean(&case.payload);
        for p in problems(&once) {
            failures.push(format!("{}: {p}\n  output: {once}", case.id));
        }
        let twice = clean(&once);
        if twice != once {
            failures.push(format!(
                "{}: not idempotent\n  once:  {once}\n  twice: {twice}",
                case.id
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 100, "only {checked} payloads in the corpus");
    eprintln!("{checked} payloads checked");
}

#[test]
fn the_checker_catches_what_it_must() {
    // The checker itself must fail on dangerous markup, or the corpus test proves nothing.
    assert!(problems("<p>fine <a href=\"https://x.test/\" rel=\"noopener\">x</a></p>").is_empty());
    for bad in [
        "<script>alert(1)</script>",
        "<style>p{}</style>",
        "<img src=x>",
        "<p onclick=\"x()\">a</p>",
        "<p style=\"color:red\">a</p>",
        "<a href=\"javascript:alert(1)\">a</a>",
        "<a href=\"/relative\">a</a>",
        "<svg><g/></svg>",
        "<p class=\"c\">a</p>",
    ] {
        assert!(!problems(bad).is_empty(), "{bad} passed the checker");
    }
}
