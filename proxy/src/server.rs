//! Building the proxy from a [`Config`]: the sandbox when asked for, the Moov client, the
//! shared store and event bus, and the router; then, for [`Proxy::start`], the listener.
//!
//! [`Proxy::router`] is the library's entry point for a partner's own axum app;
//! [`Proxy::start`] and the `moov-support-proxy` binary are its users.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::{self, AppState, Settings};
use crate::config::{Config, Upstream};
use crate::moov::MoovClient;
use crate::session::{JwtSessions, SessionResolver};
#[cfg(feature = "sandbox")]
use moov_support_sandbox::{self as sandbox, SandboxHandle, SandboxOptions, DEMO_ACCOUNT_ID};

/// The in-process sandbox of `--sandbox`; never one in a build without it.
#[cfg(feature = "sandbox")]
type RunningSandbox = moov_support_sandbox::RunningSandbox;
#[cfg(not(feature = "sandbox"))]
enum RunningSandbox {}

/// Why the proxy could not start.
#[derive(Debug, Error)]
pub enum StartError {
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("could not start the built-in Moov sandbox: {0}")]
    Sandbox(std::io::Error),
    #[error("could not build the HTTP client for Moov: {0}")]
    Client(reqwest::Error),
    #[error("could not open the shared store: {0}")]
    Store(crate::store::StoreError),
    #[error("could not open the live event bus: {0}")]
    Bus(crate::live::BusError),
}

/// A proxy about to be built; swap in a session resolver before [`Proxy::router`] or
/// [`Proxy::start`].
pub struct Proxy {
    config: Config,
    sessions: Option<Arc<dyn SessionResolver>>,
}

impl Proxy {
    /// Verifies HS256 session tokens with `SESSION_SECRET` unless told otherwise.
    pub fn new(config: Config) -> Self {
        Proxy {
            config,
            sessions: None,
        }
    }

    /// Uses the partner's own way of knowing who is signed in (e.g. a cookie session).
    pub fn with_session_resolver(mut self, sessions: Arc<dyn SessionResolver>) -> Self {
        self.sessions = Some(sessions);
        self
    }

    /// The proxy's routes, to serve on their own or mount in a partner's axum app, and the
    /// handle that keeps what they rely on running.
    ///
    /// Starts the sandbox if the config asks for it, and opens the Moov client, the shared
    /// store and the live event bus. `config.addr` is not used: whoever serves the router
    /// chooses the listener.
    ///
    /// Mounted under a prefix, the widget's `endpoint` is the prefix followed by
    /// `/api/support/tickets`; the widget finds the list, a ticket, its messages, closing and
    /// the live events from that URL, so nothing else needs configuring:
    ///
    /// ```no_run
    /// # async fn run(config: moov_support_proxy::Config) -> Result<(), Box<dyn std::error::Error>> {
    /// use std::net::SocketAddr;
    /// use axum::{routing::get, Router};
    ///
    /// let (support, proxy) = moov_support_proxy::Proxy::new(config).router().await?;
    /// let app = Router::new()
    ///     .route("/api/hello", get(|| async { "hello" }))
    ///     // The widget's endpoint: "/support/api/support/tickets".
    ///     .nest("/support", support);
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:8090").await?;
    /// // The peer address feeds the per-IP limit.
    /// let app = app.into_make_service_with_connect_info::<SocketAddr>();
    /// axum::serve(listener, app)
    ///     .with_graceful_shutdown(proxy.on_shutdown(async {
    ///         let _ = tokio::signal::ctrl_c().await;
    ///     }))
    ///     .await?;
    /// proxy.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Served without connect info (plain `axum::serve(listener, app)`), the per-IP limit
    /// counts the `X-Forwarded-For` entry of the outermost trusted reverse proxy when
    /// `trusted_proxy_hops` is set, and requests without one (they did not come through those
    /// proxies) all under one shared key; with no trusted hops it is skipped. Either way the
    /// log says so once.
    ///
    /// In sandbox mode the dev routes (`/api/dev/…`, among them `/api/dev/session`, which
    /// mints a session for anyone who asks) answer loopback peers only, whatever address the
    /// app listens on: other peers, and every request to a router served without connect
    /// info, get a 403 saying why. A 403 rather than a 404, so a developer on another
    /// machine learns what to change. `sandbox_allow_remote` (`MOOV_SANDBOX_ALLOW_REMOTE`)
    /// lifts the check. A reverse proxy on the same machine is a loopback peer: do not put
    /// sandbox mode behind one that the network can reach.
    ///
    /// The static files of `config.static_dir` answer the paths no proxy route claims under
    /// the prefix only: the partner's own routes and fallback are left alone.
    pub async fn router(self) -> Result<(Router, ProxyHandle), StartError> {
        let config = self.config;
        let (credentials, sandbox) = match &config.upstream {
            Upstream::Moov(credentials) => (credentials.clone(), None::<RunningSandbox>),
            #[cfg(feature = "sandbox")]
            Upstream::Sandbox => {
                let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
                let running = sandbox::spawn(SandboxOptions::default(), loopback)
                    .await
                    .map_err(StartError::Sandbox)?;
                let credentials = crate::config::MoovCredentials {
                    base_url: running.url(),
                    public_key: sandbox::SANDBOX_PUBLIC_KEY.into(),
                    secret_key: crate::config::Secret::new(sandbox::SANDBOX_SECRET_KEY),
                };
                (credentials, Some(running))
            }
        };
        let moov_url = credentials.base_url.clone();
        let moov = MoovClient::new(
            credentials,
            config.moov_version,
            config.moov_origin.clone(),
            config.upstream_timeout,
            config.partner_account,
        )
        .map_err(StartError::Client)?;
        let store = crate::store::open(config.redis_url.as_ref().map(|u| u.expose()))
            .await
            .map_err(StartError::Store)?;
        let bus = crate::live::open(config.redis_url.as_ref().map(|u| u.expose()))
            .await
            .map_err(StartError::Bus)?;
        let jwt = Arc::new(JwtSessions::new(&config.session_secret));
        let sessions = self.sessions.unwrap_or_else(|| jwt.clone());
        #[cfg(feature = "sandbox")]
        let (dev, sandbox_account) = (
            sandbox.as_ref().map(|s| api::DevTools {
                sandbox: s.handle.clone(),
                signer: jwt,
                account: DEMO_ACCOUNT_ID,
                allow_remote: config.sandbox_allow_remote,
            }),
            sandbox.as_ref().map(|_| DEMO_ACCOUNT_ID),
        );
        #[cfg(not(feature = "sandbox"))]
        let (dev, sandbox_account) = {
            let _ = jwt;
            (None, None)
        };
        let settings = Settings {
            tickets_per_minute: config.user_rate_limit_per_minute,
            requests_per_ip_per_minute: config.ip_rate_limit_per_minute,
            trusted_proxy_hops: config.trusted_proxy_hops,
            ready_account: config.ready_account.or(sandbox_account),
            request_timeout: config.request_timeout,
            lock_contact: config.lock_contact,
            events_heartbeat: config.events_heartbeat,
            event_streams_per_user: config.event_streams_per_user,
            event_streams_max: config.event_streams_max,
            webhook_secret: config.webhook_secret.clone(),
            served_accounts: [
                config.partner_account,
                config.ready_account,
                sandbox_account,
            ]
            .into_iter()
            .flatten()
            .collect(),
        };
        let state = AppState::new(sessions, moov, store, bus, settings, dev);
        let streams = state.clone();
        let app = api::router(state, &config.allowed_origins, config.static_dir.as_deref());
        let handle = ProxyHandle {
            moov_url,
            sandbox,
            streams,
            webhook_secret: config.webhook_secret,
        };
        Ok((app, handle))
    }

    /// Builds the router, binds `config.addr` and serves in the background, with the peer
    /// address for the per-IP limit.
    pub async fn start(self) -> Result<RunningProxy, StartError> {
        let addr = self.config.addr;
        let (app, handle) = self.router().await?;
        let bind_error = |source| StartError::Bind { addr, source };
        let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        handle.deliver_sandbox_webhooks_to(&format!("http://{addr}"));
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            // Ends on a stop request, or when the handle is dropped.
            let shutdown = async move {
                let _ = stopped.changed().await;
            };
            let app = app.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
        });
        Ok(RunningProxy {
            addr,
            moov_url: handle.moov_url.clone(),
            handle,
            stop,
            task,
        })
    }
}

/// What a proxy's router relies on beyond its requests: the built-in sandbox when there is
/// one, and the live event streams to end at shutdown. Keep it as long as the router is
/// served; dropping it stops the sandbox.
pub struct ProxyHandle {
    moov_url: String,
    #[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
    sandbox: Option<RunningSandbox>,
    /// Live event streams would otherwise hold a graceful shutdown up until their sessions
    /// expire.
    streams: AppState,
    #[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
    webhook_secret: Option<crate::config::Secret>,
}

impl ProxyHandle {
    /// Where tickets go: Moov's base URL or the built-in sandbox's.
    pub fn moov_url(&self) -> &str {
        &self.moov_url
    }

    /// The built-in sandbox, when the proxy runs against it.
    #[cfg(feature = "sandbox")]
    pub fn sandbox(&self) -> Option<&SandboxHandle> {
        self.sandbox.as_ref().map(|s| &s.handle)
    }

    /// Tells the built-in sandbox where the router is reachable, e.g.
    /// `http://127.0.0.1:8090/support` when nested under `/support`, so it delivers its
    /// webhooks (support's replies) signed with the proxy's webhook secret, as Moov would.
    /// Without a sandbox, or without a webhook secret, it does nothing.
    pub fn deliver_sandbox_webhooks_to(&self, mounted_at: &str) {
        #[cfg(feature = "sandbox")]
        if let (Some(running), Some(secret)) = (&self.sandbox, &self.webhook_secret) {
            running
                .handle
                .set_webhook(Some(moov_support_sandbox::WebhookTarget {
                    url: format!("{}{}", mounted_at.trim_end_matches('/'), api::WEBHOOK_PATH),
                    secret: secret.expose().to_owned(),
                }));
        }
        #[cfg(not(feature = "sandbox"))]
        let _ = mounted_at;
    }

    /// Ends every live event stream, now and from now on; their widgets reconnect to another
    /// instance. Call it when the server starts shutting down: a graceful shutdown waits for
    /// open streams.
    pub fn end_streams(&self) {
        self.streams.end_streams();
    }

    /// `signal`, then [`ProxyHandle::end_streams`]: the future to give
    /// `axum::serve(…).with_graceful_shutdown`.
    pub fn on_shutdown<F>(
        &self,
        signal: F,
    ) -> impl std::future::Future<Output = ()> + Send + 'static
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let streams = self.streams.clone();
        async move {
            signal.await;
            streams.end_streams();
        }
    }

    /// Ends the live event streams and stops the built-in sandbox, once the server has
    /// stopped.
    pub async fn shutdown(self) {
        self.streams.end_streams();
        #[cfg(feature = "sandbox")]
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
    }
}

/// A proxy serving in the background.
pub struct RunningProxy {
    pub addr: SocketAddr,
    /// Where tickets go: Moov's base URL or the built-in sandbox's.
    pub moov_url: String,
    handle: ProxyHandle,
    stop: watch::Sender<bool>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningProxy {
    /// Base URL, e.g. `http://127.0.0.1:3000`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The built-in sandbox, when the proxy runs against it.
    #[cfg(feature = "sandbox")]
    pub fn sandbox(&self) -> Option<&SandboxHandle> {
        self.handle.sandbox()
    }

    /// Stops accepting, ends the live event streams (their widgets reconnect elsewhere), lets
    /// requests in flight finish, then stops the sandbox.
    pub async fn shutdown(self) -> std::io::Result<()> {
        let _ = self.stop.send(true);
        self.handle.end_streams();
        let served = self.task.await.unwrap_or(Ok(()));
        self.handle.shutdown().await;
        served
    }
}
