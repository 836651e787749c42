//! The read side, for the widget's "Your requests": the tickets the session may see
//! ([`crate::visibility`]) and their messages. The account is always the session's, so no
//! path or query can reach another's, and a ticket outside the rule is a 404 exactly like
//! one that does not exist.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use moov_support::Ticket;
use serde::Serialize;

use super::paging::{self, Position};
use super::AppState;
use crate::error::ApiError;
use crate::moov::{Answer, Failure, TicketMessage};
use crate::request_id::{LogContext, X_MOOV_REQUEST_ID};
use crate::session::Session;
use crate::ticket_id::TicketId;
use crate::visibility::same_email;

/// Most tickets one list answer holds.
const MAX_COUNT: u32 = 200;
const DEFAULT_COUNT: u32 = 20;
const STATUSES: [&str; 4] = ["new", "in-progress", "on-hold", "closed"];

/// `GET /api/support/tickets?cursor=&count=&status=`: newest activity first.
pub(super) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let moov_state = state.clone();
    answer(&state, &headers, |session| async move {
        let state = moov_state;
        let Query(query) =
            query.map_err(|_| ApiError::BadRequest("the query string is malformed".into()))?;
        let query = list_query(&query)?;
        paging::visible_page(
            &state,
            &session,
            query.start,
            query.count as usize,
            query.status,
        )
        .await
    })
    .await
}

/// `GET /api/support/tickets/{id}`.
pub(super) async fn one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(ticket): Path<String>,
) -> Response {
    let moov_state = state.clone();
    answer(&state, &headers, |session| async move {
        let ticket = ticket_id(&ticket)?;
        visible_ticket(&moov_state, &session, &ticket).await
    })
    .await
}

/// Who wrote a message, as the widget shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum From {
    User,
    Support,
}

/// A message as the widget gets it: Moov's `author` stays with the proxy.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Message {
    from: From,
    body: String,
    sent_on: String,
}

/// `GET /api/support/tickets/{id}/messages`: oldest first, bodies cleaned by the same policy
/// as submissions, since the widget will render them as HTML.
pub(super) async fn messages(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(ticket): Path<String>,
) -> Response {
    let moov_state = state.clone();
    answer(&state, &headers, |session| async move {
        let state = moov_state;
        let id = ticket_id(&ticket)?;
        let ticket = visible_ticket(&state, &session, &id).await?.value;
        let answer = state
            .0
            .moov
            .ticket_messages(session.account_id, &id)
            .await?;
        Ok(Answer {
            value: conversation(&ticket, answer.value),
            request_id: answer.request_id,
        })
    })
    .await
}

/// The first message is the user's (the ticket's body); a later one is the user's when Moov
/// says its contact wrote it, support's otherwise.
fn conversation(ticket: &Ticket, messages: Vec<TicketMessage>) -> Vec<Message> {
    messages
        .into_iter()
        .enumerate()
        .map(|(i, m)| Message {
            from: if i == 0 || same_email(&m.author, &ticket.contact.email) {
                From::User
            } else {
                From::Support
            },
            body: moov_support::sanitize::clean(&m.body),
            sent_on: m.sent_on,
        })
        .collect()
}

/// The ticket, when it exists and the session may see it; 404 alike otherwise.
pub(super) async fn visible_ticket(
    state: &AppState,
    session: &Session,
    id: &TicketId,
) -> Result<Answer<Ticket>, Failure> {
    let answer = state.0.moov.get_ticket(session.account_id, id).await?;
    let sees = state
        .0
        .visibility
        .sees(session, session.account_id, &answer.value)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "could not read who filed a ticket");
            ApiError::StoreUnavailable
        })?;
    if !sees {
        return Err(Failure {
            error: ApiError::TicketNotFound,
            request_id: answer.request_id,
        });
    }
    Ok(answer)
}

/// Resolves the session, runs `read`, and answers with Moov's request id and a log context.
async fn answer<T, F, Fut>(state: &AppState, headers: &HeaderMap, read: F) -> Response
where
    T: Serialize,
    F: FnOnce(Session) -> Fut,
    Fut: std::future::Future<Output = Result<Answer<T>, Failure>>,
{
    let session = match state.0.sessions.resolve(headers).await {
        Ok(s) => s,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let context = LogContext {
        user: session.user_id.clone(),
        account: session.account_id,
    };
    let (mut response, id) = match read(session).await {
        Ok(a) => (Json(a.value).into_response(), a.request_id),
        Err(f) => (f.error.into_response(), f.request_id),
    };
    if let Some(id) = id {
        response.headers_mut().insert(X_MOOV_REQUEST_ID, id);
    }
    response.extensions_mut().insert(context);
    response
}

pub(super) fn ticket_id(raw: &str) -> Result<TicketId, ApiError> {
    TicketId::parse(raw).map_err(|e| ApiError::BadRequest(e.to_string()))
}

/// A checked list request.
#[derive(Debug)]
struct ListRequest {
    start: Position,
    count: u32,
    status: Option<String>,
}

/// Checks what is passed on to Moov, so a malformed value is the caller's 400, not a
/// confusing Moov error.
fn list_query(query: &HashMap<String, String>) -> Result<ListRequest, ApiError> {
    let bad = |m: String| ApiError::BadRequest(m);
    let present = |k: &str| query.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let start = match present("cursor") {
        Some(c) if c.len() > 2048 => {
            return Err(bad(
                "cursor must be the nextPage cursor of a previous page".into()
            ))
        }
        Some(c) => Position::from_cursor(c)?,
        None => Position::default(),
    };
    let count = match present("count") {
        None => DEFAULT_COUNT,
        Some(n) => match n.parse::<u32>() {
            Ok(n) if (1..=MAX_COUNT).contains(&n) => n,
            _ => {
                return Err(bad(format!(
                    "count must be a whole number from 1 to {MAX_COUNT}"
                )))
            }
        },
    };
    let status = match present("status") {
        Some(s) if !STATUSES.contains(&s) => {
            return Err(bad(format!(
                "status must be one of {}",
                STATUSES.join(", ")
            )))
        }
        s => s.map(str::to_owned),
    };
    Ok(ListRequest {
        start,
        count,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Result<ListRequest, ApiError> {
        list_query(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn list_queries_are_checked() {
        use base64::Engine;
        let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"c":"17","s":3}"#);
        let ok = q(&[
            ("cursor", &cursor),
            ("count", "5"),
            ("status", "on-hold"),
            ("x", "y"),
        ])
        .unwrap();
        assert_eq!(ok.start, Position::from_cursor(&cursor).unwrap());
        assert_ne!(ok.start, Position::default());
        assert_eq!(ok.count, 5);
        assert_eq!(ok.status.as_deref(), Some("on-hold"));
        let defaults = q(&[("count", "")]).unwrap();
        assert_eq!((defaults.count, defaults.start), (20, Position::default()));
        for bad in [
            ("count", "0"),
            ("count", "201"),
            ("count", "-1"),
            ("status", "open"),
            ("cursor", "a b"),
            ("cursor", "17"),
        ] {
            assert!(q(&[bad]).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn messages_are_the_users_or_supports() {
        let ticket: Ticket = serde_json::from_value(serde_json::json!({
            "ticketID": "t", "number": 1, "title": "x",
            "contact": {"email": " Ann@Example.com"}, "status": "new",
            "createdOn": "2026-01-01T00:00:00Z", "updatedOn": "2026-01-01T00:00:00Z"
        }))
        .unwrap();
        let message = |author: &str, body: &str| TicketMessage {
            author: author.into(),
            body: body.into(),
            sent_on: "2026-01-01T00:00:00Z".into(),
        };
        let shown = conversation(
            &ticket,
            vec![
                message("partner-bot", "<p>help</p>"),
                message("agent@moov.io", "<p onclick=x>on it</p>"),
                message("ann@example.COM ", "<p>thanks</p>"),
            ],
        );
        let from: Vec<From> = shown.iter().map(|m| m.from).collect();
        assert_eq!(from, [From::User, From::Support, From::User]);
        assert_eq!(shown[1].body, "<p>on it</p>");
        let json = serde_json::to_value(&shown[1]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"from": "support", "body": "<p>on it</p>", "sentOn": "2026-01-01T00:00:00Z"})
        );
    }
}
