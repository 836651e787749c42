//! The `<moov-support-form>` custom element: how a partner page embeds the form.
//!
//! The element renders into an open shadow root with the widget's stylesheet adopted as a
//! constructed stylesheet, so the host page's CSS and the form's never mix and a strict CSP
//! (`style-src 'self'`) needs no exception.

use std::any::Any;
use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::embed_events;
use crate::web::events::Emitter;
use crate::web::handoff::{self, Handoff};
use crate::web::host_token::HostTokenCallback;
use crate::web::i18n::{self, Locale};
use crate::web::options;
pub use crate::web::options::Options;
use crate::web::sanitizer_worker;
use crate::web::ui::{Launcher, SupportForm};
use crate::web::wire;

/// The element's tag.
pub use crate::options_spec::TAG;

/// How long after a form is drawn its sanitizer starts downloading: late enough not to compete
/// with the page's own first paint, early enough to be there before the user pastes.
const WARM_AFTER: std::time::Duration = std::time::Duration::from_millis(1000);

#[wasm_bindgen(module = "/src/web/element.js")]
extern "C" {
    fn define_element(
        tag: &str,
        table: JsValue,
        connect: &Closure<dyn Fn(web_sys::HtmlElement)>,
        disconnect: &Closure<dyn Fn(web_sys::HtmlElement)>,
        changed: &Closure<dyn Fn(web_sys::HtmlElement, String)>,
    );
    /// One of the widget's own JSON files (`path` relative to the folder it is served
    /// from), parsed by the browser.
    #[wasm_bindgen(js_name = fetchJson, catch)]
    pub(crate) async fn fetch_json(path: &str) -> Result<JsValue, JsValue>;
    /// What the loader's static form in `host` holds (see `Handoff`), or `null`.
    #[wasm_bindgen(js_name = takeShell)]
    fn take_shell(host: &web_sys::HtmlElement) -> JsValue;
    /// Puts `container` where the static form was, with its focus, caret and scroll.
    #[wasm_bindgen(js_name = finishShell)]
    fn finish_shell(host: &web_sys::HtmlElement, container: &web_sys::HtmlElement);
}

/// One mounted form and what it was mounted with.
struct Mounted {
    host: web_sys::HtmlElement,
    user: Option<String>,
    session_token: RwSignal<Option<String>>,
    _handle: Box<dyn Any>,
}

thread_local! {
    static MOUNTED: RefCell<Vec<Mounted>> = const { RefCell::new(Vec::new()) };
    /// Elements whose form waits for its language's strings, by language.
    static WAITING: RefCell<Vec<(Locale, Vec<web_sys::HtmlElement>)>> = const { RefCell::new(Vec::new()) };
}

/// Defines `<moov-support-form>`; safe to call more than once.
pub fn register() {
    let connect = Closure::<dyn Fn(web_sys::HtmlElement)>::new(|host| mount(&host));
    let disconnect = Closure::<dyn Fn(web_sys::HtmlElement)>::new(|host| unmount(&host));
    let changed = Closure::<dyn Fn(web_sys::HtmlElement, String)>::new(
        |host: web_sys::HtmlElement, name: String| {
            // While the element upgrades, every attribute it already has is reported as a
            // change before it connects; the mount when it connects reads them all at once.
            if !MOUNTED.with_borrow(|m| m.iter().any(|x| x.host == host)) {
                return;
            }
            if name == "session-token" {
                let token = host.get_attribute("session-token");
                let user = token
                    .as_deref()
                    .and_then(wire::session_claims)
                    .map(|h| h.sub);
                let same_user = MOUNTED.with_borrow(|m| {
                    m.iter().find(|x| x.host == host).map(|x| {
                        if x.user == user {
                            x.session_token.set(token.clone());
                            true
                        } else {
                            false
                        }
                    })
                });
                if same_user == Some(true) {
                    return;
                }
            }
            if name == "locale" {
                redraw(&host);
                return;
            }
            // Another user or another endpoint: a fresh form with that user's own draft.
            unmount(&host);
            mount(&host);
        },
    );
    define_element(TAG, options::to_js(), &connect, &disconnect, &changed);
    connect.forget();
    disconnect.forget();
    changed.forget();
}

/// Renders the form into `host`'s shadow root (created on first use).
pub fn mount(host: &web_sys::HtmlElement) {
    if MOUNTED.with_borrow(|m| m.iter().any(|x| x.host == *host)) {
        return;
    }
    let options = Options::read(host);
    let locale = Locale::choose(options.locale.as_deref());
    if !locale.is_ready() {
        wait_for_language(host, locale);
        return;
    }
    // The loader's static form, when it is there, stays on the page until the form that
    // takes it over is complete, then the two swap in one step: no flash, no lost keystroke.
    let handoff = Handoff::from_js(&take_shell(host));
    let taking_over = handoff.is_some();
    let Some(container) = prepare_shadow_root(host, handoff.is_none()) else {
        return;
    };
    let user = options
        .session_token
        .as_deref()
        .and_then(wire::session_claims)
        .map(|h| h.sub);
    let target: web_sys::EventTarget = host.clone().into();
    let signal_out = std::rc::Rc::new(RefCell::new(None));
    let signal_in = signal_out.clone();
    let handle = leptos::mount::mount_to(container.clone(), move || {
        handoff::hand_over(handoff);
        let session_token = RwSignal::new(options.session_token.clone());
        *signal_in.borrow_mut() = Some(session_token);
        let launcher = options.launcher;
        let t = locale.strings();
        // The page's `getSessionToken` and `moov-support:*` events, as the form's provider
        // and callbacks.
        let events = Emitter::new(target.clone());
        let unread = RwSignal::new(0usize);
        let form = view! {
            <SupportForm
                options=options
                session_token=session_token
                token_provider=HostTokenCallback::new(target)
                on_ready=events.on(embed_events::READY)
                on_draft_restored=events.on(embed_events::DRAFT_RESTORED)
                on_queued=events.on(embed_events::QUEUED)
                on_submitted=events.on_submitted()
                on_error=events.on_error()
                on_reply=events.on_reply()
                on_unread=events.on_unread(move |n| unread.set(n))
            />
        };
        if launcher {
            view! { <Launcher locale=locale.spoken() t=t unread=unread>{form}</Launcher> }
                .into_any()
        } else {
            // A form on the page will be used: fetch the sanitizer once the form is drawn.
            set_timeout(sanitizer_worker::warm, WARM_AFTER);
            form.into_any()
        }
    });
    let Some(session_token) = signal_out.borrow_mut().take() else {
        return;
    };
    if taking_over {
        finish_shell(host, &container);
    }
    if let Some(timeline) = web_sys::window().and_then(|w| w.performance()) {
        let _ = timeline.mark("moov-support:ready");
    }
    MOUNTED.with_borrow_mut(|m| {
        m.push(Mounted {
            host: host.clone(),
            user,
            session_token,
            _handle: Box::new(handle),
        })
    });
}

/// Draws `host`'s form once its language has arrived (in English if it cannot, or if it
/// takes too long), fetching each language once however many forms wait for it.
fn wait_for_language(host: &web_sys::HtmlElement, locale: Locale) {
    let first =
        WAITING.with_borrow_mut(
            |waiting| match waiting.iter_mut().find(|(l, _)| *l == locale) {
                Some((_, hosts)) => {
                    if !hosts.contains(host) {
                        hosts.push(host.clone());
                    }
                    false
                }
                None => {
                    waiting.push((locale, vec![host.clone()]));
                    true
                }
            },
        );
    if !first {
        return;
    }
    // Not Leptos' spawner: on a page whose first form waits for its language, no form has
    // started Leptos' executor yet.
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = i18n::load(locale).await {
            web_sys::console::warn_1(&e.to_string().into());
        }
        let hosts = WAITING.with_borrow_mut(|waiting| {
            waiting
                .iter()
                .position(|(l, _)| *l == locale)
                .map(|i| waiting.swap_remove(i).1)
                .unwrap_or_default()
        });
        for host in hosts.iter().filter(|h| h.is_connected()) {
            redraw(host);
        }
    });
}

/// Draws `host`'s form again in the language its attributes now ask for. A form already on
/// the page stays until that language's strings are ready, so switching languages never
/// leaves the page without a form.
fn redraw(host: &web_sys::HtmlElement) {
    let locale = Locale::choose(Options::read(host).locale.as_deref());
    if locale.is_ready() {
        unmount(host);
        mount(host);
    } else {
        wait_for_language(host, locale);
    }
}

/// Removes the form from `host`; its draft stays saved.
pub fn unmount(host: &web_sys::HtmlElement) {
    let removed = MOUNTED.with_borrow_mut(|m| {
        m.iter()
            .position(|x| x.host == *host)
            .map(|i| m.swap_remove(i))
    });
    drop(removed);
}

/// Opens the shadow root, adopts the stylesheet and returns an empty container to render in:
/// in the root when `attach`, else apart, to take a static form's place once it is drawn.
fn prepare_shadow_root(host: &web_sys::HtmlElement, attach: bool) -> Option<web_sys::HtmlElement> {
    let root = match host.shadow_root() {
        Some(root) => root,
        None => host
            .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
            .ok()?,
    };
    let sheet = web_sys::CssStyleSheet::new().ok()?;
    sheet.replace_sync(crate::web::sheet::text()).ok()?;
    root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
    if attach {
        root.set_inner_html("");
    }
    let container = web_sys::window()?
        .document()?
        .create_element("div")
        .ok()?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()?;
    container.set_class_name("moov-root");
    if attach {
        root.append_child(&container).ok()?;
    }
    Some(container)
}
