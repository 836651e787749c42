//! The live channel: the proxy's Server-Sent Events read over `fetch` (so the session token
//! travels in the `Authorization` header, never in a URL), tried again with backoff when it
//! drops, paused while the browser is offline; and the check for news at an interval, for
//! partners without Moov webhooks.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::inbox_state::{Connection, TicketEvent};
use crate::reconnect::{poll_interval, Backoff};
use crate::sse::SseParser;
use crate::web::send::SessionTokens;
use crate::web::wire;

/// What the channel tells the inbox.
pub enum News {
    /// Connected (again): what is shown should be read afresh, since anything said while
    /// disconnected was missed.
    Ready,
    Ticket(TicketEvent),
    Connection(Connection),
    /// Time to check the list: no live channel says everything.
    Poll,
}

/// A sleep that `online`, `visibilitychange` or stopping can cut short.
#[derive(Clone, Default)]
struct Alarm {
    resolve: Rc<RefCell<Option<js_sys::Function>>>,
    /// The live request, aborted when the browser goes offline or the inbox goes away.
    request: Rc<RefCell<Option<web_sys::AbortController>>>,
    stopped: Rc<Cell<bool>>,
}

impl Alarm {
    async fn sleep(&self, ms: u32) {
        let resolve = self.resolve.clone();
        let promise = js_sys::Promise::new(&mut |done, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&done, ms as i32);
            }
            *resolve.borrow_mut() = Some(done);
        });
        let _ = JsFuture::from(promise).await;
    }

    fn ring(&self) {
        if let Some(done) = self.resolve.borrow_mut().take() {
            let _ = done.call0(&JsValue::NULL);
        }
    }

    fn abort(&self) {
        if let Some(c) = self.request.borrow_mut().take() {
            c.abort();
        }
    }
}

/// A listener on the window or the document, removed when the channel stops.
type Listener = (web_sys::EventTarget, &'static str, Closure<dyn FnMut()>);

/// The running channel; dropping it stops everything it started.
pub struct Live {
    alarm: Alarm,
    poll: Alarm,
    listeners: Vec<Listener>,
}

fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

fn visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| !d.hidden())
}

impl Live {
    /// Starts reading `url` with `tokens`, telling `news` what happens.
    pub fn start<T: SessionTokens + 'static>(
        url: String,
        tokens: T,
        news: impl Fn(News) + Clone + 'static,
    ) -> Live {
        let alarm = Alarm::default();
        let poll = Alarm::default();
        let mut listeners = Vec::new();
        if let Some(w) = web_sys::window() {
            let target: web_sys::EventTarget = w.clone().into();
            let (a, n) = (alarm.clone(), news.clone());
            listeners.push((
                target.clone(),
                "offline",
                Closure::<dyn FnMut()>::new(move || {
                    n(News::Connection(Connection::Offline));
                    a.abort();
                }),
            ));
            let a = alarm.clone();
            listeners.push((
                target,
                "online",
                Closure::<dyn FnMut()>::new(move || a.ring()),
            ));
            if let Some(d) = w.document() {
                let (a, p) = (alarm.clone(), poll.clone());
                let back = Closure::<dyn FnMut()>::new(move || {
                    if visible() {
                        a.ring();
                        p.ring();
                    }
                });
                listeners.push((d.into(), "visibilitychange", back));
            }
        }
        for (target, name, f) in &listeners {
            let _ = target.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
        }
        wasm_bindgen_futures::spawn_local(run(url, tokens, alarm.clone(), news.clone()));
        let p = poll.clone();
        wasm_bindgen_futures::spawn_local(async move {
            while !p.stopped.get() {
                p.sleep(poll_interval(visible())).await;
                if !p.stopped.get() && online() {
                    news(News::Poll);
                }
            }
        });
        Live {
            alarm,
            poll,
            listeners,
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        for (target, name, f) in &self.listeners {
            let _ = target.remove_event_listener_with_callback(name, f.as_ref().unchecked_ref());
        }
        for a in [&self.alarm, &self.poll] {
            a.stopped.set(true);
            a.abort();
            a.ring();
        }
    }
}

async fn run<T: SessionTokens>(url: String, tokens: T, alarm: Alarm, news: impl Fn(News)) {
    let mut backoff = Backoff::default();
    let mut refused = false;
    while !alarm.stopped.get() {
        if !online() {
            news(News::Connection(Connection::Offline));
            alarm.sleep(1 << 30).await; // until `online` rings
            continue;
        }
        let token = if refused {
            tokens.renew().await
        } else {
            tokens.current().await
        };
        let ended = connect(&url, token.as_deref(), &alarm, &mut backoff, &news).await;
        if alarm.stopped.get() {
            return;
        }
        // A refused token, or a stream that ended (the session expired): the next try
        // asks for a fresh token.
        refused = matches!(ended, Ended::Refused | Ended::Closed);
        let wait = match ended {
            Ended::Limited(seconds) => Some(seconds.saturating_mul(1000)),
            _ => None,
        };
        news(News::Connection(if online() {
            Connection::Reconnecting
        } else {
            Connection::Offline
        }));
        alarm
            .sleep(backoff.next_delay(js_sys::Math::random(), wait))
            .await;
    }
}

/// How one connection ended.
enum Ended {
    Refused,
    /// Too many streams: `Retry-After` seconds.
    Limited(u32),
    Closed,
    Failed,
}

async fn connect(
    url: &str,
    token: Option<&str>,
    alarm: &Alarm,
    backoff: &mut Backoff,
    news: &impl Fn(News),
) -> Ended {
    let Ok(controller) = web_sys::AbortController::new() else {
        return Ended::Failed;
    };
    // Past the HTTP cache: Firefox holds a second read of a URL whose first answer is still
    // arriving until that one ends, and a stream ends only when the session does. Every
    // widget of a page reads the same URL, so all but the first would never connect.
    let mut request = gloo_net::http::Request::get(url)
        .header("Accept", "text/event-stream")
        .cache(web_sys::RequestCache::NoStore)
        .abort_signal(Some(&controller.signal()));
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    *alarm.request.borrow_mut() = Some(controller);
    let Ok(response) = request.send().await else {
        return Ended::Failed;
    };
    match response.status() {
        200 => {}
        401 => return Ended::Refused,
        429 => {
            let after = response.headers().get("retry-after");
            return Ended::Limited(after.and_then(|v| v.trim().parse().ok()).unwrap_or(30));
        }
        _ => return Ended::Failed,
    }
    let Some(reader) = response.body().and_then(|b| {
        b.get_reader()
            .dyn_into::<web_sys::ReadableStreamDefaultReader>()
            .ok()
    }) else {
        return Ended::Failed;
    };
    let mut parser = SseParser::default();
    loop {
        let Ok(chunk) = JsFuture::from(reader.read()).await else {
            return Ended::Failed;
        };
        let field = |k: &str| js_sys::Reflect::get(&chunk, &k.into()).unwrap_or_default();
        if field("done").is_truthy() {
            return Ended::Closed;
        }
        let bytes = js_sys::Uint8Array::new(&field("value")).to_vec();
        for event in parser.push(&bytes) {
            match event.name.as_str() {
                "ready" => {
                    backoff.reset();
                    news(News::Connection(Connection::Live));
                    news(News::Ready);
                }
                "ticket" => {
                    if let Some(e) = wire::parse(&event.data)
                        .as_ref()
                        .and_then(wire::ticket_event)
                    {
                        news(News::Ticket(e));
                    }
                }
                _ => {}
            }
        }
    }
}
