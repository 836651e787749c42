//! The binary as an operator runs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_moov-support-proxy");

/// Runs a one-shot command with `stdin`; returns (exit code, stdout, stderr).
fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn sanitize_prints_the_policy_output() {
    let (code, out, _) = run(
        &["sanitize"],
        r#"<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x">there</a></p>"#,
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "<p>Hi <a rel=\"noopener noreferrer nofollow\">there</a></p>"
    );
}

#[test]
fn validate_answers_like_the_proxy() {
    let (code, out, _) = run(
        &["validate"],
        r#"{"title":"  Payout late ","body":"<p>Where is it?</p>","contact":{"email":"a@b.co","name":" "},"foreignID":"x"}"#,
    );
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"title":"Payout late","body":"<p>Where is it?</p>","contact":{"email":"a@b.co"}})
    );

    let (code, out, _) = run(
        &["validate"],
        r#"{"title":"","body":"<p>x</p>","contact":{"email":"bad"}}"#,
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["title"], "Enter a subject.");
    assert!(v["contact"]["email"].is_string());
    assert!(v.get("body").is_none());

    let (code, out, err) = run(&["validate"], "{not json");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("not ticket JSON"), "{err}");
}

#[test]
fn help_and_mistakes() {
    let (code, out, _) = run(&["--help"], "");
    assert_eq!(code, 0);
    assert!(out.contains("USAGE") && out.contains("MOOV_BASE_URL"));
    let (code, _, err) = run(&["frobnicate"], "");
    assert_eq!(code, 2);
    assert!(err.contains("unknown command `frobnicate`"));
}

#[test]
fn serve_refuses_a_bad_setting_by_name() {
    let out = Command::new(BIN)
        .arg("serve")
        .env("MOOV_VERSION", "v2025.04.00")
        .env("PROXY_ADDR", "127.0.0.1:0")
        .env_remove("MOOV_BASE_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("MOOV_VERSION"), "{err}");
}

#[tokio::test]
async fn serve_runs_against_the_sandbox_logs_no_secrets_and_stops_on_sigterm() {
    let mut child = Command::new(BIN)
        .arg("serve")
        .env("PROXY_ADDR", "127.0.0.1:0")
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "debug")
        .env_remove("MOOV_BASE_URL")
        .env_remove("MOOV_PUBLIC_KEY")
        .env_remove("MOOV_SECRET_KEY")
        .env_remove("SESSION_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("built-in Moov sandbox"), "{line}");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap()
        .to_owned();

    let http = reqwest::Client::new();
    let session: serde_json::Value = http
        .get(format!("{url}/api/dev/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    let reply = http
        .post(format!("{url}/api/support/tickets"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"title": "Hello", "body": "<p>secret words</p>", "contact": {"email": "a@b.co"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let request_id = reply.headers()["x-request-id"].to_str().unwrap().to_owned();

    let terminated = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();

    assert!(
        logs.contains(&request_id),
        "the request is logged with its id:\n{logs}"
    );
    assert!(logs.contains("demo-user"), "the user is logged:\n{logs}");
    for secret in [
        token.as_str(),
        "sandbox-secret-key",
        "sbx_at_",
        "secret words",
    ] {
        assert!(
            !logs.contains(secret),
            "{secret:?} leaked into the logs:\n{logs}"
        );
    }
}

#[tokio::test]
async fn the_sandbox_runs_alone() {
    let mut child = Command::new(BIN)
        .arg("sandbox")
        .env("SANDBOX_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.starts_with("Moov sandbox listening on http://127.0.0.1:"),
        "{line}"
    );
    let url = line.split_whitespace().nth(4).unwrap().to_owned();
    let answer = reqwest::Client::new()
        .post(format!("{url}/oauth2/token"))
        .header("origin", "http://localhost")
        .basic_auth(
            "sandbox-public-key",
            Some("sandbox-secret-key-not-for-production"),
        )
        .form(&[
            ("grant_type", "client_credentials"),
            (
                "scope",
                "/accounts/5e1f6a3c-0b7d-4c39-9a8e-2f4d6b8c1a27/tickets.write",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}
