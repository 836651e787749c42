//! Answering a ticket over the sandbox's own HTTP route, for a sandbox run without a proxy.

use std::net::SocketAddr;

use moov_support_sandbox::{
    self as sandbox, SandboxOptions, DEMO_ACCOUNT_ID, SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY,
    SUPPORT_AUTHOR,
};
use serde_json::{json, Value};
use uuid::Uuid;

#[tokio::test]
async fn support_answers_with_the_key_pair() {
    let sb = sandbox::spawn(
        SandboxOptions::default(),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .unwrap();
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!("{}/accounts/{DEMO_ACCOUNT_ID}/tickets", sb.url()))
        .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
        .header("x-moov-version", "v2025.07.00")
        .json(&json!({
            "title": "Payout missing",
            "body": "<p>Where is my payout?</p>",
            "contact": {"email": "jordan@example.com"},
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["ticketID"].as_str().unwrap();
    let url = |account: Uuid, ticket: &str| {
        format!(
            "{}/sandbox/accounts/{account}/tickets/{ticket}/reply",
            sb.url()
        )
    };
    let answer = json!({"body": "<p>Found it.</p>", "status": "on-hold"});

    let anonymous = client
        .post(url(DEMO_ACCOUNT_ID, id))
        .json(&answer)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong_key = client
        .post(url(DEMO_ACCOUNT_ID, id))
        .basic_auth(SANDBOX_PUBLIC_KEY, Some("wrong"))
        .json(&answer)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_key.status(), 401);
    for (account, ticket) in [(Uuid::new_v4(), id), (DEMO_ACCOUNT_ID, "no-such-ticket")] {
        let missing = client
            .post(url(account, ticket))
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .json(&answer)
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
    }
    let invalid = client
        .post(url(DEMO_ACCOUNT_ID, id))
        .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
        .json(&json!({"body": "", "status": "open"}))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), 422);
    let fields: Value = invalid.json().await.unwrap();
    assert!(fields["body"].is_string() && fields["status"].is_string());
    assert!(sb.handle.tickets(DEMO_ACCOUNT_ID)[0].replies.is_empty());

    let done = client
        .post(url(DEMO_ACCOUNT_ID, id))
        .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
        .json(&answer)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let ticket: Value = done.json().await.unwrap();
    assert_eq!(ticket["status"], "on-hold");
    let stored = &sb.handle.tickets(DEMO_ACCOUNT_ID)[0];
    assert_eq!(stored.replies[0].author, SUPPORT_AUTHOR);
    assert_eq!(stored.replies[0].body, "<p>Found it.</p>");
}
