//! `PATCH /api/support/tickets/{id}` `{"status": "closed"}`: the user closes a request.
//!
//! Closing is the one change Moov lets a ticket take, so any other body is refused here with
//! Moov's own 422 shape before Moov is called. Closing a closed ticket answers it again.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use super::history::{ticket_id, visible_ticket};
use super::AppState;
use crate::error::ApiError;
use crate::live::TicketChange;
use crate::moov::Failure;
use crate::request_id::{LogContext, X_MOOV_REQUEST_ID};
use crate::session::Session;

pub(super) async fn close(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(ticket): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let session = match state.0.sessions.resolve(&headers).await {
        Ok(s) => s,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let (mut response, request_id) = match close_visible(&state, &session, &ticket, body).await {
        Ok(answer) => (Json(answer.value).into_response(), answer.request_id),
        Err(f) => (f.error.into_response(), f.request_id),
    };
    if let Some(id) = request_id {
        response.headers_mut().insert(X_MOOV_REQUEST_ID, id);
    }
    response.extensions_mut().insert(LogContext {
        user: session.user_id,
        account: session.account_id,
    });
    response
}

async fn close_visible(
    state: &AppState,
    session: &Session,
    ticket: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<crate::moov::Answer<moov_support::Ticket>, Failure> {
    let id = ticket_id(ticket)?;
    let bytes =
        body.map_err(|e| ApiError::from(axum::extract::rejection::JsonRejection::from(e)))?;
    check_update(&bytes)?;
    visible_ticket(state, session, &id).await?;
    let closed = state.0.moov.close_ticket(session.account_id, &id).await?;
    // Other tabs and devices of the user hear of it now, not when Moov's webhook comes.
    let change = TicketChange {
        account: session.account_id,
        ticket: closed.value.clone(),
    };
    if let Err(e) = state.0.bus.publish(&change).await {
        tracing::warn!(error = %e, "could not tell live streams a ticket was closed");
    }
    Ok(closed)
}

/// `{"status": "closed"}` and nothing else that matters: not JSON or not an object is a 400,
/// any other status (or none) Moov's 422 `{status}`.
fn check_update(bytes: &[u8]) -> Result<(), ApiError> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    let Some(object) = value.as_object() else {
        return Err(ApiError::MalformedJson(
            "the update must be a JSON object like {\"status\": \"closed\"}".into(),
        ));
    };
    match object.get("status").and_then(Value::as_str) {
        Some("closed") => Ok(()),
        _ => Err(ApiError::InvalidUpdate),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_closing_is_an_update() {
        assert!(check_update(br#"{"status":"closed"}"#).is_ok());
        assert!(check_update(br#"{"status":"closed","title":"x"}"#).is_ok());
        for unprocessable in [
            r#"{"status":"open"}"#,
            r#"{"status":"Closed"}"#,
            r#"{"status":null}"#,
            r#"{}"#,
            r#"{"status":1}"#,
        ] {
            assert!(
                matches!(
                    check_update(unprocessable.as_bytes()),
                    Err(ApiError::InvalidUpdate)
                ),
                "{unprocessable}"
            );
        }
        for malformed in ["", "{", "\"closed\"", "[\"closed\"]"] {
            assert!(
                matches!(
                    check_update(malformed.as_bytes()),
                    Err(ApiError::MalformedJson(_))
                ),
                "{malformed}"
            );
        }
    }
}
