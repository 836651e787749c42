//! The loader's static form (`moov-support.js`) is the Leptos view rendered to HTML, with
//! the widget's stylesheet and the element's options: this test renders them again and fails
//! when the loader holds anything else. `cargo xtask shell` writes them in.
#![cfg(all(not(target_arch = "wasm32"), feature = "web"))]

use std::path::Path;

use leptos::prelude::*;
use moov_support::options_spec::OPTIONS;
use moov_support::web::i18n::{Keyed, Locale, Strings};
use moov_support::web::ui::static_form;

const LOADER: &str = "moov-support.js";
const BEGIN: &str = "// <static form: written by `cargo xtask shell` from the Leptos view, \
                     style/widget.css and src/options_spec.rs; do not edit>\n";
const END: &str = "// </static form>\n";
/// What the static form says besides its markup: a restored draft, a held send, and a form
/// that never arrived.
const SAID: [&str; 3] = ["draft_restored", "sending", "load_failed"];

/// Comments are Leptos' place markers; the static form has no dynamic parts.
fn without_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = if after.starts_with("<!--") {
            after.find("-->").map(|e| e + 3)
        } else {
            after.find('>').map(|e| e + 1)
        };
        rest = &after[end.expect("a closed comment")..];
    }
    out.push_str(rest);
    out
}

/// The rules of `css` (the minified sheet) that can match something in `html`: a rule whose every
/// selector names a `moov-` class the static form does not have is for what only the widget
/// draws (the inbox, a sent ticket, a failure), which adopts the whole sheet when it takes
/// the form over. Nothing the static form shows is styled differently, and each rule kept is
/// the widget's own, word for word (the end-to-end checks compare them).
fn rules_for(css: &str, html: &str) -> String {
    let classes: Vec<&str> = html
        .split("class=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .flat_map(str::split_whitespace)
        .collect();
    let absent = |selector: &str| {
        selector
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '.'))
            .flat_map(|part| part.split('.').skip(1))
            .any(|class| class.starts_with("moov-") && !classes.contains(&class))
    };
    let mut out = String::new();
    let mut rest = css;
    while let Some(open) = rest.find('{') {
        assert!(
            !rest.starts_with('@'),
            "at-rules are not expected in the sheet"
        );
        let close = open + rest[open..].find('}').expect("a closed rule");
        if !rest[..open].split(',').all(absent) {
            out.push_str(&rest[..=close]);
        }
        rest = &rest[close + 1..];
    }
    out
}

/// The `{{key}}`s of `html`, in order of first use.
fn keys(html: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for piece in html.split("{{").skip(1) {
        let key = piece.split("}}").next().unwrap_or_default().to_owned();
        if !found.contains(&key) {
            found.push(key);
        }
    }
    found
}

/// The loader's generated part, between [`BEGIN`] and [`END`].
fn generated() -> String {
    Owner::new().with(|| {
        let t: &'static Strings = Box::leak(Box::new(Strings::marked("")));
        let form = without_comments(&static_form(t, false).to_html());
        let launcher = without_comments(&static_form(t, true).to_html());
        assert!(
            launcher.contains(&form),
            "the launcher's dialog holds the form"
        );
        let launcher = launcher.replacen(&form, "{{form}}", 1);
        let english = format!(r#"dir="{}" lang="{}""#, Locale::En.dir(), Locale::En.tag());
        assert!(form.contains(&english), "the form says its language");
        let form = form.replacen(&english, r#"dir="{{dir}}" lang="{{lang}}""#, 1);

        let used: Vec<String> = keys(&format!("{form}{launcher}"))
            .into_iter()
            .filter(|k| !["form", "dir", "lang"].contains(&k.as_str()))
            .chain(SAID.map(str::to_owned))
            .collect();
        let mut en = serde_json::Map::new();
        Locale::En.strings().each("", &mut |key, text| {
            if used.contains(&key) {
                en.insert(key, text.into());
            }
        });
        for key in &used {
            assert!(en.contains_key(key), "`{key}` is not an English string");
        }
        let options: Vec<serde_json::Value> = OPTIONS
            .iter()
            .map(|o| serde_json::json!([o.property(), o.attribute(), o.kind()]))
            .collect();
        let shell = serde_json::json!({
            // The root the loader draws the form in is the element's, as in the widget.
            "css": rules_for(
                moov_support::stylesheet::STYLESHEET,
                &format!(r#"<div class="moov-root">{form}{launcher}</div>"#)
            ),
            "form": form,
            "launcher": launcher,
            "en": en,
            "options": options,
        });
        format!("{BEGIN}const SHELL = {shell};\n{END}")
    })
}

/// The loader's text, and where its generated part starts and ends.
fn loader() -> (std::path::PathBuf, String, usize, usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(LOADER);
    let loader = std::fs::read_to_string(&path).expect("the loader");
    let start = loader
        .find(BEGIN)
        .expect("the loader has the static form's start line");
    let end = loader[start..]
        .find(END)
        .map(|e| start + e + END.len())
        .expect("the loader has the static form's end line");
    (path, loader, start, end)
}

#[test]
fn the_loader_holds_the_form_as_the_view_draws_it() {
    let (_, loader, start, end) = loader();
    let fresh = generated();
    assert!(
        loader[start..end] == fresh,
        "{LOADER}'s static form differs from the Leptos view (or the stylesheet, or the \
         options); run `cargo xtask shell` and commit the result"
    );
}

/// What `cargo xtask shell` runs: writes the generated part into the loader.
#[test]
#[ignore = "writes moov-support.js; run by `cargo xtask shell`"]
fn write_the_loader() {
    let (path, loader, start, end) = loader();
    let written = format!("{}{}{}", &loader[..start], generated(), &loader[end..]);
    std::fs::write(&path, written).expect("writing the loader");
}

/// The hand-written part of the loader finds the form's parts by these names.
#[test]
fn the_markup_has_what_the_loader_reaches_for() {
    let (_, loader, _, _) = loader();
    let generated = generated();
    for id in ["moov-title", "moov-body", "moov-email", "moov-name"] {
        assert!(generated.contains(&format!(r#"id=\"{id}\""#)), "#{id}");
        assert!(
            loader.contains(&format!("#{id}")),
            "the loader reaches #{id}"
        );
    }
    for class in [
        "moov-notice",
        "moov-send",
        "moov-launcher",
        "moov-close",
        "moov-tool-bold",
        "moov-tool-italic",
        "moov-tool-ul",
        "moov-tool-ol",
    ] {
        assert!(generated.contains(class), ".{class}");
    }
    for (tag, name) in [
        ("bold", "bold"),
        ("italic", "italic"),
        ("ul", "ul"),
        ("ol", "ol"),
    ] {
        assert!(
            loader.contains(&format!("{tag}: ")),
            "the loader's toolbar knows {name}"
        );
    }
}

#[test]
fn only_rules_for_what_the_static_form_draws_are_kept() {
    let html = r#"<p class="moov-a moov-b"></p>"#;
    assert_eq!(
        rules_for(
            ":host{a:b}.moov-a p{c:d}.moov-x,.moov-b{e:f}.moov-x .moov-a{g:h}",
            html
        ),
        ":host{a:b}.moov-a p{c:d}.moov-x,.moov-b{e:f}"
    );
}

#[test]
fn comments_are_dropped_from_markup() {
    assert_eq!(without_comments("<p><!>a<!--<() />--></p>"), "<p>a</p>");
}

/// What the loader writes by hand of the widget's own facts, to draw and save without the
/// wasm: each must be the Rust one, or the static form and the widget's form disagree.
#[test]
fn the_loaders_hand_written_facts_are_the_widgets() {
    let (_, loader, _, _) = loader();
    // The `lang` and `dir` a form in each language carries.
    for locale in Locale::ALL {
        let primary = locale.primary();
        if locale.tag() != primary {
            let mapped = format!("language == \"{primary}\" ? \"{}\"", locale.tag());
            assert!(
                loader.contains(&mapped),
                "the loader tags {primary} as {}",
                locale.tag()
            );
        }
        if locale.dir() == "rtl" {
            let mapped = format!("language == \"{primary}\" ? \"rtl\"");
            assert!(
                loader.contains(&mapped),
                "the loader writes {primary} right to left"
            );
        }
    }
    // Where a draft is saved, for the default endpoint, a signed-out user and a form's id.
    let endpoint = moov_support::options_spec::ENDPOINT
        .default
        .expect("the endpoint has a default");
    assert!(
        loader.contains(&format!("option(host, \"endpoint\") || \"{endpoint}\"")),
        "the loader's default endpoint is {endpoint}"
    );
    let key = moov_support::web::storage::DraftStore::new(endpoint, "anonymous", Some("support"));
    let template =
        "`moov-support:draft:v1:${endpoint}:${claims ? claims.sub : \"anonymous\"}${instance}`";
    assert!(loader.contains(template), "the loader's draft key");
    assert!(loader.contains("const instance = host.id ? \"#\" + host.id : \"\";"));
    assert_eq!(
        key.key(),
        format!("moov-support:draft:v1:{endpoint}:anonymous#support"),
        "the widget's draft key, as the loader writes it"
    );
}

/// The loader locks the contact fields only for a valid email, as the widget does, with a
/// pattern of its own (the WHATWG one `<input type=email>` uses): run natively with the same
/// semantics (ASCII classes, ASCII case folding), it must agree with `rules::is_valid_email` on
/// every string over an alphabet of the characters that matter, up to five long, and on the
/// edges of a label's length.
#[test]
fn the_loaders_email_pattern_is_the_widgets_rule() {
    let (_, loader, _, _) = loader();
    let pattern = loader
        .split("const EMAIL =")
        .nth(1)
        .and_then(|rest| rest.trim_start().strip_prefix('/'))
        .and_then(|rest| rest.split("/i;").next())
        .expect("the loader's `const EMAIL = /…/i;`");
    let email = regex::Regex::new(&format!("(?i-u){pattern}")).expect("a pattern regex reads");

    let alphabet = ["a", "Z", "1", "-", ".", "@", "_", "+", "é", " "];
    let mut strings = vec![String::new()];
    let mut last = vec![String::new()];
    for _ in 0..5 {
        last = last
            .iter()
            .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
            .collect();
        strings.extend(last.iter().cloned());
    }
    for label in [62, 63, 64] {
        strings.push(format!("me@{}.example", "a".repeat(label)));
        strings.push(format!("me@example.{}", "b".repeat(label)));
    }
    strings.extend(
        [
            "jordan@example.com",
            "Jordan.Lee+support@Example.COM",
            "o'neil@example.co.uk",
            "a@b",
            "a@-b.com",
            "a@b-.com",
            "a@b..com",
            ".a@b.com",
            "a b@c.com",
            "ü@example.com",
            "a@exämple.com",
            "a@b.com\n",
        ]
        .map(str::to_owned),
    );
    let mut valid = 0;
    for s in &strings {
        let rule = moov_support::rules::is_valid_email(s);
        assert_eq!(email.is_match(s), rule, "{s:?}");
        valid += usize::from(rule);
    }
    assert!(
        valid > 1000,
        "{valid} of {} strings are valid emails",
        strings.len()
    );
}
