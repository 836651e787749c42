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

/// The binary with none of the proxy's settings inherited from the test's environment.
fn proxy() -> Command {
    let mut command = Command::new(BIN);
    for var in SETTINGS
        .iter()
        .chain(["SESSION_SUB", "MOOV_ACCOUNT_ID"].iter())
    {
        command.env_remove(var);
    }
    command
}

/// Every variable `serve` reads.
const SETTINGS: [&str; 22] = [
    "MOOV_SANDBOX",
    "MOOV_SANDBOX_ALLOW_REMOTE",
    "MOOV_BASE_URL",
    "MOOV_PUBLIC_KEY",
    "MOOV_SECRET_KEY",
    "MOOV_VERSION",
    "MOOV_ORIGIN",
    "SESSION_SECRET",
    "ALLOWED_ORIGINS",
    "PROXY_ADDR",
    "UPSTREAM_TIMEOUT_MS",
    "REQUEST_TIMEOUT_MS",
    "USER_RATE_LIMIT_PER_MINUTE",
    "IP_RATE_LIMIT_PER_MINUTE",
    "TRUSTED_PROXY_HOPS",
    "MOOV_PARTNER_ACCOUNT_ID",
    "MOOV_READY_ACCOUNT_ID",
    "REDIS_URL",
    "STATIC_DIR",
    "LOCK_CONTACT",
    "RUST_LOG",
    "LOG_FORMAT",
];

/// Runs `proxy()` with `args` and `env` until it exits; (exit code, stdout, stderr).
fn refused(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let out = proxy()
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_and_mistakes() {
    let (code, out, _) = run(&["--help"], "");
    assert_eq!(code, 0);
    for command in ["serve", "sanitize", "validate", "session", "serve --help"] {
        assert!(out.contains(command), "{command} missing from:\n{out}");
    }
    let help = proxy().args(["serve", "--help"]).output().unwrap();
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    for var in SETTINGS {
        assert!(
            help.contains(&format!("[env: {var}")),
            "{var} missing from:\n{help}"
        );
    }
    let (code, _, err) = run(&["frobnicate"], "");
    assert_eq!(code, 2);
    assert!(
        err.contains("unrecognized subcommand 'frobnicate'"),
        "{err}"
    );
    // The emulator is its own binary now: `moov-support-sandbox`.
    let (code, _, _) = run(&["sandbox"], "");
    assert_eq!(code, 2);
}

#[test]
fn serve_refuses_a_bad_setting_by_name() {
    let (code, _, err) = refused(
        &["serve", "--sandbox"],
        &[
            ("MOOV_VERSION", "v2025.04.00"),
            ("PROXY_ADDR", "127.0.0.1:0"),
        ],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("MOOV_VERSION is invalid"), "{err}");
}

#[test]
fn serve_without_moov_settings_is_refused_never_a_silent_sandbox() {
    for args in [&["serve"][..], &[]] {
        let (code, out, err) = refused(args, &[("PROXY_ADDR", "127.0.0.1:0")]);
        assert_eq!(code, Some(1), "{err}");
        assert!(out.is_empty(), "{out}");
        for named in [
            "MOOV_BASE_URL",
            "MOOV_PUBLIC_KEY",
            "MOOV_SECRET_KEY",
            "--sandbox",
            "MOOV_SANDBOX=1",
        ] {
            assert!(err.contains(named), "{named} missing from: {err}");
        }
    }
    // A typo in a variable's name is no setting at all.
    let (code, _, err) = refused(&["serve"], &[("MOOV_BASEURL", "https://api.moov.io")]);
    assert_eq!(code, Some(1));
    assert!(err.contains("MOOV_BASE_URL is required"), "{err}");
}

#[test]
fn the_sandbox_with_moov_settings_is_a_conflict() {
    let (code, _, err) = refused(
        &["serve"],
        &[
            ("MOOV_SANDBOX", "1"),
            ("MOOV_BASE_URL", "https://api.moov.io"),
        ],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("MOOV_SANDBOX (--sandbox) cannot be combined with MOOV_BASE_URL"),
        "{err}"
    );
}

#[test]
fn the_sandbox_listens_on_loopback_unless_told_otherwise() {
    let (code, _, err) = refused(&["serve", "--sandbox"], &[("PROXY_ADDR", "0.0.0.0:0")]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("PROXY_ADDR 0.0.0.0:0 is not a loopback address"),
        "{err}"
    );
    assert!(
        err.contains("--sandbox-allow-remote") && err.contains("MOOV_SANDBOX_ALLOW_REMOTE=1"),
        "{err}"
    );

    let mut child = proxy()
        .args(["serve", "--sandbox", "--sandbox-allow-remote"])
        .env("PROXY_ADDR", "0.0.0.0:0")
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
        line.starts_with("moov-support-proxy listening on http://0.0.0.0:"),
        "{line}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn serve_runs_against_the_sandbox_logs_no_secrets_and_stops_on_sigterm() {
    let mut child = proxy()
        .args(["serve", "--sandbox"])
        .env("PROXY_ADDR", "127.0.0.1:0")
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "debug")
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
