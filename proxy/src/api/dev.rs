//! Sandbox-only helpers for local development and browser tests: a demo session, scripted
//! Moov answers, and Moov support's side of the demo account's tickets (the demo's agent
//! page). The router never mounts these against a real Moov, and they answer loopback peers
//! only unless `MOOV_SANDBOX_ALLOW_REMOTE` is set ([`loopback_only`]).

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::AppState;
use crate::error::ApiError;
use crate::session::{unix_now, Session, SupportScope};
use moov_support_sandbox::{Fault, ReplyRequest};

pub const DEMO_USER: &str = "demo-user";
pub const DEMO_EMAIL: &str = "jordan@example.com";
pub const DEMO_NAME: &str = "Jordan Lee";
/// Dev sessions live an hour, like a partner's page-load token.
const DEV_SESSION_SECS: i64 = 60 * 60;

/// Lets a request reach the dev routes only from a loopback peer, unless `allow_remote`.
///
/// Checking `PROXY_ADDR` at start is not enough: a router from `Proxy::router` is served on
/// whatever address the partner's app binds, and `/api/dev/session` would then mint sessions
/// for anyone who can reach it. The peer is `ConnectInfo<SocketAddr>`; a router served
/// without it cannot tell, so it is refused too. `X-Forwarded-For` is not read: it is the
/// client's to write, and a reverse proxy on this machine is itself a loopback peer.
pub(super) async fn loopback_only(
    State(allow_remote): State<bool>,
    request: Request,
    next: Next,
) -> Response {
    if !allow_remote {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip());
        match peer {
            None => return ApiError::DevRouteUnknownPeer.into_response(),
            // A dual-stack listener sees 127.0.0.1 as ::ffff:127.0.0.1.
            Some(ip) if !ip.to_canonical().is_loopback() => {
                return ApiError::DevRouteRemote.into_response()
            }
            Some(_) => {}
        }
    }
    next.run(request).await
}

/// `GET /api/dev/session[?sub=…&email=…&name=…]`: a signed session for a demo user.
pub(super) async fn session(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let dev = state.0.dev.as_ref().ok_or(ApiError::RouteNotFound)?;
    let pick = |k: &str, default: &str| {
        query
            .get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_owned())
    };
    let sub = pick("sub", DEMO_USER);
    if sub.chars().count() > 200 {
        return Err(ApiError::BadRequest(
            "sub must be at most 200 characters".into(),
        ));
    }
    let session = Session {
        user_id: sub,
        account_id: dev.account,
        email: Some(pick("email", DEMO_EMAIL)),
        name: Some(pick("name", DEMO_NAME)),
        scope: SupportScope::Own,
        expires_at: None,
    };
    let expires_at = unix_now() + DEV_SESSION_SECS;
    Ok(Json(json!({
        "token": dev.signer.mint(&session, expires_at),
        "accountID": session.account_id.to_string(),
        "expiresAt": expires_at,
        "sub": session.user_id,
        "email": session.email,
        "name": session.name,
    })))
}

/// `POST /api/dev/faults`: one fault object or an array of them, queued in order.
pub(super) async fn push_faults(State(state): State<AppState>, body: Bytes) -> Response {
    let Some(dev) = state.0.dev.as_ref() else {
        return ApiError::RouteNotFound.into_response();
    };
    let parsed: Result<Vec<Fault>, String> = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .map(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
            .collect(),
        Ok(v) => serde_json::from_value(v)
            .map(|f| vec![f])
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let faults = match parsed.and_then(|fs| {
        fs.iter().try_for_each(Fault::check)?;
        Ok(fs)
    }) {
        Ok(fs) => fs,
        Err(e) => return ApiError::BadRequest(format!("invalid fault: {e}")).into_response(),
    };
    for fault in faults {
        dev.sandbox.push_fault(fault);
    }
    Json(json!({ "queued": dev.sandbox.pending_faults() })).into_response()
}

/// `POST /api/dev/token-failure` `{"status": 503}`: the sandbox's token endpoint answers that
/// status until `{"status": null}`, to rehearse a Moov whose OAuth is down.
pub(super) async fn token_failure(State(state): State<AppState>, body: Bytes) -> Response {
    let Some(dev) = state.0.dev.as_ref() else {
        return ApiError::RouteNotFound.into_response();
    };
    let status = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(o)) => match o.get("status") {
            Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(s @ 400..=599) => Ok(Some(s as u16)),
                _ => Err("status must be from 400 to 599"),
            },
            _ => Err("status must be a number or null"),
        },
        _ => Err("send {\"status\": 503} or {\"status\": null}"),
    };
    match status {
        Ok(s) => {
            dev.sandbox.fail_token_requests(s);
            Json(json!({ "tokenStatus": s })).into_response()
        }
        Err(e) => ApiError::BadRequest(format!("invalid token failure: {e}")).into_response(),
    }
}

/// `DELETE /api/dev/faults`: back to normal answers.
pub(super) async fn clear_faults(State(state): State<AppState>) -> Response {
    let Some(dev) = state.0.dev.as_ref() else {
        return ApiError::RouteNotFound.into_response();
    };
    dev.sandbox.clear_faults();
    Json(json!({ "queued": 0 })).into_response()
}

/// `GET /api/dev/tickets`: every ticket of the dev account with its messages, the latest
/// activity first, for the demo's agent page.
pub(super) async fn tickets(State(state): State<AppState>) -> Response {
    let Some(dev) = state.0.dev.as_ref() else {
        return ApiError::RouteNotFound.into_response();
    };
    let mut stored = dev.sandbox.tickets(dev.account);
    stored.sort_by(|a, b| {
        // Instants, not strings: RFC 3339 drops a fraction's trailing zeros, so `…:02.5Z`
        // sorts after `…:02.51Z` as text.
        let activity = |t: &moov_support_sandbox::StoredTicket| {
            let at = t.ticket.latest_message_on.as_deref().and_then(|s| {
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
            });
            (at, t.ticket.number)
        };
        activity(b).cmp(&activity(a))
    });
    let items: Vec<Value> = stored
        .into_iter()
        .map(|s| {
            let mut item = json!(s.ticket);
            item["messages"] = json!(s.messages());
            item
        })
        .collect();
    Json(json!({ "items": items })).into_response()
}

/// `POST /api/dev/tickets/{ticketID}/reply` `{"body": "<p>…</p>", "status"?: "in-progress"}`:
/// Moov support answers a ticket of the dev account; the sandbox then sends its webhooks.
/// 200 with the ticket, 404 when the account has no such ticket, 422 `{body?, status?}`.
pub(super) async fn reply(
    State(state): State<AppState>,
    Path(ticket_id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(dev) = state.0.dev.as_ref() else {
        return ApiError::RouteNotFound.into_response();
    };
    let request = match ReplyRequest::parse(&body) {
        Ok(r) => r,
        Err(bad) => return bad.into_response(),
    };
    match dev
        .sandbox
        .reply(dev.account, &ticket_id, &request.body, request.status)
    {
        Some(ticket) => Json(ticket).into_response(),
        None => ApiError::TicketNotFound.into_response(),
    }
}
