//! Whatever a browser sends, the proxy answers with JSON and a request id.

use reqwest::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD,
    CONTENT_TYPE, ORIGIN,
};
use reqwest::Method;
use serde_json::json;

use crate::common::{ticket, token, Env, Reply, ACCOUNT};

#[tokio::test]
async fn oversized_bodies_are_413() {
    let env = Env::start(&[]).await;
    let mut body = ticket();
    body["body"] = json!(format!("<p>{}</p>", "x".repeat(300 * 1024)));
    let reply = env.post(&body, None).await;
    assert_eq!(reply.status, 413, "{}", reply.text);
    assert_eq!(reply.error(), "the request body is larger than 256 KiB");
    reply.request_id();
    // Just under the limit is read, then refused by the 64 KiB body rule.
    body["body"] = json!(format!("<p>{}</p>", "x".repeat(200 * 1024)));
    let reply = env.post(&body, None).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(reply.json()["body"].is_string());
    assert_eq!(env.moov().create_requests(), 0);
}

#[tokio::test]
async fn malformed_requests_are_json_errors() {
    let env = Env::start(&[]).await;
    let send = |body: &'static str, content_type: Option<&'static str>| {
        let mut req = env
            .http
            .post(env.url("/api/support/tickets"))
            .bearer_auth(token("u-1", ACCOUNT))
            .body(body);
        if let Some(ct) = content_type {
            req = req.header(CONTENT_TYPE, ct);
        }
        async move { Reply::read(req.send().await.unwrap()).await }
    };
    let json_ct = Some("application/json");
    for (body, ct, status) in [
        ("{\"title\": ", json_ct, 400),
        ("not json at all", json_ct, 400),
        ("", json_ct, 400),
        ("[1, 2]", json_ct, 400),
        ("{\"title\": 5, \"body\": \"x\"}", json_ct, 400),
        ("{\"contact\": \"me@example.com\"}", json_ct, 400),
        ("{\"title\": \"t\"}", Some("text/plain"), 415),
        ("{\"title\": \"t\"}", None, 415),
    ] {
        let reply = send(body, ct).await;
        assert_eq!(reply.status, status, "{body:?} {ct:?}: {}", reply.text);
        assert!(!reply.error().is_empty());
        reply.request_id();
    }
    assert_eq!(env.moov().create_requests(), 0);
}

#[tokio::test]
async fn invalid_fields_are_the_flat_422_map() {
    let env = Env::start(&[]).await;
    let reply = env
        .post(
            &json!({"title": "  ", "body": "<script>x</script>", "contact": {"email": "nope", "name": "a\u{7}b"}}),
            None,
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let b = reply.json();
    assert_eq!(b["title"], "Enter a subject.");
    assert_eq!(b["body"], "Write a message.");
    assert!(b["contact"]["email"].is_string());
    assert!(b["contact"]["name"].is_string());
    assert!(b.get("error").is_none());
    reply.request_id();
    // Missing fields are named the same way.
    let reply = env.post(&json!({}), None).await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.json()["contact"]["email"],
        "Enter your email address so support can reply."
    );
    assert_eq!(env.moov().create_requests(), 0);
}

#[tokio::test]
async fn cors_allows_exactly_the_configured_origins() {
    let env = Env::start(&[]).await;
    let preflight = |origin: &'static str| {
        env.http
            .request(Method::OPTIONS, env.url("/api/support/tickets"))
            .header(ORIGIN, origin)
            .header(ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization,content-type,idempotency-key",
            )
            .send()
    };
    let ok = Reply::read(preflight("https://partner.example").await.unwrap()).await;
    assert!(ok.status < 300, "{}", ok.status);
    assert_eq!(
        ok.header(ACCESS_CONTROL_ALLOW_ORIGIN.as_str()),
        Some("https://partner.example")
    );
    let methods = ok
        .header(ACCESS_CONTROL_ALLOW_METHODS.as_str())
        .unwrap()
        .to_lowercase();
    assert!(
        methods.contains("post") && methods.contains("options"),
        "{methods}"
    );
    let headers = ok
        .header(ACCESS_CONTROL_ALLOW_HEADERS.as_str())
        .unwrap()
        .to_lowercase();
    for h in ["authorization", "content-type", "idempotency-key"] {
        assert!(headers.contains(h), "{headers}");
    }
    let exposed = ok
        .header(ACCESS_CONTROL_EXPOSE_HEADERS.as_str())
        .unwrap()
        .to_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    ok.request_id();

    for origin in [
        "https://evil.example",
        "https://partner.example.evil",
        "null",
    ] {
        let no = Reply::read(preflight(origin).await.unwrap()).await;
        assert_eq!(
            no.header(ACCESS_CONTROL_ALLOW_ORIGIN.as_str()),
            None,
            "{origin}"
        );
        assert_eq!(no.header(ACCESS_CONTROL_EXPOSE_HEADERS.as_str()), None);
        no.request_id();
    }

    // The real request exposes the id (and Retry-After) to the allowed origin.
    let reply = Reply::read(
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
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header(ACCESS_CONTROL_ALLOW_ORIGIN.as_str()),
        Some("https://partner.example")
    );
    let exposed = reply
        .header(ACCESS_CONTROL_EXPOSE_HEADERS.as_str())
        .unwrap()
        .to_lowercase();
    assert!(exposed.contains("x-request-id") && exposed.contains("retry-after"));
}

#[tokio::test]
async fn other_routes_answer_json_with_a_request_id() {
    let env = Env::start(&[]).await;
    let get = |path: &str| {
        let url = env.url(path);
        let http = env.http.clone();
        async move { Reply::read(http.get(url).send().await.unwrap()).await }
    };
    let health = get("/healthz").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json(), json!({"status": "ok"}));
    health.request_id();

    let unknown = get("/nope").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error(), "no such route");
    unknown.request_id();

    let wrong_method = Reply::read(
        env.http
            .put(env.url("/api/support/tickets"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(wrong_method.status, 405);
    assert!(!wrong_method.error().is_empty());
    wrong_method.request_id();

    // No sandbox in front: the dev routes do not exist.
    for path in ["/api/dev/session", "/api/dev/session?sub=x"] {
        let dev = get(path).await;
        assert_eq!(dev.status, 404, "{path}");
    }
    let faults = Reply::read(
        env.http
            .post(env.url("/api/dev/faults"))
            .json(&json!({"status": 500}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(faults.status, 404);
    assert_eq!(env.moov().pending_faults(), 0);

    // Ids are fresh per request.
    assert_ne!(
        get("/healthz").await.request_id(),
        get("/healthz").await.request_id()
    );
}

#[tokio::test]
async fn each_user_has_a_ticket_rate_limit() {
    let env = Env::start(&[("USER_RATE_LIMIT_PER_MINUTE", "2")]).await;
    let ann = token("ann", ACCOUNT);
    for _ in 0..2 {
        assert_eq!(env.post_as(&ann, &ticket(), None).await.status, 200);
    }
    let limited = env.post_as(&ann, &ticket(), None).await;
    assert_eq!(limited.status, 429, "{}", limited.text);
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    // Counted per minute: the window ends within a minute.
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(limited.error().contains("too many tickets"));
    // Another user of the same account is not held back.
    assert_eq!(
        env.post_as(&token("bob", ACCOUNT), &ticket(), None)
            .await
            .status,
        200
    );
    assert_eq!(env.moov().create_requests(), 3);
}
