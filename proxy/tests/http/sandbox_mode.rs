//! The proxy started with `--sandbox`: the built-in sandbox and the dev routes.

use moov_support_proxy::{Config, Proxy, RunningProxy};
use moov_support_sandbox::DEMO_ACCOUNT_ID;
use serde_json::{json, Value};

use crate::common::{client, ticket, vars, Reply};

async fn start() -> RunningProxy {
    let config = Config::from_map(&vars(&[
        ("MOOV_SANDBOX", "1"),
        ("PROXY_ADDR", "127.0.0.1:0"),
        ("UPSTREAM_TIMEOUT_MS", "600"),
    ]))
    .unwrap();
    assert!(config.is_sandbox());
    Proxy::new(config).start().await.unwrap()
}

async fn dev_session(proxy: &RunningProxy, query: &str) -> Value {
    let reply = Reply::read(
        client()
            .get(format!("{}/api/dev/session{query}", proxy.url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.request_id();
    reply.json()
}

async fn file(proxy: &RunningProxy, token: &str) -> Reply {
    Reply::read(
        client()
            .post(format!("{}/api/support/tickets", proxy.url()))
            .bearer_auth(token)
            .json(&ticket())
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn faults(proxy: &RunningProxy, method: reqwest::Method, body: Option<Value>) -> Reply {
    let mut req = client().request(method, format!("{}/api/dev/faults", proxy.url()));
    if let Some(b) = body {
        req = req.json(&b);
    }
    Reply::read(req.send().await.unwrap()).await
}

#[tokio::test]
async fn dev_sessions_file_tickets_on_the_demo_account() {
    let proxy = start().await;
    let sandbox = proxy.sandbox().expect("sandbox mode").clone();
    assert!(proxy.moov_url.starts_with("http://127.0.0.1:"));

    let demo = dev_session(&proxy, "").await;
    assert_eq!(demo["accountID"], DEMO_ACCOUNT_ID.to_string());
    assert_eq!(demo["sub"], "demo-user");
    assert_eq!(demo["email"], "jordan@example.com");
    assert_eq!(demo["name"], "Jordan Lee");
    let expires = demo["expiresAt"].as_i64().unwrap();
    let now = moov_support_proxy::session::unix_now();
    assert!((now + 3590..=now + 3610).contains(&expires), "{expires}");

    let reply = file(&proxy, demo["token"].as_str().unwrap()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["number"], 1);
    assert_eq!(sandbox.tickets(DEMO_ACCOUNT_ID).len(), 1);

    let other = dev_session(&proxy, "?sub=browser-test-7").await;
    assert_eq!(other["sub"], "browser-test-7");
    assert_ne!(other["token"], demo["token"]);
    assert_eq!(
        file(&proxy, other["token"].as_str().unwrap()).await.status,
        200
    );

    let health = Reply::read(
        client()
            .get(format!("{}/healthz", proxy.url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(health.json(), json!({"status": "ok"}));
    proxy.shutdown().await.unwrap();
}

#[tokio::test]
async fn faults_can_be_scripted_over_http() {
    let proxy = start().await;
    let token = dev_session(&proxy, "").await["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let queued = faults(
        &proxy,
        reqwest::Method::POST,
        Some(json!({"status": 422, "body": {"title": "Moov says no."}, "times": 2})),
    )
    .await;
    assert_eq!(queued.status, 200, "{}", queued.text);
    assert_eq!(queued.json(), json!({"queued": 2}));
    for _ in 0..2 {
        let r = file(&proxy, &token).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.json(), json!({"title": "Moov says no."}));
    }
    assert_eq!(file(&proxy, &token).await.status, 200);

    let queued = faults(
        &proxy,
        reqwest::Method::POST,
        Some(json!([{"status": 429, "retryAfter": 3}, {"status": 500}, {"delayMs": 1200}, {"drop": true}])),
    )
    .await;
    assert_eq!(queued.json(), json!({"queued": 4}));
    let r = file(&proxy, &token).await;
    assert_eq!((r.status, r.header("retry-after")), (429, Some("3")));
    assert_eq!(file(&proxy, &token).await.status, 500);
    assert_eq!(file(&proxy, &token).await.status, 504);
    assert_eq!(file(&proxy, &token).await.status, 502);

    faults(
        &proxy,
        reqwest::Method::POST,
        Some(json!({"status": 500, "times": 5})),
    )
    .await;
    let cleared = faults(&proxy, reqwest::Method::DELETE, None).await;
    assert_eq!(cleared.json(), json!({"queued": 0}));
    assert_eq!(file(&proxy, &token).await.status, 200);

    for bad in [
        json!({}),
        json!({"status": 99}),
        json!({"stauts": 500}),
        json!("x"),
    ] {
        let r = faults(&proxy, reqwest::Method::POST, Some(bad.clone())).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert!(r.error().starts_with("invalid fault"), "{}", r.text);
    }
    proxy.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_token_endpoint_can_be_failed_over_http() {
    let proxy = start().await;
    let token = dev_session(&proxy, "").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let http = client();
    let set = |body: Value| {
        let http = http.clone();
        let url = format!("{}/api/dev/token-failure", proxy.url());
        async move { Reply::read(http.post(url).json(&body).send().await.unwrap()).await }
    };
    let readyz = || {
        let http = http.clone();
        let url = format!("{}/readyz", proxy.url());
        async move { Reply::read(http.get(url).send().await.unwrap()).await }
    };
    let failing = set(json!({"status": 503})).await;
    assert_eq!(failing.json(), json!({"tokenStatus": 503}));
    // Nothing cached yet: not ready, and a ticket cannot be filed.
    assert_eq!(readyz().await.status, 503);
    let r = file(&proxy, &token).await;
    assert_eq!(r.status, 502, "{}", r.text);
    assert!(r.error().contains("503"), "{}", r.text);
    assert_eq!(
        set(json!({"status": null})).await.json(),
        json!({"tokenStatus": null})
    );
    assert_eq!(readyz().await.status, 200);
    assert_eq!(file(&proxy, &token).await.status, 200);
    for bad in [json!({"status": 200}), json!({"status": "x"}), json!([])] {
        let r = set(bad.clone()).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
    }
    proxy.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_built_bundle_is_served_beside_the_api() {
    let dir = std::env::temp_dir().join(format!("moov-proxy-static-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>demo</title>").unwrap();
    std::fs::write(dir.join("widget_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let config = Config::from_map(&vars(&[
        ("MOOV_SANDBOX", "1"),
        ("PROXY_ADDR", "127.0.0.1:0"),
        ("STATIC_DIR", dir.to_str().unwrap()),
        ("ALLOWED_ORIGINS", "http://127.0.0.1:9"),
    ]))
    .unwrap();
    let proxy = Proxy::new(config).start().await.unwrap();
    let get = |path: &str| {
        let url = format!("{}{path}", proxy.url());
        async move { Reply::read(client().get(url).send().await.unwrap()).await }
    };
    let index = get("/").await;
    assert_eq!(index.status, 200);
    assert!(index.text.contains("<title>demo</title>"));
    assert_eq!(
        index.header("content-security-policy"),
        Some("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; object-src 'none'; base-uri 'none'")
    );
    index.request_id();
    let wasm = get("/widget_bg.wasm").await;
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    let missing = get("/nope.js").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error(), "no such route");
    // The API still answers.
    assert_eq!(get("/healthz").await.json(), json!({"status": "ok"}));
    assert_eq!(get("/api/dev/session").await.status, 200);

    // Browser tests on an allowed origin may clear faults: DELETE passes the preflight.
    let preflight = Reply::read(
        client()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/dev/faults", proxy.url()),
            )
            .header("origin", "http://127.0.0.1:9")
            .header("access-control-request-method", "DELETE")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let methods = preflight.header("access-control-allow-methods").unwrap();
    assert!(methods.contains("DELETE"), "{methods}");
    proxy.shutdown().await.unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}
