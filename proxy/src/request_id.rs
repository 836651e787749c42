//! `x-request-id` on every answer, and one access-log line per request.
//!
//! A user who sees a failure reads this id to support; it is Moov's own id whenever the
//! answer came from Moov, so Moov support can trace it too, and a fresh UUID otherwise.

use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use uuid::Uuid;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What a handler learned about the caller, attached to its response for the access log.
#[derive(Debug, Clone)]
pub struct LogContext {
    pub user: String,
    pub account: Uuid,
}

/// A fresh request id as a header value.
pub fn fresh() -> HeaderValue {
    HeaderValue::from_str(&Uuid::new_v4().to_string()).expect("a UUID is a valid header value")
}

/// Adds `x-request-id` when the handler did not set Moov's, and logs the request: id, route,
/// status, latency, user and account. Never a token, a key or a message body.
pub async fn middleware(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let id = response
        .headers()
        .get(X_REQUEST_ID)
        .cloned()
        .unwrap_or_else(|| {
            let id = fresh();
            response.headers_mut().insert(X_REQUEST_ID, id.clone());
            id
        });
    let id = id.to_str().unwrap_or("-");
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_millis() as u64;
    let (user, account) = response
        .extensions()
        .get::<LogContext>()
        .map(|c| (c.user.as_str(), c.account.to_string()))
        .unwrap_or(("-", "-".to_owned()));
    if status >= 500 {
        tracing::warn!(request_id = id, %method, path, status, latency_ms, user, account, "request");
    } else {
        tracing::info!(request_id = id, %method, path, status, latency_ms, user, account, "request");
    }
    response
}
