//! Several proxy instances sharing one real Redis: one ticket per key, one set of limits.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use moov_support_proxy::store::{RedisStore, Store};
use moov_support_sandbox::{Fault, SandboxOptions};
use serde_json::json;
use uuid::Uuid;

use crate::common::{client, post_to, ticket, token, Env, Reply, ACCOUNT};
use crate::redis::Redis;

fn roomy() -> SandboxOptions {
    SandboxOptions {
        rate_limit_per_second: 10_000,
        ..SandboxOptions::default()
    }
}

#[tokio::test]
async fn the_redis_store_claims_releases_and_counts() {
    let redis = Redis::start().await;
    let s = RedisStore::new(&redis.url).unwrap();
    let ttl = Duration::from_secs(5);
    assert!(s.claim("k", "a", ttl).await.unwrap());
    assert!(!s.claim("k", "b", ttl).await.unwrap());
    s.release("k", "b").await.unwrap();
    assert_eq!(s.get("k").await.unwrap().as_deref(), Some("a"));
    s.release("k", "a").await.unwrap();
    assert_eq!(s.get("k").await.unwrap(), None);
    assert!(s.claim("k", "b", Duration::from_millis(50)).await.unwrap());
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert!(s.claim("k", "c", ttl).await.unwrap());
    s.set("v", "{\"x\":\"é\"}", ttl).await.unwrap();
    assert_eq!(s.get("v").await.unwrap().as_deref(), Some("{\"x\":\"é\"}"));
    s.delete("v").await.unwrap();
    assert_eq!(s.get("v").await.unwrap(), None);
    let window = Duration::from_secs(60);
    assert_eq!(s.hit("h", window).await.unwrap().count, 1);
    let second = s.hit("h", window).await.unwrap();
    assert_eq!(second.count, 2);
    assert!(second.reset_in > Duration::from_secs(55) && second.reset_in <= window);
    // Many racers, one winner.
    let wins = join_all((0..20).map(|i| {
        let s = &s;
        async move { s.claim("race", &i.to_string(), ttl).await.unwrap() }
    }))
    .await;
    assert_eq!(wins.iter().filter(|w| **w).count(), 1);
}

#[tokio::test]
async fn two_instances_sharing_redis_create_one_ticket_per_key() {
    let redis = Redis::start().await;
    let shared = [("REDIS_URL", redis.url.as_str())];
    let env = Env::start_with(roomy(), &shared).await;
    let second = env.another_proxy(&shared).await;
    let bases = [env.proxy.url(), second.url()];
    // Slow first creations make the attempts overlap across both instances.
    env.moov().push_fault(Fault {
        delay_ms: Some(300),
        times: Some(3),
        ..Fault::default()
    });
    let body = ticket();
    let keys: Vec<String> = (0..3).map(|_| Uuid::new_v4().to_string()).collect();
    let sessions: Vec<String> = (0..30).map(|i| token(&format!("u-{i}"), ACCOUNT)).collect();
    let replies =
        join_all((0..30).map(|i| post_to(&bases[i % 2], &sessions[i], &body, Some(&keys[i % 3]))))
            .await;
    for (i, r) in replies.iter().enumerate() {
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["foreignID"], json!(keys[i % 3]));
        assert_eq!(r.json()["ticketID"], replies[i % 3].json()["ticketID"]);
    }
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 3);
    assert_eq!(env.moov().create_requests(), 3);
    // The other instance knows about a changed ticket under a key, too.
    let mut changed = ticket();
    changed["title"] = json!("changed");
    let conflict = post_to(&bases[1], &sessions[0], &changed, Some(&keys[0])).await;
    assert_eq!(conflict.status, 409, "{}", conflict.text);
}

#[tokio::test]
async fn without_a_shared_store_a_retry_elsewhere_finds_the_ticket_at_moov() {
    // Memory stores do not see each other's keys or claims, so two instances can still both
    // file a ticket when their attempts overlap; what they do have is the lookup by
    // `foreignID` a memory store makes before every new key, so a retry that lands on
    // another instance after the ticket reached Moov gets that ticket.
    let env = Env::start_with(roomy(), &[]).await;
    let second = env.another_proxy(&[]).await;
    env.moov().push_fault(Fault {
        delay_ms: Some(1_000),
        ..Fault::default()
    });
    let key = Uuid::new_v4().to_string();
    let session = token("u-1", ACCOUNT);
    let first_url = env.proxy.url();
    let (s, k) = (session.clone(), key.clone());
    let first = tokio::spawn(async move { post_to(&first_url, &s, &ticket(), Some(&k)).await });
    let deadline = Instant::now() + Duration::from_secs(10);
    while env.moov().tickets(ACCOUNT).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the first ticket never reached Moov"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let retry = post_to(&second.url(), &session, &ticket(), Some(&key)).await;
    let first = first.await.unwrap();
    assert_eq!((first.status, retry.status), (200, 200), "{}", retry.text);
    assert_eq!(retry.json()["ticketID"], first.json()["ticketID"]);
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 1);
    assert_eq!(env.moov().create_requests(), 1);
}

#[tokio::test]
async fn limits_are_counted_across_instances() {
    let redis = Redis::start().await;
    let env = Env::start_with(
        roomy(),
        &[
            ("REDIS_URL", &redis.url),
            ("USER_RATE_LIMIT_PER_MINUTE", "3"),
        ],
    )
    .await;
    let second = env
        .another_proxy(&[
            ("REDIS_URL", &redis.url),
            ("USER_RATE_LIMIT_PER_MINUTE", "3"),
        ])
        .await;
    let ann = token("ann", ACCOUNT);
    let bases = [env.proxy.url(), second.url()];
    let mut statuses = Vec::new();
    for i in 0..4 {
        statuses.push(post_to(&bases[i % 2], &ann, &ticket(), None).await.status);
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
}

#[tokio::test]
async fn a_lost_redis_is_a_503_and_not_ready() {
    let mut redis = Redis::start().await;
    let env = Env::start(&[("REDIS_URL", &redis.url)]).await;
    let key = Uuid::new_v4().to_string();
    assert_eq!(env.post(&ticket(), Some(&key)).await.status, 200);
    redis.child.kill().unwrap();
    redis.child.wait().unwrap();
    let reply = env.post(&ticket(), Some(&Uuid::new_v4().to_string())).await;
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert!(reply.error().contains("shared store"), "{}", reply.text);
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 1);
    let ready = Reply::read(client().get(env.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(ready.status, 503, "{}", ready.text);
    // A proxy cannot start against a Redis that is not there.
    let err = moov_support_proxy::Proxy::new(
        moov_support_proxy::Config::from_map(&crate::common::vars(&[
            ("MOOV_SANDBOX", "1"),
            ("REDIS_URL", &redis.url),
            ("PROXY_ADDR", "127.0.0.1:0"),
        ]))
        .unwrap(),
    )
    .start()
    .await
    .err()
    .unwrap();
    assert!(err.to_string().contains("REDIS_URL"), "{err}");
}
