//! What a production deployment relies on: one token for a crowd, the Origin check, limits
//! per IP, request timeouts, security headers, readiness, no 5xx for bad input, quiet logs.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use moov_support_sandbox::{Fault, SandboxOptions, SANDBOX_SECRET_KEY};
use reqwest::header::{CONTENT_TYPE, ORIGIN};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::common::{client, ticket, token, Env, Reply, ACCOUNT, SECRET};

fn fast_sandbox() -> SandboxOptions {
    SandboxOptions {
        rate_limit_per_second: 10_000,
        ..SandboxOptions::default()
    }
}

#[tokio::test]
async fn fifty_concurrent_requests_with_a_cold_cache_fetch_one_token() {
    let env = Env::start_with(fast_sandbox(), &[]).await;
    let body = ticket();
    let tokens: Vec<String> = (0..50)
        .map(|i| token(&format!("crowd-{i}"), ACCOUNT))
        .collect();
    let replies = join_all(tokens.iter().map(|t| env.post_as(t, &body, None))).await;
    for r in &replies {
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(env.moov().token_requests(), 1);
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 50);
}

#[tokio::test]
async fn a_post_from_a_foreign_origin_is_403() {
    let env = Env::start(&[]).await;
    let post = |origin: Option<String>| {
        let mut req = env
            .http
            .post(env.url("/api/support/tickets"))
            .bearer_auth(token("u-1", ACCOUNT))
            .json(&ticket());
        if let Some(o) = origin {
            req = req.header(ORIGIN, o);
        }
        async move { Reply::read(req.send().await.unwrap()).await }
    };
    for evil in [
        "https://evil.example",
        "null",
        "https://partner.example.evil",
    ] {
        let reply = post(Some(evil.into())).await;
        assert_eq!(reply.status, 403, "{evil}: {}", reply.text);
        assert!(reply.error().contains("ALLOWED_ORIGINS"), "{}", reply.text);
        reply.request_id();
    }
    assert_eq!(env.moov().create_requests(), 0);
    // Allowed, the proxy's own page, and non-browser callers.
    assert_eq!(
        post(Some("https://partner.example".into())).await.status,
        200
    );
    assert_eq!(post(Some(env.proxy.url())).await.status, 200);
    assert_eq!(post(None).await.status, 200);
    // Reads are not state-changing: CORS alone keeps the answer from a foreign page.
    let read = Reply::read(
        env.http
            .get(env.url("/api/support/tickets"))
            .header(ORIGIN, "https://evil.example")
            .bearer_auth(token("u-1", ACCOUNT))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn each_ip_has_a_request_limit() {
    let env = Env::start(&[("IP_RATE_LIMIT_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        assert_eq!(env.post(&ticket(), None).await.status, 200);
    }
    // Any API request counts, with or without a session.
    let limited = env.get_as("not-a-session", "/api/support/tickets").await;
    assert_eq!(limited.status, 429, "{}", limited.text);
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(limited.error().contains("this address"));
    limited.request_id();
    let cross = Reply::read(
        env.http
            .get(env.url("/api/support/tickets"))
            .header(ORIGIN, "https://partner.example")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(cross.status, 429);
    assert_eq!(
        cross.header("access-control-allow-origin"),
        Some("https://partner.example")
    );
    assert_eq!(env.post(&ticket(), None).await.status, 429);
    // Probes are not API requests.
    let health = Reply::read(env.http.get(env.url("/healthz")).send().await.unwrap()).await;
    assert_eq!(health.status, 200);
    assert_eq!(env.moov().create_requests(), 3);
}

#[tokio::test]
async fn every_answer_carries_security_headers() {
    let env = Env::start(&[]).await;
    let ok = env.post(&ticket(), None).await;
    let unauthorized = env.get_as("nope", "/api/support/tickets").await;
    let missing = Reply::read(env.http.get(env.url("/nope")).send().await.unwrap()).await;
    let health = Reply::read(env.http.get(env.url("/healthz")).send().await.unwrap()).await;
    for reply in [ok, unauthorized, missing, health] {
        let status = reply.status;
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{status}"
        );
        assert_eq!(
            reply.header("referrer-policy"),
            Some("no-referrer"),
            "{status}"
        );
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{status}");
        let csp = reply.header("content-security-policy").unwrap();
        assert!(csp.contains("default-src 'none'"), "{status}: {csp}");
    }
}

#[tokio::test]
async fn a_request_over_the_time_limit_is_504_and_its_retry_is_safe() {
    let env = Env::start(&[("REQUEST_TIMEOUT_MS", "400")]).await;
    assert_eq!(env.post(&ticket(), None).await.status, 200);
    env.moov().push_fault(Fault {
        delay_ms: Some(1000),
        ..Fault::default()
    });
    let key = Uuid::new_v4().to_string();
    let started = Instant::now();
    let late = env.post(&ticket(), Some(&key)).await;
    assert_eq!(late.status, 504, "{}", late.text);
    assert!(late.error().contains("in time"), "{}", late.text);
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    late.request_id();
    // A widget on an allowed page can read the timeout (and the per-IP 429) too.
    env.moov().push_fault(Fault {
        delay_ms: Some(1000),
        ..Fault::default()
    });
    let cross = Reply::read(
        env.http
            .post(env.url("/api/support/tickets"))
            .header(ORIGIN, "https://partner.example")
            .bearer_auth(token("u-1", ACCOUNT))
            .json(&ticket())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(cross.status, 504);
    assert_eq!(
        cross.header("access-control-allow-origin"),
        Some("https://partner.example")
    );
    // Moov stored it; the retry finds it instead of filing it again.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let retry = env.post(&ticket(), Some(&key)).await;
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.json()["foreignID"], json!(key));
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 3);
}

#[tokio::test]
async fn readyz_says_whether_a_moov_token_can_be_had() {
    let env = Env::start(&[("MOOV_READY_ACCOUNT_ID", &ACCOUNT.to_string())]).await;
    let readyz = |proxy: String| async move {
        Reply::read(
            client()
                .get(format!("{proxy}/readyz"))
                .send()
                .await
                .unwrap(),
        )
        .await
    };
    let ready = readyz(env.proxy.url()).await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    assert_eq!(ready.json()["status"], "ready");
    assert_eq!(env.moov().token_requests(), 1);

    // A fresh instance while Moov's token endpoint fails: not ready, and says why.
    env.moov().fail_token_requests(Some(500));
    let cold = env
        .another_proxy(&[("MOOV_READY_ACCOUNT_ID", &ACCOUNT.to_string())])
        .await;
    let not_ready = readyz(cold.url()).await;
    assert_eq!(not_ready.status, 503, "{}", not_ready.text);
    // Which dependency, for anyone; what exactly failed, only in the log under the request id.
    assert_eq!(
        not_ready.json(),
        json!({"error": "not ready: moov token endpoint"})
    );
    let id = not_ready.request_id().to_string();
    let logged = crate::logs::text();
    assert!(
        logged
            .lines()
            .any(|l| l.contains(&id) && l.contains("answered 500")),
        "no log line with {id} and the token endpoint's status"
    );
    env.moov().fail_token_requests(None);
    assert_eq!(readyz(cold.url()).await.status, 200);
    // Liveness does not depend on Moov.
    let health = Reply::read(
        client()
            .get(format!("{}/healthz", cold.url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(health.status, 200);
}

#[tokio::test]
async fn malformed_input_never_gets_a_5xx_from_the_proxy() {
    let env = Env::start_with(fast_sandbox(), &[("USER_RATE_LIMIT_PER_MINUTE", "0")]).await;
    let good = token("u-1", ACCOUNT);
    let auth = format!("Bearer {good}");
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let long_title =
        json!({"title": "x".repeat(10_000), "body": "<p>x</p>", "contact": {"email": "a@b.co"}})
            .to_string();
    let weird_body = json!({"title": "\u{0}\u{202e}", "body": "<svg onload=x>", "contact": {"email": "a@b.co", "name": ["x"]}}).to_string();
    type Case<'a> = (Method, &'a str, Vec<(&'a str, &'a str)>, Vec<u8>);
    let cases: Vec<Case> = vec![
        (
            Method::POST,
            "/api/support/tickets",
            vec![
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            b"\xff\xfe\x00garbage".to_vec(),
        ),
        (
            Method::POST,
            "/api/support/tickets",
            vec![
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            deep.clone().into_bytes(),
        ),
        (
            Method::POST,
            "/api/support/tickets",
            vec![
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            long_title.into_bytes(),
        ),
        (
            Method::POST,
            "/api/support/tickets",
            vec![
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            weird_body.into_bytes(),
        ),
        (
            Method::POST,
            "/api/support/tickets",
            vec![
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            b"null".to_vec(),
        ),
        (
            Method::POST,
            "/api/support/tickets",
            vec![
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            b"1e999999".to_vec(),
        ),
        (
            Method::POST,
            "/api/support/tickets",
            vec![
                ("authorization", &auth),
                ("content-type", "application/json; charset=latin1"),
            ],
            b"{}".to_vec(),
        ),
        (
            Method::POST,
            "/api/support/tickets",
            vec![
                ("authorization", &auth),
                ("content-type", "application/json"),
                ("idempotency-key", "not-a-uuid"),
            ],
            b"{}".to_vec(),
        ),
        (
            Method::POST,
            "/api/support/tickets",
            vec![
                ("authorization", &auth),
                ("content-type", "application/json"),
                ("idempotency-key", ""),
            ],
            b"{}".to_vec(),
        ),
        (
            Method::POST,
            "/api/support/tickets",
            vec![
                ("authorization", "Bearer "),
                ("content-type", "application/json"),
            ],
            b"{}".to_vec(),
        ),
        (
            Method::POST,
            "/api/support/tickets",
            vec![
                ("authorization", "Bearer a.b.c"),
                ("content-type", "application/json"),
            ],
            b"{}".to_vec(),
        ),
        (
            Method::POST,
            "/api/support/tickets",
            vec![
                ("authorization", "Bearer a\tb c"),
                ("content-type", "application/json"),
            ],
            b"{}".to_vec(),
        ),
        (
            Method::POST,
            "/api/support/tickets",
            vec![
                ("authorization", &auth),
                ("content-type", "multipart/form-data; boundary=x"),
            ],
            b"--x--".to_vec(),
        ),
        (
            Method::POST,
            "/api/support/tickets",
            vec![
                ("authorization", &auth),
                ("content-type", "application/json"),
                ("content-encoding", "gzip"),
            ],
            b"{}".to_vec(),
        ),
        (
            Method::GET,
            "/api/support/tickets?count=-1",
            vec![("authorization", &auth)],
            vec![],
        ),
        (
            Method::GET,
            "/api/support/tickets?count=99999999999999999999",
            vec![("authorization", &auth)],
            vec![],
        ),
        (
            Method::GET,
            "/api/support/tickets?status=%00",
            vec![("authorization", &auth)],
            vec![],
        ),
        (
            Method::GET,
            "/api/support/tickets?cursor=%FF%FE",
            vec![("authorization", &auth)],
            vec![],
        ),
        (
            Method::GET,
            "/api/support/tickets?cursor=abc",
            vec![("authorization", &auth)],
            vec![],
        ),
        (
            Method::GET,
            "/api/support/tickets?%%%",
            vec![("authorization", &auth)],
            vec![],
        ),
        (
            Method::GET,
            "/api/support/tickets/..%2F..%2Fetc%2Fpasswd",
            vec![("authorization", &auth)],
            vec![],
        ),
        (
            Method::GET,
            "/api/support/tickets/00000000-0000-0000-0000-000000000000",
            vec![("authorization", &auth)],
            vec![],
        ),
        (
            Method::GET,
            "/api/support/tickets/%20/messages",
            vec![("authorization", &auth)],
            vec![],
        ),
        (
            Method::GET,
            "/api/support/tickets/00000000-0000-0000-0000-000000000000/messages",
            vec![("authorization", &auth)],
            vec![],
        ),
        (
            Method::DELETE,
            "/api/support/tickets",
            vec![("authorization", &auth)],
            vec![],
        ),
        (
            Method::PATCH,
            "/api/support/tickets/x",
            vec![("authorization", &auth)],
            b"{}".to_vec(),
        ),
        (Method::GET, "/readyz?x=%ZZ", vec![], vec![]),
        (Method::POST, "/healthz", vec![], b"x".to_vec()),
        (Method::GET, "/api/dev/session", vec![], vec![]),
        (
            Method::OPTIONS,
            "/api/support/tickets",
            vec![
                ("origin", "https://evil.example"),
                ("access-control-request-method", "PUT"),
            ],
            vec![],
        ),
    ];
    for (method, path, headers, body) in cases {
        let mut req = env.http.request(method.clone(), env.url(path)).body(body);
        for (k, v) in &headers {
            req = req.header(*k, *v);
        }
        let reply = Reply::read(req.send().await.unwrap()).await;
        assert!(
            reply.status < 500,
            "{method} {path} {headers:?}: {} {}",
            reply.status,
            reply.text
        );
        reply.request_id();
        if reply.status == 422 {
            assert!(
                !reply.json().as_object().unwrap().is_empty(),
                "{method} {path}"
            );
        } else if reply.status >= 400 && method != Method::OPTIONS {
            assert!(!reply.error().is_empty(), "{method} {path}");
        }
    }
    // A header too large for the server is refused as the client's fault too.
    let huge = Reply::read(
        env.http
            .get(env.url("/api/support/tickets"))
            .header("authorization", format!("Bearer {}", "a".repeat(200_000)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(huge.status < 500, "{}", huge.status);
    let _ = CONTENT_TYPE;
}

#[tokio::test]
async fn logs_hold_no_token_key_or_body() {
    let env = Env::start(&[]).await;
    let marker = "body-marker-7f3a9c";
    let mut body = ticket();
    body["body"] = json!(format!("<p>{marker} secret plan</p>"));
    body["title"] = json!("title-marker-51be");
    let session = token("logger", ACCOUNT);
    assert_eq!(env.post_as(&session, &body, None).await.status, 200);
    // Failures log more: a 401 renewal, a 422, a timeout, a bad session.
    env.moov().revoke_tokens();
    assert_eq!(
        env.post_as(&session, &body, Some(&Uuid::new_v4().to_string()))
            .await
            .status,
        200
    );
    env.moov().push_fault(Fault::status(422));
    assert_eq!(env.post_as(&session, &body, None).await.status, 422);
    env.moov().fail_token_requests(Some(500));
    env.moov().revoke_tokens();
    assert_eq!(env.post_as(&session, &body, None).await.status, 502);
    env.moov().fail_token_requests(None);
    assert_eq!(
        env.post_as(&format!("{session}x"), &body, None)
            .await
            .status,
        401
    );
    assert_eq!(
        env.get_as(&session, "/api/support/tickets").await.status,
        200
    );

    let logs = crate::logs::text();
    assert!(logs.contains("logger"), "the user is logged");
    for secret in [
        SECRET,
        SANDBOX_SECRET_KEY,
        &session,
        // Any JWT, any sandbox access or refresh token.
        "eyJ",
        "sbx_at_",
        "sbx_rt_",
        marker,
        "title-marker-51be",
        "secret plan",
    ] {
        assert!(!logs.contains(secret), "{secret:?} leaked into the logs");
    }
}

/// A proxy behind one trusted load balancer, letting each client make two API requests a
/// minute.
async fn two_requests_a_minute_behind_a_balancer() -> Env {
    Env::start(&[
        ("IP_RATE_LIMIT_PER_MINUTE", "2"),
        ("TRUSTED_PROXY_HOPS", "1"),
    ])
    .await
}

/// The status of an API request the balancer forwarded with `forwarded` as the client.
async fn status_forwarded_for(env: &Env, forwarded: &str) -> u16 {
    let req = env
        .http
        .get(env.url("/api/support/tickets"))
        .bearer_auth(token("u-1", ACCOUNT))
        .header("x-forwarded-for", forwarded);
    Reply::read(req.send().await.unwrap()).await.status
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_limited() {
    let env = two_requests_a_minute_behind_a_balancer().await;
    let get = |forwarded| status_forwarded_for(&env, forwarded);
    assert_eq!(get("203.0.113.7").await, 200);
    // What the client wrote itself, left of the trusted entry, changes nothing.
    assert_eq!(get("1.1.1.1, 203.0.113.7").await, 200);
    assert_eq!(get("2.2.2.2, 203.0.113.7").await, 429);
    // Another client behind the same load balancer has its own count.
    assert_eq!(get("198.51.100.4").await, 200);
}

#[tokio::test]
async fn an_ipv6_client_is_limited_by_its_64_prefix() {
    let env = two_requests_a_minute_behind_a_balancer().await;
    let get = |forwarded| status_forwarded_for(&env, forwarded);
    // A new address from the same /64 for every request does not earn a new budget.
    assert_eq!(get("2001:db8:1:2::1").await, 200);
    assert_eq!(get("2001:db8:1:2:aaaa::7").await, 200);
    assert_eq!(get("2001:db8:1:2:ffff:ffff:ffff:ffff").await, 429);
    // The neighbouring /64 is another client.
    assert_eq!(get("2001:db8:1:3::1").await, 200);
}
