//! XSS payloads through the sanitizer, rendered by real browsers.
//!
//! Every payload of DOMPurify's fixtures (`../shared/corpus/xss-dompurify.jsonl`, embedded at
//! compile time from the path in `MOOV_SUPPORT_XSS_CORPUS`) and a set of our own goes through
//! the wasm sanitizer; the output is rendered by `DOMParser` and by `innerHTML` in the page,
//! with `alert`/`confirm`/`prompt`/`print` hooked. Nothing may fire and nothing outside the
//! policy may survive. The same payloads pasted into the message editor leave nothing active.
#![cfg(target_arch = "wasm32")]

use moov_support::web::{embed, sanitizer_worker};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The corpus as found at build time; empty when `cargo xtask test` found no corpus.
const CORPUS: &str = include_str!(env!(
    "MOOV_SUPPORT_XSS_CORPUS",
    "set MOOV_SUPPORT_XSS_CORPUS to the path of xss-dompurify.jsonl (cargo xtask test does)"
));

const PROXY: &str = match option_env!("MOOV_SUPPORT_TEST_PROXY") {
    Some(url) => url,
    None => "http://127.0.0.1:3999",
};

/// The policy's elements (src/sanitize.rs); anything else in rendered output is a finding.
const ALLOWED: [&str; 15] = [
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

/// Payloads of our own: URL obfuscation, event handlers, navigation and mutation XSS. They
/// run even without the corpus.
const OWN: &[&str] = &[
    r#"<a href="javascript:alert(1)">x</a>"#,
    r#"<a href="JaVaScRiPt:alert(1)">x</a>"#,
    r#"<a href="jav&#x09;ascript:alert(1)">x</a>"#,
    r#"<a href="jav&#x0A;ascript:alert(1)">x</a>"#,
    r#"<a href="jav&#x0D;ascript:alert(1)">x</a>"#,
    "<a href=\"java\nscript:alert(1)\">x</a>",
    r#"<a href="  javascript:alert(1)">x</a>"#,
    r#"<a href="&#1;javascript:alert(1)">x</a>"#,
    "<a href=\"\u{0}javascript:alert(1)\">x</a>",
    r#"<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>"#,
    r#"<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>"#,
    r#"<a href="javascript&colon;alert(1)">x</a>"#,
    r#"<a href="javascript:confirm(1)//https://moov.io">x</a>"#,
    r#"<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>"#,
    r#"<a href="vbscript:msgbox(1)">x</a>"#,
    r#"<a href="https://moov.io" onmouseover="alert(1)" style="position:fixed;inset:0">x</a>"#,
    r#"<a href="//evil.example/x">x</a>"#,
    r#"<svg onload=alert(1)>"#,
    r#"<svg><script>alert(1)</script></svg>"#,
    r#"<svg><animate onbegin=alert(1) attributeName=x dur=1s>"#,
    r#"<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>"#,
    r#"<img src=x onerror=alert(1)>"#,
    r#"<img src=x onerror=confirm(1)><img src=x onerror=prompt(1)><img src=x onerror=print()>"#,
    r#"<iframe srcdoc="<script>parent.alert(1)</script>"></iframe>"#,
    r#"<iframe src="javascript:parent.alert(1)"></iframe>"#,
    r#"<math href="javascript:alert(1)">x</math>"#,
    r#"<math><a xlink:href="javascript:alert(1)">x</a></math>"#,
    r#"<form action="javascript:alert(1)"><button>x</button></form>"#,
    r#"<button formaction="javascript:alert(1)">x</button>"#,
    r#"<object data="javascript:alert(1)"></object>"#,
    r#"<embed src="javascript:alert(1)">"#,
    r#"<meta http-equiv="refresh" content="0;url=javascript:alert(1)">"#,
    r#"<base href="javascript:alert(1)//">"#,
    r#"<style>@import 'javascript:alert(1)';</style><p>x</p>"#,
    r#"<link rel="stylesheet" href="javascript:alert(1)">"#,
    r#"<noscript><p title="</noscript><img src=x onerror=alert(1)>">"#,
    r#"<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">"#,
    r#"<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=alert(1)&gt;">"#,
    r#"<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>"#,
    r#"<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style><img src onerror=alert(1)>"></style></h1>"#,
    r#"<title><img title="</title><img src=x onerror=alert(1)>">"#,
    r#"<xmp><img title="</xmp><img src=x onerror=alert(1)>">"#,
    r#"<textarea><img title="</textarea><img src=x onerror=alert(1)>">"#,
    r#"<!--><img src=x onerror=alert(1)>-->"#,
    r#"<template><img src=x onerror=alert(1)></template>"#,
    r#"<p onclick=alert(1)>x</p><details open ontoggle=alert(1)>y</details>"#,
    r#"<video><source onerror=alert(1)></video><audio src=x onerror=alert(1)>"#,
    r#"<body onload=alert(1)><input autofocus onfocus=alert(1)>"#,
    r#"<marquee onstart=alert(1)>x</marquee><isindex action=javascript:alert(1) type=image>"#,
    r#"<p>ok<script>print()</script></p>"#,
    r#"<a href="http://moov.io" target=_blank rel=opener>x</a>"#,
    r#"<p style="background:url(javascript:alert(1))" class="x" id="location">x</p>"#,
];

/// A corpus payload or one of ours, with a name for failure messages.
struct Payload {
    id: String,
    html: String,
}

fn payloads() -> Vec<Payload> {
    let mut all = Vec::new();
    for (n, line) in CORPUS.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("corpus line {}: {e}", n + 1));
        all.push(Payload {
            id: v["id"].as_str().unwrap_or("?").to_owned(),
            html: v["payload"].as_str().expect("payload").to_owned(),
        });
    }
    if all.is_empty() {
        log("xss: corpus absent (../shared/corpus/xss-dompurify.jsonl): built-in payloads only");
    }
    all.extend(OWN.iter().enumerate().map(|(i, p)| Payload {
        id: format!("own-{i}"),
        html: (*p).to_owned(),
    }));
    all
}

fn log(message: &str) {
    web_sys::console::log_1(&message.into());
}

fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

fn document() -> web_sys::Document {
    window().document().unwrap()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

const HITS: &str = "__moovXssHits";

/// Replaces `alert`, `confirm`, `prompt` and `print` with hooks that record each call.
fn install_hooks() {
    let w = window();
    js_sys::Reflect::set(&w, &HITS.into(), &js_sys::Array::new()).unwrap();
    for name in ["alert", "confirm", "prompt", "print"] {
        let hook = js_sys::Function::new_with_args(
            "",
            &format!("window.{HITS}.push({name:?}); return null;"),
        );
        js_sys::Reflect::set(&w, &name.into(), &hook).unwrap();
    }
}

/// The hooks called since the last call, by name.
fn take_hits() -> Vec<String> {
    let hits: js_sys::Array = js_sys::Reflect::get(&window(), &HITS.into())
        .unwrap()
        .unchecked_into();
    let names = hits.iter().filter_map(|h| h.as_string()).collect();
    hits.set_length(0);
    names
}

/// Checks every element under `root` against the policy; returns what is wrong.
fn violations(root: &Element) -> Vec<String> {
    let mut found = Vec::new();
    let all = root.query_selector_all("*").unwrap();
    for i in 0..all.length() {
        let el: Element = all.item(i).unwrap().unchecked_into();
        let name = el.local_name();
        let html_ns = el.namespace_uri().as_deref() == Some("http://www.w3.org/1999/xhtml");
        if !html_ns || !ALLOWED.contains(&name.as_str()) {
            found.push(format!("element <{name}> ({:?})", el.namespace_uri()));
        }
        for attr in el.get_attribute_names().iter() {
            let attr = attr.as_string().unwrap_or_default();
            if attr.to_ascii_lowercase().starts_with("on") {
                found.push(format!("handler {attr} on <{name}>"));
            } else if name != "a" || !matches!(attr.as_str(), "href" | "rel") {
                found.push(format!("attribute {attr} on <{name}>"));
            }
        }
        if let Some(href) = el.get_attribute("href") {
            match protocol(&href) {
                Some(p) if matches!(p.as_str(), "http:" | "https:" | "mailto:") => {}
                other => found.push(format!("href {href:?} (protocol {other:?})")),
            }
        }
    }
    found
}

/// The protocol of `href` parsed by the browser's `URL`, `None` when it does not parse.
fn protocol(href: &str) -> Option<String> {
    let ctor: js_sys::Function = js_sys::Reflect::get(&window(), &"URL".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let url = js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(&href.into())).ok()?;
    js_sys::Reflect::get(&url, &"protocol".into())
        .ok()?
        .as_string()
}

/// `new DOMParser().parseFromString(html, "text/html")`.
fn parse(html: &str) -> web_sys::Document {
    let ctor: js_sys::Function = js_sys::Reflect::get(&window(), &"DOMParser".into())
        .unwrap()
        .unchecked_into();
    let parser = js_sys::Reflect::construct(&ctor, &js_sys::Array::new()).unwrap();
    let parse: js_sys::Function = js_sys::Reflect::get(&parser, &"parseFromString".into())
        .unwrap()
        .unchecked_into();
    parse
        .call2(&parser, &html.into(), &"text/html".into())
        .unwrap()
        .unchecked_into()
}

/// Sanitizes every payload, checks the output is stable, and returns (payload id, output).
async fn sanitized() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in payloads() {
        let clean = sanitizer_worker::clean(&p.html)
            .await
            .expect("the sanitizer is linked in");
        let again = sanitizer_worker::clean(&clean)
            .await
            .expect("the sanitizer is linked in");
        assert_eq!(
            again, clean,
            "{}: sanitizing twice changes the output",
            p.id
        );
        out.push((p.id, clean));
    }
    out
}

/// Payloads rendered per batch before the page is given time to run handlers.
const BATCH: usize = 10;

/// Lets pending loads, errors and timers run, then fails if any hook fired.
async fn settle(ids: &[&str]) {
    sleep(150).await;
    let hits = take_hits();
    assert!(hits.is_empty(), "{hits:?} fired for one of {ids:?}");
}

#[wasm_bindgen_test]
async fn parsed_output_holds_only_the_policy_and_runs_nothing() {
    install_hooks();
    let outputs = sanitized().await;
    for batch in outputs.chunks(BATCH) {
        let mut ids = Vec::new();
        for (id, clean) in batch {
            let doc = parse(clean);
            let in_head = doc.query_selector("head *").unwrap();
            assert!(in_head.is_none(), "{id}: {in_head:?} in <head>: {clean}");
            let body: Element = doc.body().unwrap().unchecked_into();
            let bad = violations(&body);
            assert!(bad.is_empty(), "{id}: {bad:?} in {clean}");
            ids.push(id.as_str());
        }
        settle(&ids).await;
    }
    log(&format!(
        "xss: {} payloads parsed with DOMParser ({} from the corpus)",
        outputs.len(),
        outputs.len() - OWN.len()
    ));
}

#[wasm_bindgen_test]
async fn inner_html_output_holds_only_the_policy_and_runs_nothing() {
    install_hooks();
    let outputs = sanitized().await;
    let body = document().body().unwrap();
    for batch in outputs.chunks(BATCH) {
        let mut shown = Vec::new();
        for (id, clean) in batch {
            // Assigned while detached, then attached, so both parse paths' effects happen.
            let div = document().create_element("div").unwrap();
            div.set_inner_html(clean);
            body.append_child(&div).unwrap();
            let bad = violations(&div);
            assert!(bad.is_empty(), "{id}: {bad:?} in {clean}");
            shown.push((id.as_str(), div));
        }
        let ids: Vec<&str> = shown.iter().map(|(id, _)| *id).collect();
        settle(&ids).await;
        for (_, div) in shown {
            div.remove();
        }
    }
    log(&format!(
        "xss: {} payloads rendered with innerHTML ({} from the corpus)",
        outputs.len(),
        outputs.len() - OWN.len()
    ));
}

/// True when this browser lets a script-made paste carry data (Firefox does not).
fn scripted_paste_is_readable() -> bool {
    let probe = web_sys::DataTransfer::new().unwrap();
    probe.set_data("text/plain", "x").unwrap();
    let init = web_sys::ClipboardEventInit::new();
    init.set_clipboard_data(Some(&probe));
    let probe = web_sys::ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
    probe
        .clipboard_data()
        .and_then(|d| d.get_data("text/plain").ok())
        .is_some_and(|t| t == "x")
}

/// The payloads pasted into the editor: all of ours and the corpus entries that carry
/// handlers, script URLs or the foreign-content tricks mutation XSS relies on.
fn paste_selection() -> Vec<Payload> {
    let nasty = [
        "onerror",
        "onload",
        "javascript:",
        "srcdoc",
        "noscript",
        "<math",
        "<svg",
        "<template",
        "<style",
        "<form",
    ];
    payloads()
        .into_iter()
        .filter(|p| {
            p.id.starts_with("own-") || {
                let lower = p.html.to_ascii_lowercase();
                nasty.iter().any(|n| lower.contains(n))
            }
        })
        .collect()
}

async fn session(user: &str) -> String {
    let url = format!("{PROXY}/api/dev/session?sub={user}");
    let response: web_sys::Response = JsFuture::from(window().fetch_with_str(&url))
        .await
        .unwrap_or_else(|e| panic!("GET {url} failed: {e:?}; is the test proxy running?"))
        .unchecked_into();
    assert!(response.ok(), "GET {url}: HTTP {}", response.status());
    let text = JsFuture::from(response.text().unwrap()).await.unwrap();
    let v: serde_json::Value = serde_json::from_str(&text.as_string().unwrap()).unwrap();
    v["token"].as_str().expect("token").to_owned()
}

#[wasm_bindgen_test]
async fn pasting_payloads_leaves_nothing_active_in_the_editor() {
    if !scripted_paste_is_readable() {
        log("xss: editor paste skipped: this browser cannot script clipboard data");
        return;
    }
    install_hooks();
    embed::register();
    let host: HtmlElement = document()
        .create_element(embed::TAG)
        .unwrap()
        .unchecked_into();
    host.set_attribute("endpoint", &format!("{PROXY}/api/support/tickets"))
        .unwrap();
    host.set_attribute("session-token", &session("xss").await)
        .unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let root = host.shadow_root().expect("an open shadow root");
    let mut editor = None;
    for _ in 0..250 {
        editor = root.query_selector("#moov-body").unwrap();
        if editor.is_some() {
            break;
        }
        sleep(20).await;
    }
    let editor: HtmlElement = editor.expect("the message editor").unchecked_into();
    sleep(50).await;

    let selection = paste_selection();
    assert!(selection.len() >= 30, "only {} to paste", selection.len());
    for p in &selection {
        editor.set_inner_html("");
        editor.focus().unwrap();
        let data = web_sys::DataTransfer::new().unwrap();
        data.set_data("text/html", &p.html).unwrap();
        data.set_data("text/plain", "pasted").unwrap();
        let init = web_sys::ClipboardEventInit::new();
        init.set_clipboard_data(Some(&data));
        init.set_bubbles(true);
        init.set_cancelable(true);
        let ev = web_sys::ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
        editor.dispatch_event(&ev).unwrap();
        sleep(60).await;
        let bad = violations(&editor);
        assert!(
            bad.is_empty(),
            "{}: {bad:?} in the editor: {}",
            p.id,
            editor.inner_html()
        );
        let hits = take_hits();
        assert!(hits.is_empty(), "{}: {hits:?} fired", p.id);
    }
    log(&format!(
        "xss: {} payloads pasted into the editor",
        selection.len()
    ));
    host.remove();
}

/// The harness is not blind: an unsanitized handler fires a hook and fails the checks.
#[wasm_bindgen_test]
async fn the_hooks_and_checks_catch_what_is_not_sanitized() {
    install_hooks();
    let div = document().create_element("div").unwrap();
    div.set_inner_html(r#"<img src="x" onerror="alert(1)"><a href="javascript:x">x</a>"#);
    document().body().unwrap().append_child(&div).unwrap();
    let bad = violations(&div);
    assert!(bad.iter().any(|b| b.contains("onerror")), "{bad:?}");
    assert!(bad.iter().any(|b| b.contains("javascript:")), "{bad:?}");
    let mut hits = Vec::new();
    for _ in 0..100 {
        hits.extend(take_hits());
        if !hits.is_empty() {
            break;
        }
        sleep(20).await;
    }
    div.remove();
    assert_eq!(hits, ["alert"]);
}
