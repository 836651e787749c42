//! The HTTP surface the widget talks to.
//!
//! `POST /api/support/tickets`, the read side (`GET /api/support/tickets[/{id}[/messages]]`),
//! closing (`PATCH /api/support/tickets/{id}`), live events (`GET /api/support/events`),
//! Moov's webhooks (`POST /api/support/webhooks/moov`), `GET /healthz` and `GET /readyz`
//! always; `/api/dev/…` only when the proxy was started with `--sandbox` (and built with its
//! `sandbox` feature), for loopback peers unless `MOOV_SANDBOX_ALLOW_REMOTE` is set.

mod assets;
mod close;
#[cfg(feature = "sandbox")]
mod dev;
mod events;
mod hardening;
mod health;
mod history;
mod paging;
mod state;
mod streams;
mod tickets;
mod webhooks;

use std::any::Any;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Router};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::error::{ApiError, MAX_REQUEST_BYTES};
use crate::request_id::{self, X_MOOV_REQUEST_ID, X_REQUEST_ID};

pub use state::{AppState, DevTools, Settings};
/// Where Moov's webhooks are received.
pub const WEBHOOK_PATH: &str = webhooks::PATH;
#[cfg(test)]
use state::claim_timing;
pub use tickets::NewTicket;

/// Response headers a cross-origin widget may read. Retry-After is not CORS-safelisted:
/// without it here the widget could not honor it.
const EXPOSED_HEADERS: [HeaderName; 3] = [X_REQUEST_ID, X_MOOV_REQUEST_ID, header::RETRY_AFTER];

/// The proxy's router: routes (and `static_dir` at `/`, if any), body limit, panic guard,
/// per-IP limit, Origin check, request timeout, CORS for `allowed_origins`, security headers,
/// the access log and request ids, in that order from the inside out.
///
/// Moov's webhook route is outside the widget's layers: it is called by Moov, not by a
/// browser, so it has no CORS and no Origin check, and it is not counted by the per-IP limit
/// (see `webhooks`); it shares the body limit, panic guard, timeout, headers and log.
pub fn router(state: AppState, allowed_origins: &[String], static_dir: Option<&Path>) -> Router {
    let dev = state.0.dev.is_some();
    let mut routes = Router::new()
        .route(
            "/api/support/tickets",
            post(tickets::create).get(history::list),
        )
        .route(
            "/api/support/tickets/{ticket_id}",
            get(history::one).patch(close::close),
        )
        .route(
            "/api/support/tickets/{ticket_id}/messages",
            get(history::messages),
        )
        .route("/api/support/events", get(events::stream))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz));
    #[cfg(feature = "sandbox")]
    if let Some(tools) = &state.0.dev {
        // A route layer: a path no dev route claims stays the router's 404.
        let dev_routes = Router::new()
            .route("/api/dev/session", get(dev::session))
            .route(
                "/api/dev/faults",
                post(dev::push_faults).delete(dev::clear_faults),
            )
            .route("/api/dev/token-failure", post(dev::token_failure))
            .route("/api/dev/tickets", get(dev::tickets))
            .route("/api/dev/tickets/{ticket_id}/reply", post(dev::reply))
            .route_layer(middleware::from_fn_with_state(
                tools.allow_remote,
                dev::loopback_only,
            ));
        routes = routes.merge(dev_routes);
    }
    routes = match static_dir {
        Some(dir) => routes.fallback_service(assets::static_files(dir)),
        None => routes.fallback(not_found),
    };
    let origins = Arc::new(allowed_origins.to_vec());
    // Every refusal is made inside CORS, so a widget on an allowed page can read it.
    let widget = routes
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            hardening::limit_per_ip,
        ))
        .layer(middleware::from_fn_with_state(
            origins,
            hardening::check_origin,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            hardening::request_timeout,
        ))
        .layer(cors(allowed_origins, dev))
        .layer(middleware::from_fn(expose_on_preflight))
        .layer(middleware::from_fn(hardening::security_headers));
    let moov = Router::new()
        .route(webhooks::PATH, post(webhooks::receive))
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            hardening::request_timeout,
        ))
        .layer(middleware::from_fn(hardening::security_headers));
    widget
        .merge(moov)
        .layer(
            ServiceBuilder::new()
                .layer(middleware::map_request(request_id::distrust_client_id))
                .layer(SetRequestIdLayer::new(X_REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_id::span)
                        .on_request(())
                        .on_response(request_id::log_response)
                        .on_failure(()),
                )
                .layer(PropagateRequestIdLayer::new(X_REQUEST_ID)),
        )
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::RouteNotFound
}

/// Exactly the configured origins; the widget sends a bearer token, never cookies, and
/// closes a request with `PATCH`. With the dev routes mounted, browser tests may also
/// `DELETE /api/dev/faults`.
fn cors(allowed_origins: &[String], dev: bool) -> CorsLayer {
    let origins: Vec<HeaderValue> = allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods(if dev {
            vec![
                Method::POST,
                Method::GET,
                Method::PATCH,
                Method::OPTIONS,
                Method::DELETE,
            ]
        } else {
            vec![Method::POST, Method::GET, Method::PATCH, Method::OPTIONS]
        })
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers(EXPOSED_HEADERS)
        .max_age(Duration::from_secs(600))
}

/// Repeats `Access-Control-Expose-Headers` on allowed preflights. Browsers read it from the
/// actual response; having it on the preflight too lets a partner check their setup with one
/// `OPTIONS` request.
async fn expose_on_preflight(request: Request, next: Next) -> Response {
    let preflight = request.method() == Method::OPTIONS;
    let mut response = next.run(request).await;
    if preflight
        && response
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    {
        response.headers_mut().insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_str(&EXPOSED_HEADERS.map(|h| h.as_str().to_owned()).join(","))
                .expect("header names are valid header values"),
        );
    }
    response
}

fn panic_response(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::Internal.into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request as HttpRequest, StatusCode};
    use serde_json::json;
    use tower::ServiceExt;

    use super::*;
    use crate::config::{MoovCredentials, Secret};
    use crate::moov::MoovClient;
    use crate::session::JwtSessions;
    use moov_support::moov_version::MoovVersion;
    use uuid::Uuid;

    fn unreachable_moov() -> MoovClient {
        MoovClient::new(
            MoovCredentials {
                base_url: "http://127.0.0.1:9".into(),
                public_key: "pk".into(),
                secret_key: Secret::new("sk"),
            },
            MoovVersion::DEFAULT,
            "http://localhost".into(),
            Duration::from_millis(100),
            None,
        )
        .unwrap()
    }

    /// A router whose Moov is never reached: these requests stop before it.
    fn app(dev: bool) -> Router {
        app_with_dev(dev.then_some(false))
    }

    /// [`app`] with the dev routes when `allow_remote` is given, answering peers beyond
    /// loopback when it is true.
    fn app_with_dev(allow_remote: Option<bool>) -> Router {
        let moov = unreachable_moov();
        let secret = Secret::new("unit-test-secret-unit-test-secret-unit");
        let jwt = Arc::new(crate::session::JwtSessions::new(&secret));
        #[cfg(feature = "sandbox")]
        let dev = allow_remote.map(|allow_remote| DevTools {
            sandbox: moov_support_sandbox::SandboxHandle::new(Default::default()),
            signer: jwt.clone(),
            account: moov_support_sandbox::DEMO_ACCOUNT_ID,
            allow_remote,
        });
        #[cfg(not(feature = "sandbox"))]
        let dev: Option<DevTools> =
            allow_remote.map(|_| unreachable!("no dev routes in this build"));
        router(AppState::single(jwt, moov, dev), &[], None)
    }

    /// `request` as if it came from `peer` over a listener served with connect info.
    #[cfg(feature = "sandbox")]
    fn from_peer(mut request: HttpRequest<Body>, peer: &str) -> HttpRequest<Body> {
        let peer: std::net::SocketAddr = peer.parse().unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        request
    }

    async fn call(
        app: Router,
        request: HttpRequest<Body>,
    ) -> (StatusCode, String, serde_json::Value) {
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let id = response.headers()[X_REQUEST_ID]
            .to_str()
            .unwrap()
            .to_owned();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, id, serde_json::from_slice(&body).unwrap())
    }

    fn get(uri: &str) -> HttpRequest<Body> {
        HttpRequest::get(uri).body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn health_and_unknown_routes() {
        let (status, id, body) = call(app(false), get("/healthz")).await;
        assert_eq!((status, body), (StatusCode::OK, json!({"status": "ok"})));
        assert!(Uuid::parse_str(&id).is_ok());
        let (status, _, body) = call(app(false), get("/api/nope")).await;
        assert_eq!(
            (status, body),
            (StatusCode::NOT_FOUND, json!({"error": "no such route"}))
        );
    }

    #[cfg(feature = "sandbox")]
    #[tokio::test]
    async fn dev_routes_exist_only_with_the_sandbox() {
        let local = "127.0.0.1:50000";
        let (status, _, _) = call(app(false), from_peer(get("/api/dev/session"), local)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let request = from_peer(get("/api/dev/session?sub=t-1"), local);
        let (status, _, body) = call(app(true), request).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["sub"], "t-1");
        assert_eq!(
            body["accountID"],
            moov_support_sandbox::DEMO_ACCOUNT_ID.to_string()
        );
    }

    #[cfg(feature = "sandbox")]
    #[tokio::test]
    async fn dev_routes_answer_loopback_peers_only_unless_remote_is_allowed() {
        let session = || get("/api/dev/session");
        for local in ["127.0.0.1:50000", "[::1]:50000", "[::ffff:127.0.0.1]:50000"] {
            let (status, _, body) = call(app(true), from_peer(session(), local)).await;
            assert_eq!(status, StatusCode::OK, "{local}: {body}");
            assert!(body["token"].is_string(), "{local}: {body}");
        }
        for remote in [
            "192.0.2.7:50000",
            "[2001:db8::7]:50000",
            "[::ffff:192.0.2.7]:50000",
        ] {
            let (status, _, body) = call(app(true), from_peer(session(), remote)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{remote}: {body}");
            let error = body["error"].as_str().unwrap();
            assert!(error.contains("MOOV_SANDBOX_ALLOW_REMOTE"), "{error}");
            assert!(body.get("token").is_none(), "{remote}: {body}");
            // Every dev route, not only the session.
            let request = HttpRequest::delete("/api/dev/faults")
                .body(Body::empty())
                .unwrap();
            let (status, _, _) = call(app(true), from_peer(request, remote)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{remote}");
            let (status, _, body) =
                call(app_with_dev(Some(true)), from_peer(session(), remote)).await;
            assert_eq!(status, StatusCode::OK, "{remote} allowed: {body}");
        }
        // Served without connect info, the peer is unknown: refused, saying how to serve it.
        let (status, _, body) = call(app(true), session()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let error = body["error"].as_str().unwrap();
        assert!(
            error.contains("into_make_service_with_connect_info"),
            "{error}"
        );
        let (status, _, body) = call(app_with_dev(Some(true)), session()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Paths no dev route claims keep the router's 404.
        let (status, _, body) = call(app(true), get("/api/dev/nope")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }

    #[test]
    fn a_claim_outlives_the_request_that_holds_it() {
        for request_ms in [30_000, 5_000, 60_000, 1] {
            let settings = Settings {
                request_timeout: Duration::from_millis(request_ms),
                ..Settings::default()
            };
            let (claim_ttl, wait_for) = claim_timing(&settings);
            // A request is cut off at its timeout, which releases the claim; until then,
            // however many Moov calls and store round trips it makes, the claim is its own.
            assert!(
                claim_ttl > settings.request_timeout,
                "{request_ms}: {claim_ttl:?}"
            );
            // A waiting retry answers before its own request times out.
            assert!(wait_for < settings.request_timeout);
        }
    }

    #[tokio::test]
    async fn readyz_names_the_store_without_its_address() {
        let unreachable = crate::store::RedisStore::new("redis://127.0.0.1:1").unwrap();
        let state = AppState::new(
            Arc::new(JwtSessions::new(&Secret::new(
                "unit-test-secret-unit-test-secret-unit",
            ))),
            unreachable_moov(),
            Arc::new(unreachable),
            Arc::new(crate::live::LocalBus::default()),
            Settings::default(),
            None,
        );
        let (status, id, body) = call(router(state, &[], None), get("/readyz")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body, json!({"error": "not ready: store"}));
        assert!(Uuid::parse_str(&id).is_ok());
    }

    #[tokio::test]
    async fn tickets_need_a_session_before_anything_else() {
        let request = HttpRequest::post("/api/support/tickets")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{not json"))
            .unwrap();
        let (status, _, body) = call(app(false), request).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body, json!({"error": "missing bearer token"}));
    }

    #[tokio::test]
    async fn a_client_sent_request_id_is_replaced_by_ours() {
        let request = HttpRequest::get("/healthz")
            .header("x-request-id", "client-chosen-id")
            .body(Body::empty())
            .unwrap();
        let (status, id, _) = call(app(false), request).await;
        assert_eq!(status, StatusCode::OK);
        assert_ne!(id, "client-chosen-id");
        assert!(Uuid::parse_str(&id).is_ok(), "{id}");
    }
}
