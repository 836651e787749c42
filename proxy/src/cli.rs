//! The command line, parsed by clap from [`crate::settings::Cli`]: `serve` (the default),
//! `sanitize`, `validate` and `session`.

use std::ffi::OsString;
use std::io::Read;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use moov_support::{rules, sanitize};

use crate::api::NewTicket;
use crate::config::{Config, ConfigError};
use crate::server::Proxy;
use crate::settings::{self, Cli, Command, LogFormat, SessionArgs};

/// Runs the program; the exit code is the process's: 0 done, 1 a setting or a failure to
/// run, 2 a command line clap cannot read.
pub fn main() -> ExitCode {
    forget_empty_variables();
    let cli = match Cli::try_parse_from(with_default_command(std::env::args_os().collect())) {
        Ok(cli) => cli,
        Err(e) => return refuse(e),
    };
    match cli.command {
        Command::Session(args) => match mint_session(&args) {
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
        Command::Serve(args) => {
            let (log, format) = (args.log.clone(), args.log_format);
            let config = match Config::from_args(*args) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            };
            if let Err(e) = init_logging(&log, format) {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
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
            match runtime.block_on(serve(config)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// clap has no default subcommand: a bare invocation, or one starting with a setting's
/// flag, means `serve`.
fn with_default_command(mut args: Vec<OsString>) -> Vec<OsString> {
    let first = args.get(1).and_then(|a| a.to_str());
    let top_level = matches!(first, Some("-h" | "--help" | "-V" | "--version"));
    if first.is_none_or(|f| f.starts_with('-') && !top_level) {
        args.insert(1.min(args.len()), "serve".into());
    }
    args
}

/// An empty variable counts as unset, as in `Config::from_map`: a deployment template that
/// leaves `REDIS_URL=` blank means "no Redis", not an invalid URL. Runs before any thread
/// starts, which is what makes changing the environment sound.
fn forget_empty_variables() {
    let command = Cli::command();
    let names: Vec<OsString> = command
        .get_subcommands()
        .flat_map(|c| c.get_arguments())
        .filter_map(|a| a.get_env().map(|e| e.to_owned()))
        .collect();
    for name in names {
        if std::env::var_os(&name).is_some_and(|v| v.to_string_lossy().trim().is_empty()) {
            std::env::remove_var(&name);
        }
    }
}

/// Help and version on stdout; a bad value named by its variable (exit 1, like every other
/// setting); anything else as clap explains it (exit 2).
fn refuse(error: clap::Error) -> ExitCode {
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
    }
    match settings::from_clap(&Cli::command(), error) {
        ConfigError::Usage(message) => {
            eprint!("{message}");
            ExitCode::from(2)
        }
        other => {
            eprintln!("error: {other}");
            ExitCode::FAILURE
        }
    }
}

/// `session`: a one-hour token for `SESSION_SUB` on `MOOV_ACCOUNT_ID`.
pub fn mint_session(args: &SessionArgs) -> Result<String, String> {
    #[cfg(feature = "sandbox")]
    let account = args
        .account
        .unwrap_or(moov_support_sandbox::DEMO_ACCOUNT_ID);
    #[cfg(not(feature = "sandbox"))]
    let account = args.account.ok_or(
        "MOOV_ACCOUNT_ID is required: this build has no sandbox demo account to default to",
    )?;
    let session = crate::Session {
        user_id: args.sub.clone(),
        account_id: account,
        email: None,
        name: None,
        scope: crate::session::SupportScope::Own,
        expires_at: None,
    };
    let signer = crate::JwtSessions::new(&args.session_secret);
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

async fn serve(config: Config) -> Result<(), String> {
    let sandboxed = config.is_sandbox();
    let running = Proxy::new(config)
        .start()
        .await
        .map_err(|e| e.to_string())?;
    if sandboxed {
        #[cfg(feature = "sandbox")]
        println!(
            "moov-support-proxy listening on {} against the built-in Moov sandbox at {} (demo account {}; dev routes /api/dev/session and /api/dev/faults enabled)",
            running.url(),
            running.moov_url,
            moov_support_sandbox::DEMO_ACCOUNT_ID
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

fn init_logging(log: &str, format: LogFormat) -> Result<(), ConfigError> {
    use tracing_subscriber::EnvFilter;
    let mut filter = EnvFilter::try_new(log).map_err(|e| ConfigError::Invalid {
        var: "RUST_LOG".into(),
        reason: format!("`{log}` is not a log filter ({e})"),
    })?;
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
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
    Ok(())
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

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn serve_is_the_default_command() {
        let run = |list: &[&str]| with_default_command(args(list));
        assert_eq!(run(&["p"]), args(&["p", "serve"]));
        assert_eq!(run(&["p", "--sandbox"]), args(&["p", "serve", "--sandbox"]));
        assert_eq!(run(&["p", "--help"]), args(&["p", "--help"]));
        assert_eq!(run(&["p", "session"]), args(&["p", "session"]));
        let cli = Cli::try_parse_from(run(&["p", "--sandbox", "--addr=127.0.0.1:9"])).unwrap();
        let Command::Serve(serve) = cli.command else {
            panic!("expected serve")
        };
        assert!(serve.sandbox && serve.addr.port() == 9);
        assert!(Cli::try_parse_from(run(&["p", "serv"])).is_err());
        assert!(Cli::try_parse_from(run(&["p", "sanitize", "now"])).is_err());
    }

    #[cfg(feature = "sandbox")]
    #[test]
    fn minted_sessions_verify() {
        let secret = "cli-test-secret-cli-test-secret-cli-test";
        let session_args = |pairs: &[(&str, &str)]| {
            let env: std::collections::HashMap<String, String> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            settings::parse_with_env::<SessionArgs>(&[], &env)
        };
        let token = mint_session(
            &session_args(&[("SESSION_SECRET", secret), ("SESSION_SUB", "b-1")]).unwrap(),
        )
        .unwrap();
        let session = crate::JwtSessions::new(&crate::Secret::new(secret))
            .verify_at(&token, crate::session::unix_now())
            .unwrap();
        assert_eq!(session.user_id, "b-1");
        assert_eq!(session.account_id, moov_support_sandbox::DEMO_ACCOUNT_ID);
        let short = session_args(&[("SESSION_SECRET", "short")]).unwrap_err();
        assert!(
            short.to_string().starts_with("SESSION_SECRET is invalid"),
            "{short}"
        );
        let account =
            session_args(&[("SESSION_SECRET", secret), ("MOOV_ACCOUNT_ID", "x")]).unwrap_err();
        assert!(
            account
                .to_string()
                .starts_with("MOOV_ACCOUNT_ID is invalid"),
            "{account}"
        );
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
