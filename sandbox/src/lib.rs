//! A local emulator of Moov's OAuth and support-ticket endpoints (`moov-tickets-api.md`).
//!
//! It is what the proxy talks to in its sandbox mode (`moov-support-proxy serve --sandbox`),
//! and what the proxy's tests and `cargo xtask dev` run against, over real HTTP with real
//! status codes and headers, so the widget and the proxy can be developed and tested
//! end to end without Moov. Faults can be scripted to rehearse every answer Moov may give.
//!
//! Reading of the API where Moov's documents leave it open, written down here:
//! - a ticket request without `x-moov-version` is a v2024.01.00 request, and tickets do not
//!   exist in that version: it gets **404** `{error}`, as does any version before
//!   v2025.07.00; a malformed version gets 400;
//! - the token endpoint refuses a request without `Origin`/`Referer` with 400, unknown keys
//!   with 401, and a scope for an account it does not know with 403; any origin is accepted;
//! - Bearer tokens need `…/tickets.write` to create or close and `…/tickets.read` to read
//!   (else 403); HTTP Basic with the key pair may do all, as server-side SDKs do;
//! - closing (`PATCH` with `{"status": "closed"}`) answers the ticket as it now is, with
//!   `closedOn` and `updatedOn` set; another status is a 422 `{"status": …}` field map, JSON
//!   that is not an object of the right types a 400; closing a closed ticket changes nothing;
//! - on behalf of another account, a token needs the partner account's `tickets.write` or
//!   `tickets.read` plus the acting-for account's `profile.read`; the sandbox's partner
//!   account may act for every other account it knows;
//! - a ticket's messages start with the ticket's own body, written by its contact (the
//!   `author` given at creation, else the contact's email);
//! - a scripted `delayMs` without a status stores the ticket at once and only answers late,
//!   like a gateway timing out after the work was done; a scripted status or `drop` stores
//!   nothing.
//! - a list's `count` defaults to 200 and may be up to 1000 (Moov's Go SDK); a count
//!   outside 1..=1000 is a 400 `{error}` like any other bad query parameter, since Moov
//!   documents no field map for the list;
//! - `x-moov-version: latest` (and `v9000.00.00`, the Go SDK's spelling of it) is the newest
//!   version and reaches the ticket routes;
//! - support's replies and the webhooks they cause: see `replies` and `webhooks`.

mod faults;
mod oauth;
pub mod rate_limit;
mod replies;
mod serve;
mod tickets;
mod webhooks;

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use moov_support::Ticket;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_http::set_header::SetResponseHeaderLayer;
use uuid::Uuid;

use crate::rate_limit::RateLimiter;
use crate::webhooks::{EventKind, Webhooks};

pub use faults::Fault;
pub use replies::{BadReply, ReplyRequest, SUPPORT_AUTHOR};
pub use webhooks::{WebhookStats, MAX_ATTEMPTS as WEBHOOK_ATTEMPTS};

/// The sandbox's one built-in account.
pub const DEMO_ACCOUNT_ID: Uuid = Uuid::from_u128(0x5e1f6a3c_0b7d_4c39_9a8e_2f4d6b8c1a27);
/// The sandbox's partner account, which may act for every other account (on-behalf mode).
pub const PARTNER_ACCOUNT_ID: Uuid = Uuid::from_u128(0x7a2b9c1d_3e4f_4a5b_8c6d_9e0f1a2b3c4d);
/// Sandbox-only key pair: valid against this emulator and nowhere else.
pub const SANDBOX_PUBLIC_KEY: &str = "sandbox-public-key";
/// Sandbox-only secret: valid against this emulator and nowhere else.
pub const SANDBOX_SECRET_KEY: &str = "sandbox-secret-key-not-for-production";
/// Moov's limit for requests per second per IP and account.
pub const RATE_LIMIT_PER_SECOND: u32 = 40;
/// The header Moov answers its request id in; a user reads it to Moov support.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Default address of the `moov-support-sandbox` binary.
pub const DEFAULT_ADDR: &str = "127.0.0.1:3100";

/// How a sandbox starts; every knob can also be turned later through [`SandboxHandle`].
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    pub public_key: String,
    pub secret_key: String,
    pub accounts: Vec<Uuid>,
    /// May act for every account in `accounts` with on-behalf scopes.
    pub partner_account: Option<Uuid>,
    pub token_lifetime: Duration,
    pub rate_limit_per_second: u32,
    /// Pause before a failed webhook delivery is tried again; each later pause doubles.
    pub webhook_retry_delay: Duration,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            public_key: SANDBOX_PUBLIC_KEY.into(),
            secret_key: SANDBOX_SECRET_KEY.into(),
            accounts: vec![DEMO_ACCOUNT_ID],
            partner_account: Some(PARTNER_ACCOUNT_ID),
            token_lifetime: Duration::from_secs(900),
            rate_limit_per_second: RATE_LIMIT_PER_SECOND,
            webhook_retry_delay: Duration::from_millis(500),
        }
    }
}

/// Where the sandbox delivers Moov-shaped, Moov-signed webhooks, as a webhook registered in
/// Moov's dashboard: its URL and its signing secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    pub url: String,
    pub secret: String,
}

/// A ticket as the sandbox keeps it: what Moov returns plus what it was sent.
#[derive(Debug, Clone)]
pub struct StoredTicket {
    pub ticket: Ticket,
    /// The body as received (the proxy has already sanitized it).
    pub body: String,
    pub author: Option<String>,
    /// Messages after the first (support's replies), oldest first.
    pub replies: Vec<Message>,
}

impl StoredTicket {
    /// The conversation as Moov lists it: the ticket's body first (by its `author`, else the
    /// contact), then the replies, oldest first.
    pub fn messages(&self) -> Vec<Message> {
        let first = Message {
            author: self
                .author
                .clone()
                .unwrap_or_else(|| self.ticket.contact.email.clone()),
            body: self.body.clone(),
            sent_on: self.ticket.created_on.clone(),
        };
        std::iter::once(first)
            .chain(self.replies.iter().cloned())
            .collect()
    }
}

/// One message of a ticket's conversation, as Moov lists it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub author: String,
    pub body: String,
    pub sent_on: String,
}

#[derive(Default)]
struct Book {
    next_number: i64,
    tickets: Vec<StoredTicket>,
}

struct Issued {
    scopes: Vec<String>,
    expires_at: Instant,
}

struct State {
    partner_account: Option<Uuid>,
    public_key: String,
    secret_key: String,
    books: Mutex<HashMap<Uuid, Book>>,
    tokens: Mutex<HashMap<String, Issued>>,
    refresh_tokens: Mutex<HashMap<String, Issued>>,
    faults: Mutex<VecDeque<Fault>>,
    token_failure: Mutex<Option<u16>>,
    expires_in_as_timestamp: AtomicBool,
    token_lifetime_ms: AtomicU64,
    limiter: RwLock<Arc<RateLimiter<(IpAddr, Uuid)>>>,
    token_requests: AtomicU64,
    create_requests: AtomicU64,
    last_create_request_id: Mutex<Option<String>>,
    webhooks: Arc<Webhooks>,
}

/// Shared state of a running sandbox: its tickets, switches and counters.
#[derive(Clone)]
pub struct SandboxHandle(Arc<State>);

impl SandboxHandle {
    pub fn new(options: SandboxOptions) -> Self {
        let books = options
            .accounts
            .iter()
            .chain(options.partner_account.iter())
            .map(|a| (*a, Book::default()))
            .collect();
        SandboxHandle(Arc::new(State {
            partner_account: options.partner_account,
            public_key: options.public_key,
            secret_key: options.secret_key,
            books: Mutex::new(books),
            tokens: Mutex::new(HashMap::new()),
            refresh_tokens: Mutex::new(HashMap::new()),
            faults: Mutex::new(VecDeque::new()),
            token_failure: Mutex::new(None),
            expires_in_as_timestamp: AtomicBool::new(false),
            token_lifetime_ms: AtomicU64::new(options.token_lifetime.as_millis() as u64),
            limiter: RwLock::new(Arc::new(limiter(options.rate_limit_per_second))),
            token_requests: AtomicU64::new(0),
            create_requests: AtomicU64::new(0),
            last_create_request_id: Mutex::new(None),
            webhooks: Arc::new(Webhooks::new(options.webhook_retry_delay)),
        }))
    }

    /// Token requests received, answered or refused.
    pub fn token_requests(&self) -> u64 {
        self.0.token_requests.load(Ordering::SeqCst)
    }

    /// Ticket-creation requests received, answered or refused.
    pub fn create_requests(&self) -> u64 {
        self.0.create_requests.load(Ordering::SeqCst)
    }

    /// The `x-request-id` of the latest answer to a ticket creation.
    pub fn last_create_request_id(&self) -> Option<String> {
        lock(&self.0.last_create_request_id).clone()
    }

    /// The account's tickets, oldest first.
    pub fn tickets(&self, account: Uuid) -> Vec<StoredTicket> {
        lock(&self.0.books)
            .get(&account)
            .map(|b| b.tickets.clone())
            .unwrap_or_default()
    }

    /// Sends ticket events to `target` from now on; `None` stops them.
    pub fn set_webhook(&self, target: Option<WebhookTarget>) {
        self.0.webhooks.set(target);
    }

    /// Where ticket events go, if anywhere.
    pub fn webhook(&self) -> Option<WebhookTarget> {
        self.0.webhooks.target()
    }

    /// How webhook deliveries went so far.
    pub fn webhook_stats(&self) -> WebhookStats {
        self.0.webhooks.stats()
    }

    /// Sends `kind` about `ticket` to the webhook target, if one is set.
    fn emit(&self, kind: EventKind, account: Uuid, ticket: &Ticket) {
        self.0.webhooks.emit(kind, account, ticket);
    }

    /// Runs `change` on one stored ticket under the books' lock; `None` when the account
    /// has no such ticket.
    pub(crate) fn with_ticket<R>(
        &self,
        account: Uuid,
        ticket_id: &str,
        change: impl FnOnce(&mut StoredTicket) -> R,
    ) -> Option<R> {
        let mut books = lock(&self.0.books);
        let stored = books
            .get_mut(&account)?
            .tickets
            .iter_mut()
            .find(|t| t.ticket.ticket_id == ticket_id)?;
        Some(change(stored))
    }

    /// The partner account that may act for the others.
    pub fn partner_account(&self) -> Option<Uuid> {
        self.0.partner_account
    }

    /// Makes an account known, so tokens can be issued for it.
    pub fn add_account(&self, account: Uuid) {
        lock(&self.0.books).entry(account).or_default();
    }

    pub fn knows_account(&self, account: Uuid) -> bool {
        lock(&self.0.books).contains_key(&account)
    }

    /// Queues a scripted answer for upcoming ticket creations.
    pub fn push_fault(&self, fault: Fault) {
        lock(&self.0.faults).push_back(fault);
    }

    /// Answers still scripted (counting each repetition).
    pub fn pending_faults(&self) -> u32 {
        lock(&self.0.faults).iter().map(Fault::remaining).sum()
    }

    pub fn clear_faults(&self) {
        lock(&self.0.faults).clear();
    }

    /// Makes the token endpoint answer `status` (with no token) until set back to `None`.
    pub fn fail_token_requests(&self, status: Option<u16>) {
        *lock(&self.0.token_failure) = status;
    }

    /// Answers `expires_in` as the Unix time of expiry instead of a lifetime in seconds.
    pub fn set_expires_in_as_timestamp(&self, on: bool) {
        self.0.expires_in_as_timestamp.store(on, Ordering::SeqCst);
    }

    /// Lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.0
            .token_lifetime_ms
            .store(lifetime.as_millis() as u64, Ordering::SeqCst);
    }

    /// Forgets every issued token, as if they had all expired.
    pub fn revoke_tokens(&self) {
        lock(&self.0.tokens).clear();
        lock(&self.0.refresh_tokens).clear();
    }

    pub fn set_rate_limit(&self, per_second: u32) {
        *self.0.limiter.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(limiter(per_second));
    }

    fn token_lifetime(&self) -> Duration {
        Duration::from_millis(self.0.token_lifetime_ms.load(Ordering::SeqCst))
    }

    fn next_fault(&self) -> Option<Fault> {
        let mut faults = lock(&self.0.faults);
        let front = faults.front_mut()?;
        let fault = front.clone();
        if front.take_one() {
            faults.pop_front();
        }
        Some(fault)
    }

    fn rate_limit(&self, ip: IpAddr, account: Uuid) -> Result<(), Duration> {
        let limiter = self
            .0
            .limiter
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        limiter.check(&(ip, account))
    }
}

fn limiter(per_second: u32) -> RateLimiter<(IpAddr, Uuid)> {
    RateLimiter::new(per_second, Duration::from_secs(1))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The sandbox's routes over `handle`.
pub fn router(handle: SandboxHandle) -> Router {
    Router::new()
        .route("/oauth2/token", post(oauth::token))
        .route(
            "/accounts/{account_id}/tickets",
            post(tickets::create).get(tickets::list),
        )
        .route(
            "/accounts/{account_id}/tickets/{ticket_id}",
            get(tickets::get_one).patch(tickets::close),
        )
        .route(
            "/accounts/{account_id}/tickets/{ticket_id}/messages",
            get(tickets::messages),
        )
        .route(
            "/sandbox/accounts/{account_id}/tickets/{ticket_id}/reply",
            post(replies::reply_route),
        )
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such endpoint") })
        .method_not_allowed_fallback(|| async {
            error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed on this endpoint",
            )
        })
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(SetResponseHeaderLayer::if_not_present(
            X_REQUEST_ID,
            |_: &Response| Some(fresh_request_id()),
        ))
        .with_state(handle)
}

/// A sandbox listening on a socket.
pub struct RunningSandbox {
    pub addr: SocketAddr,
    pub handle: SandboxHandle,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningSandbox {
    /// Base URL, e.g. `http://127.0.0.1:3100`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits for the accept loop to end.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }
}

/// Starts a sandbox on `addr` (port 0 picks a free one). It runs until shut down or dropped.
pub async fn spawn(options: SandboxOptions, addr: SocketAddr) -> std::io::Result<RunningSandbox> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let handle = SandboxHandle::new(options);
    let (shutdown, stop) = watch::channel(false);
    let task = tokio::spawn(serve::serve(listener, router(handle.clone()), stop));
    Ok(RunningSandbox {
        addr,
        handle,
        shutdown,
        task,
    })
}

/// A fresh Moov-style request id.
fn fresh_request_id() -> HeaderValue {
    HeaderValue::from_str(&Uuid::new_v4().to_string()).expect("a UUID is a valid header value")
}

/// Moov-style `{error}` answer.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}
