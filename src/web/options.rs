//! A form's configuration, read from its element through the option table
//! ([`crate::options_spec`]), and that table as the element's JS side takes it.

use wasm_bindgen::JsValue;

use crate::options_spec::{self as spec, EmbedOption, Flag, Number, Text, OPTIONS};

/// What a partner configured on the element, read from its attributes (the camelCase
/// properties reflect to them).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub endpoint: String,
    pub session_token: Option<String>,
    pub contact_email: Option<String>,
    pub contact_name: Option<String>,
    pub lock_contact: bool,
    pub locale: Option<String>,
    pub launcher: bool,
    pub timeout_ms: i32,
    /// Opens "Your requests" first instead of the form.
    pub requests_first: bool,
    /// The element's `id`, which keeps the drafts of two forms on one page apart.
    pub instance: Option<String>,
}

impl Options {
    pub fn read(host: &web_sys::HtmlElement) -> Self {
        Options {
            endpoint: spec::ENDPOINT.read(host).unwrap_or_default(),
            session_token: spec::SESSION_TOKEN.read(host),
            contact_email: spec::CONTACT_EMAIL.read(host),
            contact_name: spec::CONTACT_NAME.read(host),
            lock_contact: spec::LOCK_CONTACT.read(host),
            locale: spec::LOCALE.read(host),
            launcher: spec::LAUNCHER.read(host),
            timeout_ms: spec::TIMEOUT_MS.read(host),
            requests_first: spec::VIEW.read(host).as_deref() == Some("requests"),
            instance: Some(host.id()).filter(|id| !id.is_empty()),
        }
    }
}

impl Flag {
    /// Whether the attribute is present.
    pub fn read(&self, host: &web_sys::HtmlElement) -> bool {
        host.has_attribute(self.attribute)
    }
}

impl Text {
    /// The attribute's value, else the default; `None` when neither is there (an empty
    /// attribute is not a value).
    pub fn read(&self, host: &web_sys::HtmlElement) -> Option<String> {
        host.get_attribute(self.attribute)
            .filter(|v| !v.is_empty())
            .or_else(|| self.default.map(str::to_owned))
    }
}

impl Number {
    /// The attribute's value, or the default when it is absent or not a whole number.
    pub fn read(&self, host: &web_sys::HtmlElement) -> i32 {
        host.get_attribute(self.attribute)
            .and_then(|v| v.parse().ok())
            .unwrap_or(self.default)
    }
}

/// The table as `element.js` takes it: `[property, attribute or null, kind]` per option.
pub(crate) fn to_js() -> JsValue {
    OPTIONS
        .iter()
        .map(|o: &EmbedOption| {
            let attribute = o.attribute().map_or(JsValue::NULL, JsValue::from_str);
            js_sys::Array::of3(&o.property().into(), &attribute, &o.kind().into())
        })
        .collect::<js_sys::Array>()
        .into()
}
