//! `serve --sandbox`: the built-in sandbox is told to deliver its webhooks to this proxy,
//! signed with a secret the proxy accepts.

use moov_support_proxy::RunningProxy;
use moov_support_sandbox::DEMO_ACCOUNT_ID;

use crate::common::{agent_reply, client, filed_as_demo_user, start_sandboxed, Reply};
use crate::live::{ticket_event, Delivery, Stream};

/// A dev session that filed one ticket and listens on its live stream, past `ready`.
async fn filed_and_listening(proxy: &RunningProxy) -> (String, String, Stream) {
    let (token, filed) = filed_as_demo_user(proxy).await;
    let id = filed["ticketID"].as_str().unwrap().to_owned();
    let mut stream = Stream::open(&proxy.url(), &token).await.unwrap();
    assert_eq!(stream.next_event().await.unwrap().0, "ready");
    (token, id, stream)
}

#[tokio::test]
async fn the_sandbox_delivers_to_the_proxy_with_a_secret_it_accepts() {
    let proxy = start_sandboxed(&[]).await;
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
    let other = start_sandboxed(&[]).await;
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
    let proxy = start_sandboxed(&[("MOOV_WEBHOOK_SECRET", "configured-secret")]).await;
    let target = proxy.sandbox().unwrap().webhook().unwrap();
    assert_eq!(target.secret, "configured-secret");
}

#[tokio::test]
async fn an_agents_reply_reaches_the_users_stream_through_signed_webhooks() {
    let proxy = start_sandboxed(&[]).await;
    let (token, id, mut stream) = filed_and_listening(&proxy).await;
    let (token, id) = (token.as_str(), id.as_str());
    let answered = agent_reply(
        &proxy.url(),
        id,
        &serde_json::json!({"body": "<p>We sent it again.</p>", "status": "in-progress"})
            .to_string(),
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
