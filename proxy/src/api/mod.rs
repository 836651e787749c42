//! The HTTP surface the widget talks to.
//!
//! `POST /api/support/tickets` and `GET /healthz` always; `/api/dev/…` only when the proxy
//! runs against its built-in sandbox.

mod dev;
mod tickets;

use std::any::Any;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::handler::HandlerWithoutStateExt;
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use uuid::Uuid;

use crate::error::{ApiError, MAX_REQUEST_BYTES};
use crate::idempotency::Ledger;
use crate::limit::RateLimiter;
use crate::moov::MoovClient;
use crate::request_id::{self, X_REQUEST_ID};
use crate::sandbox::SandboxHandle;
use crate::session::{JwtSessions, SessionResolver};

pub use tickets::NewTicket;

/// Response headers a cross-origin widget may read.
const EXPOSED_HEADERS: &str = "x-request-id,retry-after";

/// What the sandbox-only dev routes need.
#[derive(Clone)]
pub struct DevTools {
    pub sandbox: SandboxHandle,
    /// Signs dev session tokens with the proxy's session secret.
    pub signer: Arc<JwtSessions>,
    /// The account dev sessions act for.
    pub account: Uuid,
}

/// Everything a handler needs, cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    sessions: Arc<dyn SessionResolver>,
    moov: MoovClient,
    ledger: Ledger,
    user_limit: Option<RateLimiter<(Uuid, String)>>,
    dev: Option<DevTools>,
}

impl AppState {
    /// `tickets_per_minute` of 0 turns the per-user limit off; `dev` enables `/api/dev/…`.
    pub fn new(
        sessions: Arc<dyn SessionResolver>,
        moov: MoovClient,
        tickets_per_minute: u32,
        dev: Option<DevTools>,
    ) -> Self {
        AppState(Arc::new(Inner {
            sessions,
            moov,
            ledger: Ledger::default(),
            user_limit: (tickets_per_minute > 0)
                .then(|| RateLimiter::new(tickets_per_minute, Duration::from_secs(60))),
            dev,
        }))
    }
}

/// The proxy's router: routes (and `static_dir` at `/`, if any), body limit, CORS for
/// `allowed_origins`, panic guard and request ids, in that order from the inside out.
pub fn router(state: AppState, allowed_origins: &[String], static_dir: Option<&Path>) -> Router {
    let dev = state.0.dev.is_some();
    let mut routes = Router::new()
        .route("/api/support/tickets", post(tickets::create))
        .route("/healthz", get(healthz));
    if dev {
        routes = routes.route("/api/dev/session", get(dev::session)).route(
            "/api/dev/faults",
            post(dev::push_faults).delete(dev::clear_faults),
        );
    }
    routes = match static_dir {
        Some(dir) => routes.fallback_service(
            ServeDir::new(dir)
                .append_index_html_on_directories(true)
                .not_found_service(not_found.into_service()),
        ),
        None => routes.fallback(not_found),
    };
    routes
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(cors(allowed_origins, dev))
        .layer(middleware::from_fn(expose_on_preflight))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(request_id::middleware))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::RouteNotFound
}

/// Exactly the configured origins; the widget sends a bearer token, never cookies. With the
/// dev routes mounted, browser tests may also `DELETE /api/dev/faults`.
fn cors(allowed_origins: &[String], dev: bool) -> CorsLayer {
    let origins: Vec<HeaderValue> = allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods(if dev {
            vec![Method::POST, Method::GET, Method::OPTIONS, Method::DELETE]
        } else {
            vec![Method::POST, Method::GET, Method::OPTIONS]
        })
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
        ])
        // Retry-After is not CORS-safelisted: without this the widget could not honor it.
        .expose_headers([X_REQUEST_ID, header::RETRY_AFTER])
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
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    response
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

fn panic_response(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::Internal.into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request as HttpRequest, StatusCode};
    use tower::ServiceExt;

    use super::*;
    use crate::config::{MoovCredentials, Secret};
    use crate::version::MoovVersion;

    /// A router whose Moov is never reached: these requests stop before it.
    fn app(dev: bool) -> Router {
        let moov = MoovClient::new(
            MoovCredentials {
                base_url: "http://127.0.0.1:9".into(),
                public_key: "pk".into(),
                secret_key: Secret::new("sk"),
            },
            MoovVersion::DEFAULT,
            "http://localhost".into(),
            Duration::from_millis(100),
        )
        .unwrap();
        let secret = Secret::new("unit-test-secret-unit-test-secret-unit");
        let jwt = Arc::new(JwtSessions::new(&secret));
        let dev = dev.then(|| DevTools {
            sandbox: SandboxHandle::new(Default::default()),
            signer: jwt.clone(),
            account: crate::sandbox::DEMO_ACCOUNT_ID,
        });
        router(AppState::new(jwt, moov, 0, dev), &[], None)
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

    #[tokio::test]
    async fn dev_routes_exist_only_with_the_sandbox() {
        let (status, _, _) = call(app(false), get("/api/dev/session")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, body) = call(app(true), get("/api/dev/session?sub=t-1")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["sub"], "t-1");
        assert_eq!(
            body["accountID"],
            crate::sandbox::DEMO_ACCOUNT_ID.to_string()
        );
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
}
