//! Starting a sandbox and a proxy on loopback ports, and talking to them like the widget.

use std::collections::HashMap;
use std::net::SocketAddr;

use moov_support_proxy::config::Secret;
use moov_support_proxy::session::unix_now;
use moov_support_proxy::{Config, JwtSessions, Proxy, RunningProxy, Session};
use moov_support_sandbox::{
    self as sandbox, RunningSandbox, SandboxHandle, SandboxOptions, DEMO_ACCOUNT_ID,
    SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY,
};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use uuid::Uuid;

pub const SECRET: &str = "integration-test-session-secret-0123456789";
pub const ACCOUNT: Uuid = DEMO_ACCOUNT_ID;

pub fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A proxy in front of a sandbox started separately, as a real deployment would point at
/// Moov: no dev routes, keys from the environment.
pub struct Env {
    pub proxy: RunningProxy,
    pub sandbox: RunningSandbox,
    pub http: reqwest::Client,
}

impl Env {
    pub async fn start(extra: &[(&str, &str)]) -> Env {
        Env::start_with(SandboxOptions::default(), extra).await
    }

    pub async fn start_with(options: SandboxOptions, extra: &[(&str, &str)]) -> Env {
        crate::logs::capture();
        let sandbox = sandbox::spawn(options, loopback()).await.unwrap();
        let proxy = start_proxy(&sandbox.url(), extra).await;
        Env {
            proxy,
            sandbox,
            http: client(),
        }
    }

    /// Another proxy instance in front of the same sandbox.
    pub async fn another_proxy(&self, extra: &[(&str, &str)]) -> RunningProxy {
        start_proxy(&self.sandbox.url(), extra).await
    }

    /// `GET path` with a session token.
    pub async fn get_as(&self, token: &str, path: &str) -> Reply {
        Reply::read(
            self.http
                .get(self.url(path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub fn moov(&self) -> &SandboxHandle {
        &self.sandbox.handle
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.proxy.url())
    }

    /// Files `body` as a user of the demo account.
    pub async fn post(&self, body: &Value, key: Option<&str>) -> Reply {
        self.post_as(&token("u-1", ACCOUNT), body, key).await
    }

    pub async fn post_as(&self, token: &str, body: &Value, key: Option<&str>) -> Reply {
        let mut req = self
            .http
            .post(self.url("/api/support/tickets"))
            .bearer_auth(token)
            .json(body);
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        Reply::read(req.send().await.unwrap()).await
    }
}

/// A proxy with the sandbox's keys in front of `moov_url`, as a deployment would be.
pub async fn start_proxy(moov_url: &str, extra: &[(&str, &str)]) -> RunningProxy {
    let mut vars = vars(&[
        ("MOOV_BASE_URL", moov_url),
        ("MOOV_PUBLIC_KEY", SANDBOX_PUBLIC_KEY),
        ("MOOV_SECRET_KEY", SANDBOX_SECRET_KEY),
        ("SESSION_SECRET", SECRET),
        ("PROXY_ADDR", "127.0.0.1:0"),
        ("UPSTREAM_TIMEOUT_MS", "2000"),
        ("ALLOWED_ORIGINS", "https://partner.example"),
    ]);
    vars.extend(self::vars(extra));
    Proxy::new(Config::from_map(&vars).unwrap())
        .start()
        .await
        .unwrap()
}

/// Posts `body` to the proxy at `base` as `token`.
pub async fn post_to(base: &str, token: &str, body: &Value, key: Option<&str>) -> Reply {
    let mut req = client()
        .post(format!("{base}/api/support/tickets"))
        .bearer_auth(token)
        .json(body);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    Reply::read(req.send().await.unwrap()).await
}

pub fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap()
}

/// A session token as the partner's app would sign it.
pub fn token(sub: &str, account: Uuid) -> String {
    signed(sub, account, unix_now() + 600, SECRET)
}

pub fn signed(sub: &str, account: Uuid, exp: i64, secret: &str) -> String {
    JwtSessions::new(&Secret::new(secret)).mint(
        &Session {
            user_id: sub.into(),
            account_id: account,
            email: Some("jordan@example.com".into()),
            name: None,
            scope: moov_support_proxy::SupportScope::Own,
            expires_at: None,
        },
        exp,
    )
}

pub fn ticket() -> Value {
    json!({
        "title": "Payout missing",
        "body": "<p>My payout from <strong>Friday</strong> has not arrived.</p>",
        "contact": {"email": "jordan@example.com", "name": "Jordan Lee"}
    })
}

/// A whole answer, read once.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub async fn read(r: reqwest::Response) -> Reply {
        Reply {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            text: r.text().await.unwrap(),
        }
    }

    /// The body as JSON; fails the test when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {:?}", self.status, self.text))
    }

    pub fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message: {}", self.text))
            .to_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `x-request-id`, checked to be a UUID.
    pub fn request_id(&self) -> Uuid {
        let id = self
            .header("x-request-id")
            .unwrap_or_else(|| panic!("no x-request-id on a {} answer", self.status));
        Uuid::parse_str(id).unwrap_or_else(|_| panic!("x-request-id {id} is not a UUID"))
    }

    /// Moov's id for the call that decided the answer (`x-moov-request-id`), when Moov
    /// answered.
    pub fn moov_request_id(&self) -> Option<&str> {
        self.header("x-moov-request-id")
    }
}

/// A session token with the claims the visibility rule reads.
pub fn session_token(
    sub: &str,
    account: Uuid,
    email: Option<&str>,
    scope: moov_support_proxy::SupportScope,
    exp: i64,
) -> String {
    JwtSessions::new(&Secret::new(SECRET)).mint(
        &Session {
            user_id: sub.into(),
            account_id: account,
            email: email.map(str::to_owned),
            name: None,
            scope,
            expires_at: None,
        },
        exp,
    )
}

impl Env {
    /// `PATCH path` with a session token and a raw JSON body.
    pub async fn patch_as(&self, token: &str, path: &str, body: &str) -> Reply {
        Reply::read(
            self.http
                .patch(self.url(path))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body.to_owned())
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

/// A proxy in sandbox mode (`MOOV_SANDBOX=1`, its own sandbox inside) with `extra` settings.
#[cfg(feature = "sandbox")]
pub async fn start_sandboxed(extra: &[(&str, &str)]) -> moov_support_proxy::RunningProxy {
    let mut settings = vars(&[("MOOV_SANDBOX", "1"), ("PROXY_ADDR", "127.0.0.1:0")]);
    settings.extend(vars(extra));
    moov_support_proxy::Proxy::new(moov_support_proxy::Config::from_map(&settings).unwrap())
        .start()
        .await
        .unwrap()
}

/// Files a ticket as the sandbox's demo user; answers the session token and the ticket.
#[cfg(feature = "sandbox")]
pub async fn filed_as_demo_user(proxy: &moov_support_proxy::RunningProxy) -> (String, Value) {
    let session = Reply::read(
        client()
            .get(format!("{}/api/dev/session", proxy.url()))
            .send()
            .await
            .unwrap(),
    )
    .await
    .json();
    let token = session["token"].as_str().unwrap().to_owned();
    let created = Reply::read(
        client()
            .post(format!("{}/api/support/tickets", proxy.url()))
            .bearer_auth(&token)
            .json(&ticket())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    (token, created.json())
}

/// Moov support answers `ticket_id` through the sandbox's dev route of the proxy at `base`
/// (the demo's agent page does the same); `body` is sent as it is, JSON or not.
pub async fn agent_reply(base: &str, ticket_id: &str, body: &str) -> Reply {
    Reply::read(
        client()
            .post(format!("{base}/api/dev/tickets/{ticket_id}/reply"))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap(),
    )
    .await
}
