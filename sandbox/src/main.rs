//! `moov-support-sandbox`: the Moov emulator on its own port, for load tests and for a proxy
//! started elsewhere with `MOOV_BASE_URL` pointing here.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use moov_support_sandbox::{
    SandboxOptions, DEMO_ACCOUNT_ID, SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY,
};

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
}

fn keys_help() -> String {
    format!(
        "Sandbox keys:\n  MOOV_PUBLIC_KEY={SANDBOX_PUBLIC_KEY}\n  MOOV_SECRET_KEY={SANDBOX_SECRET_KEY}\nDemo account: {DEMO_ACCOUNT_ID}"
    )
}

fn main() -> ExitCode {
    let args = Args::parse();
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
        let options = SandboxOptions {
            rate_limit_per_second: args.rate_limit_per_second,
            ..SandboxOptions::default()
        };
        let running = match moov_support_sandbox::spawn(options, args.addr).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: could not listen on {}: {e}", args.addr);
                return ExitCode::FAILURE;
            }
        };
        println!(
            "Moov sandbox listening on {} (demo account {DEMO_ACCOUNT_ID}; keys: see --help)",
            running.url()
        );
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
