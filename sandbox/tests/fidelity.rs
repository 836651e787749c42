//! What Moov's SDKs rely on: list page sizes, refresh tokens, the `latest` version.

use std::net::SocketAddr;

use moov_support_sandbox::{
    self as sandbox, RunningSandbox, SandboxOptions, DEMO_ACCOUNT_ID, SANDBOX_PUBLIC_KEY,
    SANDBOX_SECRET_KEY,
};
use reqwest::RequestBuilder;
use serde_json::{json, Value};

async fn start() -> RunningSandbox {
    let options = SandboxOptions {
        rate_limit_per_second: 10_000,
        ..SandboxOptions::default()
    };
    sandbox::spawn(options, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

fn tickets_url(sb: &RunningSandbox) -> String {
    format!("{}/accounts/{DEMO_ACCOUNT_ID}/tickets", sb.url())
}

fn by_key(req: RequestBuilder) -> RequestBuilder {
    req.basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
        .header("x-moov-version", "v2025.07.00")
}

async fn status_and_json(req: RequestBuilder) -> (u16, Value) {
    let answer = req.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

fn token_request(sb: &RunningSandbox, form: &[(&str, &str)]) -> RequestBuilder {
    reqwest::Client::new()
        .post(format!("{}/oauth2/token", sb.url()))
        .header("origin", "https://partner.example")
        .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
        .form(form)
}

#[tokio::test]
async fn a_page_holds_200_tickets_unless_asked_for_up_to_1000() {
    let sb = start().await;
    let client = reqwest::Client::new();
    let ticket = json!({
        "title": "Payout missing",
        "body": "<p>Where is my payout?</p>",
        "contact": {"email": "jordan@example.com"},
    });
    for _ in 0..201 {
        let (status, _) =
            status_and_json(by_key(client.post(tickets_url(&sb))).json(&ticket)).await;
        assert_eq!(status, 200);
    }
    let count = |page: &Value| page["items"].as_array().unwrap().len();

    let (status, first) = status_and_json(by_key(client.get(tickets_url(&sb)))).await;
    assert_eq!(status, 200);
    assert_eq!(count(&first), 200);
    assert_eq!(first["items"][0]["number"], 201);
    let cursor = first["nextPage"]["cursor"].as_str().unwrap();
    let (_, rest) = status_and_json(by_key(
        client.get(format!("{}?cursor={cursor}", tickets_url(&sb))),
    ))
    .await;
    assert_eq!(count(&rest), 1);
    assert!(rest.get("nextPage").is_none());

    let (status, all) = status_and_json(by_key(
        client.get(format!("{}?count=1000", tickets_url(&sb))),
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(count(&all), 201);
    for bad in ["1001", "0", "-1", "many"] {
        let (status, body) = status_and_json(by_key(
            client.get(format!("{}?count={bad}", tickets_url(&sb))),
        ))
        .await;
        assert_eq!(status, 400, "count={bad}");
        assert!(body["error"].as_str().unwrap().contains("1000"), "{body}");
    }
}

#[tokio::test]
async fn a_refresh_token_renews_the_access_token_once() {
    let sb = start().await;
    let scope = format!("/accounts/{DEMO_ACCOUNT_ID}/tickets.read");
    let (status, first) = status_and_json(token_request(
        &sb,
        &[("grant_type", "client_credentials"), ("scope", &scope)],
    ))
    .await;
    assert_eq!(status, 200);
    let refresh = first["refresh_token"].as_str().unwrap();

    let (status, renewed) = status_and_json(token_request(
        &sb,
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    ))
    .await;
    assert_eq!(status, 200, "{renewed}");
    assert_eq!(renewed["scope"], scope.as_str());
    assert_eq!(renewed["token_type"], "Bearer");
    assert_ne!(renewed["access_token"], first["access_token"]);
    assert_ne!(renewed["refresh_token"], first["refresh_token"]);
    // The renewed token reads, and only reads, like the one it renews.
    let token = renewed["access_token"].as_str().unwrap();
    let client = reqwest::Client::new();
    let read = client
        .get(tickets_url(&sb))
        .bearer_auth(token)
        .header("x-moov-version", "v2025.07.00");
    assert_eq!(status_and_json(read).await.0, 200);
    let write = client
        .post(tickets_url(&sb))
        .bearer_auth(token)
        .header("x-moov-version", "v2025.07.00")
        .json(&json!({}));
    assert_eq!(status_and_json(write).await.0, 403);

    // A refresh token works once; made-up ones and a missing one are refused.
    for form in [
        vec![("grant_type", "refresh_token"), ("refresh_token", refresh)],
        vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", "sbx_rt_made_up"),
        ],
        vec![("grant_type", "refresh_token")],
    ] {
        let (status, body) = status_and_json(token_request(&sb, &form)).await;
        assert_eq!(status, 400, "{form:?}: {body}");
        assert!(body["error"].is_string());
    }
    // The key pair is still needed.
    let next = renewed["refresh_token"].as_str().unwrap();
    let (status, _) = status_and_json(
        reqwest::Client::new()
            .post(format!("{}/oauth2/token", sb.url()))
            .header("origin", "https://partner.example")
            .form(&[("grant_type", "refresh_token"), ("refresh_token", next)]),
    )
    .await;
    assert_eq!(status, 401);
    // Revoking tokens revokes refresh tokens too.
    sb.handle.revoke_tokens();
    let (status, _) = status_and_json(token_request(
        &sb,
        &[("grant_type", "refresh_token"), ("refresh_token", next)],
    ))
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn latest_is_the_newest_version() {
    let sb = start().await;
    let client = reqwest::Client::new();
    for version in ["latest", "v9000.00.00", "v2026.10.00"] {
        let req = client
            .get(tickets_url(&sb))
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .header("x-moov-version", version);
        assert_eq!(status_and_json(req).await.0, 200, "{version}");
    }
    for (version, status) in [("newest", 400), ("v9000.00.01", 400), ("v2025.04.00", 404)] {
        let req = client
            .get(tickets_url(&sb))
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .header("x-moov-version", version);
        assert_eq!(status_and_json(req).await.0, status, "{version}");
    }
}
