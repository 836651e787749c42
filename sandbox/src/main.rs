//! `moov-support-sandbox`: the Moov emulator on its own port, for load tests and for a proxy
//! started elsewhere with `MOOV_BASE_URL` pointing here.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use moov_support_sandbox::{
    SandboxOptions, WebhookTarget, DEMO_ACCOUNT_ID, SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY,
};
use uuid::Uuid;

/// A local emulator of Moov's OAuth and support-ticket API. Its keys are valid against it
/// and nowhere else.
#[derive(Debug, Parser)]
#[command(name = "moov-support-sandbox", version, after_help = keys_help())]
struct Args {
    /// Listen address; port 0 picks a free one.
    #[arg(long, env = "SANDBOX_ADDR", default_value = moov_support_sandbox::DEFAULT_ADDR)]
    addr: SocketAddr,
    /// Requests per IP and account per second (Moov's own limit); raise it for load tests.
    #[arg(long, env = "SANDBOX_RATE_LIMIT_PER_SECOND", default_value_t = moov_support_sandbox::RATE_LIMIT_PER_SECOND, value_parser = clap::value_parser!(u32).range(1..))]
    rate_limit_per_second: u32,
    /// More accounts the sandbox key can reach (comma-separated UUIDs), for multi-account
    /// partners and isolation tests; the demo account is always there.
    #[arg(long, env = "SANDBOX_ACCOUNTS", value_delimiter = ',')]
    accounts: Vec<Uuid>,
    /// Where ticket webhooks go (`ticket.created`, `ticket.updated`,
    /// `ticket.messageAdded`), e.g. http://127.0.0.1:3000/api/support/webhooks/moov; needs
    /// --webhook-secret.
    #[arg(long, env = "SANDBOX_WEBHOOK_URL")]
    webhook_url: Option<String>,
    /// The webhook's signing secret, as Moov's dashboard shows it; needs --webhook-url.
    #[arg(long, env = "SANDBOX_WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: Option<String>,
}

/// The webhook settings: both or neither.
fn webhook_target(args: &Args) -> Result<Option<WebhookTarget>, String> {
    fn set(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    match (set(&args.webhook_url), set(&args.webhook_secret)) {
        (None, None) => Ok(None),
        (Some(_), None) => Err("SANDBOX_WEBHOOK_URL (--webhook-url) is set but SANDBOX_WEBHOOK_SECRET (--webhook-secret) is not: set both to send webhooks, or neither".into()),
        (None, Some(_)) => Err("SANDBOX_WEBHOOK_SECRET (--webhook-secret) is set but SANDBOX_WEBHOOK_URL (--webhook-url) is not: set both to send webhooks, or neither".into()),
        (Some(url), Some(secret)) => {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!("SANDBOX_WEBHOOK_URL (--webhook-url) must be an http:// or https:// URL, not `{url}`"));
            }
            Ok(Some(WebhookTarget {
                url: url.to_owned(),
                secret: secret.to_owned(),
            }))
        }
    }
}

fn keys_help() -> String {
    format!(
        "Sandbox keys:\n  MOOV_PUBLIC_KEY={SANDBOX_PUBLIC_KEY}\n  MOOV_SECRET_KEY={SANDBOX_SECRET_KEY}\nDemo account: {DEMO_ACCOUNT_ID}"
    )
}

fn main() -> ExitCode {
    let args = Args::parse();
    let webhook = match webhook_target(&args) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let mut options = SandboxOptions {
            rate_limit_per_second: args.rate_limit_per_second,
            ..SandboxOptions::default()
        };
        for account in &args.accounts {
            if !options.accounts.contains(account) {
                options.accounts.push(*account);
            }
        }
        let running = match moov_support_sandbox::spawn(options, args.addr).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: could not listen on {}: {e}", args.addr);
                return ExitCode::FAILURE;
            }
        };
        if let Some(target) = &webhook {
            eprintln!("sending ticket webhooks to {}", target.url);
        }
        running.handle.set_webhook(webhook);
        println!(
            "Moov sandbox listening on {} (demo account {DEMO_ACCOUNT_ID}; keys: see --help)",
            running.url()
        );
        if !args.accounts.is_empty() {
            let list: Vec<String> = args.accounts.iter().map(Uuid::to_string).collect();
            eprintln!("also reachable with the sandbox key: {}", list.join(", "));
        }
        shutdown_signal().await;
        running.shutdown().await;
        ExitCode::SUCCESS
    })
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
