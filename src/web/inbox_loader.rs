//! How a form reaches "Your requests", which is its own wasm module (`moov-support-inbox`,
//! see [`crate::web::inbox`]) so the form's first bytes stay small.
//!
//! When the inbox loads:
//! - when the user opens "Your requests" / "View your requests", or the page asks for it
//!   (`view` = `requests`);
//! - once the form is drawn, when the browser is idle, if the page handed a session token
//!   over and either the form is a launcher (its badge counts unread replies) or this
//!   browser holds read marks for this user (a user with requests, whose replies may come);
//!   a launcher's inbox then reads the list and opens the live channel at once;
//! - when the browser is idle after a ticket was filed (its first reply will come).
//!
//! The form stays on screen until the inbox is there. A download that fails or takes more
//! than 15 s (offline, blocked) leaves the form as it is, with the failure said beside
//! "Your requests" and a way to try again.
//!
//! With the `inline-inbox` feature the inbox is linked into the form's module and the same
//! entry is called in-process, through the same JS values.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::ticket::Ticket;
use crate::web::inbox_boundary::{call, config, hooks};
use crate::web::inbox_report::Report;
use crate::web::inbox_tokens::InboxTokens;
use crate::web::{storage, wire};

/// What a form shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Form,
    /// "Your requests", as the page asked (`view`): focus stays where the page has it.
    Shown,
    /// "Your requests", opened by the user: focus moves to it.
    Opened,
}

/// Where the inbox's module is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    Idle,
    Loading,
    Ready,
    /// The user asked for it and it could not load.
    Failed,
}

#[wasm_bindgen(module = "/src/web/inbox_loader.js")]
extern "C" {
    #[cfg(not(feature = "inline-inbox"))]
    #[wasm_bindgen(js_name = load, catch)]
    async fn load_js() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = whenIdle)]
    fn when_idle(f: &js_sys::Function);
}

/// The inbox's entry, `mount(container, config, hooks) -> Promise<handle>`.
async fn entry(
    container: web_sys::Element,
    config: JsValue,
    hooks: JsValue,
) -> Result<JsValue, JsValue> {
    #[cfg(feature = "inline-inbox")]
    {
        crate::web::inbox::mount::mount(container, config, hooks).await
    }
    #[cfg(not(feature = "inline-inbox"))]
    {
        let mount: js_sys::Function = load_js().await?.dyn_into()?;
        let answer = mount.call3(&JsValue::NULL, &container, &config, &hooks)?;
        wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(answer)).await
    }
}

/// What the form configured, as the inbox reads it.
#[derive(Clone)]
pub struct Setup {
    pub endpoint: String,
    pub timeout_ms: i32,
    pub locale: &'static str,
    pub tokens: InboxTokens,
    pub report: Report,
    /// A launcher: its inbox starts by itself when the page handed a token over.
    pub launcher: bool,
}

pub(super) struct Inner {
    pub(super) setup: Setup,
    pub(super) screen: RwSignal<Screen>,
    load: RwSignal<Load>,
    host: NodeRef<html::Div>,
    handle: RefCell<Option<JsValue>>,
    /// The user opened "Your requests" before the inbox was there: it shows once it is.
    asked: Cell<bool>,
    /// Tickets filed before the inbox was there.
    filed: RefCell<Vec<Ticket>>,
}

/// The form's side of the inbox: Copy, so every handler holds the same one.
#[derive(Clone, Copy)]
pub struct InboxLoader(pub(super) StoredValue<Rc<Inner>, LocalStorage>);

impl InboxLoader {
    /// Set up inside the form; `first` is what shows first.
    pub fn new(setup: Setup, first: Screen) -> Self {
        let inner = Rc::new(Inner {
            setup,
            screen: RwSignal::new(first),
            load: RwSignal::new(Load::Idle),
            host: NodeRef::new(),
            handle: RefCell::default(),
            asked: Cell::new(false),
            filed: RefCell::default(),
        });
        let loader = InboxLoader(StoredValue::new_local(inner));
        // Cleanups run before the owner's values go: the handle is still here.
        on_cleanup(move || {
            if let Some(h) = loader
                .0
                .try_with_value(|i| i.handle.borrow_mut().take())
                .flatten()
            {
                call(&h, "destroy", &JsValue::UNDEFINED);
            }
        });
        Effect::new(move |_| {
            let screen = loader.screen().get();
            if loader.load().get() == Load::Ready {
                loader.with_handle(|h| match screen {
                    Screen::Form => call(h, "hide", &JsValue::UNDEFINED),
                    s => call(h, "show", &(s == Screen::Opened).into()),
                });
            } else if screen != Screen::Form {
                loader.ensure();
            }
        });
        loader.later_if_expected();
        loader
    }

    fn inner(&self) -> Rc<Inner> {
        self.0.get_value()
    }

    pub fn screen(&self) -> RwSignal<Screen> {
        self.inner().screen
    }

    pub fn load(&self) -> RwSignal<Load> {
        self.inner().load
    }

    pub fn host(&self) -> NodeRef<html::Div> {
        self.inner().host
    }

    /// "Your requests", opened by the user (again after a failure).
    /// The form stays until the inbox is there, so a slow or failed download never leaves
    /// the user looking at nothing.
    pub fn open(self) {
        let inner = self.inner();
        match inner.load.get_untracked() {
            Load::Ready => inner.screen.set(Screen::Opened),
            load => {
                inner.asked.set(true);
                if load == Load::Failed {
                    inner.load.set(Load::Idle);
                }
                self.ensure();
            }
        }
    }

    /// The form's `on_submitted`, telling the inbox first: the new request is in its list
    /// and read.
    pub fn on_filed(
        self,
        on_submitted: Option<UnsyncCallback<Ticket>>,
    ) -> Option<UnsyncCallback<Ticket>> {
        Some(UnsyncCallback::new(move |ticket: Ticket| {
            self.filed(&ticket);
            if let Some(f) = on_submitted {
                f.run(ticket);
            }
        }))
    }

    fn filed(self, ticket: &Ticket) {
        let sent = self.with_handle(|h| call(h, "filed", &wire::to_js(ticket).unwrap_or_default()));
        if sent.is_none() {
            self.inner().filed.borrow_mut().push(ticket.clone());
            self.when_idle(move || self.ensure());
        }
    }

    fn with_handle<R>(&self, f: impl FnOnce(&JsValue) -> R) -> Option<R> {
        self.0
            .try_with_value(|i| i.handle.borrow().as_ref().map(f))
            .flatten()
    }

    /// A launcher, or a user this browser knows has requests, with a token at hand.
    fn later_if_expected(self) {
        let inner = self.inner();
        let Some(token) = inner.setup.tokens.page.get_untracked() else {
            return;
        };
        let user = wire::session_claims(&token).map(|c| c.sub);
        let known = user.is_some_and(|u| storage::any_read_marks(&inner.setup.endpoint, &u));
        if inner.setup.launcher || known {
            self.when_idle(move || self.ensure());
        }
    }

    fn when_idle(self, f: impl FnOnce() + 'static) {
        let f = Closure::once_into_js(f);
        when_idle(f.unchecked_ref());
    }

    /// Loads and draws the inbox, once.
    fn ensure(self) {
        let Some(inner) = self.0.try_get_value() else {
            return;
        };
        if matches!(inner.load.get_untracked(), Load::Loading | Load::Ready) {
            return;
        }
        let Some(host) = inner.host.get_untracked() else {
            return;
        };
        inner.load.set(Load::Loading);
        let config = config(&inner);
        let hooks = hooks(self, &inner.setup);
        leptos::task::spawn_local(async move {
            let answer = entry(host.into(), config, hooks).await;
            let Some(inner) = self.0.try_get_value() else {
                return;
            };
            match answer {
                Ok(handle) => {
                    for ticket in inner.filed.borrow_mut().drain(..) {
                        call(&handle, "filed", &wire::to_js(&ticket).unwrap_or_default());
                    }
                    *inner.handle.borrow_mut() = Some(handle);
                    inner.load.set(Load::Ready);
                    if inner.asked.replace(false) {
                        inner.screen.set(Screen::Opened);
                    }
                }
                Err(_)
                    if inner.asked.replace(false)
                        || inner.screen.get_untracked() != Screen::Form =>
                {
                    inner.screen.set(Screen::Form);
                    inner.load.set(Load::Failed);
                }
                Err(_) => inner.load.set(Load::Idle),
            }
        });
    }
}
