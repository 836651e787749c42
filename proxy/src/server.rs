//! Starting and stopping the proxy: the sandbox when asked for, the Moov client, the router
//! and the listener.

use std::net::SocketAddr;
use std::sync::Arc;

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

/// A proxy about to start; swap in a session resolver before [`Proxy::start`].
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

    /// Starts the sandbox if needed, binds `config.addr` and serves in the background.
    pub async fn start(self) -> Result<RunningProxy, StartError> {
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
        let app = api::router(state, &config.allowed_origins, config.static_dir.as_deref());

        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.addr,
            source,
        })?;
        // The built-in sandbox delivers its webhooks here, signed as Moov would.
        #[cfg(feature = "sandbox")]
        if let (Some(running), Some(secret)) = (&sandbox, &config.webhook_secret) {
            running
                .handle
                .set_webhook(Some(moov_support_sandbox::WebhookTarget {
                    url: format!("http://{addr}{}", api::WEBHOOK_PATH),
                    secret: secret.expose().to_owned(),
                }));
        }
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let shutdown = async move {
                // Ends on a stop request, or when the handle is dropped.
                let _ = stopped.changed().await;
            };
            // The peer address feeds the per-IP limit.
            let app = app.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
        });
        Ok(RunningProxy {
            addr,
            moov_url,
            sandbox,
            stop,
            task,
        })
    }
}

/// A proxy serving in the background.
pub struct RunningProxy {
    pub addr: SocketAddr,
    /// Where tickets go: Moov's base URL or the built-in sandbox's.
    pub moov_url: String,
    #[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
    sandbox: Option<RunningSandbox>,
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
        self.sandbox.as_ref().map(|s| &s.handle)
    }

    /// Stops accepting, lets requests in flight finish, then stops the sandbox.
    pub async fn shutdown(self) -> std::io::Result<()> {
        let _ = self.stop.send(true);
        let served = self.task.await.unwrap_or(Ok(()));
        #[cfg(feature = "sandbox")]
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
        served
    }
}
