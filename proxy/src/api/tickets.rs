//! `POST /api/support/tickets`: the widget's one real request.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use moov_support::{rules, Contact, CreateTicket, Ticket};
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use crate::error::ApiError;
use crate::idempotency::{fingerprint, Begin, Outcome};
use crate::limit::retry_after_secs;
use crate::moov::{Answer, Failure};
use crate::request_id::{LogContext, X_REQUEST_ID};
use crate::session::Session;

/// What the widget sends. Only these fields are read: an `author`, a `foreignID` or an
/// account id in the body is ignored, because the browser is not trusted with them.
/// Missing fields read as empty so the rules can name them in a 422.
#[derive(Debug, Default, Deserialize)]
pub struct NewTicket {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub contact: NewContact,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewContact {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
}

impl NewTicket {
    /// Reads a ticket from a JSON object only: serde would otherwise also take an array
    /// positionally (`["title", "body"]`), which no widget sends.
    pub fn from_json(value: serde_json::Value) -> Result<NewTicket, ApiError> {
        if !value.is_object() {
            return Err(ApiError::MalformedJson(
                "the ticket must be a JSON object with title, body and contact".into(),
            ));
        }
        serde_json::from_value(value).map_err(|e| ApiError::MalformedJson(e.to_string()))
    }

    /// Reads a ticket from the bytes of a request whose content type is JSON: every way the
    /// bytes are not a ticket object is a 400 [`ApiError::MalformedJson`].
    pub fn decode(body: &[u8]) -> Result<NewTicket, ApiError> {
        let Json(value) = Json::<serde_json::Value>::from_bytes(body)?;
        NewTicket::from_json(value)
    }

    /// The ticket to check and forward, with the proxy's own `foreignID`.
    pub fn into_create(self, foreign_id: Option<String>) -> CreateTicket {
        CreateTicket {
            title: self.title,
            body: self.body,
            contact: Contact {
                email: self.contact.email,
                name: self.contact.name,
            },
            author: None,
            foreign_id,
        }
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    payload: Result<Bytes, BytesRejection>,
) -> Response {
    let session = match state.0.sessions.resolve(&headers).await {
        Ok(s) => s,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut response = match submit(&state, &session, &headers, payload).await {
        Ok(answer) => with_request_id(Json(answer.value).into_response(), answer.request_id),
        Err(failure) => with_request_id(failure.error.into_response(), failure.request_id),
    };
    response.extensions_mut().insert(LogContext {
        user: session.user_id,
        account: session.account_id,
    });
    response
}

async fn submit(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    payload: Result<Bytes, BytesRejection>,
) -> Result<Answer<Ticket>, Failure> {
    if let Some(limit) = &state.0.user_limit {
        let user = format!("{}:{}", session.account_id, session.user_id);
        limit
            .check(&user)
            .await
            .map_err(|wait| ApiError::TooManySubmissions {
                retry_after_secs: retry_after_secs(wait),
            })?;
    }
    let key = idempotency_key(headers)?;
    // The order of axum's `Json` extractor: content type (415), then size (413), then JSON.
    if !is_json(headers) {
        return Err(ApiError::UnsupportedMediaType.into());
    }
    let bytes = payload.map_err(|e| ApiError::from(JsonRejection::from(e)))?;
    let raw = NewTicket::decode(&bytes)?;
    let ticket = rules::prepare(raw.into_create(key.map(|k| k.to_string())))
        .map_err(|fields| ApiError::Validation(Box::new(fields)))?;
    let account = session.account_id;
    let moov = &state.0.moov;
    let Some(key) = key else {
        return moov.create_ticket(account, &ticket).await;
    };

    let attempt = match state
        .0
        .idempotency
        .begin(account, key, &fingerprint(&ticket))
        .await
        .map_err(ApiError::from)?
    {
        Begin::Replay(ticket) => {
            tracing::info!(%key, "answering a retried submission with its ticket");
            return Ok(Answer {
                value: *ticket,
                request_id: None,
            });
        }
        Begin::Attempt(attempt) => attempt,
    };
    if attempt.look_first() {
        match moov.find_by_foreign_id(account, &key.to_string()).await {
            Ok(Some(found)) => {
                tracing::info!(%key, "a previous attempt had created the ticket");
                finish(attempt, Outcome::Created(&found.value)).await;
                return Ok(found);
            }
            Ok(None) => {}
            Err(f) => {
                // Creating now could duplicate a ticket Moov already has: keep the key
                // pending and let the widget retry.
                tracing::warn!(%key, error = %f.error, "could not check for an earlier ticket");
                finish(attempt, Outcome::Unknown).await;
                return Err(f);
            }
        }
    }
    let result = moov.create_ticket(account, &ticket).await;
    let outcome = match &result {
        Ok(answer) => Outcome::Created(&answer.value),
        Err(f) if f.error.outcome_unknown() => Outcome::Unknown,
        Err(_) => Outcome::Refused,
    };
    finish(attempt, outcome).await;
    result
}

/// Records an attempt's end; a store failure here is logged, not shown: the answer from
/// Moov is still the truth for this request.
async fn finish(attempt: crate::idempotency::Attempt, outcome: Outcome<'_>) {
    if let Err(e) = attempt.finish(outcome).await {
        tracing::error!(error = %e, "could not record an idempotency result");
    }
}

/// `application/json` or any `application/*+json`, with or without parameters: what axum's
/// `Json` extractor admits.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| {
            m.type_() == "application"
                && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
        })
}

/// The `Idempotency-Key` header: absent, or a UUID.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<Uuid>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| Uuid::try_parse(v.trim()).ok())
        .map(Some)
        .ok_or(ApiError::InvalidIdempotencyKey)
}

fn with_request_id(mut response: Response, id: Option<HeaderValue>) -> Response {
    if let Some(id) = id {
        response.headers_mut().insert(X_REQUEST_ID, id);
    }
    response
}
