//! The launcher button and the modal dialog it opens.

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::support::*;

fn dialog_open(w: &Widget) -> bool {
    w.el("dialog").has_attribute("open")
}

#[wasm_bindgen_test]
async fn the_launcher_opens_a_modal_dialog_that_keeps_and_returns_focus() {
    let token = session("launcher").await;
    let w = Widget::mount_with(&[
        ("endpoint", &endpoint()),
        ("session-token", &token),
        ("launcher", ""),
    ])
    .await;
    let button = w.el("button.moov-launcher");
    assert_eq!(button.text_content().unwrap(), "Contact support");
    assert_eq!(
        button.get_attribute("aria-haspopup").as_deref(),
        Some("dialog")
    );
    assert!(!dialog_open(&w), "closed until asked for");
    assert_eq!(computed(&w.el("dialog"), "display"), "none");
    assert_eq!(w.el("#moov-title").get_client_rects().length(), 0);
    assert_eq!(computed(&button, "position"), "fixed");

    button.clone().unchecked_into::<HtmlElement>().click();
    sleep(30).await;
    assert!(dialog_open(&w));
    let dialog = w.el("dialog");
    let title_id = dialog.get_attribute("aria-labelledby").unwrap();
    assert_eq!(
        w.el(&format!("#{title_id}")).text_content().unwrap(),
        "Contact support"
    );
    assert_eq!(w.focused_id().as_deref(), Some("moov-title"));

    // Tab from the last control wraps to the first, Shift+Tab from the first to the last.
    let send = w.el("button.moov-send");
    send.clone()
        .unchecked_into::<HtmlElement>()
        .focus()
        .unwrap();
    key(&send, "Tab", false);
    let close = w.el("button.moov-close");
    assert_eq!(w.root().active_element().as_ref(), Some(&close));
    key(&close, "Tab", true);
    assert_eq!(w.root().active_element().as_ref(), Some(&send));

    // Escape closes and gives focus back to the launcher.
    key(&send, "Escape", false);
    sleep(30).await;
    assert!(!dialog_open(&w));
    assert_eq!(w.root().active_element().as_ref(), Some(&button));

    // The close button does the same; what was typed stays.
    button.clone().unchecked_into::<HtmlElement>().click();
    w.type_in("title", "Typed in the dialog");
    close.unchecked_into::<HtmlElement>().click();
    sleep(30).await;
    assert!(!dialog_open(&w));
    assert_eq!(w.root().active_element().as_ref(), Some(&button));
    assert_eq!(w.value("title"), "Typed in the dialog");
    w.remove();
}
