//! The proxy's Moov tokens: cached, shared, renewed, and failing cleanly.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use moov_support_proxy::{Config, Proxy};
use moov_support_sandbox::{SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY};
use tokio::net::TcpListener;

use crate::common::{client, ticket, token, vars, Env, Reply, ACCOUNT, SECRET};

#[tokio::test]
async fn many_tickets_need_one_token() {
    let env = Env::start(&[]).await;
    for i in 1..=6 {
        let reply = env.post(&ticket(), None).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.json()["number"], i);
    }
    assert_eq!(env.moov().token_requests(), 1);
    assert_eq!(env.moov().create_requests(), 6);
}

#[tokio::test]
async fn concurrent_cold_requests_share_one_token_fetch() {
    let env = Env::start(&[]).await;
    let body = ticket();
    let replies = join_all((0..8).map(|_| env.post(&body, None))).await;
    let mut numbers: Vec<i64> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, 200, "{}", r.text);
            r.json()["number"].as_i64().unwrap()
        })
        .collect();
    numbers.sort();
    assert_eq!(numbers, (1..=8).collect::<Vec<_>>());
    assert_eq!(env.moov().token_requests(), 1);
}

#[tokio::test]
async fn expires_in_as_a_timestamp_is_cached_too() {
    let env = Env::start(&[]).await;
    env.moov().set_expires_in_as_timestamp(true);
    for _ in 0..3 {
        assert_eq!(env.post(&ticket(), None).await.status, 200);
    }
    assert_eq!(env.moov().token_requests(), 1);
}

#[tokio::test]
async fn tokens_are_renewed_before_they_expire() {
    let env = Env::start(&[]).await;
    env.moov().set_token_lifetime(Duration::from_secs(1));
    assert_eq!(env.post(&ticket(), None).await.status, 200);
    assert_eq!(env.post(&ticket(), None).await.status, 200);
    assert_eq!(env.moov().token_requests(), 1);
    // A tenth of the lifetime early: after 0.9 s the cached token is not used again.
    tokio::time::sleep(Duration::from_millis(950)).await;
    let reply = env.post(&ticket(), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(env.moov().token_requests(), 2);
    // Renewed before the sandbox would have refused it: no 401 retry happened.
    assert_eq!(env.moov().create_requests(), 3);
}

#[tokio::test]
async fn token_endpoint_failures_are_502_and_recover() {
    let env = Env::start(&[]).await;
    env.moov().fail_token_requests(Some(500));
    let reply = env.post(&ticket(), None).await;
    assert_eq!(reply.status, 502, "{}", reply.text);
    assert_eq!(
        reply.error(),
        "the proxy could not get a Moov access token: Moov's token endpoint answered 500"
    );
    reply.request_id();

    env.moov().fail_token_requests(Some(401));
    let reply = env.post(&ticket(), None).await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.error(), "the proxy's Moov credentials were rejected");

    env.moov().fail_token_requests(None);
    assert_eq!(env.post(&ticket(), None).await.status, 200);
    assert_eq!(env.moov().create_requests(), 1);
}

#[tokio::test]
async fn wrong_keys_are_the_proxys_problem_not_the_users() {
    let env = Env::start(&[("MOOV_SECRET_KEY", "not-the-sandbox-secret")]).await;
    let reply = env.post(&ticket(), None).await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.error(), "the proxy's Moov credentials were rejected");
}

#[tokio::test]
async fn an_unknown_account_cannot_get_a_token() {
    let env = Env::start(&[]).await;
    let stranger = uuid::Uuid::new_v4();
    let reply = env.post_as(&token("u-1", stranger), &ticket(), None).await;
    assert_eq!(reply.status, 502, "{}", reply.text);
    assert!(reply.error().contains("403"), "{}", reply.text);
    assert!(env.moov().tickets(ACCOUNT).is_empty());
}

/// A Moov that accepts connections and never answers, or is not there at all.
async fn proxy_to(base_url: &str, timeout_ms: &str) -> moov_support_proxy::RunningProxy {
    let config = Config::from_map(&vars(&[
        ("MOOV_BASE_URL", base_url),
        ("MOOV_PUBLIC_KEY", SANDBOX_PUBLIC_KEY),
        ("MOOV_SECRET_KEY", SANDBOX_SECRET_KEY),
        ("SESSION_SECRET", SECRET),
        ("PROXY_ADDR", "127.0.0.1:0"),
        ("UPSTREAM_TIMEOUT_MS", timeout_ms),
    ]))
    .unwrap();
    Proxy::new(config).start().await.unwrap()
}

#[tokio::test]
async fn a_silent_or_absent_token_endpoint_never_hangs() {
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    let keep = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    // A port that was free a moment ago: nobody listens there.
    let absent_url = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    for (url, want) in [
        (silent_url, "Moov's token endpoint did not answer in time"),
        (absent_url, "Moov's token endpoint could not be reached"),
    ] {
        let proxy = proxy_to(&url, "300").await;
        let http = client();
        let started = Instant::now();
        // Callers queued behind one failing token request share its failure instead of
        // each waiting out a timeout of their own.
        let replies = join_all((0..6).map(|_| async {
            Reply::read(
                http.post(format!("{}/api/support/tickets", proxy.url()))
                    .bearer_auth(token("u-1", ACCOUNT))
                    .json(&ticket())
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }))
        .await;
        assert!(
            started.elapsed() < Duration::from_millis(1500),
            "{url}: took {:?}",
            started.elapsed()
        );
        for reply in replies {
            assert_eq!(reply.status, 502, "{url}: {}", reply.text);
            assert_eq!(
                reply.error(),
                format!("the proxy could not get a Moov access token: {want}")
            );
            reply.request_id();
        }
    }
    keep.abort();
}
