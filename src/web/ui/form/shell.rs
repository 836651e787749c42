//! The form the loader draws before the wasm arrives, as a view: blank, with nothing
//! behind its handlers. Rendered to HTML at build time (`cargo xtask shell`) from the same
//! [`layout::draw`] as the live form, so the two cannot differ.

use leptos::prelude::*;

use crate::draft::Draft;
use crate::form_state::FormState;
use crate::ticket::FieldErrors;
use crate::web::i18n::{Locale, Strings};
use crate::web::inbox_loader::{InboxLoader, Screen, Setup};
use crate::web::inbox_report::Report;
use crate::web::inbox_tokens::InboxTokens;
use crate::web::ui::Launcher;

use super::actions::{Form, KnownContact, Route};
use super::layout;
use super::notify::Notify;
use super::sync::Owner;
use super::view::Nodes;

/// The blank form in `t`'s words (English's layout direction), inside the floating button's
/// dialog when `launcher`. Call inside a reactive owner.
pub fn static_form(t: &'static Strings, launcher: bool) -> AnyView {
    let session_token = Signal::stored(None);
    let form = Form {
        state: RwSignal::new(FormState::new(Draft::default(), false, String::new)),
        errors: RwSignal::new(FieldErrors::default()),
        attempted: RwSignal::new(false),
        restored_notice: RwSignal::new(false),
        store: StoredValue::new(None),
        known: StoredValue::new(KnownContact::default()),
        notify: Notify::default(),
        nodes: Nodes::new(),
        route: Route {
            endpoint: StoredValue::new(String::new()),
            timeout_ms: 0,
            session_token,
            tokens: StoredValue::new_local(None),
            refused_token: StoredValue::new(None),
        },
        t,
    };
    let inbox = InboxLoader::new(
        Setup {
            endpoint: String::new(),
            timeout_ms: 0,
            locale: Locale::En.tag(),
            tokens: InboxTokens::new(session_token, None),
            report: Report::default(),
            launcher,
        },
        Screen::Form,
    );
    let drawn = layout::draw(form, inbox, Locale::En, false, Owner::new(false, None));
    if launcher {
        view! { <Launcher locale=Locale::En t=t>{drawn}</Launcher> }.into_any()
    } else {
        drawn.into_any()
    }
}
