//! Every language file has exactly the keys of the English strings (`src/web/i18n/en.rs`),
//! section by section, with the same placeholders; a counted phrase has only plural
//! categories and always `other`. Checked natively, so a translation that would make the
//! widget fall back to English fails `cargo test` before any browser runs.

use std::collections::{BTreeMap, BTreeSet};

use super::Locale;

/// What English has under one key.
#[derive(Debug)]
enum Shape {
    Text(String),
    Section(BTreeMap<String, Shape>),
    /// A counted phrase: its forms by plural category.
    Plural(BTreeMap<String, String>),
}

const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Mark(char),
}

/// The tokens of a Rust source holding one struct literal of identifiers, string literals
/// and punctuation (comments skipped).
fn tokens(source: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                chars.by_ref().find(|c| *c == '\n');
            }
            '"' => {
                let mut text = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => text.extend(chars.next()),
                        c => text.push(c),
                    }
                }
                out.push(Token::Text(text));
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut word = String::from(c);
                while let Some(c) = chars.next_if(|c| c.is_alphanumeric() || *c == '_') {
                    word.push(c);
                }
                out.push(Token::Word(word));
            }
            c if c.is_whitespace() => {}
            c => out.push(Token::Mark(c)),
        }
    }
    out
}

/// The fields of a struct literal up to its closing brace.
fn fields(tokens: &mut impl Iterator<Item = Token>) -> BTreeMap<String, Option<Shape>> {
    let mut read = BTreeMap::new();
    loop {
        let name = match tokens.next() {
            Some(Token::Mark('}')) | None => return read,
            Some(Token::Mark(',')) => continue,
            Some(Token::Word(name)) => name,
            other => panic!("en.rs: a field name expected, found {other:?}"),
        };
        assert_eq!(tokens.next(), Some(Token::Mark(':')), "en.rs: `{name}:`");
        let value = match tokens.next() {
            Some(Token::Text(text)) => Some(Shape::Text(text)),
            Some(Token::Word(w)) if w == "None" => None,
            Some(Token::Word(w)) if w == "Some" => match (tokens.next(), tokens.next()) {
                (Some(Token::Mark('(')), Some(Token::Text(text))) => {
                    tokens.next();
                    Some(Shape::Text(text))
                }
                other => panic!("en.rs: `{name}: Some(\"…\")` expected, found {other:?}"),
            },
            Some(Token::Word(kind)) => {
                assert_eq!(tokens.next(), Some(Token::Mark('{')), "en.rs: `{name}`");
                let inner = fields(tokens).into_iter();
                Some(if kind == "Plural" {
                    Shape::Plural(
                        inner
                            .filter_map(|(k, v)| match v {
                                Some(Shape::Text(t)) => Some((k, t)),
                                _ => None,
                            })
                            .collect(),
                    )
                } else {
                    Shape::Section(inner.filter_map(|(k, v)| Some((k, v?))).collect())
                })
            }
            other => panic!("en.rs: a value for `{name}` expected, found {other:?}"),
        };
        read.insert(name, value);
    }
}

/// English, read from the source the widget is built from.
fn english() -> BTreeMap<String, Shape> {
    let source = include_str!("../web/i18n/en.rs");
    let mut tokens = tokens(source).into_iter();
    tokens
        .by_ref()
        .find(|t| *t == Token::Mark('='))
        .expect("en.rs: `pub const STRINGS: Strings = Strings {`");
    tokens.next();
    assert_eq!(tokens.next(), Some(Token::Mark('{')));
    fields(&mut tokens)
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect()
}

/// The `{placeholders}` in a text.
fn placeholders(text: &str) -> BTreeSet<&str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|name| name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect()
}

/// What is wrong with `value` at `at` against English's `shape`.
fn compare(at: &str, shape: &Shape, value: &serde_json::Value, problems: &mut Vec<String>) {
    match (shape, value) {
        (Shape::Text(english), serde_json::Value::String(text)) => {
            if placeholders(english) != placeholders(text) {
                problems.push(format!("`{at}`: placeholders {:?}", placeholders(text)));
            }
        }
        (Shape::Section(english), serde_json::Value::Object(section)) => {
            for key in english.keys().filter(|k| !section.contains_key(*k)) {
                problems.push(format!("`{at}.{key}` is missing"));
            }
            for (key, value) in section {
                match english.get(key) {
                    Some(shape) => compare(&format!("{at}.{key}"), shape, value, problems),
                    None => problems.push(format!("`{at}.{key}` is not a key of English")),
                }
            }
        }
        (Shape::Plural(english), serde_json::Value::Object(forms)) => {
            let wanted = placeholders(&english["other"]);
            if !forms.contains_key("other") {
                problems.push(format!("`{at}` has no `other` form"));
            }
            for (category, form) in forms {
                let Some(form) = form.as_str() else {
                    problems.push(format!("`{at}.{category}` is not text"));
                    continue;
                };
                if !CATEGORIES.contains(&category.as_str()) {
                    problems.push(format!("`{at}.{category}` is not a plural category"));
                } else if !placeholders(form).is_subset(&wanted)
                    || (category == "other" && placeholders(form) != wanted)
                {
                    problems.push(format!("`{at}.{category}`: placeholders of {form:?}"));
                }
            }
        }
        (_, value) => problems.push(format!("`{at}` has the wrong type: {value}")),
    }
}

#[test]
fn english_is_read_whole_with_its_sections_and_counted_phrases() {
    let en = english();
    assert!(en.len() > 25, "{:?}", en.keys());
    let Some(Shape::Section(inbox)) = en.get("inbox") else {
        panic!("en.rs has an `inbox` section");
    };
    assert!(matches!(inbox.get("unread_count"), Some(Shape::Plural(p)) if p.len() == 2));
    let Some(Shape::Section(errors)) = en.get("errors") else {
        panic!("en.rs has an `errors` section");
    };
    assert!(matches!(errors.get("rate_limited"), Some(Shape::Plural(_))));
    assert!(matches!(en.get("send"), Some(Shape::Text(t)) if t == "Send"));
}

#[test]
fn every_language_file_has_exactly_the_keys_and_placeholders_of_english() {
    let english = Shape::Section(english());
    for file in Locale::ALL.iter().filter_map(|l| l.file()) {
        let path = format!("{}/locales/{file}.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let value: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut problems = Vec::new();
        compare(file, &english, &value, &mut problems);
        assert!(problems.is_empty(), "locales/{file}.json: {problems:#?}");
    }
}

/// The texts of `value` that are word for word English's (`shape`), by where they are.
fn left_in_english(at: &str, shape: &Shape, value: &serde_json::Value, found: &mut Vec<String>) {
    match (shape, value) {
        (Shape::Text(english), serde_json::Value::String(text)) if english == text => {
            found.push(at.to_owned());
        }
        (Shape::Section(english), serde_json::Value::Object(section)) => {
            for (key, value) in section {
                if let Some(shape) = english.get(key) {
                    left_in_english(&format!("{at}.{key}"), shape, value, found);
                }
            }
        }
        (Shape::Plural(english), serde_json::Value::Object(forms)) => {
            for (category, form) in forms {
                if english.get(category).map(String::as_str) == form.as_str() {
                    found.push(format!("{at}.{category}"));
                }
            }
        }
        _ => {}
    }
}

/// Texts a language writes exactly as English does.
const SAME_AS_ENGLISH: [&str; 7] = [
    "de.status",
    "de.link",
    "de.code",
    "fr.message",
    "fr.code",
    "pt.status",
    "pt.link",
];

#[test]
fn no_text_is_left_in_english() {
    let english = Shape::Section(english());
    for file in Locale::ALL.iter().filter_map(|l| l.file()) {
        let path = format!("{}/locales/{file}.json", env!("CARGO_MANIFEST_DIR"));
        let value: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut found = Vec::new();
        left_in_english(file, &english, &value, &mut found);
        found.retain(|at| !SAME_AS_ENGLISH.contains(&at.as_str()));
        assert!(found.is_empty(), "still in English: {found:?}");
    }
}

#[test]
fn a_file_that_strays_from_english_is_caught() {
    let english = Shape::Section(english());
    let es = include_str!("../../locales/es.json");
    let mut value: serde_json::Value = serde_json::from_str(es).unwrap();
    value["inbox"]["unread_count"]["few"] = "{count} {number}".into();
    value["inbox"]["unread_count"]
        .as_object_mut()
        .unwrap()
        .remove("other");
    value["inbox"].as_object_mut().unwrap().remove("back");
    value["errors"]["rate_limited"] = "Espera.".into();
    value["problems"]["too_long"] = "Demasiado largo.".into();
    value["extra"] = "?".into();
    let mut problems = Vec::new();
    compare("es", &english, &value, &mut problems);
    let problems = problems.join("\n");
    for expected in [
        "`es.inbox.unread_count` has no `other` form",
        "`es.inbox.unread_count.few`: placeholders",
        "`es.inbox.back` is missing",
        "`es.errors.rate_limited` has the wrong type",
        "`es.problems.too_long`: placeholders",
        "`es.extra` is not a key of English",
    ] {
        assert!(problems.contains(expected), "{expected} in:\n{problems}");
    }
}
