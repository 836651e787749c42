//! The list of the user's requests, newest activity first: number, title, status, last
//! activity and an unread mark per row; "Load more"; the empty, loading and failed states.

use leptos::html;
use leptos::prelude::*;

use crate::inbox_state::Inbox;
use crate::ticket::{Ticket, TicketStatus};
use crate::web::i18n::{time, InboxStrings, Locale, Strings};
use crate::web::inbox::model::Load;
use crate::web::inbox::Model;

/// A ticket status as the inbox words it.
pub(super) fn status_word(i: &'static InboxStrings, status: &TicketStatus) -> String {
    match status {
        TicketStatus::New => i.status_new.into(),
        TicketStatus::InProgress => i.status_in_progress.into(),
        TicketStatus::OnHold => i.status_on_hold.into(),
        TicketStatus::Closed => i.status_closed.into(),
        TicketStatus::Unknown(s) => s.clone(),
    }
}

/// When something last happened to `ticket`, in ms; its last message or last update.
fn last_activity(ticket: &Ticket) -> Option<f64> {
    let updated = time::parse(&ticket.updated_on);
    let message = ticket.latest_message_on.as_deref().and_then(time::parse);
    match (updated, message) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn row(model: Model, locale: Locale, t: &'static Strings, ticket: Ticket) -> impl IntoView {
    let i = &t.inbox;
    let unread = model.seen.with(|s| s.is_unread(&ticket));
    let at = last_activity(&ticket);
    let when = at.map(|at| {
        i.last_activity
            .replace("{when}", &time::relative(locale, at, time::now()))
    });
    let title = at.map(|at| time::date_time(locale, at));
    let id = ticket.ticket_id.clone();
    view! {
        <li class="moov-request-item">
            <button
                type="button"
                class="moov-request-row"
                class:moov-is-unread=unread
                data-ticket=ticket.ticket_id.clone()
                on:click=move |_| model.open_request(id.clone())
            >
                <span class="moov-row-number">{format!("#{}", ticket.number)}</span>
                <span class="moov-row-title">{ticket.title.clone()}</span>
                <span class="moov-row-status">{status_word(i, &ticket.status)}</span>
                <span class="moov-row-when" title=title>{when}</span>
                {unread.then(|| view! {
                    <span class="moov-unread">
                        <span class="moov-unread-dot" aria-hidden="true"></span>
                        <span class="moov-sr-only">{i.unread}</span>
                    </span>
                })}
            </button>
        </li>
    }
}

pub(super) fn list(
    model: Model,
    locale: Locale,
    t: &'static Strings,
    _root: NodeRef<html::Section>,
) -> impl IntoView {
    let i = &t.inbox;
    if !model.is_started() {
        model.start();
    }
    let loaded = move || model.inbox.with(Inbox::is_loaded);
    let rows = move || {
        let tickets = model.inbox.with(|inbox| inbox.tickets().to_vec());
        tickets
            .into_iter()
            .map(|ticket| row(model, locale, t, ticket))
            .collect_view()
    };
    let has_more = move || model.inbox.with(|inbox| inbox.cursor().is_some());
    let empty = move || loaded() && model.inbox.with(|inbox| inbox.tickets().is_empty());
    view! {
        <div class="moov-requests">
            <Show when=move || !loaded() && model.load.get() == Load::Loading>
                <p class="moov-loading" role="status">{i.loading}</p>
            </Show>
            <Show when=move || !loaded() && model.load.get() == Load::Failed>
                <div class="moov-load-failed" role="alert">
                    <p>{i.load_failed}</p>
                    <button type="button" class="moov-retry" on:click=move |_| model.refresh()>
                        {i.retry}
                    </button>
                </div>
            </Show>
            <Show when=empty>
                <p class="moov-empty">{i.empty}</p>
            </Show>
            <ul class="moov-request-list" hidden=move || !loaded() || empty()>
                {rows}
            </ul>
            <Show when=has_more>
                <button
                    type="button"
                    class="moov-load-more"
                    prop:disabled=move || model.more.get() == Load::Loading
                    on:click=move |_| model.load_more()
                >
                    {move || if model.more.get() == Load::Loading { i.loading } else { i.load_more }}
                </button>
            </Show>
            <Show when=move || model.more.get() == Load::Failed>
                <p class="moov-error" role="alert">{i.load_failed}</p>
            </Show>
        </div>
    }
}
