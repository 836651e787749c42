//! The proxy's router mounted in a partner's axum app under `/support`, beside the partner's
//! own routes, served with plain `axum::serve` (no connect info) unless said otherwise: every
//! URL the widget derives from its `endpoint` answers, the sandbox's webhooks find the prefix,
//! the partner's routes and fallback stay the partner's, and the dev routes answer only
//! peers known to be loopback.

use std::net::SocketAddr;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use moov_support_proxy::{Config, Proxy, ProxyHandle};
use serde_json::json;

use crate::common::{agent_reply, client, ticket, vars, Reply};
use crate::live::Stream;

const PARTNER_404: &str = "the partner's own page is not here";

/// A partner's app with the proxy (sandbox mode, `extra` settings) under `/support`, on a
/// loopback port, served without connect info; answers its base URL and the proxy's handle.
async fn partner_app(extra: &[(&str, &str)]) -> (String, ProxyHandle) {
    partner_app_served(extra, false).await
}

/// [`partner_app`], served with the peer address when `connect_info`.
async fn partner_app_served(extra: &[(&str, &str)], connect_info: bool) -> (String, ProxyHandle) {
    crate::logs::capture();
    let mut settings = vars(&[("MOOV_SANDBOX", "1")]);
    settings.extend(vars(extra));
    let (support, proxy) = Proxy::new(Config::from_map(&settings).unwrap())
        .router()
        .await
        .unwrap();
    let app = Router::new()
        .route("/api/hello", get(|| async { "hello from the partner" }))
        .nest("/support", support)
        .fallback(|| async { (StatusCode::NOT_FOUND, PARTNER_404) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    proxy.deliver_sandbox_webhooks_to(&format!("{base}/support"));
    if connect_info {
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await });
    } else {
        tokio::spawn(async move { axum::serve(listener, app).await });
    }
    (base, proxy)
}

async fn get_as(url: &str, token: Option<&str>) -> Reply {
    let mut request = client().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    Reply::read(request.send().await.unwrap()).await
}

/// The live channel's URL as the widget derives it: `events` beside the ticket endpoint.
fn events_beside(endpoint: &str) -> String {
    let (parent, _) = endpoint.rsplit_once('/').unwrap();
    format!("{parent}/events")
}

#[tokio::test]
async fn every_widget_route_answers_under_the_prefix_beside_the_partners_routes() {
    // A per-IP limit of 2 would refuse the third request if it counted; without connect
    // info and without trusted hops it is skipped, never a 500. The dev routes this test
    // drives cannot tell a loopback peer without connect info: they are allowed remote.
    let (base, proxy) = partner_app(&[
        ("IP_RATE_LIMIT_PER_MINUTE", "2"),
        ("MOOV_SANDBOX_ALLOW_REMOTE", "1"),
    ])
    .await;
    let endpoint = format!("{base}/support/api/support/tickets");

    let session = get_as(&format!("{base}/support/api/dev/session"), None).await;
    assert_eq!(session.status, 200, "{}", session.text);
    let token = session.json()["token"].as_str().unwrap().to_owned();
    let token = token.as_str();

    let filed = Reply::read(
        client()
            .post(&endpoint)
            .bearer_auth(token)
            .json(&ticket())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(filed.status, 200, "{}", filed.text);
    let id = filed.json()["ticketID"].as_str().unwrap().to_owned();

    let list = get_as(&format!("{endpoint}?count=20"), Some(token)).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.json()["items"][0]["ticketID"], id.as_str());
    let one = get_as(&format!("{endpoint}/{id}"), Some(token)).await;
    assert_eq!(one.json()["title"], "Payout missing");

    let events = client()
        .get(events_beside(&endpoint))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    let mut stream = Stream::from_response(events);
    assert_eq!(stream.next_event().await.unwrap().0, "ready");

    // An agent's reply: the sandbox delivers its webhook to the prefixed route, and the
    // user's stream hears of it.
    let answered = agent_reply(
        &format!("{base}/support"),
        &id,
        &json!({"body": "<p>We are on it.</p>", "status": "in-progress"}).to_string(),
    )
    .await;
    assert_eq!(answered.status, 200, "{}", answered.text);
    let (name, data) = stream.next_event().await.unwrap();
    assert_eq!((name.as_str(), &data["ticketID"]), ("ticket", &json!(id)));
    assert!(proxy.sandbox().unwrap().webhook_stats().delivered >= 1);

    let messages = get_as(&format!("{endpoint}/{id}/messages"), Some(token)).await;
    assert!(messages.text.contains("We are on it."), "{}", messages.text);
    let closed = Reply::read(
        client()
            .patch(format!("{endpoint}/{id}"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(r#"{"status":"closed"}"#)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(closed.json()["status"], "closed");

    let hello = get_as(&format!("{base}/api/hello"), None).await;
    assert_eq!(
        (hello.status, hello.text.as_str()),
        (200, "hello from the partner")
    );
    let elsewhere = get_as(&format!("{base}/account/settings"), None).await;
    assert_eq!(
        (elsewhere.status, elsewhere.text.as_str()),
        (404, PARTNER_404)
    );
    let unknown = get_as(&format!("{base}/support/api/nope"), None).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error(), "no such route");
    let logs = crate::logs::text();
    assert!(
        logs.contains("the per-IP limit is skipped")
            && logs.contains("into_make_service_with_connect_info"),
        "no warning that the limit is skipped"
    );
    // The access log names the path as the client asked for it.
    assert!(
        logs.contains(&format!(
            "path=\"/support/api/support/tickets/{id}/messages\""
        )),
        "the prefix is missing from the access log"
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn the_dev_routes_refuse_a_router_served_without_connect_info() {
    let (base, _proxy) = partner_app(&[]).await;
    let session = get_as(&format!("{base}/support/api/dev/session"), None).await;
    assert_eq!(session.status, 403, "{}", session.text);
    assert!(!session.text.contains("token"), "{}", session.text);
    let error = session.error();
    assert!(
        error.contains("into_make_service_with_connect_info")
            && error.contains("MOOV_SANDBOX_ALLOW_REMOTE"),
        "{error}"
    );
    let tickets = get_as(&format!("{base}/support/api/dev/tickets"), None).await;
    assert_eq!(tickets.status, 403, "{}", tickets.text);

    // Served with connect info, this test's loopback peer is let in.
    let (base, _proxy) = partner_app_served(&[], true).await;
    let session = get_as(&format!("{base}/support/api/dev/session"), None).await;
    assert_eq!(session.status, 200, "{}", session.text);
    assert!(session.json()["token"].is_string(), "{}", session.text);
}

#[tokio::test]
async fn static_files_answer_under_the_prefix_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>widget demo</title>",
    )
    .unwrap();
    let (base, _proxy) = partner_app(&[("STATIC_DIR", dir.path().to_str().unwrap())]).await;

    // `/support/` itself is the partner's: axum's `nest` leaves a bare trailing slash to the
    // outer router.
    for path in ["/support", "/support/index.html"] {
        let page = get_as(&format!("{base}{path}"), None).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.text.contains("widget demo"), "{path}: {}", page.text);
    }
    let missing = get_as(&format!("{base}/support/missing.js"), None).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error(), "no such route");

    let hello = get_as(&format!("{base}/api/hello"), None).await;
    assert_eq!(hello.status, 200);
    for path in ["/", "/index.html", "/dashboard"] {
        let partners = get_as(&format!("{base}{path}"), None).await;
        assert_eq!(
            (partners.status, partners.text.as_str()),
            (404, PARTNER_404),
            "{path}"
        );
    }
}

#[tokio::test]
async fn without_connect_info_trusted_hops_key_the_limit_on_the_forwarded_address() {
    let (base, _proxy) = partner_app(&[
        ("IP_RATE_LIMIT_PER_MINUTE", "1"),
        ("TRUSTED_PROXY_HOPS", "1"),
    ])
    .await;
    let list = format!("{base}/support/api/support/tickets");
    let from = |ip: &'static str| {
        let list = list.clone();
        async move {
            let response = client()
                .get(list)
                .header("x-forwarded-for", ip)
                .send()
                .await
                .unwrap();
            response.status().as_u16()
        }
    };
    // Unauthenticated, but counted before any session is looked at.
    assert_eq!(from("203.0.113.7").await, 401);
    assert_eq!(from("203.0.113.7").await, 429);
    assert_eq!(from("198.51.100.1").await, 401);

    // Without a forwarded address a request did not come through the trusted proxy: such
    // requests share one budget instead of going unlimited.
    let unforwarded = || async { client().get(&list).send().await.unwrap().status().as_u16() };
    assert_eq!(unforwarded().await, 401);
    assert_eq!(unforwarded().await, 429);
    // An unreadable entry is no address either: the same shared budget.
    assert_eq!(from("not-an-ip").await, 429);
    // Forwarded clients keep their own.
    assert_eq!(from("192.0.2.44").await, 401);
    let logs = crate::logs::text();
    assert!(
        logs.contains("under one shared key")
            && logs.contains("TRUSTED_PROXY_HOPS is 1")
            && logs.contains("X-Forwarded-For is missing"),
        "no warning naming the shared key and why"
    );
}
