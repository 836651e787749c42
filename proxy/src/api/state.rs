//! What every handler shares: the settings of the widget API and the services behind it.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use super::streams::Streams;
use super::tickets;
use crate::config::Secret;
use crate::idempotency::Idempotency;
use crate::limit::WindowLimit;
use crate::live::{Bus, LocalBus};
use crate::moov::MoovClient;
#[cfg(feature = "sandbox")]
use crate::session::JwtSessions;
use crate::session::SessionResolver;
use crate::store::{MemoryStore, Store};
use crate::visibility::Visibility;

/// What the sandbox-only dev routes need.
#[cfg(feature = "sandbox")]
#[derive(Clone)]
pub struct DevTools {
    pub sandbox: moov_support_sandbox::SandboxHandle,
    /// Signs dev session tokens with the proxy's session secret.
    pub signer: Arc<JwtSessions>,
    /// The account dev sessions act for.
    pub account: Uuid,
    /// Answer clients beyond loopback (`MOOV_SANDBOX_ALLOW_REMOTE`). Otherwise only loopback
    /// peers are served: `/api/dev/session` mints sessions for anyone who asks, and a
    /// mounted router is served on whatever address the partner's app binds.
    pub allow_remote: bool,
}

/// Limits and timings of the widget API.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Tickets per user per minute; 0 turns the limit off.
    pub tickets_per_minute: u32,
    /// API requests per client IP per minute; 0 turns the limit off.
    pub requests_per_ip_per_minute: u32,
    /// Trusted reverse proxies in front (see `TRUSTED_PROXY_HOPS`).
    pub trusted_proxy_hops: u8,
    /// The account whose token `/readyz` asks for.
    pub ready_account: Option<Uuid>,
    /// Bounds one request to the proxy; an idempotency claim outlasts it, and a waiting
    /// retry gives up before it.
    pub request_timeout: Duration,
    /// Take the ticket's contact from the session, not the browser (`LOCK_CONTACT`).
    pub lock_contact: bool,
    /// Longest silence on an event stream before a heartbeat comment.
    pub events_heartbeat: Duration,
    /// Event streams one user may hold on one instance.
    pub event_streams_per_user: u32,
    /// Event streams one instance holds in all.
    pub event_streams_max: u32,
    /// Moov's signing secret for `POST /api/support/webhooks/moov`; absent: no webhooks.
    pub webhook_secret: Option<Secret>,
    /// Accounts this proxy serves whatever sessions it has seen (the partner's, the ready
    /// account, the sandbox's): webhooks for them are always acted on.
    pub served_accounts: Vec<Uuid>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            tickets_per_minute: 0,
            requests_per_ip_per_minute: 0,
            trusted_proxy_hops: 0,
            ready_account: None,
            request_timeout: Duration::from_secs(30),
            lock_contact: false,
            events_heartbeat: Duration::from_secs(20),
            event_streams_per_user: 3,
            event_streams_max: 1000,
            webhook_secret: None,
            served_accounts: Vec::new(),
        }
    }
}

/// Everything a handler needs, cheap to clone.
#[derive(Clone)]
pub struct AppState(pub(super) Arc<Inner>);

pub(super) struct Inner {
    pub(super) sessions: Arc<dyn SessionResolver>,
    pub(super) moov: MoovClient,
    pub(super) store: Arc<dyn Store>,
    pub(super) idempotency: Idempotency,
    pub(super) user_limit: Option<WindowLimit>,
    pub(super) ip_limit: Option<WindowLimit>,
    /// Said once: the per-IP limit cannot see a client address (no connect info).
    pub(super) addressless_warning: std::sync::Once,
    pub(super) trusted_proxy_hops: u8,
    pub(super) ready_account: Option<Uuid>,
    pub(super) request_timeout: Duration,
    pub(super) lock_contact: bool,
    /// Spaces out the warning that Moov refuses the look-up before a creation.
    pub(super) lookup_refused: tickets::Throttle,
    pub(super) dev: Option<DevTools>,
    pub(super) visibility: Visibility,
    pub(super) bus: Arc<dyn Bus>,
    pub(super) streams: Streams,
    pub(super) events_heartbeat: Duration,
    pub(super) webhook_secret: Option<Secret>,
    pub(super) served_accounts: Vec<Uuid>,
    /// Set once at shutdown: every event stream ends.
    pub(super) closing: tokio::sync::watch::Sender<bool>,
}

/// Without the `sandbox` feature there are no dev routes: nothing can be passed for them.
#[cfg(not(feature = "sandbox"))]
#[derive(Clone)]
pub enum DevTools {}

impl AppState {
    /// `store` holds what several instances must share, `bus` carries ticket changes to
    /// every instance's event streams; `dev` enables `/api/dev/…`.
    pub fn new(
        sessions: Arc<dyn SessionResolver>,
        moov: MoovClient,
        store: Arc<dyn Store>,
        bus: Arc<dyn Bus>,
        settings: Settings,
        dev: Option<DevTools>,
    ) -> Self {
        let minute = Duration::from_secs(60);
        let limit = |prefix, per_minute: u32| {
            (per_minute > 0).then(|| WindowLimit::new(store.clone(), prefix, per_minute, minute))
        };
        let (claim_ttl, wait_for) = claim_timing(&settings);
        AppState(Arc::new(Inner {
            sessions,
            moov,
            idempotency: Idempotency::new(store.clone(), claim_ttl, wait_for),
            user_limit: limit("user", settings.tickets_per_minute),
            ip_limit: limit("ip", settings.requests_per_ip_per_minute),
            addressless_warning: std::sync::Once::new(),
            visibility: Visibility::new(store.clone()),
            store,
            bus,
            streams: Streams::new(settings.event_streams_per_user, settings.event_streams_max),
            events_heartbeat: settings.events_heartbeat,
            webhook_secret: settings.webhook_secret,
            served_accounts: settings.served_accounts,
            closing: tokio::sync::watch::channel(false).0,
            trusted_proxy_hops: settings.trusted_proxy_hops,
            ready_account: settings.ready_account,
            request_timeout: settings.request_timeout,
            lock_contact: settings.lock_contact,
            lookup_refused: tickets::Throttle::new(Duration::from_secs(60 * 60)),
            dev,
        }))
    }

    /// With an in-memory store and default settings: one instance, no limits.
    pub fn single(
        sessions: Arc<dyn SessionResolver>,
        moov: MoovClient,
        dev: Option<DevTools>,
    ) -> Self {
        AppState::new(
            sessions,
            moov,
            Arc::new(MemoryStore::default()),
            Arc::new(LocalBus::default()),
            Settings::default(),
            dev,
        )
    }
}

impl AppState {
    /// Ends every live event stream, now and from now on: the instance is shutting down.
    pub fn end_streams(&self) {
        self.0.closing.send_replace(true);
    }
}

/// How long an idempotency claim lives, and how long a retry waits for another attempt.
///
/// The claim outlives the request that took it: the request timeout cuts every request off,
/// and a request cut off releases its claim, so a live attempt never loses its claim however
/// many Moov calls (token, look-up, creation, each renewed once after a 401) and slow store
/// round trips it makes. Only a crashed holder's claim runs out, a second after its request
/// would have timed out. A waiting retry answers 409 before its own request times out.
pub(super) fn claim_timing(settings: &Settings) -> (Duration, Duration) {
    let claim_ttl = settings.request_timeout + Duration::from_secs(1);
    let wait_for = settings
        .request_timeout
        .saturating_sub(Duration::from_millis(200));
    (claim_ttl, wait_for)
}
