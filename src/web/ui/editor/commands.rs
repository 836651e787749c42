//! The toolbar's formatting actions and how each is applied to the editable element.

use wasm_bindgen::JsCast;

use crate::web::i18n::Strings;

/// One formatting action of the toolbar and its shortcut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Bold,
    Italic,
    BulletedList,
    NumberedList,
    Link,
    Code,
}

impl Action {
    pub(super) const ALL: [Action; 6] = [
        Action::Bold,
        Action::Italic,
        Action::BulletedList,
        Action::NumberedList,
        Action::Link,
        Action::Code,
    ];

    pub(super) fn label(self, t: &Strings) -> &'static str {
        match self {
            Action::Bold => t.bold,
            Action::Italic => t.italic,
            Action::BulletedList => t.bulleted_list,
            Action::NumberedList => t.numbered_list,
            Action::Link => t.link,
            Action::Code => t.code,
        }
    }

    /// What the button shows; the accessible name is [`Action::label`].
    pub(super) fn glyph(self, t: &Strings) -> &'static str {
        match self {
            Action::Bold => "B",
            Action::Italic => "I",
            Action::BulletedList => "•",
            // Symbols only: a digit would have to appear in the accessible name too (WCAG 2.5.3).
            Action::NumberedList => "#",
            // No emoji: many systems have no font for it.
            Action::Link => t.link,
            Action::Code => "</>",
        }
    }

    pub(super) fn class(self) -> &'static str {
        match self {
            Action::Bold => "moov-tool moov-tool-bold",
            Action::Italic => "moov-tool moov-tool-italic",
            Action::BulletedList => "moov-tool moov-tool-ul",
            Action::NumberedList => "moov-tool moov-tool-ol",
            Action::Link => "moov-tool moov-tool-link",
            Action::Code => "moov-tool moov-tool-code",
        }
    }

    pub(super) fn shortcut(key: &str) -> Option<Action> {
        match key.to_ascii_lowercase().as_str() {
            "b" => Some(Action::Bold),
            "i" => Some(Action::Italic),
            "k" => Some(Action::Link),
            _ => None,
        }
    }
}

fn html_document() -> Option<web_sys::HtmlDocument> {
    web_sys::window()?.document()?.dyn_into().ok()
}

/// Runs an editing command on the focused editor; `false` when the browser did nothing.
pub(super) fn exec(command: &str, value: &str) -> bool {
    html_document()
        .and_then(|doc| {
            doc.exec_command_with_show_ui_and_value(command, false, value)
                .ok()
        })
        .unwrap_or(false)
}

/// The selection inside `editor`'s shadow root (Chromium keeps it there), else the document's.
fn selection_text(editor: &web_sys::HtmlElement) -> String {
    let from_root = editor
        .get_root_node()
        .dyn_into::<web_sys::ShadowRoot>()
        .ok()
        .and_then(|root| {
            let get = js_sys::Reflect::get(&root, &"getSelection".into()).ok()?;
            let get: js_sys::Function = get.dyn_into().ok()?;
            get.call0(&root).ok()
        })
        .filter(|s| !s.is_null() && !s.is_undefined());
    let selection = from_root.or_else(|| {
        web_sys::window()?
            .document()?
            .get_selection()
            .ok()
            .flatten()
            .map(Into::into)
    });
    selection
        .and_then(|s| {
            let to_string: js_sys::Function = js_sys::Reflect::get(&s, &"toString".into())
                .ok()?
                .dyn_into()
                .ok()?;
            to_string.call0(&s).ok()?.as_string()
        })
        .unwrap_or_default()
}

fn is_url(text: &str) -> bool {
    let text = text.trim();
    (text.starts_with("https://") || text.starts_with("http://") || text.starts_with("mailto:"))
        && !text.contains(char::is_whitespace)
}

pub(super) fn apply(action: Action, editor: &web_sys::HtmlElement, t: &Strings) {
    let _ = editor.focus();
    match action {
        Action::Bold => _ = exec("bold", ""),
        Action::Italic => _ = exec("italic", ""),
        Action::BulletedList => _ = exec("insertUnorderedList", ""),
        Action::NumberedList => _ = exec("insertOrderedList", ""),
        Action::Link => {
            // A selected address becomes its own link; otherwise ask for one.
            let selected = selection_text(editor);
            let url = if is_url(&selected) {
                Some(selected.trim().to_owned())
            } else {
                web_sys::window()
                    .and_then(|w| {
                        w.prompt_with_message_and_default(t.link_prompt, "https://")
                            .ok()
                    })
                    .flatten()
                    .filter(|u| is_url(u))
            };
            if let Some(url) = url {
                exec("createLink", &url);
            }
        }
        Action::Code => {
            let selected = selection_text(editor);
            if !selected.is_empty() {
                let mut html = String::from("<code>");
                html.push_str(&escape(&selected));
                html.push_str("</code>");
                exec("insertHTML", &html);
            }
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
