//! The example's router on a loopback port with the in-process sandbox: a session from the
//! app's own route files a ticket through the proxy under `/support`, beside the app's API.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use example_axum::{app, Settings, SUPPORT_PREFIX};
use serde_json::{json, Value};

/// A GET answered with JSON.
async fn get_json(http: &reqwest::Client, url: &str) -> Value {
    let answer = http.get(url).send().await.unwrap();
    assert!(
        answer.status().is_success(),
        "GET {url}: {}",
        answer.status()
    );
    answer.json().await.unwrap()
}

async fn serve_example(static_dir: Option<PathBuf>) -> (String, moov_support_proxy::ProxyHandle) {
    let settings = Settings {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        static_dir,
        sandbox: true,
        account: None,
        proxy_vars: HashMap::new(),
    };
    let (router, proxy) = app(&settings).await.unwrap();
    let listener = tokio::net::TcpListener::bind(settings.addr).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    proxy.deliver_sandbox_webhooks_to(&format!("{base}{SUPPORT_PREFIX}"));
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    (base, proxy)
}

#[tokio::test]
async fn a_session_from_the_app_files_a_ticket_through_the_mounted_proxy() {
    let (base, proxy) = serve_example(None).await;
    let http = reqwest::Client::new();

    let session = get_json(&http, &format!("{base}/session")).await;
    let token = session["token"].as_str().expect("a token");

    let filed = http
        .post(format!("{base}/support/api/support/tickets"))
        .bearer_auth(token)
        .json(&json!({
            "title": "Payout missing",
            "body": "<p>My payout from Friday has not arrived.</p>",
            "contact": {"email": "jordan@example.com", "name": "Jordan Lee"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(filed.status(), 200);
    let ticket: Value = filed.json().await.unwrap();
    let number = &ticket["number"];
    assert!(number.is_u64(), "{ticket}");

    // The sandbox's list (what the end-to-end run checks) holds it on the demo account.
    let listed = get_json(&http, &format!("{base}/support/api/dev/tickets")).await;
    let items = listed["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|t| &t["number"] == number && t["title"] == "Payout missing"),
        "{listed}"
    );
    let held = proxy
        .sandbox()
        .unwrap()
        .tickets(moov_support_sandbox::DEMO_ACCOUNT_ID);
    assert_eq!(held.len(), 1);

    let hello = http.get(format!("{base}/api/hello")).send().await.unwrap();
    assert_eq!(hello.status(), 200);
    let hello: Value = hello.json().await.unwrap();
    assert_eq!(hello["message"], "hello from the partner's own API");

    // A token the app did not sign is refused.
    let forged = http
        .post(format!("{base}/support/api/support/tickets"))
        .bearer_auth(format!("{token}x"))
        .json(&json!({"title": "t", "body": "b", "contact": {"email": "a@b.co"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
}

#[tokio::test]
async fn the_front_end_is_served_at_the_root_with_its_page_for_every_other_path() {
    let dir = std::env::temp_dir().join(format!("example-axum-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>dashboard</title>",
    )
    .unwrap();
    std::fs::write(dir.join("app.js"), "console.log('app')").unwrap();
    let (base, _proxy) = serve_example(Some(dir.clone())).await;
    let get = |path: &'static str| {
        let url = format!("{base}{path}");
        async move {
            let response = reqwest::get(url).await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    for path in ["/", "/settings/billing"] {
        let (status, page) = get(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(page.contains("<title>dashboard</title>"), "{path}: {page}");
    }
    assert_eq!(get("/app.js").await, (200, "console.log('app')".into()));
    // The proxy's routes and the app's own are not the page.
    let (status, body) = get("/support/api/support/tickets").await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = get("/api/hello").await;
    assert!(status == 200 && body.contains("hello"), "{body}");
    std::fs::remove_dir_all(dir).unwrap();
}
