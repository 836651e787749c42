//! Every setting of `serve`, each with its flag, environment variable, default and help: this
//! struct is the one place they are written, and `moov-support-proxy serve --help` is the
//! reference the README points to.
//!
//! Each value is checked as it is parsed, with the reason an operator needs; [`crate::Config`]
//! then checks how settings combine. [`parse_with_env`] reads a map instead of the process
//! environment, so tests never touch it.
// The fields' doc comments are clap's `--help` text, written for a terminal: bare URLs and
// brackets there are meant as they read.
#![allow(rustdoc::bare_urls, rustdoc::broken_intra_doc_links)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use moov_support::moov_version::{self, MoovVersion};
use reqwest::Url;
use uuid::Uuid;

use crate::config::{ConfigError, Secret};

/// HS256 is only as strong as its key; shorter secrets are refused.
pub const MIN_SESSION_SECRET_BYTES: usize = 32;

/// The partner-side token proxy for the Moov support widget.
///
/// Without a command it runs `serve`. Every setting of `serve` is listed by
/// `moov-support-proxy serve --help`.
#[derive(Debug, Parser)]
#[command(name = "moov-support-proxy", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the proxy. It needs Moov settings (MOOV_BASE_URL and the key pair), or `--sandbox`
    /// for the built-in Moov sandbox.
    Serve(Box<ServeArgs>),
    /// Read HTML on stdin, print it cleaned by the ticket body policy.
    Sanitize,
    /// Read ticket JSON on stdin ({title, body, contact: {email, name?}}). Valid: print the
    /// normalized ticket, exit 0. Invalid: print the 422 field map, exit 1. Not JSON: message
    /// on stderr, exit 2.
    Validate,
    /// Print a session token valid for an hour, signed as a partner backend would sign it.
    /// For trying the proxy with curl and for load tests.
    Session(SessionArgs),
}

/// How the proxy runs; see each setting's help.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Settings")]
pub struct ServeArgs {
    /// Run against the built-in Moov sandbox, with its dev routes (/api/dev/...), on loopback
    /// only. Never combined with Moov settings.
    #[arg(long, env = "MOOV_SANDBOX", value_parser = flag, num_args = 0..=1, default_value = "false", default_missing_value = "true")]
    pub sandbox: bool,
    /// Let sandbox mode listen on an address other than loopback. Anyone who reaches it can
    /// mint sessions through /api/dev/session.
    #[arg(long, env = "MOOV_SANDBOX_ALLOW_REMOTE", value_parser = flag, num_args = 0..=1, default_value = "false", default_missing_value = "true")]
    pub sandbox_allow_remote: bool,
    /// Moov API base, e.g. https://api.moov.io.
    #[arg(long, env = "MOOV_BASE_URL", value_parser = base_url)]
    pub moov_base_url: Option<String>,
    /// Moov API public key (required with MOOV_BASE_URL).
    #[arg(long, env = "MOOV_PUBLIC_KEY", value_parser = non_empty)]
    pub moov_public_key: Option<String>,
    /// Moov API secret key (required with MOOV_BASE_URL; never logged).
    #[arg(long, env = "MOOV_SECRET_KEY", hide_env_values = true, value_parser = secret)]
    pub moov_secret_key: Option<Secret>,
    /// x-moov-version sent to Moov: vYYYY.QQ.BB, at least v2025.07.00 (the first with tickets).
    #[arg(long, env = "MOOV_VERSION", default_value_t = MoovVersion::DEFAULT, value_parser = version)]
    pub moov_version: MoovVersion,
    /// Origin sent on token requests; must be on the API key's allowed domains.
    #[arg(long, env = "MOOV_ORIGIN", default_value = "http://localhost", value_parser = origin)]
    pub moov_origin: String,
    /// HS256 key for session tokens, at least 32 bytes, shared with the app that signs them
    /// (required with MOOV_BASE_URL; random in sandbox mode).
    #[arg(long, env = "SESSION_SECRET", hide_env_values = true, value_parser = session_secret)]
    pub session_secret: Option<Secret>,
    /// Comma-separated exact browser origins allowed by CORS and the POST Origin check
    /// (sandbox mode: http://127.0.0.1:8080,http://localhost:8080).
    #[arg(long, env = "ALLOWED_ORIGINS", value_parser = origins)]
    pub allowed_origins: Option<Origins>,
    /// Listen address.
    #[arg(long, env = "PROXY_ADDR", default_value = "127.0.0.1:3000", value_parser = addr)]
    pub addr: SocketAddr,
    /// Bound on each Moov call, in milliseconds (answered 504).
    #[arg(long, env = "UPSTREAM_TIMEOUT_MS", default_value = "10000", value_parser = whole(1, 300_000))]
    pub upstream_timeout_ms: u64,
    /// Bound on a whole request to the proxy, in milliseconds (answered 504).
    #[arg(long, env = "REQUEST_TIMEOUT_MS", default_value = "30000", value_parser = whole(1, 600_000))]
    pub request_timeout_ms: u64,
    /// Tickets per user (account and sub) per minute; 0 turns the limit off.
    #[arg(long, env = "USER_RATE_LIMIT_PER_MINUTE", default_value = "30", value_parser = whole(0, 100_000))]
    pub user_rate_limit_per_minute: u64,
    /// API requests per client IP (per /64 for IPv6) per minute; 0 turns the limit off.
    #[arg(long, env = "IP_RATE_LIMIT_PER_MINUTE", default_value = "300", value_parser = whole(0, 10_000_000))]
    pub ip_rate_limit_per_minute: u64,
    /// Reverse proxies in front whose X-Forwarded-For entries are trusted for the client IP;
    /// 0: the TCP peer.
    #[arg(long, env = "TRUSTED_PROXY_HOPS", default_value = "0", value_parser = whole(0, 10))]
    pub trusted_proxy_hops: u64,
    /// On-behalf mode: the partner's account, whose ticket scopes act for the session's
    /// account (with that account's profile.read).
    #[arg(long, env = "MOOV_PARTNER_ACCOUNT_ID", value_parser = account)]
    pub moov_partner_account_id: Option<Uuid>,
    /// Account whose token /readyz asks for (default: the partner account; the demo account
    /// in sandbox mode).
    #[arg(long, env = "MOOV_READY_ACCOUNT_ID", value_parser = account)]
    pub moov_ready_account_id: Option<Uuid>,
    /// redis://[user:password@]host[:port][/db], or rediss:// for TLS: idempotency records and
    /// rate limits shared by every instance (absent: in memory). Redis must persist its data
    /// (AOF), or a retry after a Redis restart can file a ticket twice.
    #[arg(long, env = "REDIS_URL", hide_env_values = true, value_parser = redis_url)]
    pub redis_url: Option<Secret>,
    /// A built widget bundle (trunk's dist/) to serve at /.
    #[arg(long, env = "STATIC_DIR", value_parser = directory)]
    pub static_dir: Option<PathBuf>,
    /// The ticket's contact is the session token's email and name claims, whatever the
    /// browser sends.
    #[arg(long, env = "LOCK_CONTACT", value_parser = flag, num_args = 0..=1, default_value = "false", default_missing_value = "true")]
    pub lock_contact: bool,
    /// Signing secret of the webhook registered in Moov's dashboard for
    /// /api/support/webhooks/moov (absent: the route answers 404; random in sandbox mode).
    #[arg(long, env = "MOOV_WEBHOOK_SECRET", hide_env_values = true, value_parser = secret)]
    pub moov_webhook_secret: Option<Secret>,
    /// Longest quiet time on a live event stream before a heartbeat, in seconds.
    #[arg(long, env = "EVENTS_HEARTBEAT_SECONDS", default_value = "20", value_parser = whole(1, 25))]
    pub events_heartbeat_seconds: u64,
    /// Live event streams one user may hold on one instance.
    #[arg(long, env = "EVENT_STREAMS_PER_USER", default_value = "3", value_parser = whole(1, 100))]
    pub event_streams_per_user: u64,
    /// Live event streams one instance holds in all.
    #[arg(long, env = "EVENT_STREAMS_MAX", default_value = "1000", value_parser = whole(1, 1_000_000))]
    pub event_streams_max: u64,
    /// Log filter, e.g. info or moov_support_proxy=debug.
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    pub log: String,
    /// Log lines as text or JSON.
    #[arg(
        long,
        env = "LOG_FORMAT",
        value_enum,
        ignore_case = true,
        default_value = "text"
    )]
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Exact browser origins, `scheme://host[:port]` each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origins(pub Vec<String>);

/// What `session` signs.
#[derive(Debug, Clone, Args)]
pub struct SessionArgs {
    /// The proxy's own SESSION_SECRET.
    #[arg(long, env = "SESSION_SECRET", hide_env_values = true, value_parser = session_secret)]
    pub session_secret: Secret,
    /// The token's `sub`: the partner's user id.
    #[arg(long, env = "SESSION_SUB", default_value = "cli-user")]
    pub sub: String,
    /// The Moov account the user may file tickets for (default: the sandbox's demo account).
    #[arg(long, env = "MOOV_ACCOUNT_ID", value_parser = account)]
    pub account: Option<Uuid>,
}

/// Parses `A` from `flags` and from `env` in place of the process environment. Empty values
/// count as unset, as they do in [`crate::cli::main`].
pub fn parse_with_env<A: Args + FromArgMatches>(
    flags: &[&str],
    env: &HashMap<String, String>,
) -> Result<A, ConfigError> {
    let command = A::augment_args(clap::Command::new("serve").no_binary_name(true))
        .mut_args(|arg| arg.env(None::<&'static str>));
    let named = A::augment_args(clap::Command::new("serve"));
    let mut argv: Vec<String> = Vec::new();
    // Flags from the map go first: one given in `flags` as well overrides them.
    for arg in named.get_arguments() {
        let (Some(var), Some(long)) = (arg.get_env(), arg.get_long()) else {
            continue;
        };
        if let Some(value) = var.to_str().and_then(|v| env.get(v)) {
            if !value.trim().is_empty() {
                argv.push(format!("--{long}={value}"));
            }
        }
    }
    argv.extend(flags.iter().map(|f| f.to_string()));
    let matches = command
        .args_override_self(true)
        .try_get_matches_from(argv)
        .map_err(|e| from_clap(&named, e))?;
    A::from_arg_matches(&matches).map_err(|e| from_clap(&named, e))
}

/// The environment variable behind `--flag` in `command` or its subcommands, for messages
/// that name what to fix.
fn env_of(command: &clap::Command, flag: &str) -> Option<String> {
    let long = flag.split_whitespace().next()?.trim_start_matches("--");
    std::iter::once(command)
        .chain(command.get_subcommands())
        .flat_map(|c| c.get_arguments())
        .find(|a| a.get_long() == Some(long))
        .and_then(|a| a.get_env())
        .and_then(|e| e.to_str())
        .map(str::to_owned)
}

/// A clap refusal as a [`ConfigError`] naming the variable, when it concerns one value.
pub fn from_clap(command: &clap::Command, error: clap::Error) -> ConfigError {
    let arg = match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let var = arg.as_deref().and_then(|a| env_of(command, a));
    match (error.kind(), var) {
        (ErrorKind::ValueValidation | ErrorKind::InvalidValue, Some(var)) => {
            let reason = std::error::Error::source(&error)
                .map(|s| s.to_string())
                .unwrap_or_else(|| {
                    let value = match error.get(ContextKind::InvalidValue) {
                        Some(ContextValue::String(v)) => v.clone(),
                        _ => String::new(),
                    };
                    format!("`{value}` is not one of the accepted values (see --help)")
                });
            ConfigError::Invalid { var, reason }
        }
        _ => ConfigError::Usage(error.render().to_string()),
    }
}

/// The `serve` command as clap builds it, for `--help` and for naming variables.
pub fn serve_command() -> clap::Command {
    Cli::command()
        .find_subcommand("serve")
        .cloned()
        .expect("serve is a subcommand")
}

/// An on/off setting: `true`/`false`, `1`/`0`, `yes`/`no` or `on`/`off`, in any case.
fn flag(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!(
            "`{raw}` is not one of true/false, 1/0, yes/no, on/off"
        )),
    }
}

/// A whole number in `min..=max`.
fn whole(min: u64, max: u64) -> impl Fn(&str) -> Result<u64, String> + Clone {
    move |raw: &str| match raw.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("`{raw}` is not a whole number from {min} to {max}")),
    }
}

fn non_empty(raw: &str) -> Result<String, String> {
    match raw.trim() {
        "" => Err("it is empty".into()),
        v => Ok(v.to_owned()),
    }
}

fn secret(raw: &str) -> Result<Secret, String> {
    non_empty(raw).map(Secret::new)
}

fn session_secret(raw: &str) -> Result<Secret, String> {
    let raw = raw.trim();
    if raw.len() < MIN_SESSION_SECRET_BYTES {
        return Err(format!(
            "it must be at least {MIN_SESSION_SECRET_BYTES} bytes long (it has {})",
            raw.len()
        ));
    }
    Ok(Secret::new(raw))
}

fn version(raw: &str) -> Result<MoovVersion, String> {
    moov_version::parse_for_tickets(raw).map_err(|e| e.to_string())
}

fn addr(raw: &str) -> Result<SocketAddr, String> {
    raw.trim()
        .parse()
        .map_err(|_| format!("`{raw}` is not an address like 127.0.0.1:3000"))
}

fn account(raw: &str) -> Result<Uuid, String> {
    Uuid::try_parse(raw.trim()).map_err(|_| format!("`{raw}` is not a Moov account ID (a UUID)"))
}

fn directory(raw: &str) -> Result<PathBuf, String> {
    let dir = PathBuf::from(raw.trim());
    if !dir.is_dir() {
        return Err(format!("`{raw}` is not a directory"));
    }
    Ok(dir)
}

fn redis_url(raw: &str) -> Result<Secret, String> {
    let url = raw.trim();
    crate::store::RedisStore::new(url).map_err(|e| {
        e.to_string()
            .trim_start_matches("REDIS_URL is invalid: ")
            .to_owned()
    })?;
    Ok(Secret::new(url))
}

fn base_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let url = Url::parse(raw).map_err(|e| format!("`{raw}` is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!(
            "`{raw}` must be an http(s) URL such as https://api.moov.io"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("`{raw}` must not carry a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn origins(raw: &str) -> Result<Origins, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(origin)
        .collect::<Result<Vec<_>, _>>()
        .map(Origins)
}

/// Accepts exactly `scheme://host[:port]`, the form browsers send in `Origin`.
fn origin(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
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

/// The sandbox's default browser origins: `trunk serve` on its usual port.
pub const SANDBOX_ORIGINS: &str = "http://127.0.0.1:8080,http://localhost:8080";

/// [`SANDBOX_ORIGINS`] parsed.
pub fn sandbox_origins() -> Origins {
    origins(SANDBOX_ORIGINS).expect("the sandbox's origins parse")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_a_flag_and_a_variable() {
        let serve = serve_command();
        for arg in serve.get_arguments().filter(|a| a.get_id() != "help") {
            let env = arg.get_env().and_then(|e| e.to_str());
            assert!(env.is_some(), "--{:?} has no variable", arg.get_long());
            assert!(arg.get_long().is_some(), "{env:?} has no flag");
            assert!(arg.get_help().is_some(), "{env:?} has no help");
        }
        Cli::command().debug_assert();
    }

    #[test]
    fn secrets_are_not_shown_in_help() {
        let serve = serve_command();
        for var in [
            "MOOV_SECRET_KEY",
            "SESSION_SECRET",
            "REDIS_URL",
            "MOOV_WEBHOOK_SECRET",
        ] {
            let arg = serve
                .get_arguments()
                .find(|a| a.get_env().and_then(|e| e.to_str()) == Some(var))
                .unwrap();
            assert!(arg.is_hide_env_values_set(), "{var}");
        }
    }

    #[test]
    fn flags_override_the_environment() {
        let env: HashMap<String, String> =
            [("PROXY_ADDR".to_owned(), "127.0.0.1:4000".to_owned())].into();
        let args: ServeArgs = parse_with_env(&[], &env).unwrap();
        assert_eq!(args.addr.port(), 4000);
        let args: ServeArgs = parse_with_env(&["--addr", "127.0.0.1:5000"], &env).unwrap();
        assert_eq!(args.addr.port(), 5000);
        let args: ServeArgs = parse_with_env(&["--sandbox"], &HashMap::new()).unwrap();
        assert!(args.sandbox);
    }

    #[test]
    fn live_settings_are_bounded() {
        let parse = |var: &str, value: &str| {
            let env: HashMap<String, String> = [(var.to_owned(), value.to_owned())].into();
            parse_with_env::<ServeArgs>(&[], &env)
        };
        let defaults: ServeArgs = parse_with_env(&[], &HashMap::new()).unwrap();
        assert_eq!(
            (
                defaults.events_heartbeat_seconds,
                defaults.event_streams_per_user,
                defaults.event_streams_max
            ),
            (20, 3, 1000)
        );
        assert!(defaults.moov_webhook_secret.is_none());
        // A heartbeat at least every 25 s, as the widget expects.
        for (var, bad) in [
            ("EVENTS_HEARTBEAT_SECONDS", "0"),
            ("EVENTS_HEARTBEAT_SECONDS", "26"),
            ("EVENT_STREAMS_PER_USER", "0"),
            ("EVENT_STREAMS_MAX", "none"),
        ] {
            let err = parse(var, bad).unwrap_err().to_string();
            assert!(err.starts_with(var), "{var}={bad:?}: {err}");
        }
        assert_eq!(
            parse("EVENTS_HEARTBEAT_SECONDS", "25")
                .unwrap()
                .events_heartbeat_seconds,
            25
        );
    }

    /// The README's settings table is `--help` in another form: every variable listed once,
    /// with its flag and clap's default, and nothing else.
    #[test]
    fn the_readme_table_matches_the_arguments() {
        let readme = include_str!("../README.md");
        let table = readme
            .split("## Settings")
            .nth(1)
            .expect("a Settings section")
            .lines()
            .skip_while(|l| !l.starts_with("| variable |"))
            .skip(2)
            .take_while(|l| l.starts_with('|'));
        let strip = |cell: &str| cell.trim().trim_matches('`').to_owned();
        let mut rows: Vec<(String, String, String)> = table
            .map(|row| {
                let cells: Vec<&str> = row.split('|').collect();
                (strip(cells[1]), strip(cells[2]), strip(cells[3]))
            })
            .collect();
        let serve = serve_command();
        let mut args: Vec<(String, String, String)> = serve
            .get_arguments()
            .filter_map(|a| {
                let var = a.get_env()?.to_str()?.to_owned();
                let default = a
                    .get_default_values()
                    .iter()
                    .map(|v| v.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(",");
                let default = if default.is_empty() {
                    "—".into()
                } else {
                    default
                };
                Some((var, format!("--{}", a.get_long()?), default))
            })
            .collect();
        rows.sort();
        args.sort();
        assert_eq!(rows, args);
    }
}
