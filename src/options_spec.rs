//! Every option a partner can set on `<moov-support-form>`: one table that the element's
//! properties and observed attributes, `MoovSupport.mount`, the form's configuration and the
//! README's options table all come from or are checked against.
//!
//! Kept out of the browser-only half so a native test can hold the README to it.

/// The custom element's tag: what the element registers and what the npm package's types and
/// manifest name.
pub const TAG: &str = "moov-support-form";

/// An option that is on when its attribute is present, whatever the attribute's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    pub property: &'static str,
    pub attribute: &'static str,
    /// The README's words for it; not linked into the widget, which never shows them.
    #[cfg(not(target_arch = "wasm32"))]
    pub doc: &'static str,
}

/// A text option; an empty attribute counts as absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub property: &'static str,
    pub attribute: &'static str,
    pub default: Option<&'static str>,
    /// The README's words for it; not linked into the widget, which never shows them.
    #[cfg(not(target_arch = "wasm32"))]
    pub doc: &'static str,
}

/// A whole-number option; a value that does not parse counts as absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number {
    pub property: &'static str,
    pub attribute: &'static str,
    pub default: i32,
    /// The README's words for it; not linked into the widget, which never shows them.
    #[cfg(not(target_arch = "wasm32"))]
    pub doc: &'static str,
}

/// A function option: a property only, since an attribute can only hold text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Callback {
    pub property: &'static str,
    /// The README's words for it; not linked into the widget, which never shows them.
    #[cfg(not(target_arch = "wasm32"))]
    pub doc: &'static str,
}

/// One embed option of any kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedOption {
    Flag(Flag),
    Text(Text),
    Number(Number),
    Callback(Callback),
}

impl EmbedOption {
    /// The camelCase property, which is also its `MoovSupport.mount` key.
    pub const fn property(&self) -> &'static str {
        match self {
            EmbedOption::Flag(o) => o.property,
            EmbedOption::Text(o) => o.property,
            EmbedOption::Number(o) => o.property,
            EmbedOption::Callback(o) => o.property,
        }
    }

    /// The kebab-case attribute it reflects to; `None` for a callback.
    pub const fn attribute(&self) -> Option<&'static str> {
        match self {
            EmbedOption::Flag(o) => Some(o.attribute),
            EmbedOption::Text(o) => Some(o.attribute),
            EmbedOption::Number(o) => Some(o.attribute),
            EmbedOption::Callback(_) => None,
        }
    }

    /// The kind's name, as the element and the README call it.
    pub const fn kind(&self) -> &'static str {
        match self {
            EmbedOption::Flag(_) => "boolean",
            EmbedOption::Text(_) => "string",
            EmbedOption::Number(_) => "number",
            EmbedOption::Callback(_) => "function",
        }
    }

    /// The default as the README shows it; `None` when unset means "not given".
    pub fn default(&self) -> Option<String> {
        match self {
            EmbedOption::Flag(_) => Some("off".to_owned()),
            EmbedOption::Text(o) => o.default.map(str::to_owned),
            EmbedOption::Number(o) => Some(o.default.to_string()),
            EmbedOption::Callback(_) => None,
        }
    }

    /// What it does, as the README's options table says it.
    #[cfg(not(target_arch = "wasm32"))]
    pub const fn doc(&self) -> &'static str {
        match self {
            EmbedOption::Flag(o) => o.doc,
            EmbedOption::Text(o) => o.doc,
            EmbedOption::Number(o) => o.doc,
            EmbedOption::Callback(o) => o.doc,
        }
    }
}

pub const ENDPOINT: Text = Text {
    property: "endpoint",
    attribute: "endpoint",
    default: Some("/api/support/tickets"),
    #[cfg(not(target_arch = "wasm32"))]
    doc: "the proxy's ticket URL",
};

pub const SESSION_TOKEN: Text = Text {
    property: "sessionToken",
    attribute: "session-token",
    default: None,
    #[cfg(not(target_arch = "wasm32"))]
    doc: "the partner's session token for the signed-in user (see below)",
};

pub const GET_SESSION_TOKEN: Callback = Callback {
    property: "getSessionToken",
    #[cfg(not(target_arch = "wasm32"))]
    doc: "`async () => token`; called at every send the page gave no token for (so a user \
          who signed out never sends as the next), once more after the proxy answered 401 \
          (then the send is retried), and once to learn whose draft to restore: when the form \
          is drawn if it has a saved draft, else at the first edit, so a page whose user never \
          writes makes no call",
};

pub const CONTACT_EMAIL: Text = Text {
    property: "contactEmail",
    attribute: "contact-email",
    default: None,
    #[cfg(not(target_arch = "wasm32"))]
    doc: "the user's email; prefills the form (wins over the token's `email`)",
};

pub const CONTACT_NAME: Text = Text {
    property: "contactName",
    attribute: "contact-name",
    default: None,
    #[cfg(not(target_arch = "wasm32"))]
    doc: "the user's name; prefills the form (wins over the token's `name`)",
};

pub const LOCK_CONTACT: Flag = Flag {
    property: "lockContact",
    attribute: "lock-contact",
    #[cfg(not(target_arch = "wasm32"))]
    doc: "show the contact details read-only (only when the email is one the rules accept; \
          otherwise the user could never send). The proxy's `LOCK_CONTACT` enforces it on the \
          server",
};

pub const LOCALE: Text = Text {
    property: "locale",
    attribute: "locale",
    default: None,
    #[cfg(not(target_arch = "wasm32"))]
    doc: "`en`, `es`, `fr`, `de`, `pt-BR`, `ja`, `ar` (right to left); any other tag falls \
          back to the browser's languages, then English. English is built in; each other \
          language is a small file (`locales/<language>.json`, about 1.7 KB brotli) that only \
          its forms fetch, requested by the loader beside the widget. If it cannot be fetched, \
          or has not arrived within 5 s, the form is drawn in English (with `lang=\"en\"`, left \
          to right). Changing `locale` keeps the form on the page until the new language is \
          ready",
};

pub const LAUNCHER: Flag = Flag {
    property: "launcher",
    attribute: "launcher",
    #[cfg(not(target_arch = "wasm32"))]
    doc: "show a floating \"Contact support\" button that opens the form in a modal dialog \
          (focus kept inside, Escape closes, focus returns to the button; \
          [screenshot](docs/form-launcher.png))",
};

pub const TIMEOUT_MS: Number = Number {
    property: "timeoutMs",
    attribute: "timeout-ms",
    default: 20_000,
    #[cfg(not(target_arch = "wasm32"))]
    doc: "how long to wait, in milliseconds, for the proxy before reporting a timeout",
};

pub const VIEW: Text = Text {
    property: "view",
    attribute: "view",
    default: Some("form"),
    #[cfg(not(target_arch = "wasm32"))]
    doc: "what the widget shows first: `form` (a new request) or `requests` (the user's \
          requests, support's replies, closing a request); the user can switch between them",
};

/// Every option, in the order the README lists them.
pub const OPTIONS: [EmbedOption; 10] = [
    EmbedOption::Text(ENDPOINT),
    EmbedOption::Text(SESSION_TOKEN),
    EmbedOption::Callback(GET_SESSION_TOKEN),
    EmbedOption::Text(CONTACT_EMAIL),
    EmbedOption::Text(CONTACT_NAME),
    EmbedOption::Flag(LOCK_CONTACT),
    EmbedOption::Text(LOCALE),
    EmbedOption::Flag(LAUNCHER),
    EmbedOption::Number(TIMEOUT_MS),
    EmbedOption::Text(VIEW),
];

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::locale::Locale;

    /// The README's options table as the table says it should read, one cell per column.
    fn expected_rows() -> Vec<[String; 5]> {
        let code = |s: &str| format!("`{s}`");
        OPTIONS
            .iter()
            .map(|o| {
                [
                    code(o.property()),
                    o.attribute().map_or("—".to_owned(), code),
                    o.kind().to_owned(),
                    o.default().map_or("—".to_owned(), |d| code(&d)),
                    o.doc().to_owned(),
                ]
            })
            .collect()
    }

    /// The rows of the README's table whose header starts with `| property (JS)`.
    fn readme_rows() -> Vec<Vec<String>> {
        let readme = include_str!("../README.md");
        let mut lines = readme
            .lines()
            .skip_while(|l| !l.starts_with("| property (JS)"));
        let header = lines.next().expect("the README has an options table");
        assert_eq!(
            cells(header),
            [
                "property (JS)",
                "attribute (HTML)",
                "type",
                "default",
                "meaning"
            ]
        );
        lines
            .skip(1) // the |---| line
            .take_while(|l| l.starts_with('|'))
            .map(cells)
            .collect()
    }

    fn cells(line: &str) -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect()
    }

    #[test]
    fn the_readme_options_table_is_the_table() {
        let expected = expected_rows();
        let rendered: String = expected
            .iter()
            .map(|r| format!("| {} |\n", r.join(" | ")))
            .collect();
        assert_eq!(
            readme_rows(),
            expected.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
            "README.md's options table should read (padding aside):\n{rendered}"
        );
    }

    #[test]
    fn each_attribute_is_its_property_in_kebab_case() {
        for o in OPTIONS {
            let kebab: String = o
                .property()
                .chars()
                .flat_map(|c| {
                    let lower = c.to_ascii_lowercase();
                    (c.is_ascii_uppercase().then_some('-').into_iter()).chain([lower])
                })
                .collect();
            if let Some(attribute) = o.attribute() {
                assert_eq!(attribute, kebab, "{}", o.property());
            }
        }
        let mut names: Vec<&str> = OPTIONS.iter().map(|o| o.property()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), OPTIONS.len(), "a property is listed twice");
    }

    #[test]
    fn the_locale_option_names_every_language() {
        let listed = LOCALE.doc.split(" (right to left)").next().unwrap();
        let expected: Vec<String> = Locale::ALL
            .iter()
            .map(|l| format!("`{}`", l.tag()))
            .collect();
        assert_eq!(
            listed,
            expected.join(", "),
            "the `locale` doc and `Locale` disagree"
        );
    }
}
