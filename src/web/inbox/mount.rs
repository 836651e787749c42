//! The inbox's one entry: draws "Your requests" with its own Leptos runtime into a
//! container the form made inside its shadow root (so the widget's stylesheet applies), and
//! answers with a handle the form drives it by. Everything crosses as plain JS values, the
//! same whether the inbox is its own wasm module or linked into the form's.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::api::Api;
use super::hooks::{Config, Hooks};
use super::Model;
use crate::web::i18n::{self, Locale};
use crate::web::ui::Requests;
use crate::web::wire;

/// What the handle reaches once the view is drawn.
#[derive(Clone, Copy)]
struct Drawn {
    model: Model,
    /// `Some(take_focus)` while the list shows.
    shown: RwSignal<Option<bool>>,
}

/// Draws the inbox into `container` and answers `{show(takeFocus), hide(), start(),
/// filed(ticket), destroy()}`. See [`super::hooks`] for `config` and `hooks`.
pub async fn mount(
    container: web_sys::Element,
    config: JsValue,
    hooks: JsValue,
) -> Result<JsValue, JsValue> {
    let config = Config::read(&config);
    let hooks = Hooks::new(hooks);
    let asked = Locale::from_tag(&config.locale).unwrap_or(Locale::En);
    // A language that cannot load leaves the inbox in English, as it leaves the form.
    let _ = i18n::load(asked).await;
    let locale = asked.spoken();
    let t = locale.strings();
    let drawn: Rc<RefCell<Option<Drawn>>> = Rc::default();
    let out = drawn.clone();
    let unmount = leptos::mount::mount_to(container.unchecked_into(), move || {
        let api = Api {
            tickets: config.endpoint,
            timeout_ms: config.timeout_ms,
            tokens: hooks.clone(),
        };
        let model = Model::new(api, hooks.report());
        let shown = RwSignal::new(config.shown.then_some(config.take_focus));
        *out.borrow_mut() = Some(Drawn { model, shown });
        if config.start {
            model.start();
        }
        let back = StoredValue::new_local(hooks);
        let on_new_request = move || back.with_value(Hooks::new_request);
        let is_shown = Memo::new(move |_| shown.with(Option::is_some));
        view! {
            <Show when=move || is_shown.get()>
                <Requests model=model locale=locale t=t on_new_request=on_new_request
                    take_focus=shown.get_untracked().unwrap_or(false) />
            </Show>
        }
    });
    let Some(drawn) = drawn.borrow_mut().take() else {
        return Err(JsValue::from_str("the inbox could not be drawn"));
    };
    Ok(handle(drawn, Box::new(unmount)))
}

/// The handle's functions: each does nothing once the inbox was destroyed.
fn handle(drawn: Drawn, unmount: Box<dyn std::any::Any>) -> JsValue {
    let Drawn { model, shown } = drawn;
    let handle = Object::new();
    let set = |name: &str, f: JsValue| {
        let _ = Reflect::set(&handle, &name.into(), &f);
    };
    set(
        "show",
        Closure::<dyn Fn(JsValue)>::new(move |take_focus: JsValue| {
            shown.try_update(|s| {
                if s.is_none() {
                    *s = Some(take_focus.is_truthy());
                }
            });
        })
        .into_js_value(),
    );
    set(
        "hide",
        Closure::<dyn Fn()>::new(move || {
            shown.try_set(None);
        })
        .into_js_value(),
    );
    set(
        "start",
        Closure::<dyn Fn()>::new(move || {
            if !model.inbox.is_disposed() {
                model.start();
            }
        })
        .into_js_value(),
    );
    set(
        "filed",
        Closure::<dyn Fn(JsValue)>::new(move |ticket: JsValue| {
            if let Some(ticket) = wire::ticket(&ticket).filter(|_| !model.inbox.is_disposed()) {
                model.filed(ticket);
            }
        })
        .into_js_value(),
    );
    let unmount = RefCell::new(Some(unmount));
    set(
        "destroy",
        Closure::<dyn Fn()>::new(move || drop(unmount.borrow_mut().take())).into_js_value(),
    );
    handle.into()
}
