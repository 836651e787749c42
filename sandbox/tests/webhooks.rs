//! Ticket webhooks as a partner's endpoint receives them: Moov's shape, Moov's signature,
//! Moov's retries.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use hmac::{Hmac, Mac};
use moov_support::TicketStatus;
use moov_support_sandbox::{
    self as sandbox, RunningSandbox, SandboxOptions, WebhookStats, WebhookTarget, DEMO_ACCOUNT_ID,
    SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY, WEBHOOK_ATTEMPTS,
};
use serde_json::{json, Value};
use sha2::Sha512;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

const SECRET: &str = "whsec-test-0123456789";

/// One POST as the endpoint saw it.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Value,
}

/// A partner's webhook endpoint on loopback: answers the scripted statuses first, then 200.
#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<StatusCode>>>,
}

impl Receiver {
    async fn start(script: &[StatusCode]) -> (Receiver, String) {
        let receiver = Receiver::default();
        receiver
            .script
            .lock()
            .unwrap()
            .extend(script.iter().copied());
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    fn seen(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let body = serde_json::from_slice(&body).expect("a webhook body is JSON");
    r.seen.lock().unwrap().push(Received { headers, body });
    r.script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(StatusCode::OK)
}

async fn start(retry: Duration) -> RunningSandbox {
    let options = SandboxOptions {
        webhook_retry_delay: retry,
        ..SandboxOptions::default()
    };
    sandbox::spawn(options, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

fn target(url: &str) -> Option<WebhookTarget> {
    Some(WebhookTarget {
        url: url.to_owned(),
        secret: SECRET.to_owned(),
    })
}

/// Files a ticket over HTTP as the partner's backend would.
async fn file(sb: &RunningSandbox, foreign_id: Option<&str>) -> Value {
    let mut ticket = json!({
        "title": "Payout missing",
        "body": "<p>Where is my payout?</p>",
        "contact": {"email": "jordan@example.com"},
    });
    if let Some(f) = foreign_id {
        ticket["foreignID"] = json!(f);
    }
    let answer = reqwest::Client::new()
        .post(format!("{}/accounts/{DEMO_ACCOUNT_ID}/tickets", sb.url()))
        .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
        .header("x-moov-version", "v2025.07.00")
        .json(&ticket)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

async fn close(sb: &RunningSandbox, ticket_id: &str) -> Value {
    let answer = reqwest::Client::new()
        .patch(format!(
            "{}/accounts/{DEMO_ACCOUNT_ID}/tickets/{ticket_id}",
            sb.url()
        ))
        .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
        .header("x-moov-version", "v2025.07.00")
        .json(&json!({"status": "closed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

/// Waits until nothing is queued any more and answers how deliveries went.
async fn settled(sb: &RunningSandbox) -> WebhookStats {
    for _ in 0..400 {
        let stats = sb.handle.webhook_stats();
        if stats.pending == 0 {
            return stats;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("webhooks still pending: {:?}", sb.handle.webhook_stats());
}

fn header<'a>(r: &'a Received, name: &str) -> &'a str {
    r.headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// Checks the signature the way Moov's documentation tells a partner to.
fn assert_signed(r: &Received) {
    let payload = format!(
        "{}|{}|{}",
        header(r, "x-timestamp"),
        header(r, "x-nonce"),
        header(r, "x-webhook-id")
    );
    let mut mac = Hmac::<Sha512>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(payload.as_bytes());
    let signature = hex::decode(header(r, "x-signature")).expect("hex signature");
    mac.verify_slice(&signature)
        .expect("X-Signature is HMAC-SHA512 of timestamp|nonce|webhookID");
    OffsetDateTime::parse(header(r, "x-timestamp"), &Rfc3339).expect("RFC 3339 X-Timestamp");
}

#[tokio::test]
async fn ticket_events_arrive_signed_and_in_order() {
    let (receiver, url) = Receiver::start(&[]).await;
    let sb = start(Duration::from_millis(500)).await;
    sb.handle.set_webhook(target(&url));

    let created = file(&sb, Some("ref-42")).await;
    let id = created["ticketID"].as_str().unwrap();
    let replied = sb
        .handle
        .reply(
            DEMO_ACCOUNT_ID,
            id,
            "<p>We are on it.</p>",
            Some(TicketStatus::InProgress),
        )
        .expect("the ticket exists");
    assert_eq!(replied.status, TicketStatus::InProgress);
    let closed = close(&sb, id).await;
    assert_eq!(closed["status"], "closed");
    // Closing a closed ticket changes nothing and tells nobody.
    close(&sb, id).await;

    let stats = settled(&sb).await;
    assert_eq!(
        (stats.delivered, stats.failed_attempts, stats.abandoned),
        (4, 0, 0)
    );
    let seen = receiver.seen();
    let kinds: Vec<&str> = seen
        .iter()
        .map(|r| r.body["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "ticket.created",
            "ticket.messageAdded",
            "ticket.updated",
            "ticket.updated"
        ]
    );
    let webhook_id = header(&seen[0], "x-webhook-id").to_owned();
    Uuid::parse_str(&webhook_id).expect("X-Webhook-ID is a UUID");
    let mut event_ids = Vec::new();
    for r in &seen {
        assert_signed(r);
        assert_eq!(header(r, "x-webhook-id"), webhook_id);
        assert_eq!(header(r, "content-type"), "application/json");
        let event = &r.body;
        event_ids.push(Uuid::parse_str(event["eventID"].as_str().unwrap()).unwrap());
        OffsetDateTime::parse(event["createdOn"].as_str().unwrap(), &Rfc3339).unwrap();
        assert_eq!(event["data"]["accountID"], DEMO_ACCOUNT_ID.to_string());
        assert_eq!(event["data"]["ticketID"], id);
        assert_eq!(event["data"]["foreignID"], "ref-42");
    }
    event_ids.dedup();
    assert_eq!(event_ids.len(), 4, "every event has its own eventID");
    assert!(seen[0].body["data"].get("status").is_none());
    assert!(seen[1].body["data"].get("status").is_none());
    assert_eq!(seen[2].body["data"]["status"], "in-progress");
    assert_eq!(seen[3].body["data"]["status"], "closed");
    let nonces: std::collections::HashSet<&str> =
        seen.iter().map(|r| header(r, "x-nonce")).collect();
    assert_eq!(nonces.len(), 4, "every delivery has its own nonce");
}

#[tokio::test]
async fn a_failing_endpoint_gets_the_same_event_again() {
    let (receiver, url) = Receiver::start(&[
        StatusCode::INTERNAL_SERVER_ERROR,
        StatusCode::SERVICE_UNAVAILABLE,
    ])
    .await;
    let sb = start(Duration::from_millis(20)).await;
    let created = file(&sb, None).await;
    sb.handle.set_webhook(target(&url));
    let id = created["ticketID"].as_str().unwrap();
    assert!(sb
        .handle
        .add_reply(DEMO_ACCOUNT_ID, id, "agent@moov.io", "<p>Hi</p>"));

    let stats = settled(&sb).await;
    assert_eq!(
        (stats.delivered, stats.failed_attempts, stats.abandoned),
        (1, 2, 0)
    );
    let seen = receiver.seen();
    assert_eq!(seen.len(), 3);
    for r in &seen {
        assert_signed(r);
        assert_eq!(r.body, seen[0].body, "a retry sends the same event");
        assert_eq!(r.body["type"], "ticket.messageAdded");
        assert!(r.body["data"].get("foreignID").is_none());
    }
    let nonces: std::collections::HashSet<&str> =
        seen.iter().map(|r| header(r, "x-nonce")).collect();
    assert_eq!(nonces.len(), 3, "each attempt is signed afresh");
}

#[tokio::test]
async fn an_endpoint_that_never_answers_2xx_is_given_up_on() {
    let script = vec![StatusCode::INTERNAL_SERVER_ERROR; WEBHOOK_ATTEMPTS as usize];
    let (receiver, url) = Receiver::start(&script).await;
    let sb = start(Duration::from_millis(1)).await;
    sb.handle.set_webhook(target(&url));
    file(&sb, None).await;
    let stats = settled(&sb).await;
    assert_eq!(
        (stats.delivered, stats.failed_attempts, stats.abandoned),
        (0, u64::from(WEBHOOK_ATTEMPTS), 1)
    );
    assert_eq!(receiver.seen().len(), WEBHOOK_ATTEMPTS as usize);

    // An endpoint that is not there at all fails the same way.
    sb.handle.set_webhook(target("http://127.0.0.1:9/hook"));
    file(&sb, None).await;
    let stats = settled(&sb).await;
    assert_eq!(stats.abandoned, 2);
    assert_eq!(stats.failed_attempts, 2 * u64::from(WEBHOOK_ATTEMPTS));
}

#[tokio::test]
async fn without_a_target_nothing_is_sent() {
    let (receiver, url) = Receiver::start(&[]).await;
    let sb = start(Duration::from_millis(1)).await;
    let created = file(&sb, None).await;
    let id = created["ticketID"].as_str().unwrap();
    sb.handle
        .reply(
            DEMO_ACCOUNT_ID,
            id,
            "<p>One</p>",
            Some(TicketStatus::OnHold),
        )
        .unwrap();
    assert_eq!(sb.handle.webhook_stats(), WebhookStats::default());

    // Events from before a target was set are not sent later: only the new reply's.
    sb.handle.set_webhook(target(&url));
    sb.handle
        .reply(DEMO_ACCOUNT_ID, id, "<p>Two</p>", None)
        .unwrap();
    assert_eq!(settled(&sb).await.delivered, 1);
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].body["type"], "ticket.messageAdded");

    sb.handle.set_webhook(None);
    sb.handle
        .reply(DEMO_ACCOUNT_ID, id, "<p>Three</p>", None)
        .unwrap();
    assert_eq!(sb.handle.webhook_stats().pending, 0);
    assert_eq!(settled(&sb).await.delivered, 1);
}

#[tokio::test]
async fn replies_move_the_ticket_and_keep_a_closed_one_closed() {
    let sb = start(Duration::from_millis(1)).await;
    let created = file(&sb, None).await;
    let id = created["ticketID"].as_str().unwrap();
    assert!(sb
        .handle
        .reply(Uuid::new_v4(), id, "<p>x</p>", None)
        .is_none());
    assert!(sb
        .handle
        .reply(DEMO_ACCOUNT_ID, "no-such-ticket", "<p>x</p>", None)
        .is_none());

    let on_hold = sb
        .handle
        .reply(
            DEMO_ACCOUNT_ID,
            id,
            "<p>Waiting on the bank.</p>",
            Some(TicketStatus::OnHold),
        )
        .unwrap();
    assert_eq!(on_hold.status, TicketStatus::OnHold);
    let stored = &sb.handle.tickets(DEMO_ACCOUNT_ID)[0];
    let sent_on = &stored.replies[0].sent_on;
    assert_eq!(
        stored.replies[0].author,
        moov_support_sandbox::SUPPORT_AUTHOR
    );
    assert_eq!(on_hold.latest_message_on.as_ref(), Some(sent_on));
    assert_eq!(&on_hold.updated_on, sent_on);
    // As instants: RFC 3339 drops a fraction's trailing zeros, so text does not sort by time.
    let instant = |s: &str| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
    };
    assert!(instant(sent_on) >= instant(created["createdOn"].as_str().unwrap()));
    assert_eq!(stored.ticket, on_hold);

    let closed = sb
        .handle
        .reply(
            DEMO_ACCOUNT_ID,
            id,
            "<p>Solved.</p>",
            Some(TicketStatus::Closed),
        )
        .unwrap();
    assert_eq!(closed.status, TicketStatus::Closed);
    assert!(closed.closed_on.is_some());
    let still_closed = sb
        .handle
        .reply(DEMO_ACCOUNT_ID, id, "<p>One more thing.</p>", None)
        .unwrap();
    assert_eq!(still_closed.status, TicketStatus::Closed);
    assert_eq!(still_closed.closed_on, closed.closed_on);
    let reopened = sb
        .handle
        .reply(
            DEMO_ACCOUNT_ID,
            id,
            "<p>Reopened.</p>",
            Some(TicketStatus::InProgress),
        )
        .unwrap();
    assert_eq!(reopened.status, TicketStatus::InProgress);
    assert_eq!(reopened.closed_on, None);

    // Moov lists the conversation in order: the ticket's body, then every reply.
    let messages: Value = reqwest::Client::new()
        .get(format!(
            "{}/accounts/{DEMO_ACCOUNT_ID}/tickets/{id}/messages",
            sb.url()
        ))
        .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
        .header("x-moov-version", "v2025.07.00")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bodies: Vec<&str> = messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "<p>Where is my payout?</p>",
            "<p>Waiting on the bank.</p>",
            "<p>Solved.</p>",
            "<p>One more thing.</p>",
            "<p>Reopened.</p>"
        ]
    );
}
