//! The proxy's settings, read from environment variables.
//!
//! [`Config::from_map`] takes any map so tests never touch the process environment; every
//! refusal names the variable to fix.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::Url;
use thiserror::Error;
use uuid::Uuid;

use crate::version::{self, MoovVersion};

/// A value that must never reach a log line or a `Debug` dump.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The raw value, for the few places that sign or authenticate with it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where tickets go.
#[derive(Debug, Clone)]
pub enum Upstream {
    /// No `MOOV_BASE_URL`: the built-in sandbox is started in-process and used over HTTP.
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
    pub addr: SocketAddr,
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
    Invalid { var: &'static str, reason: String },
}

pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";
pub const DEFAULT_MOOV_ORIGIN: &str = "http://localhost";
pub const DEFAULT_SANDBOX_ORIGINS: &str = "http://127.0.0.1:8080,http://localhost:8080";
pub const DEFAULT_UPSTREAM_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_USER_RATE_LIMIT: u32 = 30;
pub const DEFAULT_IP_RATE_LIMIT: u32 = 300;
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 30_000;
/// HS256 is only as strong as its key; shorter secrets are refused.
pub const MIN_SESSION_SECRET_BYTES: usize = 32;

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_map(&std::env::vars().collect())
    }

    /// Reads settings from `vars`; empty values count as absent.
    pub fn from_map(vars: &HashMap<String, String>) -> Result<Config, ConfigError> {
        let get = |k: &str| {
            vars.get(k)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };

        let upstream = match get("MOOV_BASE_URL") {
            Some(url) => Upstream::Moov(MoovCredentials {
                base_url: parse_base_url(&url)?,
                public_key: get("MOOV_PUBLIC_KEY").ok_or(ConfigError::Missing {
                    var: "MOOV_PUBLIC_KEY",
                    why: "when MOOV_BASE_URL is set",
                })?,
                secret_key: Secret::new(get("MOOV_SECRET_KEY").ok_or(ConfigError::Missing {
                    var: "MOOV_SECRET_KEY",
                    why: "when MOOV_BASE_URL is set",
                })?),
            }),
            None => {
                // Keys without a URL would silently file tickets into the sandbox.
                for var in ["MOOV_PUBLIC_KEY", "MOOV_SECRET_KEY"] {
                    if get(var).is_some() {
                        return Err(ConfigError::Missing {
                            var: "MOOV_BASE_URL",
                            why: "when Moov keys are set (e.g. https://api.moov.io); unset the keys to use the built-in sandbox",
                        });
                    }
                }
                Upstream::Sandbox
            }
        };
        let sandbox = matches!(upstream, Upstream::Sandbox);

        let moov_version = match get("MOOV_VERSION") {
            Some(v) => version::parse_for_tickets(&v).map_err(|e| ConfigError::Invalid {
                var: "MOOV_VERSION",
                reason: e.to_string(),
            })?,
            None => MoovVersion::DEFAULT,
        };

        let moov_origin = match get("MOOV_ORIGIN") {
            Some(o) => parse_origin(&o).map_err(|reason| ConfigError::Invalid {
                var: "MOOV_ORIGIN",
                reason,
            })?,
            None => DEFAULT_MOOV_ORIGIN.to_owned(),
        };

        let session_secret = match get("SESSION_SECRET") {
            Some(s) if s.len() < MIN_SESSION_SECRET_BYTES => {
                return Err(ConfigError::Invalid {
                    var: "SESSION_SECRET",
                    reason: format!(
                        "it must be at least {MIN_SESSION_SECRET_BYTES} bytes long (it has {})",
                        s.len()
                    ),
                })
            }
            Some(s) => Secret::new(s),
            None if sandbox => Secret::new(random_hex(32)),
            None => {
                return Err(ConfigError::Missing {
                    var: "SESSION_SECRET",
                    why: "when MOOV_BASE_URL is set (at least 32 bytes, shared with the app that signs session tokens)",
                })
            }
        };

        let origins = get("ALLOWED_ORIGINS")
            .or_else(|| sandbox.then(|| DEFAULT_SANDBOX_ORIGINS.to_owned()))
            .unwrap_or_default();
        let allowed_origins = origins
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(parse_origin)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| ConfigError::Invalid {
                var: "ALLOWED_ORIGINS",
                reason,
            })?;

        let addr = match get("PROXY_ADDR") {
            Some(a) => a.parse().map_err(|_| ConfigError::Invalid {
                var: "PROXY_ADDR",
                reason: format!("`{a}` is not an address like 127.0.0.1:3000"),
            })?,
            None => DEFAULT_ADDR.parse().expect("default address parses"),
        };

        let timeout_ms = parse_number(
            &get,
            "UPSTREAM_TIMEOUT_MS",
            DEFAULT_UPSTREAM_TIMEOUT_MS,
            1..=300_000,
        )?;
        let user_rate_limit_per_minute = parse_number(
            &get,
            "USER_RATE_LIMIT_PER_MINUTE",
            u64::from(DEFAULT_USER_RATE_LIMIT),
            0..=100_000,
        )? as u32;

        let ip_rate_limit_per_minute = parse_number(
            &get,
            "IP_RATE_LIMIT_PER_MINUTE",
            u64::from(DEFAULT_IP_RATE_LIMIT),
            0..=10_000_000,
        )? as u32;
        let trusted_proxy_hops = parse_number(&get, "TRUSTED_PROXY_HOPS", 0, 0..=10)? as u8;
        let request_timeout_ms = parse_number(
            &get,
            "REQUEST_TIMEOUT_MS",
            DEFAULT_REQUEST_TIMEOUT_MS,
            1..=600_000,
        )?;
        let account = |var: &'static str| -> Result<Option<Uuid>, ConfigError> {
            get(var)
                .map(|v| {
                    Uuid::try_parse(&v).map_err(|_| ConfigError::Invalid {
                        var,
                        reason: format!("`{v}` is not a Moov account ID (a UUID)"),
                    })
                })
                .transpose()
        };
        let partner_account = account("MOOV_PARTNER_ACCOUNT_ID")?;
        let ready_account = account("MOOV_READY_ACCOUNT_ID")?.or(partner_account);
        let redis_url = match get("REDIS_URL") {
            Some(url) => {
                crate::store::RedisStore::new(&url).map_err(|e| ConfigError::Invalid {
                    var: "REDIS_URL",
                    reason: e
                        .to_string()
                        .trim_start_matches("REDIS_URL is invalid: ")
                        .to_owned(),
                })?;
                Some(Secret::new(url))
            }
            None => None,
        };

        let lock_contact = parse_flag(&get, "LOCK_CONTACT", false)?;

        let static_dir = match get("STATIC_DIR") {
            Some(dir) if !std::path::Path::new(&dir).is_dir() => {
                return Err(ConfigError::Invalid {
                    var: "STATIC_DIR",
                    reason: format!("`{dir}` is not a directory"),
                })
            }
            dir => dir.map(PathBuf::from),
        };

        Ok(Config {
            upstream,
            moov_version,
            moov_origin,
            session_secret,
            allowed_origins,
            addr,
            upstream_timeout: Duration::from_millis(timeout_ms),
            user_rate_limit_per_minute,
            ip_rate_limit_per_minute,
            trusted_proxy_hops,
            request_timeout: Duration::from_millis(request_timeout_ms),
            partner_account,
            ready_account,
            redis_url,
            static_dir,
            lock_contact,
        })
    }

    pub fn is_sandbox(&self) -> bool {
        matches!(self.upstream, Upstream::Sandbox)
    }
}

fn parse_number(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let Some(raw) = get(var) else {
        return Ok(default);
    };
    match raw.parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(ConfigError::Invalid {
            var,
            reason: format!(
                "`{raw}` is not a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        }),
    }
}

/// An on/off setting: `true`/`false`, `1`/`0`, `yes`/`no` or `on`/`off`, in any case.
fn parse_flag(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    let Some(raw) = get(var) else {
        return Ok(default);
    };
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::Invalid {
            var,
            reason: format!("`{raw}` is not one of true/false, 1/0, yes/no, on/off"),
        }),
    }
}

fn parse_base_url(raw: &str) -> Result<String, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        var: "MOOV_BASE_URL",
        reason,
    };
    let url = Url::parse(raw).map_err(|e| invalid(format!("`{raw}` is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(format!(
            "`{raw}` must be an http(s) URL such as https://api.moov.io"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(format!(
            "`{raw}` must not carry a query or fragment"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Accepts exactly `scheme://host[:port]`, the form browsers send in `Origin`.
fn parse_origin(raw: &str) -> Result<String, String> {
    let url = Url::parse(raw)
        .map_err(|_| format!("`{raw}` is not an origin like https://app.example.com"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{raw}` must start with http:// or https://"));
    }
    let origin = url.origin().ascii_serialization();
    if origin != raw {
        return Err(format!(
            "`{raw}` must be an exact origin (scheme://host[:port], no path or trailing slash); did you mean `{origin}`?"
        ));
    }
    Ok(origin)
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

    #[test]
    fn sandbox_defaults() {
        let c = Config::from_map(&map(&[])).unwrap();
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
        let d = Config::from_map(&map(&[])).unwrap();
        assert_ne!(c.session_secret, d.session_secret);
    }

    #[test]
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
        ] {
            let mut vars = map(&[("MOOV_PUBLIC_KEY", "pk"), ("MOOV_SECRET_KEY", "sk")]);
            vars.insert("MOOV_BASE_URL".into(), "http://127.0.0.1:1".into());
            vars.insert("SESSION_SECRET".into(), SECRET.into());
            vars.insert(var.into(), value.into());
            let err = Config::from_map(&vars).unwrap_err();
            assert!(err.to_string().starts_with(var), "{var}={value}: {err}");
        }
    }

    #[test]
    fn explicit_values_are_used() {
        let c = Config::from_map(&map(&[
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

    #[test]
    fn lock_contact_is_an_off_by_default_flag() {
        let lock = |value: &str| {
            Config::from_map(&map(&[("LOCK_CONTACT", value)])).map(|c| c.lock_contact)
        };
        assert!(!Config::from_map(&map(&[])).unwrap().lock_contact);
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
