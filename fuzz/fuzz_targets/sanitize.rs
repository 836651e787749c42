//! The body policy on any text: it never panics, its output is stable (cleaning a clean body
//! changes nothing, so the widget's preview, the proxy and the sandbox all hold the same
//! bytes), and the output is only the markup the policy allows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use moov_support::sanitize::{clean, has_visible_text, text_to_html};
use moov_support_fuzz::allowed_markup;

fuzz_target!(|data: &[u8]| {
    let Ok(html) = std::str::from_utf8(data) else {
        return;
    };
    let once = clean(html);
    let twice = clean(&once);
    assert_eq!(twice, once, "cleaning is not stable for {html:?}");
    if let Err(problem) = allowed_markup(&once) {
        panic!("{problem} in {once:?} (from {html:?})");
    }
    assert!(!once.to_ascii_lowercase().contains("<script"), "{once:?}");
    let _ = has_visible_text(&once);

    // The same input read as plain text (a paste): the markup it becomes passes the policy
    // as it is, but for how HTML writes text (quotes need no escaping, a no-break space is
    // `&nbsp;`) and what any HTML parser does to it (NUL is dropped, a lone CR is a line
    // feed), and a letter or digit typed is still there to read.
    let typed = text_to_html(html);
    let typed_clean = clean(&typed);
    let parsed = typed
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace('\0', "")
        .replace('\r', "\n")
        .replace('\u{a0}', "&nbsp;");
    assert_eq!(typed_clean, parsed, "typed text {html:?}");
    if html.chars().any(char::is_alphanumeric) {
        assert!(has_visible_text(&typed_clean), "typed text {html:?}");
    }
});
