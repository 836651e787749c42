//! Request ids and the access log, with tower-http's request-id and trace layers.
//!
//! Every request gets the proxy's own id (a UUID) before anything else runs, whatever the
//! client sent in `x-request-id`: an id a client chooses could be made to collide with
//! another user's in the logs. Every log line of the request, a handler's first included, is
//! written inside a span that carries it, and the answer returns it in `x-request-id`.
//!
//! **Which id a user reads to support**: `x-request-id`, the proxy's. It finds the request in
//! the partner's logs, where the access line also records `moov_request_id`, Moov's own id
//! for the call that decided the answer; that one is what Moov support can trace, and the
//! answer carries it too, in `x-moov-request-id`.

use std::time::Duration;

use axum::extract::Request;
use axum::http::HeaderName;
use axum::response::Response;
use tracing::Span;
use uuid::Uuid;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Moov's id for the call that decided an answer, when Moov answered.
pub const X_MOOV_REQUEST_ID: HeaderName = HeaderName::from_static("x-moov-request-id");

/// What a handler learned about the caller, attached to its response for the access log.
#[derive(Debug, Clone)]
pub struct LogContext {
    pub user: String,
    pub account: Uuid,
}

/// Drops a client-sent `x-request-id`, so the id-setting layer always makes the proxy's own.
pub async fn distrust_client_id(mut request: Request) -> Request {
    request.headers_mut().remove(X_REQUEST_ID);
    request
}

/// The span every log line of a request is written in: its id, method and path (never the
/// query, which may carry a search term).
pub fn span(request: &Request) -> Span {
    let id = request
        .headers()
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    // Mounted under a prefix, the log shows the path the client asked for, prefix included.
    let path = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or(request.uri().path(), |original| original.0.path());
    tracing::info_span!(
        "request",
        request_id = id,
        method = %request.method(),
        path = path,
    )
}

/// One access-log line per answer: status, latency, user, account and Moov's id. Never a
/// token, a key or a message body.
pub fn log_response(response: &Response, latency: Duration, _span: &Span) {
    let status = response.status().as_u16();
    let latency_ms = latency.as_millis() as u64;
    let (user, account) = response
        .extensions()
        .get::<LogContext>()
        .map(|c| (c.user.as_str(), c.account.to_string()))
        .unwrap_or(("-", "-".to_owned()));
    let moov_request_id = response
        .headers()
        .get(X_MOOV_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    if status >= 500 {
        tracing::warn!(
            status,
            latency_ms,
            user,
            account,
            moov_request_id,
            "request"
        );
    } else {
        tracing::info!(
            status,
            latency_ms,
            user,
            account,
            moov_request_id,
            "request"
        );
    }
}
