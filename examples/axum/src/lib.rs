//! A partner's axum server with the Moov support proxy mounted under its own path.
//!
//! The partner's app keeps its own routes (`GET /api/hello`), signs its users' support
//! sessions (`GET /session`), serves its built front-end at `/`, and mounts the proxy's
//! routes under [`SUPPORT_PREFIX`], so the widget's `endpoint` is
//! `/support/api/support/tickets`.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use moov_support_proxy::{Config, ConfigError, Proxy, ProxyHandle, StartError};
use serde::Serialize;
use thiserror::Error;
use tower_http::services::{ServeDir, ServeFile};
use uuid::Uuid;

/// Where the proxy's routes live in this app.
pub const SUPPORT_PREFIX: &str = "/support";

/// Signs sessions under the sandbox when `SESSION_SECRET` is unset: fine for a demo on
/// loopback, never for real users.
const DEV_SESSION_SECRET: &str = "example-axum-dev-session-secret-not-for-production";

/// How long a minted session token lives; the widget asks for a fresh one when it expires.
const SESSION_LIFETIME_SECS: u64 = 15 * 60;

/// What the example starts with.
#[derive(Clone)]
pub struct Settings {
    /// `EXAMPLE_ADDR`.
    pub addr: SocketAddr,
    /// `EXAMPLE_STATIC_DIR`: a built front-end served at `/`.
    pub static_dir: Option<PathBuf>,
    /// `EXAMPLE_SANDBOX=1`: the in-process Moov sandbox instead of the `MOOV_*` settings.
    pub sandbox: bool,
    /// `EXAMPLE_ACCOUNT_ID`: the Moov account of the signed-in user's business; the
    /// sandbox's demo account by default under the sandbox.
    pub account: Option<Uuid>,
    /// The proxy's own settings by variable name (`SESSION_SECRET`, `ALLOWED_ORIGINS`,
    /// `MOOV_BASE_URL`, …), as the `moov-support-proxy` binary reads them. Read from the
    /// whole environment, so it holds secrets: its `Debug` shows the names only.
    pub proxy_vars: HashMap<String, String>,
}

/// Names the environment's variables without their values: `proxy_vars` holds
/// `SESSION_SECRET`, `MOOV_SECRET_KEY` and whatever else the process was given, and a
/// settings dump belongs in logs and bug reports.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.proxy_vars.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("Settings")
            .field("addr", &self.addr)
            .field("static_dir", &self.static_dir)
            .field("sandbox", &self.sandbox)
            .field("account", &self.account)
            .field("proxy_vars", &names)
            .finish()
    }
}

/// Why the example could not start.
#[derive(Debug, Error)]
pub enum ExampleError {
    #[error("{var} is invalid: {reason}")]
    Invalid { var: &'static str, reason: String },
    #[error("EXAMPLE_ACCOUNT_ID is required without EXAMPLE_SANDBOX=1: the Moov account the demo user's tickets are filed on")]
    NoAccount,
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The proxy's own advice names its `--sandbox`; this app's switch is another variable.
    #[error("{0} (for this example's in-process sandbox: EXAMPLE_SANDBOX=1)")]
    NoMoov(ConfigError),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
}

impl Settings {
    /// Reads the process environment; empty variables count as unset.
    pub fn from_env() -> Result<Settings, ExampleError> {
        let vars: HashMap<String, String> = std::env::vars()
            .filter(|(_, value)| !value.trim().is_empty())
            .collect();
        let addr = match vars.get("EXAMPLE_ADDR") {
            Some(addr) => addr.parse().map_err(|e| ExampleError::Invalid {
                var: "EXAMPLE_ADDR",
                reason: format!("`{addr}` is not an address such as 127.0.0.1:8090 ({e})"),
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 8090)),
        };
        let sandbox = match vars.get("EXAMPLE_SANDBOX").map(|v| v.to_ascii_lowercase()) {
            None => false,
            Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => true,
            Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => false,
            Some(v) => {
                return Err(ExampleError::Invalid {
                    var: "EXAMPLE_SANDBOX",
                    reason: format!("`{v}` is not 1 or 0"),
                })
            }
        };
        let account = match vars.get("EXAMPLE_ACCOUNT_ID") {
            Some(id) => Some(id.parse().map_err(|e| ExampleError::Invalid {
                var: "EXAMPLE_ACCOUNT_ID",
                reason: format!("`{id}` is not a Moov account id ({e})"),
            })?),
            None => None,
        };
        Ok(Settings {
            addr,
            static_dir: vars.get("EXAMPLE_STATIC_DIR").map(PathBuf::from),
            sandbox,
            account,
            proxy_vars: vars,
        })
    }

    /// The proxy's [`Config`]: its own settings, with this app's choices on top.
    fn proxy_config(&self) -> Result<Config, ConfigError> {
        let mut vars = self.proxy_vars.clone();
        let sandbox = if self.sandbox { "1" } else { "0" };
        vars.insert("MOOV_SANDBOX".into(), sandbox.into());
        if self.sandbox && !vars.contains_key("SESSION_SECRET") {
            vars.insert("SESSION_SECRET".into(), DEV_SESSION_SECRET.into());
        }
        // The proxy's sandbox mode refuses anything but loopback unless allowed, because its
        // dev routes mint sessions for anyone: it checks the address this app listens on at
        // start, and each request's peer (served with connect info, as `run` does).
        vars.insert("PROXY_ADDR".into(), self.addr.to_string());
        // This app serves its own front-end at `/`.
        vars.remove("STATIC_DIR");
        Config::from_map(&vars)
    }
}

/// A user of the partner's app, as its own sign-in knows them.
#[derive(Debug, Clone)]
struct User {
    id: String,
    email: String,
    name: String,
    /// The Moov account of the user's business.
    account: Uuid,
}

/// What the session route needs: the secret shared with the proxy, the account of the
/// users' business, and whether the fake demo user stands in for a sign-in.
#[derive(Clone)]
struct Sessions {
    key: EncodingKey,
    account: Uuid,
    /// Only under `EXAMPLE_SANDBOX=1`: against real Moov a fake user would hand a session
    /// to anyone who asks.
    demo_user: bool,
}

/// The partner's routes and the proxy's under [`SUPPORT_PREFIX`], and the proxy's handle
/// (keep it while serving; see [`ProxyHandle`]).
pub async fn app(settings: &Settings) -> Result<(Router, ProxyHandle), ExampleError> {
    let config = settings.proxy_config().map_err(|e| match e {
        ConfigError::Missing {
            var: "MOOV_BASE_URL",
            ..
        } => ExampleError::NoMoov(e),
        other => ExampleError::Config(other),
    })?;
    let account = match (settings.account, settings.sandbox) {
        (Some(account), _) => account,
        (None, true) => moov_support_sandbox::DEMO_ACCOUNT_ID,
        (None, false) => return Err(ExampleError::NoAccount),
    };
    let sessions = Sessions {
        key: EncodingKey::from_secret(config.session_secret.expose().as_bytes()),
        account,
        demo_user: settings.sandbox,
    };
    let (support, proxy) = Proxy::new(config).router().await?;
    let mut app = Router::new()
        .route("/session", get(session))
        .route("/api/hello", get(hello))
        .with_state(sessions)
        .nest(SUPPORT_PREFIX, support);
    if let Some(dir) = &settings.static_dir {
        let files = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
        app = app.fallback_service(files);
    }
    Ok((app, proxy))
}

/// Binds, serves until Ctrl-C, then ends the proxy's live streams and its sandbox.
pub async fn run(settings: Settings) -> Result<(), ExampleError> {
    let (app, proxy) = app(&settings).await?;
    let addr = settings.addr;
    let bind_error = |source| ExampleError::Bind { addr, source };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    proxy.deliver_sandbox_webhooks_to(&format!("http://{addr}{SUPPORT_PREFIX}"));
    println!(
        "example-axum listening on http://{addr}: the widget's endpoint is {SUPPORT_PREFIX}/api/support/tickets, sessions at /session, tickets filed with {}{}",
        if settings.sandbox { "the built-in sandbox at " } else { "Moov at " },
        proxy.moov_url()
    );
    if settings.sandbox {
        println!("the sandbox's tickets: http://{addr}{SUPPORT_PREFIX}/api/dev/tickets");
    }
    let shutdown = proxy.on_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    // The peer address feeds the proxy's per-IP limit.
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    proxy.shutdown().await;
    served.map_err(ExampleError::Serve)
}

/// Who is signed in to the partner's app.
///
/// Plug the app's own authentication in here: look the request's session cookie (or
/// bearer token) up in your session store and answer `None` for a visitor. Until then no
/// one is signed in, except under `EXAMPLE_SANDBOX=1`, where one fake user is, so the demo
/// runs without a sign-in of its own.
fn signed_in_user(_headers: &HeaderMap, sessions: &Sessions) -> Option<User> {
    // Your sign-in goes here, e.g. `my_sessions.user_for(cookie)?`.
    if !sessions.demo_user {
        return None;
    }
    Some(User {
        id: "acme-user-42".into(),
        email: "jordan@example.com".into(),
        name: "Jordan Lee".into(),
        account: sessions.account,
    })
}

/// The answer to `/session` when no one is signed in: the example has no sign-in of its
/// own outside the sandbox, so it says where one goes.
pub const NOT_SIGNED_IN: &str = "no one is signed in: plug your app's own sign-in into `signed_in_user` (examples/axum/src/lib.rs); this example signs in a fake user only under EXAMPLE_SANDBOX=1";

/// The claims the proxy reads from a session token.
#[derive(Serialize)]
struct Claims<'a> {
    sub: &'a str,
    moov_account_id: String,
    exp: u64,
    email: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct SessionToken {
    token: String,
}

/// `GET /session`: a short-lived support session for the signed-in user, which the front-end
/// hands to the widget.
async fn session(
    axum::extract::State(sessions): axum::extract::State<Sessions>,
    headers: HeaderMap,
) -> Response {
    let Some(user) = signed_in_user(&headers, &sessions) else {
        return (StatusCode::UNAUTHORIZED, NOT_SIGNED_IN).into_response();
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let claims = Claims {
        sub: &user.id,
        moov_account_id: user.account.to_string(),
        exp: now + SESSION_LIFETIME_SECS,
        email: &user.email,
        name: &user.name,
    };
    match jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &sessions.key) {
        Ok(token) => Json(SessionToken { token }).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `GET /api/hello`: one of the app's own routes, beside the proxy's.
async fn hello() -> Json<serde_json::Value> {
    Json(serde_json::json!({"message": "hello from the partner's own API"}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(addr: &str, vars: &[(&str, &str)]) -> Settings {
        Settings {
            addr: addr.parse().unwrap(),
            static_dir: None,
            sandbox: true,
            account: None,
            proxy_vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn the_sandbox_signs_with_a_fixed_dev_secret_unless_given_one() {
        let dev = settings("127.0.0.1:8090", &[]).proxy_config().unwrap();
        assert_eq!(dev.session_secret.expose(), DEV_SESSION_SECRET);
        let own = "a-secret-of-the-partners-own-0123456789";
        let given = settings("127.0.0.1:8090", &[("SESSION_SECRET", own)])
            .proxy_config()
            .unwrap();
        assert_eq!(given.session_secret.expose(), own);
    }

    #[test]
    fn the_proxys_sandbox_checks_the_address_the_app_listens_on() {
        let err = settings("0.0.0.0:8090", &[]).proxy_config().unwrap_err();
        assert!(matches!(err, ConfigError::RemoteSandbox { .. }), "{err}");
        let allowed = settings("0.0.0.0:8090", &[("MOOV_SANDBOX_ALLOW_REMOTE", "1")]);
        assert!(allowed.proxy_config().unwrap().is_sandbox());
    }

    #[test]
    fn a_settings_dump_names_variables_without_their_values() {
        let secret = "partner-session-secret-value-0123456789";
        let key = "sk_live_moov-secret-key-value";
        let dump = format!(
            "{:?}",
            settings(
                "127.0.0.1:8090",
                &[("SESSION_SECRET", secret), ("MOOV_SECRET_KEY", key)]
            )
        );
        assert!(!dump.contains(secret) && !dump.contains(key), "{dump}");
        assert!(
            dump.contains("SESSION_SECRET") && dump.contains("MOOV_SECRET_KEY"),
            "{dump}"
        );
        assert!(dump.contains("127.0.0.1:8090"), "{dump}");
    }

    fn sessions(demo_user: bool) -> Sessions {
        Sessions {
            key: EncodingKey::from_secret(DEV_SESSION_SECRET.as_bytes()),
            account: moov_support_sandbox::DEMO_ACCOUNT_ID,
            demo_user,
        }
    }

    async fn session_answer(demo_user: bool) -> (StatusCode, String) {
        let response = session(axum::extract::State(sessions(demo_user)), HeaderMap::new()).await;
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn only_the_sandbox_has_a_fake_signed_in_user() {
        let (status, body) = session_answer(false).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(
            body.contains("signed_in_user") && body.contains("EXAMPLE_SANDBOX=1"),
            "{body}"
        );
        assert!(!body.contains("token"), "{body}");
        let (status, body) = session_answer(true).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("\"token\""), "{body}");
    }

    #[test]
    fn without_the_sandbox_the_proxy_needs_moov_settings() {
        let mut moov = settings("127.0.0.1:8090", &[("MOOV_SANDBOX", "1")]);
        moov.sandbox = false;
        let err = moov.proxy_config().unwrap_err();
        assert!(err.to_string().starts_with("MOOV_BASE_URL"), "{err}");
    }
}
