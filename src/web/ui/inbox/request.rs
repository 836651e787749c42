//! One request: its title, status, every message in order with who wrote it and when, and
//! closing it. Message bodies are cleaned by the widget's own sanitizer before they are set
//! as HTML, even though the proxy cleaned them first.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::inbox_state::{Author, Message};
use crate::ticket::TicketStatus;
use crate::web::i18n::{time, Locale, Strings};
use crate::web::inbox::api::ApiError;
use crate::web::inbox::model::Thread;
use crate::web::inbox::Model;
use crate::web::sanitizer_worker;

use super::close::CloseRequest;
use super::focus_later;
use super::list::status_word;

/// A message body, shown once the sanitizer has cleaned it; as plain text if it cannot.
#[component]
fn Body(html: String) -> impl IntoView {
    let node = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        let Some(el) = node.get() else { return };
        let html = html.clone();
        spawn_local(async move {
            match sanitizer_worker::clean(&html).await {
                Ok(clean) => el.set_inner_html(&clean),
                Err(_) => el.set_text_content(Some(&html)),
            }
        });
    });
    view! { <div class="moov-message-body" node_ref=node></div> }
}

fn message(locale: Locale, t: &'static Strings, m: Message) -> impl IntoView {
    let (class, who) = match m.from {
        Author::User => ("moov-message moov-from-user", t.inbox.from_you),
        Author::Support => ("moov-message moov-from-support", t.inbox.from_support),
    };
    let when = time::parse(&m.sent_on).map(|at| time::date_time(locale, at));
    view! {
        <li class=class>
            <p class="moov-message-meta">
                <span class="moov-author">{who}</span>
                " "
                <time class="moov-sent-on" datetime=m.sent_on>{when}</time>
            </p>
            <Body html=m.body />
        </li>
    }
}

pub(super) fn request(
    model: Model,
    locale: Locale,
    t: &'static Strings,
    root: NodeRef<html::Section>,
    id: String,
) -> impl IntoView {
    let i = &t.inbox;
    focus_later(root, "#moov-request-title");
    let ticket = {
        let id = id.clone();
        Memo::new(move |_| model.inbox.with(|inbox| inbox.ticket(&id).cloned()))
    };
    let back = move |_| {
        model.close_view();
        focus_later(root, format!("[data-ticket=\"{}\"]", id.replace('"', "")));
    };
    let closed = move || {
        ticket.with(|t| {
            t.as_ref()
                .filter(|t| t.status == TicketStatus::Closed)
                .map(|t| match t.closed_on.as_deref().and_then(time::parse) {
                    Some(at) => i.closed_on.replace("{date}", &time::date(locale, at)),
                    None => i.status_closed.to_owned(),
                })
        })
    };
    let thread = move || match model.thread.get() {
        Thread::Loading => {
            view! { <p class="moov-loading" role="status">{i.loading}</p> }.into_any()
        }
        Thread::Failed(ApiError::NotFound) => {
            view! { <p class="moov-error" role="alert">{i.not_found}</p> }.into_any()
        }
        Thread::Failed(_) => view! {
            <div class="moov-load-failed" role="alert">
                <p>{i.load_failed}</p>
                <button type="button" class="moov-retry" on:click=move |_| {
                    if let Some(id) = model.open.get_untracked() {
                        model.open_request(id);
                    }
                }>
                    {i.retry}
                </button>
            </div>
        }
        .into_any(),
        Thread::Loaded(messages) => view! {
            <ol class="moov-messages">
                {messages.into_iter().map(|m| message(locale, t, m)).collect_view()}
            </ol>
        }
        .into_any(),
    };
    view! {
        <article class="moov-request" aria-labelledby="moov-request-title">
            <button type="button" class="moov-back" on:click=back>{i.back}</button>
            <h3 class="moov-request-title" id="moov-request-title" tabindex="-1">
                {move || ticket.with(|t| t.as_ref().map(|t| t.title.clone()))}
            </h3>
            <p class="moov-request-meta">
                <span class="moov-request-number">
                    {move || ticket.with(|t| t.as_ref().map(|t| i.request_title.replace("{number}", &t.number.to_string())))}
                </span>
                " · "
                <span class="moov-request-status">
                    {move || ticket.with(|t| t.as_ref().map(|t| status_word(i, &t.status)))}
                </span>
            </p>
            <p class="moov-closed-on" tabindex="-1" hidden=move || closed().is_none()>{closed}</p>
            {thread}
            <Show when=move || ticket.with(|t| t.as_ref().is_some_and(|t| t.status != TicketStatus::Closed))>
                <CloseRequest model=model t=t root=root />
            </Show>
        </article>
    }
}
