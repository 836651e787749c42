//! The stylesheet the running widget adopts: the whole sheet, or, in the bundles the loader
//! starts (the `loader-rules` feature), the sheet put back together from the rules the loader
//! or the npm package's entry hands over (see `stylesheet::shared`).

/// The widget's stylesheet.
#[cfg(not(feature = "loader-rules"))]
pub(crate) fn text() -> &'static str {
    crate::stylesheet::STYLESHEET
}

/// The widget's stylesheet, put together once per page.
#[cfg(feature = "loader-rules")]
pub(crate) fn text() -> &'static str {
    use crate::stylesheet::shared;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/src/web/element.js")]
    extern "C" {
        /// The static form's rules, as the loader or the npm package's entry gave them.
        #[wasm_bindgen(js_name = sharedRules)]
        fn shared_rules() -> Option<String>;
    }

    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        shared_rules()
            .and_then(|rules| shared::complete(&rules))
            .unwrap_or_else(|| {
                // Started some other way: the form keeps every rule but the static form's.
                web_sys::console::error_1(
                    &"moov-support: the page did not hand over the form's style rules; load \
                      the widget through moov-support.js or the npm package"
                        .into(),
                );
                shared::OWN.replace(shared::HOLE, "")
            })
    })
}
