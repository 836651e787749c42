//! The look-up by `foreignID` before a creation, against a Moov that lets the proxy's key
//! create tickets but not read them (`tickets.write` is all Moov documents for creating).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use uuid::Uuid;

use crate::common::{client, loopback, post_to, start_proxy, ticket, token, Reply};

/// Where the stub refuses to let the proxy read tickets.
#[derive(Clone, Copy)]
enum Refusal {
    /// The token endpoint will not issue a `tickets.read` token.
    AtTheTokenEndpoint,
    /// The token is issued, and the list call gets 403.
    OnTheList,
}

struct Stub {
    refusal: Refusal,
    lookups: AtomicU32,
    creations: AtomicU32,
}

async fn issue(State(stub): State<Arc<Stub>>, Form(form): Form<Vec<(String, String)>>) -> Response {
    let scope = form
        .iter()
        .find(|(k, _)| k == "scope")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if matches!(stub.refusal, Refusal::AtTheTokenEndpoint) && scope.contains("tickets.read") {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"error": "scope not allowed"})),
        )
            .into_response();
    }
    Json(json!({"access_token": "stub-token", "token_type": "Bearer", "expires_in": 900, "scope": scope}))
        .into_response()
}

async fn list(State(stub): State<Arc<Stub>>) -> Response {
    stub.lookups.fetch_add(1, Ordering::SeqCst);
    StatusCode::FORBIDDEN.into_response()
}

async fn create(
    State(stub): State<Arc<Stub>>,
    Path(_account): Path<String>,
    Json(body): Json<Value>,
) -> Json<Value> {
    let n = stub.creations.fetch_add(1, Ordering::SeqCst) + 1;
    Json(json!({
        "ticketID": Uuid::new_v4().to_string(), "number": n, "title": body["title"],
        "contact": body["contact"], "status": "new", "foreignID": body["foreignID"],
        "createdOn": "2026-01-05T10:00:00Z", "updatedOn": "2026-01-05T10:00:00Z",
    }))
}

async fn stub(refusal: Refusal) -> (String, Arc<Stub>) {
    let stub = Arc::new(Stub {
        refusal,
        lookups: AtomicU32::new(0),
        creations: AtomicU32::new(0),
    });
    let app = Router::new()
        .route("/oauth2/token", post(issue))
        .route("/accounts/{account}/tickets", post(create).get(list))
        .with_state(stub.clone());
    let listener = TcpListener::bind(loopback()).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, stub)
}

/// Two keyed submissions to a fresh proxy, which looks every new key up first.
async fn files_without_reading(refusal: Refusal) -> Arc<Stub> {
    crate::logs::capture();
    let (url, stub) = stub(refusal).await;
    // An account of its own, to find this proxy's log lines.
    let account = Uuid::new_v4();
    let proxy = start_proxy(&url, &[("MOOV_READY_ACCOUNT_ID", &account.to_string())]).await;
    // Ready: a token for filing tickets is all the key must give.
    let ready = Reply::read(
        client()
            .get(format!("{}/readyz", proxy.url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    let session = token("u-1", account);
    for _ in 0..2 {
        let key = Uuid::new_v4().to_string();
        let reply = post_to(&proxy.url(), &session, &ticket(), Some(&key)).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.json()["foreignID"], json!(key));
    }
    assert_eq!(stub.creations.load(Ordering::SeqCst), 2);
    let warnings = crate::logs::text()
        .lines()
        .filter(|l| l.contains("WARN") && l.contains(&account.to_string()))
        .filter(|l| l.contains("tickets.read"))
        .count();
    assert_eq!(
        warnings, 1,
        "the refused look-up is a warning once, not per ticket"
    );
    stub
}

#[tokio::test]
async fn a_list_call_refused_with_403_does_not_stop_the_ticket() {
    let stub = files_without_reading(Refusal::OnTheList).await;
    assert_eq!(stub.lookups.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_read_token_refused_with_403_does_not_stop_the_ticket() {
    let stub = files_without_reading(Refusal::AtTheTokenEndpoint).await;
    assert_eq!(stub.lookups.load(Ordering::SeqCst), 0);
}
