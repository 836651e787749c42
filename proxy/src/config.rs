//! What the proxy starts with: the settings of [`crate::settings::ServeArgs`] checked
//! together (which Moov, which mode, which secrets).
//!
//! [`Config::from_map`] takes any map so tests never touch the process environment; every
//! refusal names the variable to fix.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;
use uuid::Uuid;

use moov_support::moov_version::MoovVersion;

pub use crate::secret::Secret;
use crate::settings::{self, ServeArgs};

/// Where tickets go.
#[derive(Debug, Clone)]
pub enum Upstream {
    /// Asked for with `--sandbox`: the built-in sandbox is started in-process and used over
    /// HTTP, and the dev routes are served.
    #[cfg(feature = "sandbox")]
    Sandbox,
    /// A real Moov API (or a sandbox started elsewhere).
    Moov(MoovCredentials),
}

/// How the proxy reaches Moov and proves who it is.
#[derive(Debug, Clone)]
pub struct MoovCredentials {
    /// Without a trailing slash, e.g. `https://api.moov.io`.
    pub base_url: String,
    pub public_key: String,
    pub secret_key: Secret,
}

/// Everything the proxy needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    pub upstream: Upstream,
    /// Sent as `x-moov-version` on every Moov call.
    pub moov_version: MoovVersion,
    /// Sent as `Origin` on the token request; must be on the API key's allowed domains.
    pub moov_origin: String,
    /// Signs and verifies session tokens (HS256).
    pub session_secret: Secret,
    /// Exact origins allowed to call the proxy from a browser.
    pub allowed_origins: Vec<String>,
    /// Where [`crate::Proxy::start`] listens; unused by a [`crate::Proxy::router`] mounted
    /// elsewhere, but sandbox mode still requires loopback: give it that app's address.
    pub addr: SocketAddr,
    /// `MOOV_SANDBOX_ALLOW_REMOTE`: sandbox mode may listen beyond loopback, and its dev
    /// routes answer clients beyond loopback. Without it a mounted router's dev routes
    /// still refuse other peers, whatever address the partner's app listens on.
    pub sandbox_allow_remote: bool,
    /// Bounds every call to Moov, token requests included.
    pub upstream_timeout: Duration,
    /// Tickets one user may file per minute; 0 turns the limit off.
    pub user_rate_limit_per_minute: u32,
    /// API requests one client IP may make per minute; 0 turns the limit off.
    pub ip_rate_limit_per_minute: u32,
    /// Reverse proxies in front of this one whose `X-Forwarded-For` entries are trusted; the
    /// client IP is the entry this many places from the right. 0: the peer address.
    pub trusted_proxy_hops: u8,
    /// Bounds a whole request to the proxy, however many Moov calls it makes.
    pub request_timeout: Duration,
    /// On-behalf mode: the partner's own account, whose `tickets.*` scopes act for the
    /// session's account (with that account's `profile.read`).
    pub partner_account: Option<Uuid>,
    /// The account whose token `/readyz` asks for; defaults to the partner account.
    pub ready_account: Option<Uuid>,
    /// Shared state for several instances; memory when absent. May hold a password.
    pub redis_url: Option<Secret>,
    /// A built widget bundle (e.g. trunk's `dist/`) to serve at `/`, for demos and tests.
    pub static_dir: Option<PathBuf>,
    /// The ticket's contact is the session's `email` and `name` claims, never the browser's:
    /// the server side of a widget whose contact fields are locked.
    pub lock_contact: bool,
    /// Moov's signing secret for the webhook route; generated in sandbox mode when unset, so
    /// the built-in sandbox can sign its deliveries.
    pub webhook_secret: Option<Secret>,
    /// Longest quiet time on a live event stream before a heartbeat.
    pub events_heartbeat: Duration,
    /// Live event streams per user on one instance, and on one instance in all.
    pub event_streams_per_user: u32,
    pub event_streams_max: u32,
}

/// A setting the proxy cannot start with.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    #[error("{var} is required {why}")]
    Missing {
        var: &'static str,
        why: &'static str,
    },
    #[error("{var} is invalid: {reason}")]
    Invalid { var: String, reason: String },
    #[error("MOOV_SANDBOX (--sandbox) cannot be combined with {var}: the sandbox takes no Moov settings; unset {var} for the sandbox, or drop --sandbox to file tickets with Moov")]
    SandboxWithMoov { var: &'static str },
    #[error("PROXY_ADDR {addr} is not a loopback address: sandbox mode serves /api/dev/session, which mints sessions for anyone, so it listens on loopback only; set MOOV_SANDBOX_ALLOW_REMOTE=1 (--sandbox-allow-remote) to listen on {addr} anyway")]
    RemoteSandbox { addr: SocketAddr },
    #[error("MOOV_SANDBOX_ALLOW_REMOTE (--sandbox-allow-remote) only applies with --sandbox (MOOV_SANDBOX=1)")]
    RemoteWithoutSandbox,
    #[error("MOOV_SANDBOX (--sandbox) is not available: this moov-support-proxy was built without its `sandbox` feature; set MOOV_BASE_URL, MOOV_PUBLIC_KEY and MOOV_SECRET_KEY, or run a build with the sandbox")]
    SandboxNotBuilt,
    /// Not a setting at all: an unknown flag and the like, with clap's own explanation.
    #[error("{0}")]
    Usage(String),
}

impl Config {
    /// Reads `vars` in place of the process environment; empty values count as unset.
    pub fn from_map(vars: &HashMap<String, String>) -> Result<Config, ConfigError> {
        Config::from_args(settings::parse_with_env(&[], vars)?)
    }

    /// Checks how the parsed settings combine.
    pub fn from_args(args: ServeArgs) -> Result<Config, ConfigError> {
        let keys = [
            ("MOOV_BASE_URL", args.moov_base_url.is_some()),
            ("MOOV_PUBLIC_KEY", args.moov_public_key.is_some()),
            ("MOOV_SECRET_KEY", args.moov_secret_key.is_some()),
        ];
        if args.sandbox_allow_remote && !args.sandbox {
            return Err(ConfigError::RemoteWithoutSandbox);
        }
        let upstream = if args.sandbox {
            if let Some((var, _)) = keys.iter().find(|(_, set)| *set) {
                return Err(ConfigError::SandboxWithMoov { var });
            }
            if !args.addr.ip().is_loopback() && !args.sandbox_allow_remote {
                return Err(ConfigError::RemoteSandbox { addr: args.addr });
            }
            sandbox_upstream()?
        } else {
            let missing = |var, why| ConfigError::Missing { var, why };
            let Some(base_url) = args.moov_base_url else {
                return Err(if keys.iter().any(|(_, set)| *set) {
                    missing(
                        "MOOV_BASE_URL",
                        "when Moov keys are set (e.g. https://api.moov.io)",
                    )
                } else {
                    missing(
                        "MOOV_BASE_URL",
                        "with MOOV_PUBLIC_KEY and MOOV_SECRET_KEY to file tickets with Moov; for the built-in sandbox pass --sandbox or set MOOV_SANDBOX=1",
                    )
                });
            };
            Upstream::Moov(MoovCredentials {
                base_url,
                public_key: args
                    .moov_public_key
                    .ok_or(missing("MOOV_PUBLIC_KEY", "when MOOV_BASE_URL is set"))?,
                secret_key: args
                    .moov_secret_key
                    .ok_or(missing("MOOV_SECRET_KEY", "when MOOV_BASE_URL is set"))?,
            })
        };

        let session_secret = match args.session_secret {
            Some(s) => s,
            None if args.sandbox => Secret::new(random_hex(32)),
            None => {
                return Err(ConfigError::Missing {
                    var: "SESSION_SECRET",
                    why: "when MOOV_BASE_URL is set (at least 32 bytes, shared with the app that signs session tokens)",
                })
            }
        };
        let allowed_origins = match args.allowed_origins {
            Some(origins) => origins.0,
            None if args.sandbox => settings::sandbox_origins().0,
            None => Vec::new(),
        };
        let partner_account = args.moov_partner_account_id;

        Ok(Config {
            upstream,
            moov_version: args.moov_version,
            moov_origin: args.moov_origin,
            session_secret,
            allowed_origins,
            addr: args.addr,
            sandbox_allow_remote: args.sandbox_allow_remote,
            upstream_timeout: Duration::from_millis(args.upstream_timeout_ms),
            user_rate_limit_per_minute: narrow(args.user_rate_limit_per_minute),
            ip_rate_limit_per_minute: narrow(args.ip_rate_limit_per_minute),
            trusted_proxy_hops: narrow(args.trusted_proxy_hops),
            request_timeout: Duration::from_millis(args.request_timeout_ms),
            partner_account,
            ready_account: args.moov_ready_account_id.or(partner_account),
            redis_url: args.redis_url,
            static_dir: args.static_dir,
            lock_contact: args.lock_contact,
            webhook_secret: match args.moov_webhook_secret {
                None if args.sandbox => Some(Secret::new(random_hex(32))),
                secret => secret,
            },
            events_heartbeat: Duration::from_secs(args.events_heartbeat_seconds),
            event_streams_per_user: narrow(args.event_streams_per_user),
            event_streams_max: narrow(args.event_streams_max),
        })
    }

    pub fn is_sandbox(&self) -> bool {
        match self.upstream {
            #[cfg(feature = "sandbox")]
            Upstream::Sandbox => true,
            Upstream::Moov(_) => false,
        }
    }
}

#[cfg(feature = "sandbox")]
fn sandbox_upstream() -> Result<Upstream, ConfigError> {
    Ok(Upstream::Sandbox)
}

#[cfg(not(feature = "sandbox"))]
fn sandbox_upstream() -> Result<Upstream, ConfigError> {
    Err(ConfigError::SandboxNotBuilt)
}

/// A number clap has already bounded to fit `T`.
fn narrow<T: TryFrom<u64> + Default>(n: u64) -> T {
    T::try_from(n).unwrap_or_default()
}

/// `bytes` random bytes as lowercase hex.
pub(crate) fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
