//! The sandbox binary as a developer runs it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_moov-support-sandbox");

#[tokio::test]
async fn the_sandbox_runs_alone() {
    let mut child = Command::new(BIN)
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

#[test]
fn a_bad_setting_is_refused_by_name() {
    let out = Command::new(BIN)
        .env("SANDBOX_RATE_LIMIT_PER_SECOND", "0")
        .env("SANDBOX_ADDR", "127.0.0.1:0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--rate-limit-per-second"), "{err}");
    let help = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("SANDBOX_RATE_LIMIT_PER_SECOND") && help.contains("sandbox-public-key"));
}
