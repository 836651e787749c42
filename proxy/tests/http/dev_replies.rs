//! Moov support's side in sandbox mode: the agent page's routes on the proxy.

use moov_support_proxy::RunningProxy;
use moov_support_sandbox::{DEMO_ACCOUNT_ID, SUPPORT_AUTHOR};
use serde_json::{json, Value};

use crate::common::{agent_reply, client, filed_as_demo_user, start_sandboxed, Reply};

async fn get(proxy: &RunningProxy, path: &str, token: Option<&str>) -> Reply {
    let mut req = client().get(format!("{}{path}", proxy.url()));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    Reply::read(req.send().await.unwrap()).await
}

async fn reply(proxy: &RunningProxy, ticket_id: &str, body: &str) -> Reply {
    agent_reply(&proxy.url(), ticket_id, body).await
}

#[tokio::test]
async fn an_agent_answers_a_ticket_and_moves_its_status() {
    let proxy = start_sandboxed(&[]).await;
    let (token, created) = filed_as_demo_user(&proxy).await;
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
    // As instants: RFC 3339 drops a fraction's trailing zeros, so text does not sort by time.
    let instant = |v: &Value| {
        time::OffsetDateTime::parse(
            v.as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    };
    assert!(instant(&ticket["latestMessageOn"]) >= instant(&created["createdOn"]));

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
    let proxy = start_sandboxed(&[]).await;
    let (_, created) = filed_as_demo_user(&proxy).await;
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

#[tokio::test]
async fn an_answer_reaches_the_webhook_endpoint() {
    use std::sync::{Arc, Mutex};

    let seen = Arc::new(Mutex::new(Vec::<Value>::new()));
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::Json<Value>| async move {
            record.lock().unwrap().push(body.0);
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let proxy = start_sandboxed(&[]).await;
    let (_, created) = filed_as_demo_user(&proxy).await;
    let sandbox = proxy.sandbox().unwrap().clone();
    sandbox.set_webhook(Some(moov_support_sandbox::WebhookTarget {
        url: hook,
        secret: "whsec-dev".into(),
    }));
    let id = created["ticketID"].as_str().unwrap();
    let answered = reply(
        &proxy,
        id,
        r#"{"body": "<p>Done.</p>", "status": "closed"}"#,
    )
    .await;
    assert_eq!(answered.status, 200, "{}", answered.text);
    for _ in 0..400 {
        if sandbox.webhook_stats().pending == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let seen = seen.lock().unwrap().clone();
    let kinds: Vec<&str> = seen.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ticket.messageAdded", "ticket.updated"]);
    assert_eq!(seen[1]["data"]["status"], "closed");
    assert_eq!(seen[1]["data"]["ticketID"], id);
    assert_eq!(seen[1]["data"]["accountID"], DEMO_ACCOUNT_ID.to_string());
    proxy.shutdown().await.unwrap();
}
