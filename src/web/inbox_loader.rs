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
//! A failed download (offline, blocked) leaves the form as it is: "Your requests" shows
//! the failure with a way to try again.
//!
//! With the `inline-inbox` feature the inbox is linked into the form's module and the same
//! entry is called in-process, through the same JS values.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::ticket::Ticket;
use crate::web::inbox_report::{Reply, Report};
use crate::web::inbox_tokens::InboxTokens;
use crate::web::send::SessionTokens;
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

struct Inner {
    setup: Setup,
    screen: RwSignal<Screen>,
    load: RwSignal<Load>,
    host: NodeRef<html::Div>,
    handle: RefCell<Option<JsValue>>,
    /// Tickets filed before the inbox was there.
    filed: RefCell<Vec<Ticket>>,
}

/// The form's side of the inbox: Copy, so every handler holds the same one.
#[derive(Clone, Copy)]
pub struct InboxLoader(StoredValue<Rc<Inner>, LocalStorage>);

impl InboxLoader {
    /// Set up inside the form; `first` is what shows first.
    pub fn new(setup: Setup, first: Screen) -> Self {
        let inner = Rc::new(Inner {
            setup,
            screen: RwSignal::new(first),
            load: RwSignal::new(Load::Idle),
            host: NodeRef::new(),
            handle: RefCell::default(),
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
    pub fn open(self) {
        if self.load().get_untracked() == Load::Failed {
            self.load().set(Load::Idle);
        }
        self.screen().set(Screen::Opened);
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
                }
                Err(_) if inner.screen.get_untracked() != Screen::Form => {
                    inner.screen.set(Screen::Form);
                    inner.load.set(Load::Failed);
                }
                Err(_) => inner.load.set(Load::Idle),
            }
        });
    }
}

/// Calls `handle.<name>(argument)`.
fn call(handle: &JsValue, name: &str, argument: &JsValue) {
    if let Ok(f) = Reflect::get(handle, &name.into()).and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = f.call1(handle, argument);
    }
}

fn config(inner: &Inner) -> JsValue {
    let setup = &inner.setup;
    let screen = inner.screen.get_untracked();
    let start = setup.launcher && setup.tokens.has_page_token();
    let config = Object::new();
    for (name, value) in [
        ("endpoint", JsValue::from_str(&setup.endpoint)),
        ("timeoutMs", f64::from(setup.timeout_ms).into()),
        ("locale", setup.locale.into()),
        (
            "view",
            if screen == Screen::Form {
                "form"
            } else {
                "requests"
            }
            .into(),
        ),
        ("takeFocus", (screen == Screen::Opened).into()),
        ("start", start.into()),
    ] {
        let _ = Reflect::set(&config, &name.into(), &value);
    }
    config.into()
}

fn hooks(loader: InboxLoader, setup: &Setup) -> JsValue {
    let hooks = Object::new();
    let set = |name: &str, f: JsValue| {
        let _ = Reflect::set(&hooks, &name.into(), &f);
    };
    let tokens = setup.tokens.clone();
    set(
        "token",
        Closure::<dyn Fn(JsValue) -> js_sys::Promise>::new(move |renew: JsValue| {
            let tokens = tokens.clone();
            wasm_bindgen_futures::future_to_promise(async move {
                let token = if renew.is_truthy() {
                    tokens.renew().await
                } else {
                    tokens.current().await
                };
                Ok(token.map_or(JsValue::NULL, JsValue::from))
            })
        })
        .into_js_value(),
    );
    let report = setup.report;
    set(
        "onUnread",
        Closure::<dyn Fn(JsValue)>::new(move |count: JsValue| {
            report.unread(count.as_f64().unwrap_or(0.0) as usize);
        })
        .into_js_value(),
    );
    set(
        "onReply",
        Closure::<dyn Fn(JsValue)>::new(move |reply: JsValue| {
            let field = |name: &str| Reflect::get(&reply, &name.into()).unwrap_or_default();
            if let (Some(ticket_id), Some(number)) =
                (field("ticketID").as_string(), field("number").as_f64())
            {
                report.reply(Reply {
                    ticket_id,
                    number: number as i64,
                });
            }
        })
        .into_js_value(),
    );
    set(
        "onNewRequest",
        Closure::<dyn Fn()>::new(move || {
            loader.0.try_with_value(|i| i.screen.try_set(Screen::Form));
        })
        .into_js_value(),
    );
    hooks.into()
}
