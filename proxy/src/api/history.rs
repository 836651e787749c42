//! The read side, for the widget's history view: the session's own tickets and their
//! messages. The account is always the session's, so no path or query can reach another's.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use crate::error::ApiError;
use crate::moov::{Answer, Failure, ListQuery};
use crate::request_id::{LogContext, X_MOOV_REQUEST_ID};
use crate::session::Session;

/// Moov's largest page.
const MAX_COUNT: u32 = 200;
const STATUSES: [&str; 4] = ["new", "in-progress", "on-hold", "closed"];

/// `GET /api/support/tickets?cursor=&count=&status=`: newest first.
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
        state.0.moov.list_tickets(session.account_id, &query).await
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
        let state = moov_state;
        let ticket = ticket_id(&ticket)?;
        state.0.moov.get_ticket(session.account_id, ticket).await
    })
    .await
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
        let ticket = ticket_id(&ticket)?;
        let mut answer = state
            .0
            .moov
            .ticket_messages(session.account_id, ticket)
            .await?;
        for message in &mut answer.value {
            message.body = moov_support::sanitize::clean(&message.body);
        }
        Ok(answer)
    })
    .await
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

fn ticket_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(raw).map_err(|_| ApiError::BadRequest("the ticket ID must be a UUID".into()))
}

/// Checks what is passed on to Moov, so a malformed value is the caller's 400, not a
/// confusing Moov error.
fn list_query(query: &HashMap<String, String>) -> Result<ListQuery, ApiError> {
    let bad = |m: String| ApiError::BadRequest(m);
    let present = |k: &str| query.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let cursor = match present("cursor") {
        Some(c) if c.len() > 256 || !c.bytes().all(|b| b.is_ascii_graphic()) => {
            return Err(bad(
                "cursor must be the nextPage cursor of a previous page".into()
            ))
        }
        c => c.map(str::to_owned),
    };
    let count = match present("count") {
        None => None,
        Some(n) => match n.parse::<u32>() {
            Ok(n) if (1..=MAX_COUNT).contains(&n) => Some(n),
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
    Ok(ListQuery {
        cursor,
        count,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Result<ListQuery, ApiError> {
        list_query(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn list_queries_are_checked() {
        let ok = q(&[
            ("cursor", "17"),
            ("count", "5"),
            ("status", "on-hold"),
            ("x", "y"),
        ])
        .unwrap();
        assert_eq!(ok.cursor.as_deref(), Some("17"));
        assert_eq!(ok.count, Some(5));
        assert_eq!(ok.status.as_deref(), Some("on-hold"));
        assert!(q(&[("count", "")]).unwrap().count.is_none());
        for bad in [
            ("count", "0"),
            ("count", "201"),
            ("count", "-1"),
            ("status", "open"),
            ("cursor", "a b"),
        ] {
            assert!(q(&[bad]).is_err(), "{bad:?}");
        }
    }
}
