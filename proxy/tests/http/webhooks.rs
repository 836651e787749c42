//! `POST /api/support/webhooks/moov`: only Moov's signed, fresh, unseen deliveries are acted
//! on, and what reaches the widget is the ticket as Moov says it is.

use serde_json::json;

use crate::common::{ticket, token, Env, ACCOUNT};
use crate::live::{ticket_event, two_instances_on_one_redis, Delivery, Stream, WEBHOOK_SECRET};

fn with_webhooks() -> [(&'static str, &'static str); 1] {
    [("MOOV_WEBHOOK_SECRET", WEBHOOK_SECRET)]
}

/// Files a ticket as `user` (whose email is the ticket's contact) and returns its id.
async fn filed(env: &Env, user: &str) -> String {
    let reply = env.post_as(&token(user, ACCOUNT), &ticket(), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["ticketID"].as_str().unwrap().to_owned()
}

/// A stream for `user`, past its `ready` event.
async fn listening(base: &str, user: &str) -> Stream {
    let mut stream = Stream::open(base, &token(user, ACCOUNT)).await.unwrap();
    let (name, _) = stream.next_event().await.unwrap();
    assert_eq!(name, "ready");
    stream
}

#[tokio::test]
async fn a_signed_event_reaches_the_stream_as_moov_reads_the_ticket() {
    let env = Env::start(&with_webhooks()).await;
    let id = filed(&env, "ann").await;
    let mut stream = listening(&env.proxy.url(), "ann").await;
    assert!(env
        .moov()
        .add_reply(ACCOUNT, &id, "agent@moov.io", "<p>On it</p>"));
    // The body claims `closed`; Moov says `new`: the body is only a hint.
    let event = ticket_event("ticket.messageAdded", ACCOUNT, &id);
    let reply = Delivery::signed(WEBHOOK_SECRET, event.clone())
        .send(&env.proxy.url())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json(), json!({"received": true}));
    let (name, data) = stream.next_event().await.unwrap();
    assert_eq!(name, "ticket");
    let stored = &env.moov().tickets(ACCOUNT)[0].ticket;
    assert_eq!(
        data,
        json!({
            "ticketID": id,
            "number": stored.number,
            "status": "new",
            "latestMessageOn": stored.latest_message_on,
        })
    );
    assert!(data["latestMessageOn"].is_string());

    // The same event again (Moov's retry: a new nonce, the same eventID) is not acted on.
    let again = Delivery::signed(WEBHOOK_SECRET, event)
        .send(&env.proxy.url())
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json()["duplicate"], true);
    // RFC 3339 timestamps are accepted too, and the next event is this one, not a repeat.
    let second = filed(&env, "ann").await;
    let rfc3339 = time_now_rfc3339();
    let reply = Delivery::at(
        WEBHOOK_SECRET,
        ticket_event("ticket.created", ACCOUNT, &second),
        rfc3339,
    )
    .send(&env.proxy.url())
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let (_, data) = stream.next_event().await.unwrap();
    assert_eq!(data["ticketID"], second.as_str());
}

fn time_now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn every_refusal_is_401_json_and_publishes_nothing() {
    let env = Env::start(&with_webhooks()).await;
    let base = env.proxy.url();
    let hidden = filed(&env, "ann").await;
    let shown = filed(&env, "ann").await;
    let mut stream = listening(&base, "ann").await;
    let event = || ticket_event("ticket.updated", ACCOUNT, &hidden);
    let now = moov_support_proxy::session::unix_now();

    let mut wrong_secret = Delivery::signed("not-the-secret", event());
    wrong_secret.signature = wrong_secret.signature.map(|s| s.to_uppercase());
    let mut unsigned = Delivery::signed(WEBHOOK_SECRET, event());
    unsigned.signature = None;
    let mut tampered = Delivery::signed(WEBHOOK_SECRET, event());
    tampered.nonce.push('x');
    let stale = Delivery::at(WEBHOOK_SECRET, event(), (now - 6 * 60).to_string());
    let future = Delivery::at(WEBHOOK_SECRET, event(), (now + 6 * 60).to_string());
    let replayed = Delivery::signed(WEBHOOK_SECRET, event());
    assert_eq!(replayed.send(&base).await.status, 200);
    for (name, delivery, says) in [
        ("wrong secret", &wrong_secret, "signature"),
        ("missing signature", &unsigned, "X-Signature"),
        ("tampered header", &tampered, "signature"),
        ("stale timestamp", &stale, "5 minutes"),
        ("future timestamp", &future, "5 minutes"),
        ("replayed nonce", &replayed, "nonce"),
    ] {
        let reply = delivery.send(&base).await;
        assert_eq!(reply.status, 401, "{name}: {}", reply.text);
        assert!(reply.error().contains(says), "{name}: {}", reply.text);
        assert!(!reply.text.contains(WEBHOOK_SECRET), "{name}");
    }
    // The first accepted delivery's event, then the next one's: none of the refused ones
    // was acted on (they would have published `hidden` again in between).
    let (_, first) = stream.next_event().await.unwrap();
    assert_eq!(first["ticketID"], hidden.as_str());
    let reply = Delivery::signed(
        WEBHOOK_SECRET,
        ticket_event("ticket.updated", ACCOUNT, &shown),
    )
    .send(&base)
    .await;
    assert_eq!(reply.status, 200);
    let (_, next) = stream.next_event().await.unwrap();
    assert_eq!(
        next["ticketID"],
        shown.as_str(),
        "a refused delivery was acted on"
    );
}

#[tokio::test]
async fn test_events_unknown_types_and_unknown_accounts_are_answered_200() {
    let env = Env::start(&with_webhooks()).await;
    let base = env.proxy.url();
    let test = json!({"eventID": "e-test", "type": "event.test", "data": {"ping": true},
                      "createdOn": "2026-11-29T12:00:00Z"});
    let reply = Delivery::signed(WEBHOOK_SECRET, test).send(&base).await;
    assert_eq!(
        (reply.status, reply.json()),
        (200, json!({"received": true}))
    );
    let other = json!({"eventID": "e-x", "type": "transfer.updated", "data": {},
                       "createdOn": "2026-11-29T12:00:00Z"});
    let reply = Delivery::signed(WEBHOOK_SECRET, other).send(&base).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["ignored"], true);
    // An account this proxy does not serve: accepted, not acted on; the stream then hears
    // only the event of its own account.
    let id = filed(&env, "ann").await;
    let mut stream = listening(&base, "ann").await;
    let stranger = uuid::Uuid::new_v4();
    let reply = Delivery::signed(
        WEBHOOK_SECRET,
        ticket_event("ticket.updated", stranger, &id),
    )
    .send(&base)
    .await;
    assert_eq!(reply.status, 200);
    let reply = Delivery::signed(WEBHOOK_SECRET, ticket_event("ticket.updated", ACCOUNT, &id))
        .send(&base)
        .await;
    assert_eq!(reply.status, 200);
    let (_, data) = stream.next_event().await.unwrap();
    assert_eq!(data["ticketID"], id.as_str());
    // Garbage from someone holding the secret is still refused readably.
    let mut garbled = Delivery::signed(WEBHOOK_SECRET, json!(null));
    garbled.body = json!("not an event");
    assert_eq!(garbled.send(&base).await.status, 400);
}

#[tokio::test]
async fn without_a_secret_there_is_no_webhook_route_and_the_ip_limit_never_counts_moov() {
    let env = Env::start(&[]).await;
    let reply = Delivery::signed(WEBHOOK_SECRET, ticket_event("ticket.updated", ACCOUNT, "t"))
        .send(&env.proxy.url())
        .await;
    assert_eq!(reply.status, 404, "{}", reply.text);

    let limited = Env::start(&[
        ("MOOV_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("IP_RATE_LIMIT_PER_MINUTE", "2"),
    ])
    .await;
    for i in 0..6 {
        let test = json!({"eventID": format!("e-{i}"), "type": "event.test", "data": {}});
        let reply = Delivery::signed(WEBHOOK_SECRET, test)
            .send(&limited.proxy.url())
            .await;
        assert_eq!(reply.status, 200, "delivery {i}: {}", reply.text);
    }
    // The widget's routes from the same address are limited.
    let ann = token("ann", ACCOUNT);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(limited.get_as(&ann, "/api/support/tickets").await.status);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
}

#[tokio::test]
async fn a_nonce_used_on_one_instance_is_refused_on_another() {
    let (_redis, env, second) = two_instances_on_one_redis().await;
    let test = json!({"eventID": "e-1", "type": "event.test", "data": {"ping": true}});
    let delivery = Delivery::signed(WEBHOOK_SECRET, test);
    assert_eq!(delivery.send(&env.proxy.url()).await.status, 200);
    let replay = delivery.send(&second.url()).await;
    assert_eq!(replay.status, 401, "{}", replay.text);
    assert!(replay.error().contains("nonce"), "{}", replay.text);
    // And an event handled by one instance is a duplicate on the other.
    let id = filed(&env, "ann").await;
    let event = ticket_event("ticket.updated", ACCOUNT, &id);
    let first = Delivery::signed(WEBHOOK_SECRET, event.clone())
        .send(&env.proxy.url())
        .await;
    assert_eq!(first.json(), json!({"received": true}));
    let retried = Delivery::signed(WEBHOOK_SECRET, event)
        .send(&second.url())
        .await;
    assert_eq!(retried.json()["duplicate"], true, "{}", retried.text);
}
