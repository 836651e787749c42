//! The sandbox binary as a developer runs it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use axum::routing::post;
use axum::Router;
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_moov-support-sandbox");
const DEMO_ACCOUNT: &str = "5e1f6a3c-0b7d-4c39-9a8e-2f4d6b8c1a27";

/// Starts the binary with `env`; answers the process and its base URL.
fn run(env: &[(&str, &str)]) -> (Child, String) {
    let mut command = Command::new(BIN);
    command
        .env("SANDBOX_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .env_remove("SANDBOX_ACCOUNTS")
        .env_remove("SANDBOX_WEBHOOK_URL")
        .env_remove("SANDBOX_WEBHOOK_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.starts_with("Moov sandbox listening on http://127.0.0.1:"),
        "{line}"
    );
    let url = line.split_whitespace().nth(4).unwrap().to_owned();
    (child, url)
}

fn stop(mut child: Child) {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}

async fn token_status(url: &str, account: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{url}/oauth2/token"))
        .header("origin", "http://localhost")
        .basic_auth(
            "sandbox-public-key",
            Some("sandbox-secret-key-not-for-production"),
        )
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", &format!("/accounts/{account}/tickets.write")),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_sandbox_runs_alone() {
    let (child, url) = run(&[]);
    assert_eq!(token_status(&url, DEMO_ACCOUNT).await, 200);
    stop(child);
}

#[tokio::test]
async fn more_accounts_can_be_reached() {
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let (child, url) = run(&[("SANDBOX_ACCOUNTS", &format!("{a},{b}"))]);
    for account in [a, b] {
        assert_eq!(token_status(&url, &account.to_string()).await, 200);
    }
    assert_eq!(token_status(&url, DEMO_ACCOUNT).await, 200);
    assert_eq!(token_status(&url, &Uuid::new_v4().to_string()).await, 403);
    stop(child);
}

#[tokio::test]
async fn webhooks_go_where_the_settings_say() {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let record = seen.clone();
    let app = Router::new().route(
        "/hook",
        post(
            move |headers: axum::http::HeaderMap, body: String| async move {
                assert!(headers.contains_key("x-signature"));
                record.lock().unwrap().push(body);
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (child, url) = run(&[
        ("SANDBOX_WEBHOOK_URL", &hook),
        ("SANDBOX_WEBHOOK_SECRET", "whsec-cli"),
    ]);
    let created = reqwest::Client::new()
        .post(format!("{url}/accounts/{DEMO_ACCOUNT}/tickets"))
        .basic_auth(
            "sandbox-public-key",
            Some("sandbox-secret-key-not-for-production"),
        )
        .header("x-moov-version", "latest")
        .json(&serde_json::json!({
            "title": "Payout missing",
            "body": "<p>Where is my payout?</p>",
            "contact": {"email": "jordan@example.com"},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    for _ in 0..200 {
        if !seen.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].contains("\"ticket.created\""), "{}", seen[0]);
    stop(child);
}

/// Runs the binary expecting it to refuse to start; answers its error output.
fn refused(env: &[(&str, &str)]) -> String {
    let mut command = Command::new(BIN);
    command
        .env("SANDBOX_ADDR", "127.0.0.1:0")
        .env_remove("SANDBOX_ACCOUNTS")
        .env_remove("SANDBOX_WEBHOOK_URL")
        .env_remove("SANDBOX_WEBHOOK_SECRET");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{env:?}");
    assert!(out.stdout.is_empty(), "{env:?} started anyway");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_bad_setting_is_refused_by_name() {
    let err = refused(&[("SANDBOX_RATE_LIMIT_PER_SECOND", "0")]);
    assert!(err.contains("--rate-limit-per-second"), "{err}");
    let err = refused(&[("SANDBOX_ACCOUNTS", "not-a-uuid")]);
    assert!(err.contains("--accounts"), "{err}");
    let help = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for name in [
        "SANDBOX_RATE_LIMIT_PER_SECOND",
        "SANDBOX_ACCOUNTS",
        "SANDBOX_WEBHOOK_URL",
        "SANDBOX_WEBHOOK_SECRET",
        "sandbox-public-key",
    ] {
        assert!(help.contains(name), "--help lacks {name}");
    }
}

#[test]
fn webhook_settings_come_in_pairs() {
    let err = refused(&[("SANDBOX_WEBHOOK_URL", "http://127.0.0.1:3000/hook")]);
    assert!(err.contains("SANDBOX_WEBHOOK_SECRET"), "{err}");
    let err = refused(&[("SANDBOX_WEBHOOK_SECRET", "whsec-only")]);
    assert!(err.contains("SANDBOX_WEBHOOK_URL"), "{err}");
    assert!(
        !err.contains("whsec-only"),
        "the secret is never echoed: {err}"
    );
    let err = refused(&[
        ("SANDBOX_WEBHOOK_URL", "ftp://example.com/hook"),
        ("SANDBOX_WEBHOOK_SECRET", "whsec"),
    ]);
    assert!(err.contains("SANDBOX_WEBHOOK_URL"), "{err}");
}
