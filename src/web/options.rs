//! A form's configuration, read from its element through the option table
//! ([`crate::options_spec`]), and that table as the element's JS side takes it.

use wasm_bindgen::JsValue;

use crate::options_spec::{self as spec, EmbedOption, Flag, Number, Text, OPTIONS};

/// How a form is configured: what the element's attributes say, or what a Leptos app builds
/// with [`Options::new`] and the setters below before rendering [`SupportForm`].
///
/// Each setter is one option of the README's options table; what is not set keeps that
/// table's default. The page's `getSessionToken` is [`SupportForm`]'s `token_provider` prop
/// instead, since a Rust app hands over a Rust closure.
///
/// ```
/// # #[cfg(feature = "web")] {
/// let options = moov_support::Options::new("/support/api/support/tickets")
///     .contact_email("jordan@example.com")
///     .locale("fr");
/// # }
/// ```
///
/// [`SupportForm`]: crate::SupportForm
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub(crate) endpoint: String,
    pub(crate) session_token: Option<String>,
    pub(crate) contact_email: Option<String>,
    pub(crate) contact_name: Option<String>,
    pub(crate) lock_contact: bool,
    pub(crate) locale: Option<String>,
    /// Only the element draws a launcher button around the form.
    pub(crate) launcher: bool,
    pub(crate) timeout_ms: i32,
    /// Opens "Your requests" first instead of the form.
    pub(crate) requests_first: bool,
    /// The element's `id`, which keeps the drafts of two forms on one page apart.
    pub(crate) instance: Option<String>,
}

impl Default for Options {
    /// The options table's defaults: the proxy at `/api/support/tickets` on the page's own
    /// origin, a 20 s timeout, everything else off or unset.
    fn default() -> Self {
        Options {
            endpoint: spec::ENDPOINT.default.unwrap_or_default().to_owned(),
            session_token: None,
            contact_email: None,
            contact_name: None,
            lock_contact: false,
            locale: None,
            launcher: false,
            timeout_ms: spec::TIMEOUT_MS.default,
            requests_first: false,
            instance: None,
        }
    }
}

impl Options {
    /// A form that files tickets at `endpoint`, the proxy's ticket URL (for the proxy nested
    /// under `/support` in an axum app: `/support/api/support/tickets`).
    pub fn new(endpoint: impl Into<String>) -> Self {
        Options {
            endpoint: endpoint.into(),
            ..Options::default()
        }
    }

    /// The signed-in user's session token, when the app has one before the form is drawn;
    /// otherwise the form asks its token provider at the first send.
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// The user's email, prefilled (wins over the token's `email`), so they need not type
    /// what the app knows.
    pub fn contact_email(mut self, email: impl Into<String>) -> Self {
        self.contact_email = Some(email.into());
        self
    }

    /// The user's name, prefilled (wins over the token's `name`).
    pub fn contact_name(mut self, name: impl Into<String>) -> Self {
        self.contact_name = Some(name.into());
        self
    }

    /// Shows the contact details read-only, so replies go where the app says; honoured only
    /// for an email the rules accept, otherwise the user could never send. The proxy's
    /// `LOCK_CONTACT` enforces it on the server.
    pub fn lock_contact(mut self, lock: bool) -> Self {
        self.lock_contact = lock;
        self
    }

    /// The form's language (`en`, `es`, `fr`, `de`, `pt-BR`, `ja`, `ar`); unset or unknown
    /// falls back to the browser's languages, then English.
    pub fn locale(mut self, tag: impl Into<String>) -> Self {
        self.locale = Some(tag.into());
        self
    }

    /// How long, in milliseconds, to wait for the proxy before reporting a timeout.
    pub fn timeout_ms(mut self, ms: i32) -> Self {
        self.timeout_ms = ms;
        self
    }

    /// Opens the user's requests (support's replies, closing a request) first instead of a
    /// new request; the user can switch between them either way.
    pub fn requests_first(mut self, first: bool) -> Self {
        self.requests_first = first;
        self
    }

    /// Keeps this form's draft apart from another form's on the same page (the element uses
    /// its `id`); unset, forms for the same endpoint and user share one draft.
    pub fn instance(mut self, name: impl Into<String>) -> Self {
        self.instance = Some(name.into());
        self
    }

    /// Whether the element draws the form behind a floating button; set by the element's
    /// `launcher` attribute, and without effect on a form a Leptos app renders.
    #[doc(hidden)]
    pub fn launcher(mut self, on: bool) -> Self {
        self.launcher = on;
        self
    }

    /// The configuration an element's attributes give (the camelCase properties reflect to
    /// them).
    #[doc(hidden)]
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
