//! `GET /api/support/events`: ready at once, the session's ticket changes only, heartbeats,
//! the end at the session's expiry, limits, and fan-out across instances on one Redis.

use std::time::Duration;

use moov_support_proxy::session::unix_now;
use moov_support_proxy::SupportScope;
use serde_json::json;

use crate::common::{client, session_token, ticket, token, Env, Reply, ACCOUNT};
use crate::live::{
    ticket_event, two_instances_on_one_redis, Delivery, Sse, Stream, WEBHOOK_SECRET,
};

fn titled_for(email: &str) -> serde_json::Value {
    let mut t = ticket();
    t["contact"]["email"] = json!(email);
    t
}

fn as_user(user: &str, email: &str) -> String {
    session_token(
        user,
        ACCOUNT,
        Some(email),
        SupportScope::Own,
        unix_now() + 600,
    )
}

async fn filed_by(env: &Env, session: &str, email: &str) -> String {
    let reply = env.post_as(session, &titled_for(email), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["ticketID"].as_str().unwrap().to_owned()
}

async fn notify(base: &str, ticket: &str) {
    let reply = Delivery::signed(
        WEBHOOK_SECRET,
        ticket_event("ticket.updated", ACCOUNT, ticket),
    )
    .send(base)
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn a_stream_starts_ready_and_hears_only_its_users_tickets() {
    let env = Env::start(&[
        ("MOOV_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("ALLOWED_ORIGINS", "https://partner.example"),
    ])
    .await;
    let base = env.proxy.url();
    let ann = as_user("ann", "ann@example.com");
    let bob = as_user("bob", "bob@example.com");
    let anns = filed_by(&env, &ann, "ann@example.com").await;
    let bobs = filed_by(&env, &bob, "bob@example.com").await;

    let response = reqwest::Client::new()
        .get(format!("{base}/api/support/events"))
        .bearer_auth(&ann)
        .header("origin", "https://partner.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), "text/event-stream");
    assert_eq!(header("cache-control"), "no-store");
    assert_eq!(
        header("access-control-allow-origin"),
        "https://partner.example"
    );
    assert!(uuid::Uuid::parse_str(&header("x-request-id")).is_ok());
    let mut ann_stream = Stream::from_response(response);
    assert_eq!(
        ann_stream.next().await,
        Some(Sse::Event {
            name: "ready".into(),
            data: json!({})
        })
    );
    let mut bob_stream = Stream::open(&base, &bob).await.unwrap();
    assert_eq!(bob_stream.next_event().await.unwrap().0, "ready");

    notify(&base, &anns).await;
    let (name, data) = ann_stream.next_event().await.unwrap();
    assert_eq!(
        (name.as_str(), data["ticketID"].as_str()),
        ("ticket", Some(anns.as_str()))
    );
    // Bob's stream skipped Ann's ticket: its first ticket event is his own.
    notify(&base, &bobs).await;
    let (_, data) = bob_stream.next_event().await.unwrap();
    assert_eq!(data["ticketID"], bobs.as_str());

    // An account-scope session hears both; closing is heard at once, without a webhook.
    let admin = session_token(
        "admin",
        ACCOUNT,
        None,
        SupportScope::Account,
        unix_now() + 600,
    );
    let mut admin_stream = Stream::open(&base, &admin).await.unwrap();
    assert_eq!(admin_stream.next_event().await.unwrap().0, "ready");
    let closed = env
        .patch_as(
            &bob,
            &format!("/api/support/tickets/{bobs}"),
            r#"{"status":"closed"}"#,
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    let (_, data) = admin_stream.next_event().await.unwrap();
    assert_eq!(
        (data["ticketID"].as_str(), data["status"].as_str()),
        (Some(bobs.as_str()), Some("closed"))
    );
    let (_, data) = bob_stream.next_event().await.unwrap();
    assert_eq!(data["status"], "closed");
    notify(&base, &anns).await;
    let (_, data) = admin_stream.next_event().await.unwrap();
    assert_eq!(data["ticketID"], anns.as_str());
}

#[tokio::test]
async fn heartbeats_keep_a_stream_past_the_request_timeout_until_the_session_expires() {
    let env = Env::start(&[
        ("EVENTS_HEARTBEAT_SECONDS", "1"),
        ("REQUEST_TIMEOUT_MS", "300"),
    ])
    .await;
    // Expires in 3 s: the stream ends then.
    let short = session_token(
        "ann",
        ACCOUNT,
        Some("ann@example.com"),
        SupportScope::Own,
        unix_now() + 3,
    );
    let mut stream = Stream::open(&env.proxy.url(), &short).await.unwrap();
    assert_eq!(stream.next_event().await.unwrap().0, "ready");
    let mut heartbeats = 0;
    while let Some(item) = stream.next().await {
        assert_eq!(item, Sse::Comment("heartbeat".into()));
        heartbeats += 1;
    }
    // Past the 300 ms request timeout, the stream lived on its heartbeats, then ended.
    assert!(heartbeats >= 1, "{heartbeats}");
    // The session is over: a new stream with the same token is refused.
    let refused = Stream::open(&env.proxy.url(), &short).await.err().unwrap();
    assert_eq!(refused.status, 401, "{}", refused.text);
}

#[tokio::test]
async fn streams_are_limited_per_user_and_per_instance() {
    let env = Env::start(&[("EVENT_STREAMS_PER_USER", "2"), ("EVENT_STREAMS_MAX", "3")]).await;
    let base = env.proxy.url();
    let ann = token("ann", ACCOUNT);
    let _a1 = Stream::open(&base, &ann).await.unwrap();
    let a2 = Stream::open(&base, &ann).await.unwrap();
    let refused = Stream::open(&base, &ann).await.err().unwrap();
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert!(
        refused
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
    assert!(
        refused.error().contains("live connections"),
        "{}",
        refused.text
    );
    let _b1 = Stream::open(&base, &token("bob", ACCOUNT)).await.unwrap();
    let full = Stream::open(&base, &token("cy", ACCOUNT))
        .await
        .err()
        .unwrap();
    assert_eq!(full.status, 429, "{}", full.text);
    assert!(full.header("retry-after").is_some());
    // A closed stream frees its place.
    drop(a2);
    let mut reopened = None;
    for _ in 0..100 {
        match Stream::open(&base, &token("cy", ACCOUNT)).await {
            Ok(s) => {
                reopened = Some(s);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    assert!(reopened.is_some(), "a dropped stream never freed its place");
    let anonymous = Reply::read(
        client()
            .get(format!("{base}/api/support/events"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn a_webhook_on_one_instance_reaches_streams_on_another() {
    let (_redis, env, second) = two_instances_on_one_redis().await;
    let ann = as_user("ann", "ann@example.com");
    let id = filed_by(&env, &ann, "ann@example.com").await;
    let mut on_first = Stream::open(&env.proxy.url(), &ann).await.unwrap();
    let mut on_second = Stream::open(&second.url(), &ann).await.unwrap();
    assert_eq!(on_first.next_event().await.unwrap().0, "ready");
    assert_eq!(on_second.next_event().await.unwrap().0, "ready");
    notify(&env.proxy.url(), &id).await;
    for stream in [&mut on_first, &mut on_second] {
        let (name, data) = stream.next_event().await.unwrap();
        assert_eq!(
            (name.as_str(), data["ticketID"].as_str()),
            ("ticket", Some(id.as_str()))
        );
    }
    // And the other way round.
    notify(&second.url(), &id).await;
    assert_eq!(
        on_first.next_event().await.unwrap().1["ticketID"],
        id.as_str()
    );
}

#[tokio::test]
async fn after_redis_comes_back_streams_are_told_to_refresh_and_hear_again() {
    let (mut redis, env, second) = two_instances_on_one_redis().await;
    let ann = as_user("ann", "ann@example.com");
    let id = filed_by(&env, &ann, "ann@example.com").await;
    let mut stream = Stream::open(&second.url(), &ann).await.unwrap();
    assert_eq!(stream.next_event().await.unwrap().0, "ready");
    redis.restart().await;
    // Changes published while the subscription was down were not heard: refresh.
    assert_eq!(stream.next_event().await.unwrap().0, "ready");
    // The account was remembered in the Redis that was lost; a new stream records it again.
    let mut again = Stream::open(&env.proxy.url(), &ann).await.unwrap();
    assert_eq!(again.next_event().await.unwrap().0, "ready");
    notify(&env.proxy.url(), &id).await;
    let (name, data) = stream.next_event().await.unwrap();
    assert_eq!(
        (name.as_str(), data["ticketID"].as_str()),
        ("ticket", Some(id.as_str()))
    );
}

#[tokio::test]
async fn shutting_down_ends_the_streams_instead_of_waiting_for_them() {
    let Env {
        proxy,
        sandbox: _sandbox,
        ..
    } = Env::start(&[]).await;
    let mut stream = Stream::open(&proxy.url(), &token("ann", ACCOUNT))
        .await
        .unwrap();
    assert_eq!(stream.next_event().await.unwrap().0, "ready");
    tokio::time::timeout(Duration::from_secs(10), proxy.shutdown())
        .await
        .expect("an open stream held up the shutdown")
        .unwrap();
    assert_eq!(stream.next().await, None);
}
