//! `GET /api/support/events`: the live channel to the widget, as Server-Sent Events.
//!
//! First `event: ready` (the widget then refreshes what it shows, so nothing said while it
//! was away is missed), then `event: ticket` for each change to a ticket the session may see,
//! a `: heartbeat` comment whenever the stream has been quiet for `EVENTS_HEARTBEAT_SECONDS`,
//! and the end of the stream when the session expires. The widget reads it with `fetch`, so
//! the token travels in the `Authorization` header, never in a URL.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use tokio::time::Instant;

use super::streams::{Full, StreamSlot};
use super::{webhooks, AppState};
use crate::error::ApiError;
use crate::live::{LiveMessage, TicketChange};
use crate::request_id::LogContext;
use crate::session::{unix_now, Session, MAX_LIFETIME_SECS};

/// When a limit is reached: a stream usually ends within a session's life, and a user who
/// closed a tab frees a slot at once.
const RETRY_AFTER_SECS: u64 = 30;

pub(super) async fn stream(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let session = match state.0.sessions.resolve(&headers).await {
        Ok(s) => s,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let context = LogContext {
        user: session.user_id.clone(),
        account: session.account_id,
    };
    let user = format!("{}:{}", session.account_id, session.user_id);
    let slot = match state.0.streams.open(&user) {
        Ok(slot) => slot,
        Err(full) => {
            let retry_after_secs = RETRY_AFTER_SECS;
            let mut refused = match full {
                Full::User => ApiError::TooManyStreams { retry_after_secs },
                Full::Instance => ApiError::StreamsFull { retry_after_secs },
            }
            .into_response();
            refused.extensions_mut().insert(context);
            return refused;
        }
    };
    webhooks::remember_account(&state, session.account_id).await;
    let listening = Listening {
        messages: state.0.bus.subscribe(),
        ends_at: ends_at(&session),
        session,
        state: state.clone(),
        ready: true,
        _slot: slot,
    };
    let keep_alive = KeepAlive::new()
        .interval(state.0.events_heartbeat)
        .text("heartbeat");
    let mut response = Sse::new(events(listening))
        .keep_alive(keep_alive)
        .into_response();
    // Per user: never stored by a browser or a shared cache.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.extensions_mut().insert(context);
    response
}

/// One stream's state between events.
struct Listening {
    messages: Receiver<LiveMessage>,
    session: Session,
    state: AppState,
    ends_at: Instant,
    /// A `ready` event is due: at the start, and after changes may have been missed.
    ready: bool,
    _slot: StreamSlot,
}

/// When the session's token expires; a resolver that does not say gets the longest
/// lifetime a token may have.
fn ends_at(session: &Session) -> Instant {
    let now = unix_now();
    let left = session
        .expires_at
        .unwrap_or(now + MAX_LIFETIME_SECS)
        .saturating_sub(now)
        .max(0);
    Instant::now() + Duration::from_secs(u64::try_from(left).unwrap_or(0))
}

fn events(listening: Listening) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(listening, |mut l| async move {
        let event = l.next().await?;
        Some((Ok(event), l))
    })
}

impl Listening {
    /// The next event for this session, or `None` when the stream ends.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if std::mem::take(&mut self.ready) {
                return Some(Event::default().event("ready").data("{}"));
            }
            let message = tokio::select! {
                _ = tokio::time::sleep_until(self.ends_at) => return None,
                message = self.messages.recv() => message,
            };
            match message {
                Ok(LiveMessage::Ticket(change)) => {
                    if let Some(event) = self.shown(&change).await {
                        return Some(event);
                    }
                }
                Ok(LiveMessage::Resync) | Err(RecvError::Lagged(_)) => self.ready = true,
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// The event for `change`, when this session may see the ticket.
    async fn shown(&self, change: &TicketChange) -> Option<Event> {
        let visibility = &self.state.0.visibility;
        match visibility
            .sees(&self.session, change.account, &change.ticket)
            .await
        {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                // The widget refreshes on `ready`, and its reads apply the rule again.
                tracing::warn!(error = %e, "could not check who may see a changed ticket");
                return Some(Event::default().event("ready").data("{}"));
            }
        }
        let ticket = &change.ticket;
        let data = json!({
            "ticketID": ticket.ticket_id,
            "number": ticket.number,
            "status": ticket.status.as_str(),
            "latestMessageOn": ticket.latest_message_on,
        });
        Some(Event::default().event("ticket").data(data.to_string()))
    }
}
