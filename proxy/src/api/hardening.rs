//! What every request passes through besides CORS: the Origin check, the per-IP limit, the
//! request timeout and the security headers.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU8;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use thiserror::Error;

use super::AppState;
use crate::error::ApiError;
use moov_support::retry_after::retry_after_secs;

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
///
/// The address is the peer's (`ConnectInfo<SocketAddr>`, given by
/// `into_make_service_with_connect_info`), or behind trusted reverse proxies the one they
/// forwarded. A router served without connect info still answers (see [`limit_key`]).
pub(super) async fn limit_per_ip(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if let (Some(limit), true) = (&state.0.ip_limit, request.uri().path().starts_with("/api/")) {
        if let Some(key) = limit_key(&state, &request) {
            if let Err(wait) = limit.check(&key).await {
                return ApiError::TooManyRequests {
                    retry_after_secs: retry_after_secs(wait),
                }
                .into_response();
            }
        }
    }
    next.run(request).await
}

/// The per-IP limit's one key for requests that carry no address the trusted reverse proxies
/// forwarded; no [`rate_key`] looks like it.
const UNFORWARDED_KEY: &str = "unforwarded";

/// Whom a request counts against, or `None` when no one can be told apart.
///
/// With connect info: [`client_ip`]. Without it, behind `TRUSTED_PROXY_HOPS` reverse proxies,
/// the address they forwarded; a request without one did not come through them (a health
/// check, a client reaching the app directly), so such requests share [`UNFORWARDED_KEY`]
/// rather than going unlimited. Without connect info and without trusted hops no address is
/// known at all: the limit is skipped, since refusing every request would be worse. Either
/// case is said once in the log.
fn limit_key(state: &AppState, request: &Request) -> Option<String> {
    let hops = state.0.trusted_proxy_hops;
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        return Some(rate_key(client_ip(request.headers(), peer.ip(), hops)));
    }
    let Some(trusted) = NonZeroU8::new(hops) else {
        state.0.addressless_warning.call_once(|| {
            tracing::warn!(
                "the per-IP limit is skipped: the proxy's router is served without connect info and TRUSTED_PROXY_HOPS is 0, so no client address is known; serve it with `into_make_service_with_connect_info::<SocketAddr>()`, or set TRUSTED_PROXY_HOPS behind a reverse proxy that sets X-Forwarded-For"
            );
        });
        return None;
    };
    match forwarded_ip(request.headers(), trusted) {
        Ok(ip) => Some(rate_key(ip)),
        Err(unforwarded) => {
            state.0.addressless_warning.call_once(|| {
                tracing::warn!(
                    "the per-IP limit counts requests without a forwarded client address under one shared key: the proxy's router is served without connect info, TRUSTED_PROXY_HOPS is {hops}, and a request arrived whose {unforwarded}, so it did not come through the trusted reverse proxies; send all traffic through them, or serve the router with `into_make_service_with_connect_info::<SocketAddr>()`"
                );
            });
            Some(UNFORWARDED_KEY.to_owned())
        }
    }
}

/// The client's address: the peer's, or behind `hops` trusted reverse proxies the
/// `X-Forwarded-For` entry the outermost of them added. Entries further left were written by
/// the client itself and prove nothing; a header too short or unreadable falls back to the
/// peer.
pub fn client_ip(headers: &HeaderMap, peer: IpAddr, hops: u8) -> IpAddr {
    NonZeroU8::new(hops)
        .and_then(|hops| forwarded_ip(headers, hops).ok())
        .unwrap_or(peer)
}

/// Why a request carries no address forwarded by the trusted reverse proxies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
enum Unforwarded {
    #[error("X-Forwarded-For is missing")]
    Missing,
    #[error("X-Forwarded-For has fewer than {hops} entries, one per trusted hop")]
    Short { hops: u8 },
    #[error("X-Forwarded-For entry {hops} places from the right is not an IP address")]
    Unreadable { hops: u8 },
}

/// The `X-Forwarded-For` entry `hops` places from the right.
fn forwarded_ip(headers: &HeaderMap, hops: NonZeroU8) -> Result<IpAddr, Unforwarded> {
    let hops = hops.get();
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    if entries.is_empty() {
        return Err(Unforwarded::Missing);
    }
    let i = entries
        .len()
        .checked_sub(usize::from(hops))
        .ok_or(Unforwarded::Short { hops })?;
    entries[i]
        .parse()
        .map_err(|_| Unforwarded::Unreadable { hops })
}

/// Whom the per-IP limit counts: an IPv4 address on its own, an IPv6 client by its /64. One
/// IPv6 subscriber usually holds a whole /64 and can pick a fresh address for every request,
/// so counting addresses would give it a fresh budget each time. An IPv4-mapped address
/// (`::ffff:a.b.c.d`, what a dual-stack listener sees) is the IPv4 client it maps.
fn rate_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let prefix = u128::from(v6) & !(u128::MAX >> 64);
                format!("{}/64", Ipv6Addr::from(prefix))
            }
        },
    }
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

/// The policy pages served from `STATIC_DIR` run under: the strictest one the widget
/// supports, so the demo proves a partner page with it works.
const PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; object-src 'none'; base-uri 'none'";

/// Headers for every answer; JSON answers also get `no-store` (they are per user) unless
/// they are one of the widget's own files (a language), which keep their folder's caching,
/// and a CSP that lets them render nothing if opened as a page; HTML pages get [`PAGE_CSP`].
pub(super) async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let json = content_type.starts_with("application/json");
    let own_file = response
        .extensions()
        .get::<super::assets::StaticFile>()
        .is_some();
    let html = content_type.starts_with("text/html");
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
        if !own_file {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if html {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ip_trusts_only_the_configured_hops() {
        let peer: IpAddr = "10.0.0.9".parse().unwrap();
        let mut h = HeaderMap::new();
        assert_eq!(client_ip(&h, peer, 1), peer);
        h.append("x-forwarded-for", "6.6.6.6, 203.0.113.7".parse().unwrap());
        assert_eq!(client_ip(&h, peer, 0), peer);
        assert_eq!(client_ip(&h, peer, 1).to_string(), "203.0.113.7");
        assert_eq!(client_ip(&h, peer, 2).to_string(), "6.6.6.6");
        assert_eq!(client_ip(&h, peer, 3), peer);
        h.append("x-forwarded-for", "198.51.100.1".parse().unwrap());
        assert_eq!(client_ip(&h, peer, 1).to_string(), "198.51.100.1");
        let mut bad = HeaderMap::new();
        bad.insert("x-forwarded-for", "not-an-ip".parse().unwrap());
        assert_eq!(client_ip(&bad, peer, 1), peer);
    }

    #[test]
    fn a_missing_forwarded_address_says_why() {
        let one = NonZeroU8::new(1).unwrap();
        let two = NonZeroU8::new(2).unwrap();
        let mut h = HeaderMap::new();
        assert_eq!(forwarded_ip(&h, one), Err(Unforwarded::Missing));
        h.insert("x-forwarded-for", "203.0.113.7".parse().unwrap());
        assert_eq!(forwarded_ip(&h, one), Ok("203.0.113.7".parse().unwrap()));
        assert_eq!(forwarded_ip(&h, two), Err(Unforwarded::Short { hops: 2 }));
        h.insert("x-forwarded-for", "not-an-ip, 203.0.113.7".parse().unwrap());
        assert_eq!(
            forwarded_ip(&h, two),
            Err(Unforwarded::Unreadable { hops: 2 })
        );
        let said = Unforwarded::Short { hops: 2 }.to_string();
        assert!(said.contains("fewer than 2 entries"), "{said}");
        assert_ne!(
            rate_key("203.0.113.7".parse().unwrap()),
            UNFORWARDED_KEY,
            "a client's key"
        );
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_and_ipv4_per_address() {
        let key = |ip: &str| rate_key(ip.parse().unwrap());
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_ne!(key("203.0.113.7"), key("203.0.113.8"));
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(
            key("2001:db8:1:2::1"),
            key("2001:db8:1:2:ffff:ffff:ffff:ffff")
        );
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        // A dual-stack listener's view of an IPv4 client is that client.
        assert_eq!(key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_ne!(key("::ffff:203.0.113.7"), key("::ffff:203.0.113.8"));
        assert_eq!(key("::1"), "::/64");
    }

    /// A JSON answer carrying `cache_control`, marked as a static file or not.
    async fn json_answer(cache_control: &'static str, own_file: bool) -> Response {
        use tower::ServiceExt;
        let handler = move || async move {
            let mut response = (
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (header::CACHE_CONTROL, cache_control),
                ],
                "{}",
            )
                .into_response();
            if own_file {
                response
                    .extensions_mut()
                    .insert(super::super::assets::StaticFile);
            }
            response
        };
        axum::Router::new()
            .route("/", axum::routing::get(handler))
            .layer(axum::middleware::from_fn(security_headers))
            .oneshot(Request::get("/").body(axum::body::Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn only_the_widgets_own_files_keep_a_json_cache_policy() {
        // An answer for one user is never stored, whatever its handler asked for.
        let answer = json_answer("private, max-age=60", false).await;
        assert_eq!(answer.headers()[header::CACHE_CONTROL], "no-store");
        let language = json_answer("public, max-age=31536000, immutable", true).await;
        assert_eq!(
            language.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
    }
}
