//! The message editor: formatting by toolbar and shortcut, pasted and dropped HTML, and the
//! toolbar's keyboard use.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::support::*;

/// Selects the first occurrence of `needle` in the message editor, as a user's drag would.
fn select_in_editor(w: &Widget, needle: &str) {
    let select = js_sys::Function::new_with_args(
        "editor, needle",
        "editor.focus();
         const walker = document.createTreeWalker(editor, NodeFilter.SHOW_TEXT);
         for (let n = walker.nextNode(); n; n = walker.nextNode()) {
           const i = n.data.indexOf(needle);
           if (i >= 0) {
             const range = document.createRange();
             range.setStart(n, i);
             range.setEnd(n, i + needle.length);
             const selection = document.getSelection();
             selection.removeAllRanges();
             selection.addRange(range);
             return true;
           }
         }
         return false;",
    );
    let found = select
        .call2(&JsValue::NULL, &w.el("#moov-body"), &needle.into())
        .unwrap();
    assert_eq!(found, JsValue::TRUE, "{needle:?} is in the editor");
}

/// Presses Ctrl+`key` in the message editor.
fn shortcut(w: &Widget, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_ctrl_key(true);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    w.el("#moov-body").dispatch_event(&ev).unwrap();
}

fn click_tool(w: &Widget, class: &str) {
    w.el(&format!("button.moov-tool-{class}"))
        .unchecked_into::<HtmlElement>()
        .click();
}

#[wasm_bindgen_test]
async fn the_editor_formats_by_toolbar_and_shortcut_and_keeps_html_in_the_draft() {
    let w = Widget::mount("editor").await;
    let toolbar = w.el("[role=toolbar]");
    assert_eq!(
        toolbar.get_attribute("aria-label").as_deref(),
        Some("Formatting")
    );
    for (class, name) in [
        ("bold", "Bold"),
        ("italic", "Italic"),
        ("ul", "Bulleted list"),
        ("ol", "Numbered list"),
        ("link", "Link"),
        ("code", "Code"),
    ] {
        let b = w.el(&format!("button.moov-tool-{class}"));
        assert_eq!(b.get_attribute("aria-label").as_deref(), Some(name));
    }
    w.type_in(
        "body",
        "make this bold and this slanted, run ls -la, see https://example.com/help",
    );
    select_in_editor(&w, "bold");
    click_tool(&w, "bold");
    select_in_editor(&w, "slanted");
    shortcut(&w, "i");
    select_in_editor(&w, "ls -la");
    click_tool(&w, "code");
    select_in_editor(&w, "https://example.com/help");
    shortcut(&w, "k");
    sleep(30).await;
    let html = editor_html(&w);
    assert!(html.contains("<b>bold</b>"), "{html}");
    assert!(html.contains("<i>slanted</i>"), "{html}");
    assert!(html.contains("<code>ls -la</code>"), "{html}");
    assert!(
        html.contains(r#"<a href="https://example.com/help">https://example.com/help</a>"#),
        "{html}"
    );
    select_in_editor(&w, "make");
    click_tool(&w, "ul");
    sleep(30).await;
    assert!(editor_html(&w).contains("<ul><li>"), "{}", editor_html(&w));
    // The draft keeps the formatting.
    let draft = w.stored_draft().unwrap();
    let saved = draft["message"].as_str().unwrap();
    assert!(
        saved.contains("<b>bold</b>") && saved.contains("<ul>"),
        "{saved}"
    );
    // Leaving the field shows exactly what the policy sends.
    w.leave("body");
    sleep(50).await;
    let shown = editor_html(&w);
    assert_eq!(shown, moov_support::sanitize::clean(&shown));
    assert!(
        shown.contains(r#"rel="noopener noreferrer nofollow""#),
        "{shown}"
    );
    w.remove();
}

/// Whether a script-made event's data, as its handler sees it, still holds the probe's "x".
fn carries_x(data: Option<web_sys::DataTransfer>) -> bool {
    data.and_then(|d| d.get_data("text/plain").ok())
        .is_some_and(|t| t == "x")
}

/// A form for `user` with an empty message editor holding the focus.
async fn empty_focused_editor(user: &str) -> Widget {
    let w = Widget::mount(user).await;
    w.type_in("body", "");
    w.el("#moov-body")
        .unchecked_into::<HtmlElement>()
        .focus()
        .unwrap();
    w
}

#[wasm_bindgen_test]
async fn pasted_html_is_cleaned_before_it_enters_the_editor() {
    // Firefox hides the contents of a script-made DataTransfer from event handlers, so a
    // scripted paste carries nothing there; only a real one would.
    let probe = web_sys::DataTransfer::new().unwrap();
    probe.set_data("text/plain", "x").unwrap();
    let init = web_sys::ClipboardEventInit::new();
    init.set_clipboard_data(Some(&probe));
    let probe = web_sys::ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
    if !carries_x(probe.clipboard_data()) {
        web_sys::console::log_1(&"skipped: this browser cannot script clipboard data".into());
        return;
    }
    let w = empty_focused_editor("paste").await;
    let paste = |html: &str, text: &str| {
        let data = web_sys::DataTransfer::new().unwrap();
        if !html.is_empty() {
            data.set_data("text/html", html).unwrap();
        }
        data.set_data("text/plain", text).unwrap();
        let init = web_sys::ClipboardEventInit::new();
        init.set_clipboard_data(Some(&data));
        init.set_bubbles(true);
        init.set_cancelable(true);
        let ev = web_sys::ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
        w.el("#moov-body").dispatch_event(&ev).unwrap();
    };
    paste(
        r#"<meta charset="utf-8"><p class="MsoNormal" style="color:red" onclick="alert(1)">Hello <b>there</b><script>alert(2)</script><img src="https://x/y.png" onerror="alert(3)"><a href="javascript:alert(4)">click</a></p>"#,
        "Hello there click",
    );
    sleep(50).await;
    let html = editor_html(&w);
    assert!(html.contains("Hello <b>there</b>"), "{html}");
    for bad in [
        "script",
        "alert",
        "onclick",
        "style",
        "class",
        "<img",
        "javascript",
        "meta",
    ] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
    // Plain text becomes paragraphs, its markup shown as text.
    paste("", "line <one>\n\nline two");
    sleep(50).await;
    let html = editor_html(&w);
    assert!(html.contains("line &lt;one&gt;"), "{html}");
    assert!(w.value("body").contains("line two"));
    assert!(w.stored_draft().unwrap()["message"]
        .as_str()
        .unwrap()
        .contains("<b>there</b>"));
    w.remove();
}

#[wasm_bindgen_test]
async fn dropped_html_is_cleaned_before_it_enters_the_editor() {
    let probe = web_sys::DataTransfer::new().unwrap();
    probe.set_data("text/plain", "x").unwrap();
    let init = web_sys::DragEventInit::new();
    init.set_data_transfer(Some(&probe));
    let probe = web_sys::DragEvent::new_with_event_init_dict("drop", &init).unwrap();
    if !carries_x(probe.data_transfer()) {
        web_sys::console::log_1(&"skipped: this browser cannot script drag data".into());
        return;
    }
    let w = empty_focused_editor("drop").await;
    let data = web_sys::DataTransfer::new().unwrap();
    data.set_data(
        "text/html",
        r#"<p>Dragged <i>in</i><img src="https://x/y.png" onerror="alert(1)"><style>*{}</style></p>"#,
    )
    .unwrap();
    data.set_data("text/plain", "Dragged in").unwrap();
    let init = web_sys::DragEventInit::new();
    init.set_data_transfer(Some(&data));
    init.set_bubbles(true);
    init.set_cancelable(true);
    let drop = web_sys::DragEvent::new_with_event_init_dict("drop", &init).unwrap();
    w.el("#moov-body").dispatch_event(&drop).unwrap();
    assert!(
        drop.default_prevented(),
        "the browser would insert the markup as it is"
    );
    wait_for("the dropped text", || editor_html(&w).contains("Dragged")).await;
    let html = editor_html(&w);
    assert!(html.contains("Dragged <i>in</i>"), "{html}");
    for bad in ["<img", "alert", "style"] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
    assert!(!w.stored_draft().unwrap()["message"]
        .as_str()
        .unwrap()
        .contains("<img"));
    w.remove();
}

#[wasm_bindgen_test]
async fn the_toolbar_is_one_tab_stop_moved_along_by_arrow_keys() {
    let w = Widget::mount("toolbar-keys").await;
    let tools = w.root().query_selector_all("button.moov-tool").unwrap();
    let tabbable = |i: u32| {
        tools
            .item(i)
            .unwrap()
            .unchecked_into::<web_sys::Element>()
            .get_attribute("tabindex")
    };
    assert_eq!(tabbable(0).as_deref(), Some("0"));
    assert_eq!(tabbable(1).as_deref(), Some("-1"));
    let first: web_sys::Element = tools.item(0).unwrap().unchecked_into();
    first
        .clone()
        .unchecked_into::<HtmlElement>()
        .focus()
        .unwrap();
    key(&first, "ArrowRight", false);
    sleep(20).await;
    let italic = w.el("button.moov-tool-italic");
    assert_eq!(w.root().active_element().as_ref(), Some(&italic));
    assert_eq!(tabbable(1).as_deref(), Some("0"));
    assert_eq!(tabbable(0).as_deref(), Some("-1"));
    key(&italic, "End", false);
    assert_eq!(
        w.root().active_element().as_ref(),
        Some(&w.el("button.moov-tool-code"))
    );
    key(&w.el("button.moov-tool-code"), "ArrowRight", false);
    assert_eq!(w.root().active_element().as_ref(), Some(&first));
    w.remove();
}
