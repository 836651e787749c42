//! Moov support's side in sandbox mode: the agent page's routes on the proxy.

use moov_support_proxy::{Config, Proxy, RunningProxy};
use moov_support_sandbox::{DEMO_ACCOUNT_ID, SUPPORT_AUTHOR};
use serde_json::{json, Value};

use crate::common::{client, ticket, vars, Reply};

async fn start() -> RunningProxy {
    let config = Config::from_map(&vars(&[
        ("MOOV_SANDBOX", "1"),
        ("PROXY_ADDR", "127.0.0.1:0"),
    ]))
    .unwrap();
    Proxy::new(config).start().await.unwrap()
}

async fn get(proxy: &RunningProxy, path: &str, token: Option<&str>) -> Reply {
    let mut req = client().get(format!("{}{path}", proxy.url()));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    Reply::read(req.send().await.unwrap()).await
}

async fn reply(proxy: &RunningProxy, ticket_id: &str, body: &str) -> Reply {
    Reply::read(
        client()
            .post(format!("{}/api/dev/tickets/{ticket_id}/reply", proxy.url()))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Files a ticket as the demo user; answers the session token and the ticket.
async fn filed(proxy: &RunningProxy) -> (String, Value) {
    let session = get(proxy, "/api/dev/session", None).await.json();
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

#[tokio::test]
async fn an_agent_answers_a_ticket_and_moves_its_status() {
    let proxy = start().await;
    let (token, created) = filed(&proxy).await;
    let id = created["ticketID"].as_str().unwrap();

    let answered = reply(
        &proxy,
        id,
        &json!({"body": "<p>We are on it.</p>", "status": "in-progress"}).to_string(),
    )
    .await;
    assert_eq!(answered.status, 200, "{}", answered.text);
    let ticket = answered.json();
    assert_eq!(ticket["ticketID"], created["ticketID"]);
    assert_eq!(ticket["status"], "in-progress");
    assert!(ticket["latestMessageOn"].as_str().unwrap() >= created["createdOn"].as_str().unwrap());

    // The user reads the answer through the widget's own route.
    let messages = get(
        &proxy,
        &format!("/api/support/tickets/{id}/messages"),
        Some(&token),
    )
    .await;
    assert_eq!(messages.status, 200, "{}", messages.text);
    let text = messages.text.clone();
    assert!(text.contains("We are on it."), "{text}");
    let one = get(&proxy, &format!("/api/support/tickets/{id}"), Some(&token)).await;
    assert_eq!(one.json()["status"], "in-progress");

    // Without a status the ticket keeps its own; the agent's list shows the conversation.
    let again = reply(&proxy, id, r#"{"body": "<p>Still looking.</p>"}"#).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json()["status"], "in-progress");
    let listed = get(&proxy, "/api/dev/tickets", None).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let item = &listed.json()["items"][0];
    assert_eq!(item["ticketID"], created["ticketID"]);
    let messages = item["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0]["author"], "jordan@example.com");
    assert_eq!(messages[2]["author"], SUPPORT_AUTHOR);
    assert_eq!(messages[2]["body"], "<p>Still looking.</p>");

    let sandbox = proxy.sandbox().unwrap();
    assert_eq!(sandbox.tickets(DEMO_ACCOUNT_ID)[0].replies.len(), 2);
    proxy.shutdown().await.unwrap();
}

#[tokio::test]
async fn replies_to_unknown_tickets_and_bad_replies_are_refused() {
    let proxy = start().await;
    let (_, created) = filed(&proxy).await;
    let id = created["ticketID"].as_str().unwrap();

    let unknown = reply(&proxy, "no-such-ticket", r#"{"body": "<p>Hi</p>"}"#).await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    assert!(unknown.json()["error"].is_string());

    for (body, field) in [
        (r#"{"body": "   "}"#, "body"),
        (r#"{"status": "in-progress"}"#, "body"),
        (r#"{"body": 7}"#, "body"),
        (r#"{"body": "<p>Hi</p>", "status": "open"}"#, "status"),
        (r#"{"body": "<p>Hi</p>", "status": 3}"#, "status"),
    ] {
        let refused = reply(&proxy, id, body).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.text);
        let fields = refused.json();
        assert!(fields[field].is_string(), "{body}: {fields}");
        assert!(fields.get("error").is_none());
    }
    for body in ["{", r#"["<p>Hi</p>"]"#] {
        let refused = reply(&proxy, id, body).await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.text);
    }
    // Nothing refused reached the ticket.
    let sandbox = proxy.sandbox().unwrap();
    let stored = &sandbox.tickets(DEMO_ACCOUNT_ID)[0];
    assert!(stored.replies.is_empty());
    assert_eq!(stored.ticket.status.as_str(), "new");
    proxy.shutdown().await.unwrap();
}
