//! The shell's markup against the Rust form's: `SHELL.form` (and `SHELL.launcher`) from the
//! served loader, filled with `SHELL.en`, parsed by the browser and compared element by element
//! (tag, attributes, text) with the shell drawn while the wasm is held and with the Rust form
//! that takes it over; and the shell's style rules, which must be the Rust form's.

use std::path::Path;

use serde_json::{json, Value};

use super::shell::{open_held, release, taken_over};
use super::{verdict, wait_email_prefilled};
use crate::run::Result;
use crate::webdriver::Browser;

/// A node as the comparison sees it: `[tag, [[attribute, value]…] sorted, children]` for an
/// element, its data for a text node; comments and whitespace-only text are left out (null).
const NORM: &str = "const norm = (node) => {
   if (node.nodeType === Node.TEXT_NODE) return node.data.trim() ? node.data : null;
   if (node.nodeType !== Node.ELEMENT_NODE) return null;
   const attrs = [...node.attributes].map((a) => [a.name, a.value])
     .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
   return [node.localName, attrs, [...node.childNodes].map(norm).filter((n) => n !== null)];
 };
 const nodes = (parent) => [...parent.childNodes].map(norm).filter((n) => n !== null);";

/// What each host's shadow root holds now: its form's nodes, whether it is the shell, the
/// rules of its adopted style sheets, and how many inline `<style>`/`<script>` it has.
fn snapshot(b: &Browser) -> Result<Value> {
    b.execute(
        &format!(
            "{NORM}
             const out = {{}};
             for (const host of document.querySelectorAll('moov-support-form')) {{
               const root = host.shadowRoot;
               const top = root && root.querySelector('.moov-root');
               out[host.id] = {{
                 static: !!top && top.hasAttribute('data-static'),
                 nodes: top ? nodes(top) : null,
                 rules: root ? [...root.adoptedStyleSheets]
                   .flatMap((s) => [...s.cssRules].map((r) => r.cssText)) : [],
                 inline: root ? root.querySelectorAll('style, script, [style]').length : 0,
                 looks: top ? [top, ...top.querySelectorAll('*')].map((e) => {{
                   const style = getComputedStyle(e);
                   return [e.localName + (e.id ? '#' + e.id : '') + (e.classList[0] ? '.' + e.classList[0] : ''),
                           Object.fromEntries(arguments[0].map((p) => [p, style.getPropertyValue(p)]))];
                 }}) : [],
               }};
             }}
             return out;"
        ),
        json!([LOOKS]),
    )
}

/// What a user sees of each element: compared, element by element, between the shell and
/// the Rust form that takes it over.
const LOOKS: &[&str] = &[
    "display",
    "position",
    "visibility",
    "opacity",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "line-height",
    "letter-spacing",
    "text-align",
    "color",
    "background-color",
    "border-top-width",
    "border-top-style",
    "border-top-color",
    "border-top-left-radius",
    "padding-top",
    "padding-inline-start",
    "margin-top",
    "margin-bottom",
    "gap",
    "width",
    "height",
];

/// The first element whose computed style differs between `shell` and `rust` (lists of
/// `[name, {property: value}]`), with the properties that differ.
fn first_look_difference(shell: &Value, rust: &Value) -> Option<String> {
    let (shell, rust) = (shell.as_array()?, rust.as_array()?);
    if shell.len() != rust.len() {
        return Some(format!("{} elements, then {}", shell.len(), rust.len()));
    }
    shell.iter().zip(rust).find_map(|(s, r)| {
        let differing: Vec<String> = LOOKS
            .iter()
            .filter(|p| s[1][**p] != r[1][**p])
            .map(|p| format!("{p} {} → {}", s[1][*p], r[1][*p]))
            .collect();
        (s[0] != r[0] || !differing.is_empty())
            .then(|| format!("{} → {}: {}", s[0], r[0], differing.join(", ")))
    })
}

/// The loader's `SHELL` object, as the page gets it: the JSON after `const SHELL = ` in the
/// served `moov-support.js` (the source file's when the served one is minified).
fn shell_json(base: &str) -> Result<String> {
    let served = crate::http::get(
        &crate::http::agent(),
        &format!("{base}moov-support.js"),
        &[],
    )
    .map_err(|e| format!("GET moov-support.js: {e}"))?
    .body;
    let source = match served.contains("const SHELL = ") {
        true => served,
        false => std::fs::read_to_string(crate::workspace_root().join("moov-support.js"))?,
    };
    let json =
        crate::assets::shell_json(&source).ok_or("moov-support.js has no `const SHELL = `")?;
    serde_json::from_str::<Value>(json).map_err(|e| format!("SHELL is not JSON: {e}"))?;
    Ok(json.to_owned())
}

/// `SHELL.form` and `SHELL.launcher` (the form inside) filled with `SHELL.en`, HTML-escaped,
/// left to right in English, parsed by the browser: `{form, launcher, missing}`.
fn expected(b: &Browser, shell: &str) -> Result<Value> {
    let out = b.execute(
        &format!(
            "{NORM}
             const shell = JSON.parse(arguments[0]);
             const missing = [];
             const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')
               .replace(/>/g, '&gt;').replace(/\"/g, '&quot;').replace(/'/g, '&#39;');
             const fill = (markup) => markup.replace(/\\{{\\{{([\\w.]+)\\}}\\}}/g, (_, key) => {{
               if (key === 'dir') return 'ltr';
               if (key === 'lang') return 'en';
               if (key === 'form') return fill(shell.form);
               if (typeof shell.en[key] !== 'string') {{ missing.push(key); return ''; }}
               return esc(shell.en[key]);
             }});
             const parse = (html) => {{
               const t = document.createElement('template');
               t.innerHTML = html;
               return nodes(t.content);
             }};
             return {{ form: parse(fill(shell.form)), launcher: parse(fill(shell.launcher)), missing }};"
        ),
        json!([shell]),
    )?;
    if out["missing"].as_array().is_some_and(|m| !m.is_empty()) {
        return Err(format!("SHELL.en lacks {}", out["missing"]).into());
    }
    Ok(out)
}

/// The first place where `actual` differs from `expected` (lists of [`NORM`] nodes).
pub(super) fn first_difference(expected: &Value, actual: &Value, path: &str) -> Option<String> {
    let (Some(expected), Some(actual)) = (expected.as_array(), actual.as_array()) else {
        return Some(format!("{path}: {actual} instead of {expected}"));
    };
    for i in 0..expected.len().max(actual.len()) {
        let (e, a) = match (expected.get(i), actual.get(i)) {
            (Some(e), Some(a)) => (e, a),
            (Some(e), None) => return Some(format!("{path}: {} is missing", describe(e))),
            (None, Some(a)) => return Some(format!("{path}: an extra {}", describe(a))),
            (None, None) => break,
        };
        if e.is_string() || a.is_string() {
            if e != a {
                return Some(format!(
                    "{path}: {} instead of {}",
                    describe(a),
                    describe(e)
                ));
            }
            continue;
        }
        let here = format!("{path} > {}", describe(e));
        if e[0] != a[0] {
            return Some(format!(
                "{path}: {} instead of {}",
                describe(a),
                describe(e)
            ));
        }
        if e[1] != a[1] {
            return Some(format!("{here}: attributes {} instead of {}", a[1], e[1]));
        }
        if let Some(d) = first_difference(&e[2], &a[2], &here) {
            return Some(d);
        }
    }
    None
}

/// The first of the shell's style rules that the Rust form's sheets do not hold, in the same
/// order (the cascade's): the shell adopts the rules for what it draws, the Rust form all of
/// them. Compared without whitespace, which the browser keeps in a value holding a var().
fn first_rule_missing(shell: &Value, rust: &Value) -> Option<String> {
    let squeezed = |rules: &Value| -> Vec<String> {
        rules
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| r.as_str().unwrap_or_default().split_whitespace().collect())
            .collect()
    };
    let (shell, rust) = (squeezed(shell), squeezed(rust));
    let mut rest = rust.iter();
    shell.into_iter().find(|rule| !rest.any(|r| r == rule))
}

/// `tag#id.class` for an element, the quoted text for a text node.
fn describe(node: &Value) -> String {
    if let Some(text) = node.as_str() {
        return format!("text {text:?}");
    }
    let attr = |name: &str| {
        node[1].as_array().and_then(|attrs| {
            attrs
                .iter()
                .find(|a| a[0] == name)
                .and_then(|a| a[1].as_str())
        })
    };
    let mut out = node[0].as_str().unwrap_or("?").to_owned();
    if let Some(id) = attr("id") {
        out.push_str(&format!("#{id}"));
    }
    if let Some(class) = attr("class").and_then(|c| c.split_whitespace().next()) {
        out.push_str(&format!(".{class}"));
    }
    out
}

pub(super) fn markup_equals_rust(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    let shell = shell_json(base)?;
    open_held(b, base)?;
    let expected = expected(b, &shell)?;
    let held = snapshot(b)?;
    let mut problems = Vec::new();
    for (id, markup) in [("support", "form"), ("support-launcher", "launcher")] {
        if held[id]["inline"] != json!(0) {
            problems.push(format!("#{id}'s shell has inline style or script"));
        }
        if let Some(d) = first_difference(&expected[markup], &held[id]["nodes"], "") {
            problems.push(format!("#{id}'s shell against SHELL.{markup}: {d}"));
        }
    }
    wait_email_prefilled(b)?;
    release(b)?;
    for id in ["support", "support-launcher"] {
        taken_over(b, id)?;
    }
    let rust = snapshot(b)?;
    for (id, markup) in [("support", "form"), ("support-launcher", "launcher")] {
        if rust[id]["static"] != json!(false) {
            problems.push(format!("#{id} still shows the shell"));
        }
        if let Some(d) = first_difference(&expected[markup], &rust[id]["nodes"], "") {
            problems.push(format!("#{id}'s Rust form against SHELL.{markup}: {d}"));
        }
        if let Some(d) = first_look_difference(&held[id]["looks"], &rust[id]["looks"]) {
            problems.push(format!(
                "#{id} looks different from the shell to the Rust form: {d}"
            ));
        }
        if let Some(rule) = first_rule_missing(&held[id]["rules"], &rust[id]["rules"]) {
            problems.push(format!(
                "#{id}: the shell's style rule {rule:?} is not the Rust form's (or not in its order)"
            ));
        }
    }
    let violations = b.execute(
        "return document.getElementById('violations').textContent.trim();",
        json!([]),
    )?;
    if violations.as_str().is_some_and(|v| !v.is_empty()) {
        problems.push(format!("CSP violations: {violations}"));
    }
    verdict(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shells_rules_are_found_in_the_rust_forms_in_order() {
        let rust = json!(["a { x: 1 }", "b { y: var(--z, 2) }", "c { z: 3 }"]);
        assert_eq!(
            first_rule_missing(&json!(["a {x:1}", "c { z: 3 }"]), &rust),
            None
        );
        assert_eq!(
            first_rule_missing(&json!(["c { z: 3 }", "a { x: 1 }"]), &rust),
            Some("a{x:1}".into())
        );
        assert_eq!(
            first_rule_missing(&json!(["b { y: var(--z,2) }", "d { w: 4 }"]), &rust),
            Some("d{w:4}".into())
        );
    }

    #[test]
    fn the_first_difference_names_where_it_is() {
        let a = json!([[
            "div",
            [["class", "moov-support"]],
            [["input", [["id", "moov-title"]], []], "Send"]
        ]]);
        assert_eq!(first_difference(&a, &a, ""), None);
        let b = json!([[
            "div",
            [["class", "moov-support"]],
            [
                ["input", [["id", "moov-title"], ["required", ""]], []],
                "Send"
            ]
        ]]);
        let d = first_difference(&a, &b, "").unwrap();
        assert!(
            d.starts_with(" > div.moov-support > input#moov-title: attributes"),
            "{d}"
        );
        let c = json!([[
            "div",
            [["class", "moov-support"]],
            [["input", [["id", "moov-title"]], []]]
        ]]);
        let d = first_difference(&a, &c, "").unwrap();
        assert!(d.ends_with("text \"Send\" is missing"), "{d}");
    }
}
