//! What every request passes through besides CORS: the Origin check, the per-IP limit, the
//! request timeout and the security headers.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::error::ApiError;
use crate::limit::retry_after_secs;

/// Refuses a state-changing request sent by a browser on a page that is neither allowed nor
/// the proxy's own. CORS alone only stops the page from *reading* the answer; the ticket
/// would already be filed. Requests without `Origin` (servers, curl) are not browsers'
/// cross-site requests and pass.
pub(super) async fn check_origin(
    State(allowed): State<Arc<Vec<String>>>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe {
        if let Some(origin) = request.headers().get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("");
            if !allowed.iter().any(|o| o == origin) && !same_origin(&request, origin) {
                let shown: String = origin.chars().take(100).collect();
                return ApiError::ForbiddenOrigin(format!("`{shown}`")).into_response();
            }
        }
    }
    next.run(request).await
}

/// A page served by the proxy itself (`STATIC_DIR`) posts with its own origin.
fn same_origin(request: &Request, origin: &str) -> bool {
    let Some(host) = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
    else {
        return false;
    };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|rest| rest == host)
}

/// Limits API requests per client address, before any session or Moov work is done.
pub(super) async fn limit_per_ip(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(limit) = &state.0.ip_limit {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if let (Some(ip), true) = (peer, request.uri().path().starts_with("/api/")) {
            if let Err(wait) = limit.check(&ip.to_string()).await {
                return ApiError::TooManyRequests {
                    retry_after_secs: retry_after_secs(wait),
                }
                .into_response();
            }
        }
    }
    next.run(request).await
}

/// Answers 504 when a request runs longer than `REQUEST_TIMEOUT_MS`. An idempotent
/// submission cut off here stays safe to retry: its key is released and marked pending.
pub(super) async fn request_timeout(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(state.0.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("request timed out");
            ApiError::RequestTimeout.into_response()
        }
    }
}

/// Headers for every answer; JSON answers also get `no-store` (they are per user) and a
/// CSP that lets them render nothing if opened as a page.
pub(super) async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if json {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}
