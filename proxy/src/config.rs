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
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[cfg(feature = "sandbox")]
    #[test]
    fn sandbox_defaults() {
        let c = Config::from_map(&map(&[("MOOV_SANDBOX", "1")])).unwrap();
        assert!(c.is_sandbox());
        assert_eq!(c.moov_version, MoovVersion::DEFAULT);
        assert_eq!(c.moov_origin, "http://localhost");
        assert_eq!(c.session_secret.expose().len(), 64);
        assert_eq!(
            c.allowed_origins,
            ["http://127.0.0.1:8080", "http://localhost:8080"]
        );
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.upstream_timeout, Duration::from_secs(10));
        // Two sandboxes never share a generated secret.
        let d = Config::from_map(&map(&[("MOOV_SANDBOX", "true")])).unwrap();
        assert_ne!(c.session_secret, d.session_secret);
    }

    #[cfg(not(feature = "sandbox"))]
    #[test]
    fn a_build_without_the_sandbox_refuses_it_by_name() {
        let err = Config::from_map(&map(&[("MOOV_SANDBOX", "1")])).unwrap_err();
        assert_eq!(err, ConfigError::SandboxNotBuilt);
        assert!(err.to_string().contains("`sandbox` feature"), "{err}");
    }

    #[test]
    fn no_moov_settings_is_refused_not_a_sandbox() {
        let err = Config::from_map(&map(&[])).unwrap_err().to_string();
        for named in [
            "MOOV_BASE_URL",
            "MOOV_PUBLIC_KEY",
            "MOOV_SECRET_KEY",
            "--sandbox",
            "MOOV_SANDBOX=1",
        ] {
            assert!(err.contains(named), "{named} missing from: {err}");
        }
        // A misspelt variable is no Moov setting either.
        let err = Config::from_map(&map(&[("MOOV_BASEURL", "https://api.moov.io")])).unwrap_err();
        assert!(
            err.to_string().starts_with("MOOV_BASE_URL is required"),
            "{err}"
        );
        let off = Config::from_map(&map(&[("MOOV_SANDBOX", "0")])).unwrap_err();
        assert!(off.to_string().starts_with("MOOV_BASE_URL"), "{off}");
    }

    #[cfg(feature = "sandbox")]
    #[test]
    fn sandbox_with_moov_settings_is_a_conflict() {
        for var in ["MOOV_BASE_URL", "MOOV_PUBLIC_KEY", "MOOV_SECRET_KEY"] {
            let value = if var == "MOOV_BASE_URL" {
                "https://api.moov.io"
            } else {
                "k"
            };
            let err = Config::from_map(&map(&[("MOOV_SANDBOX", "1"), (var, value)])).unwrap_err();
            assert_eq!(err, ConfigError::SandboxWithMoov { var });
            let msg = err.to_string();
            assert!(msg.contains("MOOV_SANDBOX") && msg.contains(var), "{msg}");
        }
    }

    #[cfg(feature = "sandbox")]
    #[test]
    fn the_sandbox_listens_on_loopback_unless_allowed() {
        for addr in ["0.0.0.0:3000", "192.0.2.7:3000", "[::]:3000"] {
            let err =
                Config::from_map(&map(&[("MOOV_SANDBOX", "1"), ("PROXY_ADDR", addr)])).unwrap_err();
            let msg = err.to_string();
            assert!(msg.starts_with("PROXY_ADDR"), "{msg}");
            assert!(
                msg.contains("--sandbox-allow-remote") && msg.contains("MOOV_SANDBOX_ALLOW_REMOTE"),
                "{msg}"
            );
            let c = Config::from_map(&map(&[
                ("MOOV_SANDBOX", "1"),
                ("PROXY_ADDR", addr),
                ("MOOV_SANDBOX_ALLOW_REMOTE", "yes"),
            ]))
            .unwrap();
            assert_eq!(c.addr.to_string(), addr);
            assert!(c.sandbox_allow_remote, "{addr}");
        }
        for addr in ["127.0.0.1:0", "[::1]:3000"] {
            let c = Config::from_map(&map(&[("MOOV_SANDBOX", "1"), ("PROXY_ADDR", addr)]));
            let c = c.unwrap();
            assert!(c.is_sandbox() && !c.sandbox_allow_remote, "{addr}");
        }
        let err = Config::from_map(&map(&[("MOOV_SANDBOX_ALLOW_REMOTE", "1")])).unwrap_err();
        assert_eq!(err, ConfigError::RemoteWithoutSandbox);
    }

    #[cfg(feature = "sandbox")]
    #[test]
    fn flags_and_variables_are_one_setting() {
        let by_flag: Config = Config::from_args(
            settings::parse_with_env(&["--sandbox", "--addr=127.0.0.1:4100"], &map(&[])).unwrap(),
        )
        .unwrap();
        assert!(by_flag.is_sandbox());
        assert_eq!(by_flag.addr.port(), 4100);
        let err = settings::parse_with_env::<ServeArgs>(&["--upstream-timeout-ms", "0"], &map(&[]))
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("UPSTREAM_TIMEOUT_MS is invalid"),
            "{err}"
        );
        let err = settings::parse_with_env::<ServeArgs>(&["--frobnicate"], &map(&[])).unwrap_err();
        assert!(matches!(err, ConfigError::Usage(_)), "{err:?}");
    }

    #[test]
    #[cfg_attr(not(feature = "sandbox"), allow(irrefutable_let_patterns))]
    fn moov_mode_requires_keys_and_secret() {
        let base = [
            ("MOOV_BASE_URL", "https://api.moov.io/"),
            ("MOOV_PUBLIC_KEY", "pk"),
            ("MOOV_SECRET_KEY", "sk"),
            ("SESSION_SECRET", SECRET),
        ];
        let c = Config::from_map(&map(&base)).unwrap();
        let Upstream::Moov(m) = &c.upstream else {
            panic!("expected Moov")
        };
        assert_eq!(m.base_url, "https://api.moov.io");
        assert!(c.allowed_origins.is_empty());
        for missing in ["MOOV_PUBLIC_KEY", "MOOV_SECRET_KEY", "SESSION_SECRET"] {
            let vars: Vec<_> = base
                .iter()
                .copied()
                .filter(|(k, _)| *k != missing)
                .collect();
            let err = Config::from_map(&map(&vars)).unwrap_err();
            assert!(err.to_string().starts_with(missing), "{err}");
        }
        let err = Config::from_map(&map(&[("MOOV_SECRET_KEY", "sk")])).unwrap_err();
        assert!(err.to_string().starts_with("MOOV_BASE_URL"), "{err}");
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("MOOV_VERSION", "v2025.04.00"),
            ("MOOV_VERSION", "latest"),
            ("MOOV_BASE_URL", "ftp://x"),
            ("MOOV_ORIGIN", "http://localhost/"),
            ("SESSION_SECRET", "short"),
            ("ALLOWED_ORIGINS", "http://a.test,*"),
            ("ALLOWED_ORIGINS", "https://a.test/app"),
            ("PROXY_ADDR", "localhost"),
            ("UPSTREAM_TIMEOUT_MS", "0"),
            ("UPSTREAM_TIMEOUT_MS", "ten"),
            ("USER_RATE_LIMIT_PER_MINUTE", "-1"),
            ("IP_RATE_LIMIT_PER_MINUTE", "many"),
            ("TRUSTED_PROXY_HOPS", "11"),
            ("REQUEST_TIMEOUT_MS", "0"),
            ("MOOV_PARTNER_ACCOUNT_ID", "partner"),
            ("MOOV_READY_ACCOUNT_ID", "1234"),
            ("REDIS_URL", "http://cache:6379"),
            ("REDIS_URL", "redis://cache/zero"),
            ("STATIC_DIR", "/nonexistent/dist"),
            ("LOCK_CONTACT", "maybe"),
            ("MOOV_SANDBOX", "perhaps"),
            ("LOG_FORMAT", "xml"),
        ] {
            let mut vars = map(&[("MOOV_PUBLIC_KEY", "pk"), ("MOOV_SECRET_KEY", "sk")]);
            vars.insert("MOOV_BASE_URL".into(), "http://127.0.0.1:1".into());
            vars.insert("SESSION_SECRET".into(), SECRET.into());
            vars.insert(var.into(), value.into());
            let err = Config::from_map(&vars).unwrap_err();
            assert!(err.to_string().starts_with(var), "{var}={value}: {err}");
        }
    }

    #[cfg(feature = "sandbox")]
    #[test]
    fn explicit_values_are_used() {
        let c = Config::from_map(&map(&[
            ("MOOV_SANDBOX", "on"),
            ("MOOV_VERSION", "v2026.01.00"),
            (
                "ALLOWED_ORIGINS",
                " https://app.example.com , http://127.0.0.1:9000 ",
            ),
            ("PROXY_ADDR", "127.0.0.1:0"),
            ("UPSTREAM_TIMEOUT_MS", "250"),
            ("USER_RATE_LIMIT_PER_MINUTE", "0"),
            ("IP_RATE_LIMIT_PER_MINUTE", "1000"),
            ("REQUEST_TIMEOUT_MS", "4000"),
            (
                "MOOV_PARTNER_ACCOUNT_ID",
                "5e1f6a3c-0b7d-4c39-9a8e-2f4d6b8c1a27",
            ),
            ("REDIS_URL", "redis://127.0.0.1:6390/1"),
        ]))
        .unwrap();
        assert_eq!(c.ip_rate_limit_per_minute, 1000);
        assert_eq!(c.request_timeout, Duration::from_secs(4));
        let partner = Uuid::parse_str("5e1f6a3c-0b7d-4c39-9a8e-2f4d6b8c1a27").unwrap();
        assert_eq!(
            (c.partner_account, c.ready_account),
            (Some(partner), Some(partner))
        );
        assert_eq!(c.redis_url.unwrap().expose(), "redis://127.0.0.1:6390/1");
        assert_eq!(c.moov_version.to_string(), "v2026.01.00");
        assert_eq!(
            c.allowed_origins,
            ["https://app.example.com", "http://127.0.0.1:9000"]
        );
        assert_eq!(c.upstream_timeout, Duration::from_millis(250));
        assert_eq!(c.user_rate_limit_per_minute, 0);
    }

    #[cfg(feature = "sandbox")]
    #[test]
    fn lock_contact_is_an_off_by_default_flag() {
        let lock = |value: &str| {
            Config::from_map(&map(&[("MOOV_SANDBOX", "1"), ("LOCK_CONTACT", value)]))
                .map(|c| c.lock_contact)
        };
        assert!(
            !Config::from_map(&map(&[("MOOV_SANDBOX", "1")]))
                .unwrap()
                .lock_contact
        );
        assert_eq!(lock(""), Ok(false));
        for on in ["true", "TRUE", "1", "yes", "On"] {
            assert_eq!(lock(on), Ok(true), "{on}");
        }
        for off in ["false", "0", "no", "OFF"] {
            assert_eq!(lock(off), Ok(false), "{off}");
        }
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let c = Config::from_map(&map(&[
            ("MOOV_BASE_URL", "https://api.moov.io"),
            ("MOOV_PUBLIC_KEY", "pk"),
            ("MOOV_SECRET_KEY", "sk-very-secret-value"),
            ("SESSION_SECRET", SECRET),
            ("REDIS_URL", "redis://app:redis-password-value@cache:6379"),
        ]))
        .unwrap();
        let dump = format!("{c:?}");
        assert!(!dump.contains("redis-password-value"), "{dump}");
        assert!(!dump.contains("sk-very-secret-value"), "{dump}");
        assert!(!dump.contains(SECRET), "{dump}");
        assert!(dump.contains("***"));
    }
}
