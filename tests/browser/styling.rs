//! Style isolation between the page and the widget, and the theme variables.

use wasm_bindgen_test::*;

use crate::support::*;

/// Adds a `<style>` to the test page; removed when dropped.
struct PageStyle(web_sys::Element);

impl PageStyle {
    fn add(css: &str) -> PageStyle {
        let style = document().create_element("style").unwrap();
        style.set_text_content(Some(css));
        document().head().unwrap().append_child(&style).unwrap();
        PageStyle(style)
    }
}

impl Drop for PageStyle {
    fn drop(&mut self) {
        self.0.remove();
    }
}

#[wasm_bindgen_test]
async fn page_css_and_widget_css_stay_on_their_side() {
    let _hostile = PageStyle::add(
        "html { font-size: 40px } * { color: red !important; font-size: 40px } \
         input, textarea { display: none } label { visibility: hidden }",
    );
    let w = Widget::mount("isolation").await;
    let title = w.el("#moov-title");
    assert_eq!(computed(&title, "display"), "block");
    assert_eq!(computed(&title, "font-size"), "16px");
    let label = w.el("label[for=moov-title]");
    assert_ne!(computed(&label, "color"), "rgb(255, 0, 0)");
    assert_eq!(computed(&label, "visibility"), "visible");
    assert_eq!(computed(&w.el(".moov-hint"), "font-size"), "13.6px");
    // Nothing is styled inline, so `style-src 'self'` needs no exception.
    assert_eq!(w.root().query_selector_all("[style]").unwrap().length(), 0);
    // The widget's rules do not style the page's own buttons.
    let page_button = document().create_element("button").unwrap();
    document()
        .body()
        .unwrap()
        .append_child(&page_button)
        .unwrap();
    assert_ne!(computed(&page_button, "border-radius"), "6px");
    assert_ne!(
        computed(&page_button, "background-color"),
        computed(&w.el("button.moov-send"), "background-color")
    );
    page_button.remove();
    w.remove();
}

#[wasm_bindgen_test]
async fn theme_variables_from_the_page_style_the_form() {
    let _theme = PageStyle::add(
        ":root { --moov-font-family: Georgia, serif } \
         moov-support-form#themed { --moov-color-primary: rgb(1, 2, 3); \
         --moov-color-on-primary: rgb(250, 250, 250); --moov-color-background: rgb(17, 24, 39); \
         --moov-color-high-contrast: rgb(243, 244, 246); --moov-color-danger: rgb(255, 138, 128); \
         --moov-radius-small: 3px; --moov-radius-large: 20px }",
    );
    let token = session("theme").await;
    let w = Widget::mount_with(&[
        ("endpoint", &endpoint()),
        ("session-token", &token),
        ("id", "themed"),
    ])
    .await;
    let send = w.el("button.moov-send");
    assert_eq!(computed(&send, "background-color"), "rgb(1, 2, 3)");
    assert_eq!(computed(&send, "color"), "rgb(250, 250, 250)");
    assert_eq!(computed(&send, "border-top-left-radius"), "3px");
    let panel = w.el(".moov-support");
    assert_eq!(computed(&panel, "background-color"), "rgb(17, 24, 39)");
    assert_eq!(computed(&panel, "border-top-left-radius"), "20px");
    assert_eq!(
        computed(&w.el("label[for=moov-title]"), "color"),
        "rgb(243, 244, 246)"
    );
    assert!(computed(&panel, "font-family").starts_with("Georgia"));
    // Errors take the danger color.
    w.type_in("email", "nope");
    w.leave("email");
    sleep(30).await;
    assert_eq!(
        computed(&w.el("#moov-email-error"), "color"),
        "rgb(255, 138, 128)"
    );
    w.remove();

    // Without variables the defaults apply.
    let plain = Widget::mount("theme-default").await;
    assert_eq!(
        computed(&plain.el("button.moov-send"), "background-color"),
        "rgb(11, 95, 255)"
    );
    plain.remove();
}
