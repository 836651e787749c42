//! `serve --sandbox`: the built-in sandbox is told to deliver its webhooks to this proxy,
//! signed with a secret the proxy accepts.

use moov_support_proxy::{Config, Proxy, RunningProxy};
use moov_support_sandbox::DEMO_ACCOUNT_ID;

use crate::common::{client, ticket, vars, Reply};
use crate::live::{ticket_event, Delivery, Stream};

async fn start(extra: &[(&str, &str)]) -> RunningProxy {
    let mut settings = vars(&[("MOOV_SANDBOX", "1"), ("PROXY_ADDR", "127.0.0.1:0")]);
    settings.extend(vars(extra));
    Proxy::new(Config::from_map(&settings).unwrap())
        .start()
        .await
        .unwrap()
}

/// A dev session that filed one ticket and listens on its live stream, past `ready`.
async fn filed_and_listening(proxy: &RunningProxy) -> (String, String, Stream) {
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
    let filed = Reply::read(
        client()
            .post(format!("{}/api/support/tickets", proxy.url()))
            .bearer_auth(&token)
            .json(&ticket())
            .send()
            .await
            .unwrap(),
    )
    .await
    .json();
    let id = filed["ticketID"].as_str().unwrap().to_owned();
    let mut stream = Stream::open(&proxy.url(), &token).await.unwrap();
    assert_eq!(stream.next_event().await.unwrap().0, "ready");
    (token, id, stream)
}

#[tokio::test]
async fn the_sandbox_delivers_to_the_proxy_with_a_secret_it_accepts() {
    let proxy = start(&[]).await;
    let target = proxy
        .sandbox()
        .unwrap()
        .webhook()
        .expect("a webhook target");
    assert_eq!(
        target.url,
        format!("{}/api/support/webhooks/moov", proxy.url())
    );
    // Generated at start when MOOV_WEBHOOK_SECRET is unset: 32 random bytes, hex.
    assert_eq!(target.secret.len(), 64);
    let other = start(&[]).await;
    assert_ne!(
        other.sandbox().unwrap().webhook().unwrap().secret,
        target.secret
    );

    let (_, id, mut stream) = filed_and_listening(&proxy).await;
    let id = id.as_str();
    let event = ticket_event("ticket.updated", DEMO_ACCOUNT_ID, id);
    let base = target.url.trim_end_matches("/api/support/webhooks/moov");
    let reply = Delivery::signed(&target.secret, event).send(base).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(stream.next_event().await.unwrap().1["ticketID"], id);
}

#[tokio::test]
async fn a_configured_secret_is_the_one_the_sandbox_signs_with() {
    let proxy = start(&[("MOOV_WEBHOOK_SECRET", "configured-secret")]).await;
    let target = proxy.sandbox().unwrap().webhook().unwrap();
    assert_eq!(target.secret, "configured-secret");
}

#[tokio::test]
async fn an_agents_reply_reaches_the_users_stream_through_signed_webhooks() {
    let proxy = start(&[]).await;
    let (token, id, mut stream) = filed_and_listening(&proxy).await;
    let (token, id) = (token.as_str(), id.as_str());
    let answered = Reply::read(
        client()
            .post(format!("{}/api/dev/tickets/{id}/reply", proxy.url()))
            .json(&serde_json::json!({"body": "<p>We sent it again.</p>", "status": "in-progress"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(answered.status, 200, "{}", answered.text);
    // `ticket.messageAdded`, then `ticket.updated` for the new status: each re-read.
    let (name, data) = stream.next_event().await.unwrap();
    assert_eq!(name, "ticket");
    assert_eq!(data["ticketID"], id);
    assert!(data["latestMessageOn"].is_string(), "{data}");
    let mut status = data["status"].clone();
    while status != "in-progress" {
        let (_, data) = stream.next_event().await.unwrap();
        assert_eq!(data["ticketID"], id);
        status = data["status"].clone();
    }
    let messages = Reply::read(
        client()
            .get(format!("{}/api/support/tickets/{id}/messages", proxy.url()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await
    .json();
    assert_eq!(messages[1]["from"], "support");
    assert_eq!(messages[1]["body"], "<p>We sent it again.</p>");
}
