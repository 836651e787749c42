//! The proxy process killed (SIGKILL) while Moov is creating a ticket, then started again:
//! the widget keeps its draft, retries with the same `Idempotency-Key`, and gets the ticket
//! Moov already has. Moov ends up holding exactly one.
//!
//! The Moov sandbox runs in this test process over real HTTP, so it outlives the proxy and
//! its faults and tickets can be read directly.

use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use moov_support_proxy::session::unix_now;
use moov_support_proxy::{JwtSessions, Secret, Session};
use moov_support_sandbox::{
    self as sandbox, Fault, RunningSandbox, SandboxOptions, DEMO_ACCOUNT_ID, SANDBOX_PUBLIC_KEY,
    SANDBOX_SECRET_KEY,
};
use serde_json::{json, Value};
use tokio::process::{Child, Command};
use uuid::Uuid;

#[path = "support/redis.rs"]
mod redis;
use redis::Redis;

const SECRET: &str = "restart-test-session-secret-0123456789abcdef";
/// Each Moov call's bound.
const UPSTREAM_TIMEOUT_MS: &str = "2000";
/// Each request's bound; a Redis claim left by a killed process expires this + 1 s later.
const REQUEST_TIMEOUT_MS: &str = "3000";

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// `moov-support-proxy serve` in front of `moov_url`, configured from nothing but the
/// variables given here, and answering on `addr`.
async fn start_proxy(addr: SocketAddr, moov_url: &str, redis_url: Option<&str>) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_moov-support-proxy"));
    command
        .arg("serve")
        .env_clear()
        .env("MOOV_BASE_URL", moov_url)
        .env("MOOV_PUBLIC_KEY", SANDBOX_PUBLIC_KEY)
        .env("MOOV_SECRET_KEY", SANDBOX_SECRET_KEY)
        .env("SESSION_SECRET", SECRET)
        .env("PROXY_ADDR", addr.to_string())
        .env("ALLOWED_ORIGINS", "https://partner.example")
        .env("UPSTREAM_TIMEOUT_MS", UPSTREAM_TIMEOUT_MS)
        .env("REQUEST_TIMEOUT_MS", REQUEST_TIMEOUT_MS)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true);
    if let Some(url) = redis_url {
        command.env("REDIS_URL", url);
    }
    let mut child = command.spawn().expect("the proxy binary starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the proxy exited at start: {status}");
        }
        let health = reqwest::get(format!("http://{addr}/healthz")).await;
        if health.is_ok_and(|r| r.status() == 200) {
            return child;
        }
        assert!(
            Instant::now() < deadline,
            "the proxy did not answer /healthz"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn session() -> String {
    JwtSessions::new(&Secret::new(SECRET)).mint(
        &Session {
            user_id: "u-restart".into(),
            account_id: DEMO_ACCOUNT_ID,
            email: None,
            name: None,
            scope: moov_support_proxy::SupportScope::Own,
            expires_at: None,
        },
        unix_now() + 600,
    )
}

/// What the widget sends for one draft; `Err` when no answer came at all.
async fn submit(addr: SocketAddr, key: String) -> Result<(u16, Value), reqwest::Error> {
    let response = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?
        .post(format!("http://{addr}/api/support/tickets"))
        .bearer_auth(session())
        .header("idempotency-key", key)
        .json(&json!({
            "title": "Payout missing",
            "body": "<p>My payout from <strong>Friday</strong> has not arrived.</p>",
            "contact": {"email": "jordan@example.com", "name": "Jordan Lee"}
        }))
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

/// Submits like a user pressing Send again while told the submission is still in progress:
/// a dead process's claim may outlast one request's wait.
async fn submit_until_settled(addr: SocketAddr, key: &str) -> (u16, Value) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = submit(addr, key.to_owned()).await.unwrap();
        if status != 409 || Instant::now() > deadline {
            return (status, body);
        }
        assert!(
            body["error"].as_str().unwrap().contains("in progress"),
            "{body}"
        );
    }
}

async fn killed_mid_submit_then_retried(redis_url: Option<&str>) {
    let moov: RunningSandbox = sandbox::spawn(SandboxOptions::default(), free_addr())
        .await
        .unwrap();
    let addr = free_addr();
    let mut proxy = start_proxy(addr, &moov.url(), redis_url).await;
    // Moov files the ticket at once and answers late: the proxy is mid-forward when killed.
    moov.handle.push_fault(Fault {
        delay_ms: Some(5_000),
        ..Fault::default()
    });
    let key = Uuid::new_v4().to_string();
    let first = tokio::spawn(submit(addr, key.clone()));
    let deadline = Instant::now() + Duration::from_secs(10);
    while moov.handle.tickets(DEMO_ACCOUNT_ID).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the ticket never reached the sandbox"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    proxy.kill().await.unwrap();
    let killed = proxy.wait().await.unwrap();
    assert_eq!(killed.signal(), Some(9), "{killed}");
    let cut = first.await.unwrap();
    assert!(
        cut.is_err(),
        "the first submission must end without an answer, got {cut:?}"
    );

    let _restarted = start_proxy(addr, &moov.url(), redis_url).await;
    let (status, retried) = submit_until_settled(addr, &key).await;
    assert_eq!(status, 200, "{retried}");
    let stored = moov.handle.tickets(DEMO_ACCOUNT_ID);
    assert_eq!(stored.len(), 1, "Moov holds exactly one ticket");
    assert_eq!(retried["ticketID"], json!(stored[0].ticket.ticket_id));
    assert_eq!(retried["foreignID"], json!(key));
    assert_eq!(moov.handle.create_requests(), 1);
    // Once found, the ticket is remembered: a further retry does not even look.
    let (status, again) = submit(addr, key).await.unwrap();
    assert_eq!((status, &again["ticketID"]), (200, &retried["ticketID"]));
    assert_eq!(moov.handle.tickets(DEMO_ACCOUNT_ID).len(), 1);
    assert_eq!(moov.handle.create_requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_killed_mid_submit_and_restarted_files_one_ticket() {
    killed_mid_submit_then_retried(None).await;
}

/// With Redis the record says `pending` across the restart; the retry waits out the dead
/// process's claim, then looks the key up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_a_proxy_killed_mid_submit_and_restarted_files_one_ticket() {
    let redis = Redis::start().await;
    killed_mid_submit_then_retried(Some(&redis.url)).await;
}

/// Redis killed under a running proxy, down for a while, and started again with what it had
/// written to disk, as a managed Redis restarts: meanwhile the proxy answers 503, then it
/// reconnects by itself, the widget's retry of a ticket filed before gets that ticket, and a
/// new one is filed once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_redis_restarts_the_proxy_serves_again_within_seconds_with_one_ticket_per_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut redis = Redis::start_persistent(dir.path()).await;
    let moov: RunningSandbox = sandbox::spawn(SandboxOptions::default(), free_addr())
        .await
        .unwrap();
    let addr = free_addr();
    let _proxy = start_proxy(addr, &moov.url(), Some(&redis.url)).await;
    let key = Uuid::new_v4().to_string();
    let (status, filed) = submit(addr, key.clone()).await.unwrap();
    assert_eq!(status, 200, "{filed}");

    redis.stop();
    let down = Instant::now();
    let (status, body) = submit(addr, key.clone()).await.unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("shared store"),
        "{body}"
    );
    // Down for longer than the proxy's reconnect attempts last.
    tokio::time::sleep(Duration::from_secs(2)).await;
    redis.start_again().await;
    let up = Instant::now();
    // The widget keeps the draft and sends it again while told to try again in a moment.
    let mut refused = 0;
    let (status, retried) = loop {
        let (status, body) = submit(addr, key.clone()).await.unwrap();
        if status != 503 {
            break (status, body);
        }
        assert!(
            body["error"].as_str().unwrap().contains("shared store"),
            "{body}"
        );
        refused += 1;
        assert!(
            up.elapsed() < Duration::from_secs(10),
            "the proxy did not use Redis again: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let recovered = up.elapsed();
    println!(
        "redis restart: down {:?}; the proxy filed again {recovered:?} after Redis answered, \
         having answered 503 {refused} time(s)",
        up - down
    );
    assert_eq!(status, 200, "{retried}");
    assert!(recovered < Duration::from_secs(5), "{recovered:?}");
    assert_eq!(retried["ticketID"], filed["ticketID"]);
    assert_eq!(moov.handle.tickets(DEMO_ACCOUNT_ID).len(), 1);
    assert_eq!(moov.handle.create_requests(), 1);

    let (status, other) = submit(addr, Uuid::new_v4().to_string()).await.unwrap();
    assert_eq!(status, 200, "{other}");
    assert_ne!(other["ticketID"], filed["ticketID"]);
    assert_eq!(moov.handle.tickets(DEMO_ACCOUNT_ID).len(), 2);
    assert_eq!(moov.handle.create_requests(), 2);
}
