//! Every way a widget request can fail, one variant per thing the widget, the user or the
//! partner must handle differently.
//!
//! Answers are JSON `{"error": "..."}` except a validation failure, which is the flat 422
//! field map Moov itself uses, so the widget shows a local mistake, a proxy rejection and a
//! Moov rejection the same way. Internal details go to the log, never to the browser.

use axum::extract::rejection::JsonRejection;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use moov_support::FieldErrors;
use serde_json::json;
use thiserror::Error;

use crate::session::SessionError;

/// The largest ticket request the proxy reads.
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone, Error)]
pub enum ApiError {
    /// The caller's own session is missing or bad: the host page must mint a new token.
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error("Idempotency-Key must be a UUID")]
    InvalidIdempotencyKey,
    #[error("the request body is not valid ticket JSON: {0}")]
    MalformedJson(String),
    /// Any other request the proxy cannot act on, with what to change.
    #[error("{0}")]
    BadRequest(String),
    #[error("send the ticket as JSON with Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("the request body is larger than 256 KiB")]
    PayloadTooLarge,
    /// Answered as the flat 422 field map, not as `{error}`.
    #[error("the ticket has invalid fields")]
    Validation(Box<FieldErrors>),
    #[error("too many tickets from this user; try again in {retry_after_secs} seconds")]
    TooManySubmissions { retry_after_secs: u64 },
    #[error("too many requests from this address; try again in {retry_after_secs} seconds")]
    TooManyRequests { retry_after_secs: u64 },
    /// A browser on a page the partner did not allow tried to submit.
    #[error("requests from origin {0} are not allowed; add it to ALLOWED_ORIGINS")]
    ForbiddenOrigin(String),
    /// The same `Idempotency-Key` with another ticket, or one still being submitted.
    #[error("{0}")]
    Idempotency(crate::idempotency::IdempotencyError),
    /// `LOCK_CONTACT` is on and the session names no one to answer.
    #[error("the session carries no email: this proxy takes the ticket's contact from the session (LOCK_CONTACT), so the partner app must sign the user's `email` claim into the session token")]
    SessionWithoutEmail,
    #[error("no such ticket on this account")]
    TicketNotFound,
    /// A ticket update other than closing; answered as Moov's flat 422 `{status}`.
    #[error("status must be closed, the only status a request can be set to")]
    InvalidUpdate,
    #[error("too many live connections for this user; close another tab or try again in {retry_after_secs} seconds")]
    TooManyStreams { retry_after_secs: u64 },
    #[error("this proxy holds as many live connections as it may; try again in {retry_after_secs} seconds")]
    StreamsFull { retry_after_secs: u64 },
    /// A webhook delivery that is not provably Moov's.
    #[error("{0}")]
    Webhook(crate::webhook::Refusal),
    #[error("the proxy did not finish the request in time; retry (with the same Idempotency-Key)")]
    RequestTimeout,
    #[error("the proxy's shared store is unavailable; try again in a moment")]
    StoreUnavailable,
    /// A sandbox dev route asked for by a peer beyond loopback: answered 403, not 404, so a
    /// developer on another machine learns what to change.
    #[error("the sandbox's dev routes answer loopback clients only, because /api/dev/session mints a session for anyone who asks; call them from this machine (127.0.0.1 or localhost), or set MOOV_SANDBOX_ALLOW_REMOTE=1 (--sandbox-allow-remote) to let other machines in")]
    DevRouteRemote,
    /// A sandbox dev route on a router served without connect info: the peer is unknown, so
    /// it is not known to be loopback.
    #[error("the sandbox's dev routes answer loopback clients only, and this router is served without connect info, so the client's address is unknown; serve it with `into_make_service_with_connect_info::<SocketAddr>()`, or set MOOV_SANDBOX_ALLOW_REMOTE=1 (--sandbox-allow-remote) to answer any client")]
    DevRouteUnknownPeer,
    #[error("no such route")]
    RouteNotFound,
    #[error("method not allowed on this route")]
    MethodNotAllowed,

    /// Moov's own `{error}` message for a 400.
    #[error("{0}")]
    UpstreamBadRequest(String),
    /// A Moov 422 that names no field the widget knows: kept as 422, told as `{error}`.
    #[error("{0}")]
    UpstreamUnprocessable(String),
    /// Moov's own `{error}` message for a 409.
    #[error("{0}")]
    UpstreamConflict(String),
    #[error("Moov account not found: the session's account does not exist or is not reachable with the proxy's key")]
    AccountNotFound,
    #[error("Moov is rate limiting requests; try again shortly")]
    UpstreamRateLimited { retry_after: Option<HeaderValue> },
    #[error("Moov had an internal error; try again in a moment")]
    UpstreamInternal,
    #[error("Moov timed out waiting on one of its own services; try again in a moment")]
    UpstreamGatewayTimeout,
    #[error("Moov did not answer in time; the ticket may still have been created, retry with the same Idempotency-Key")]
    UpstreamTimeout,
    #[error("the proxy's Moov credentials were rejected")]
    CredentialsRejected,
    #[error("Moov refused the proxy access to this account's tickets; the partner must check the API key's permissions")]
    UpstreamForbidden,
    #[error("the proxy could not get a Moov access token: {0}")]
    TokenEndpoint(String),
    /// Moov's token endpoint answered 403 to the scopes the proxy asked for.
    #[error("Moov's token endpoint answered 403: it would not issue the proxy a token for this account's tickets; the partner must check the API key's permissions and that MOOV_ORIGIN is one of its domains")]
    TokenForbidden,
    #[error("the proxy could not reach Moov")]
    UpstreamUnreachable,
    #[error("Moov's answer could not be read")]
    UpstreamGarbled,
    #[error("Moov answered with unexpected status {0}")]
    UpstreamUnexpected(u16),
    #[error("the proxy failed unexpectedly")]
    Internal,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            Session(_) | Webhook(_) => StatusCode::UNAUTHORIZED,
            InvalidIdempotencyKey | MalformedJson(_) | BadRequest(_) | UpstreamBadRequest(_) => {
                StatusCode::BAD_REQUEST
            }
            UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Validation(_) | UpstreamUnprocessable(_) | InvalidUpdate => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            TooManySubmissions { .. }
            | TooManyRequests { .. }
            | TooManyStreams { .. }
            | StreamsFull { .. }
            | UpstreamRateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ForbiddenOrigin(_) | SessionWithoutEmail | DevRouteRemote | DevRouteUnknownPeer => {
                StatusCode::FORBIDDEN
            }
            Idempotency(crate::idempotency::IdempotencyError::Store(_)) | StoreUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Idempotency(_) => StatusCode::CONFLICT,
            RequestTimeout => StatusCode::GATEWAY_TIMEOUT,
            RouteNotFound | AccountNotFound | TicketNotFound => StatusCode::NOT_FOUND,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            UpstreamConflict(_) => StatusCode::CONFLICT,
            UpstreamInternal | Internal => StatusCode::INTERNAL_SERVER_ERROR,
            UpstreamGatewayTimeout | UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            CredentialsRejected
            | UpstreamForbidden
            | TokenEndpoint(_)
            | TokenForbidden
            | UpstreamUnreachable
            | UpstreamGarbled
            | UpstreamUnexpected(_) => StatusCode::BAD_GATEWAY,
        }
    }

    /// True when Moov may have created the ticket even though no ticket came back; a retry
    /// with the same idempotency key must then look before creating again.
    pub fn outcome_unknown(&self) -> bool {
        use ApiError::*;
        matches!(
            self,
            UpstreamTimeout
                | UpstreamUnreachable
                | UpstreamGarbled
                | UpstreamInternal
                | UpstreamGatewayTimeout
                | UpstreamUnexpected(_)
        )
    }

    /// True when Moov withheld a permission from the proxy's key (a 403 from the API or its
    /// token endpoint), rather than failing.
    pub fn is_permission_refused(&self) -> bool {
        matches!(self, ApiError::UpstreamForbidden | ApiError::TokenForbidden)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = match &self {
            ApiError::Validation(fields) => (status, Json(&**fields)).into_response(),
            ApiError::InvalidUpdate => {
                (status, Json(json!({ "status": self.to_string() }))).into_response()
            }
            other => (status, Json(json!({ "error": other.to_string() }))).into_response(),
        };
        let headers = response.headers_mut();
        match self {
            ApiError::Session(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Bearer error="invalid_token""#),
                );
            }
            ApiError::TooManySubmissions { retry_after_secs }
            | ApiError::TooManyRequests { retry_after_secs }
            | ApiError::TooManyStreams { retry_after_secs }
            | ApiError::StreamsFull { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            ApiError::UpstreamRateLimited {
                retry_after: Some(v),
            } => {
                headers.insert(header::RETRY_AFTER, v);
            }
            _ => {}
        }
        response
    }
}

impl From<crate::idempotency::IdempotencyError> for ApiError {
    fn from(e: crate::idempotency::IdempotencyError) -> Self {
        match e {
            crate::idempotency::IdempotencyError::Store(e) => {
                tracing::error!(error = %e, "idempotency store failed");
                ApiError::StoreUnavailable
            }
            other => ApiError::Idempotency(other),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
            // Wrong types are a 400, not a 422: the widget reads every 422 as a field map.
            JsonRejection::JsonDataError(e) => ApiError::MalformedJson(e.body_text()),
            JsonRejection::JsonSyntaxError(e) => ApiError::MalformedJson(e.body_text()),
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::PayloadTooLarge
            }
            other => ApiError::MalformedJson(other.body_text()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(e: ApiError) -> (StatusCode, serde_json::Value, Option<String>) {
        let r = e.into_response();
        let status = r.status();
        let retry = r
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap(), retry)
    }

    #[tokio::test]
    async fn errors_are_json_with_a_message() {
        let (s, b, _) = body(ApiError::CredentialsRejected).await;
        assert_eq!(s, StatusCode::BAD_GATEWAY);
        assert_eq!(
            b,
            json!({"error": "the proxy's Moov credentials were rejected"})
        );
        let (s, b, _) = body(SessionError::Expired.into()).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(b, json!({"error": "session token expired"}));
    }

    #[tokio::test]
    async fn validation_is_the_flat_field_map() {
        let f = FieldErrors {
            title: Some("Enter a subject.".into()),
            ..FieldErrors::default()
        };
        let (s, b, _) = body(ApiError::Validation(Box::new(f))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b, json!({"title": "Enter a subject."}));
    }

    #[tokio::test]
    async fn rate_limits_carry_retry_after() {
        let (s, _, r) = body(ApiError::TooManySubmissions {
            retry_after_secs: 7,
        })
        .await;
        assert_eq!((s.as_u16(), r.as_deref()), (429, Some("7")));
        let (_, _, r) = body(ApiError::UpstreamRateLimited {
            retry_after: Some(HeaderValue::from_static("3")),
        })
        .await;
        assert_eq!(r.as_deref(), Some("3"));
    }
}
