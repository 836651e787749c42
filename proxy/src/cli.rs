//! The command line: `serve` (default), `sandbox`, `sanitize`, `validate`, `session`.

use std::io::Read;
use std::net::SocketAddr;
use std::process::ExitCode;

use moov_support::{rules, sanitize};

use crate::api::NewTicket;
use crate::config::Config;
use crate::sandbox::{self, SandboxOptions};
use crate::server::Proxy;

pub const USAGE: &str = "\
moov-support-proxy: the partner-side token proxy for the Moov support widget

USAGE:
    moov-support-proxy [COMMAND]

COMMANDS:
    serve       Run the proxy (default). Without MOOV_BASE_URL it starts the built-in
                Moov sandbox in-process and files tickets there.
    sandbox     Run only the Moov sandbox, on SANDBOX_ADDR (default 127.0.0.1:3100).
    sanitize    Read HTML on stdin, print it cleaned by the ticket body policy.
    validate    Read ticket JSON on stdin ({title, body, contact: {email, name?}}).
                Valid: print the normalized ticket, exit 0. Invalid: print the 422 field
                map, exit 1. Not JSON: message on stderr, exit 2.
    session     Print a session token signed with SESSION_SECRET, as a partner backend
                would mint it: sub SESSION_SUB (default cli-user), account MOOV_ACCOUNT_ID
                (default the sandbox demo account), valid for an hour. For trying the
                proxy with curl and for load tests.
    help        Print this help (also -h, --help).

ENVIRONMENT (serve):
    MOOV_BASE_URL          Moov API base, e.g. https://api.moov.io (absent: built-in sandbox)
    MOOV_PUBLIC_KEY        Moov API key pair (required with MOOV_BASE_URL)
    MOOV_SECRET_KEY
    MOOV_VERSION           x-moov-version to send (default v2025.07.00; at least that)
    MOOV_ORIGIN            Origin sent on token requests (default http://localhost)
    SESSION_SECRET         HS256 key for session tokens, >= 32 bytes (required with
                           MOOV_BASE_URL; random in sandbox mode)
    ALLOWED_ORIGINS        Comma-separated browser origins allowed by CORS (sandbox
                           default: http://127.0.0.1:8080,http://localhost:8080)
    PROXY_ADDR             Listen address (default 127.0.0.1:3000)
    UPSTREAM_TIMEOUT_MS    Timeout of each Moov call (default 10000)
    REQUEST_TIMEOUT_MS     Bound on a whole request to the proxy (default 30000)
    USER_RATE_LIMIT_PER_MINUTE  Tickets per user per minute (default 30; 0 = off)
    IP_RATE_LIMIT_PER_MINUTE    API requests per client IP per minute (default 300; 0 = off)
    TRUSTED_PROXY_HOPS     Reverse proxies in front whose X-Forwarded-For is trusted for
                           the client IP (default 0: the TCP peer)
    MOOV_PARTNER_ACCOUNT_ID     On-behalf mode: act for session accounts with the
                           partner account's scopes (plus each account's profile.read)
    MOOV_READY_ACCOUNT_ID  Account whose token /readyz asks for (default the partner
                           account; the demo account in sandbox mode)
    REDIS_URL              redis://[user:password@]host[:port][/db]: share idempotency
                           records and rate limits between instances (default: memory)
    STATIC_DIR             A built widget bundle (trunk's dist/) to serve at /
    LOCK_CONTACT           true: the ticket's contact is the session token's email and
                           name claims, whatever the browser sends (default false)
    RUST_LOG               Log filter (default info); LOG_FORMAT=json for JSON lines

ENVIRONMENT (sandbox):
    SANDBOX_ADDR           Listen address (default 127.0.0.1:3100)
    SANDBOX_RATE_LIMIT_PER_SECOND  Requests per IP and account per second (default 40,
                           Moov's own limit; raise it for load tests)

SANDBOX KEYS (valid against the sandbox only):
    MOOV_PUBLIC_KEY=sandbox-public-key
    MOOV_SECRET_KEY=sandbox-secret-key-not-for-production
";

/// A parsed command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Serve,
    Sandbox,
    Sanitize,
    Validate,
    Session,
    Help,
}

/// Parses the arguments after the program name.
pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Command, String> {
    match args {
        [] => Ok(Command::Serve),
        [one] => match one.as_ref() {
            "serve" => Ok(Command::Serve),
            "sandbox" => Ok(Command::Sandbox),
            "sanitize" => Ok(Command::Sanitize),
            "validate" => Ok(Command::Validate),
            "session" => Ok(Command::Session),
            "help" | "-h" | "--help" => Ok(Command::Help),
            other => Err(format!("unknown command `{other}`")),
        },
        [_, extra, ..] => Err(format!("unexpected argument `{}`", extra.as_ref())),
    }
}

/// Runs the program; the exit code is the process's.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Command::Session => match mint_session(&std::env::vars().collect()) {
            Ok(token) => {
                println!("{token}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Sanitize => match read_stdin() {
            Ok(html) => {
                print!("{}", sanitize::clean(&html));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("could not read stdin: {e}");
                ExitCode::from(2)
            }
        },
        Command::Validate => match read_stdin() {
            Ok(json) => {
                let (out, code) = validate(&json);
                match code {
                    2 => eprintln!("{out}"),
                    _ => println!("{out}"),
                }
                ExitCode::from(code)
            }
            Err(e) => {
                eprintln!("could not read stdin: {e}");
                ExitCode::from(2)
            }
        },
        Command::Serve | Command::Sandbox => {
            init_logging();
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("could not start the async runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let result = runtime.block_on(async {
                if command == Command::Serve {
                    serve().await
                } else {
                    run_sandbox().await
                }
            });
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// `session`: a one-hour token from `SESSION_SECRET`, `SESSION_SUB` and `MOOV_ACCOUNT_ID`.
pub fn mint_session(vars: &std::collections::HashMap<String, String>) -> Result<String, String> {
    let secret = vars
        .get("SESSION_SECRET")
        .filter(|s| s.len() >= crate::config::MIN_SESSION_SECRET_BYTES)
        .ok_or("SESSION_SECRET is required, at least 32 bytes (the proxy's own)")?;
    let account = match vars.get("MOOV_ACCOUNT_ID") {
        Some(a) => uuid::Uuid::try_parse(a)
            .map_err(|_| format!("MOOV_ACCOUNT_ID is invalid: `{a}` is not a UUID"))?,
        None => sandbox::DEMO_ACCOUNT_ID,
    };
    let session = crate::Session {
        user_id: vars
            .get("SESSION_SUB")
            .cloned()
            .unwrap_or_else(|| "cli-user".into()),
        account_id: account,
        email: None,
        name: None,
    };
    let signer = crate::JwtSessions::new(&crate::Secret::new(secret.clone()));
    Ok(signer.mint(&session, crate::session::unix_now() + 3600))
}

/// `validate`: the output and exit code for one ticket document.
pub fn validate(json: &str) -> (String, u8) {
    let raw: NewTicket = match serde_json::from_str(json) {
        Ok(t) => t,
        Err(e) => return (format!("not ticket JSON: {e}"), 2),
    };
    match rules::prepare(raw.into_create(None)) {
        Ok(ticket) => (to_json(&ticket), 0),
        Err(fields) => (to_json(&fields), 1),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".into())
}

fn read_stdin() -> std::io::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    Ok(s)
}

async fn serve() -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let sandboxed = config.is_sandbox();
    let running = Proxy::new(config)
        .start()
        .await
        .map_err(|e| e.to_string())?;
    if sandboxed {
        println!(
            "moov-support-proxy listening on {} against the built-in Moov sandbox at {} (demo account {}; dev routes /api/dev/session and /api/dev/faults enabled)",
            running.url(),
            running.moov_url,
            sandbox::DEMO_ACCOUNT_ID
        );
    } else {
        println!(
            "moov-support-proxy listening on {} against Moov at {}",
            running.url(),
            running.moov_url
        );
    }
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.shutdown().await.map_err(|e| e.to_string())
}

async fn run_sandbox() -> Result<(), String> {
    let raw = std::env::var("SANDBOX_ADDR").unwrap_or_else(|_| sandbox::DEFAULT_ADDR.into());
    let addr: SocketAddr = raw.parse().map_err(|_| {
        format!("SANDBOX_ADDR is invalid: `{raw}` is not an address like 127.0.0.1:3100")
    })?;
    let mut options = SandboxOptions::default();
    if let Ok(raw) = std::env::var("SANDBOX_RATE_LIMIT_PER_SECOND") {
        options.rate_limit_per_second = raw.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| {
            format!("SANDBOX_RATE_LIMIT_PER_SECOND is invalid: `{raw}` is not a whole number above 0")
        })?;
    }
    let running = sandbox::spawn(options, addr)
        .await
        .map_err(|e| format!("could not listen on {addr}: {e}"))?;
    println!(
        "Moov sandbox listening on {} (demo account {}; keys: see --help)",
        running.url(),
        sandbox::DEMO_ACCOUNT_ID
    );
    shutdown_signal().await;
    running.shutdown().await;
    Ok(())
}

/// Log directives forced on top of `RUST_LOG`.
const QUIET_CRATES: [&str; 9] = [
    "html5ever=off",
    "markup5ever=off",
    "ammonia=off",
    "hyper=info",
    "hyper_util=info",
    "h2=info",
    "reqwest=info",
    "rustls=info",
    "tower_http=info",
];

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let mut filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // These crates see raw ticket bodies, headers or TLS material and log them at debug and
    // trace levels; whatever RUST_LOG asks, their logs stay off or coarse.
    for directive in QUIET_CRATES {
        if let Ok(d) = directive.parse() {
            filter = filter.add_directive(d);
        }
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let json = std::env::var("LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands() {
        assert_eq!(parse::<&str>(&[]), Ok(Command::Serve));
        assert_eq!(parse(&["sandbox"]), Ok(Command::Sandbox));
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
        assert_eq!(parse(&["session"]), Ok(Command::Session));
        assert!(parse(&["serv"]).is_err());
        assert!(parse(&["serve", "now"]).is_err());
    }

    #[test]
    fn minted_sessions_verify() {
        let secret = "cli-test-secret-cli-test-secret-cli-test";
        let vars = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let token =
            mint_session(&vars(&[("SESSION_SECRET", secret), ("SESSION_SUB", "b-1")])).unwrap();
        let session = crate::JwtSessions::new(&crate::Secret::new(secret))
            .verify_at(&token, crate::session::unix_now())
            .unwrap();
        assert_eq!(session.user_id, "b-1");
        assert_eq!(session.account_id, sandbox::DEMO_ACCOUNT_ID);
        assert!(mint_session(&vars(&[("SESSION_SECRET", "short")])).is_err());
        assert!(mint_session(&vars(&[
            ("SESSION_SECRET", secret),
            ("MOOV_ACCOUNT_ID", "x")
        ]))
        .is_err());
    }

    #[test]
    fn validate_reports_like_a_422() {
        let (out, code) = validate(
            r#"{"title":" Hi ","body":"<p onclick=x>yo</p>","contact":{"email":"a@b.co"}}"#,
        );
        assert_eq!(code, 0);
        assert_eq!(
            out,
            r#"{"title":"Hi","body":"<p>yo</p>","contact":{"email":"a@b.co"}}"#
        );
        let (out, code) = validate(r#"{"title":"","body":"x","contact":{"email":"nope"}}"#);
        assert_eq!(code, 1);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert!(v["title"].is_string() && v["contact"]["email"].is_string());
        assert!(v.get("body").is_none());
        assert_eq!(validate("{title").1, 2);
        assert_eq!(validate(r#"{"title":5}"#).1, 2);
    }
}
