//! The ticket endpoints: create, list, get, close.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::Ordering;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use moov_support::rules;
use moov_support::{CreateTicket, Ticket, TicketStatus};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use super::oauth::basic_credentials;
use super::serve::{ConnectionControl, PeerAddr};
use super::{error, lock, SandboxHandle, StoredTicket};
use crate::replies::set_status;
use crate::webhooks::EventKind;
use crate::{fresh_request_id, X_REQUEST_ID};
use moov_support::moov_version::MoovVersion;
use moov_support::retry_after::retry_after_secs;

/// Moov's page size when `count` is absent, and its largest (Moov's Go SDK documents both).
const DEFAULT_PAGE: usize = 200;
const MAX_PAGE: usize = 1000;

/// Why the sandbox turns a request away before reading its body.
enum Refusal {
    /// A status with no body, as the seed shows for 401.
    Bare(StatusCode),
    /// A status with a Moov-style `{error}` body.
    Error(StatusCode, String),
    /// 429 with `Retry-After` seconds.
    RateLimited(u64),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Bare(status) => status.into_response(),
            Refusal::Error(status, message) => error(status, message),
            Refusal::RateLimited(secs) => {
                let mut r = error(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded");
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                r
            }
        }
    }
}

/// Who called, once authenticated.
enum Caller {
    /// The key pair itself: may do anything on any known account.
    Key,
    Token(Vec<String>),
}

/// Checks everything a ticket route checks before it looks at the body, in Moov's order:
/// rate limit, authentication, API version, scope, account.
fn admit(
    sandbox: &SandboxHandle,
    peer: Option<Extension<PeerAddr>>,
    account: &str,
    headers: &HeaderMap,
    permission: &str,
) -> Result<Uuid, Refusal> {
    let not_found = || Refusal::Error(StatusCode::NOT_FOUND, "account not found".into());
    let account = Uuid::parse_str(account).map_err(|_| not_found())?;
    let ip = peer.map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |p| p.0 .0.ip());
    sandbox
        .rate_limit(ip, account)
        .map_err(|wait| Refusal::RateLimited(retry_after_secs(wait)))?;
    let caller = authenticate(sandbox, headers)?;
    check_version(headers)?;
    if let Caller::Token(scopes) = caller {
        let needed = format!("/accounts/{account}/{permission}");
        let on_behalf = sandbox.partner_account().is_some_and(|partner| {
            partner != account
                && scopes.contains(&format!("/accounts/{partner}/{permission}"))
                && scopes.contains(&format!("/accounts/{account}/profile.read"))
        });
        if !scopes.contains(&needed) && !on_behalf {
            return Err(Refusal::Error(
                StatusCode::FORBIDDEN,
                format!("the access token lacks the scope {needed}"),
            ));
        }
    }
    if !sandbox.knows_account(account) {
        return Err(not_found());
    }
    Ok(account)
}

/// Missing or expired authentication is a 401 with no body, as the seed shows.
fn authenticate(sandbox: &SandboxHandle, headers: &HeaderMap) -> Result<Caller, Refusal> {
    let unauthorized = || Refusal::Bare(StatusCode::UNAUTHORIZED);
    if let Some((id, secret)) = basic_credentials(headers) {
        return if sandbox.is_key_pair(&id, &secret) {
            Ok(Caller::Key)
        } else {
            Err(unauthorized())
        };
    }
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(unauthorized)?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(unauthorized)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(unauthorized());
    }
    sandbox
        .scopes_of(token.trim())
        .map(Caller::Token)
        .ok_or_else(unauthorized)
}

/// No header means v2024.01.00, which has no ticket endpoints: 404 like any route a version
/// lacks. A header that is not a version at all is a 400. `latest` (and `v9000.00.00`, what
/// Moov's Go SDK sends for it) names the newest version, which has tickets.
fn check_version(headers: &HeaderMap) -> Result<(), Refusal> {
    let version = match headers.get("x-moov-version") {
        None => MoovVersion::IMPLICIT,
        Some(v) if v == "latest" || v == "v9000.00.00" => return Ok(()),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.parse::<MoovVersion>().ok())
            .ok_or_else(|| {
                Refusal::Error(
                    StatusCode::BAD_REQUEST,
                    "x-moov-version must look like v2025.07.00".into(),
                )
            })?,
    };
    if version.supports_tickets() {
        Ok(())
    } else {
        Err(Refusal::Error(
            StatusCode::NOT_FOUND,
            format!("support tickets need x-moov-version v2025.07.00 or later; this request used {version}"),
        ))
    }
}

pub(super) async fn create(
    State(sandbox): State<SandboxHandle>,
    Path(account): Path<String>,
    peer: Option<Extension<PeerAddr>>,
    control: Option<Extension<ConnectionControl>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sandbox.0.create_requests.fetch_add(1, Ordering::SeqCst);
    let mut response = answer_create(&sandbox, peer, control, &account, &headers, &body).await;
    // Remembered so tests can check the proxy passes Moov's id on.
    let id = fresh_request_id();
    *lock(&sandbox.0.last_create_request_id) = id.to_str().ok().map(str::to_owned);
    response.headers_mut().insert(X_REQUEST_ID, id);
    response
}

async fn answer_create(
    sandbox: &SandboxHandle,
    peer: Option<Extension<PeerAddr>>,
    control: Option<Extension<ConnectionControl>>,
    account: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let account = match admit(sandbox, peer, account, headers, "tickets.write") {
        Ok(a) => a,
        Err(r) => return r.into_response(),
    };
    let fault = sandbox.next_fault();
    if let Some(fault) = &fault {
        if fault.drop {
            return drop_connection(control).await;
        }
        if let Some(scripted) = fault.response() {
            if let Some(delay) = fault.delay() {
                tokio::time::sleep(delay).await;
            }
            return scripted;
        }
    }
    let response = store(sandbox, account, body);
    if let Some(delay) = fault.as_ref().and_then(|f| f.delay()) {
        tokio::time::sleep(delay).await;
    }
    response
}

fn store(sandbox: &SandboxHandle, account: Uuid, body: &[u8]) -> Response {
    let raw: CreateTicket = match serde_json::from_slice(body) {
        Ok(t) => t,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("invalid ticket JSON: {e}")),
    };
    let ticket = match rules::prepare(raw) {
        Ok(t) => t,
        Err(fields) => return (StatusCode::UNPROCESSABLE_ENTITY, Json(fields)).into_response(),
    };
    let now = now_rfc3339();
    let mut books = lock(&sandbox.0.books);
    let book = books.entry(account).or_default();
    book.next_number += 1;
    let created = Ticket {
        ticket_id: Uuid::new_v4().to_string(),
        number: book.next_number,
        title: ticket.title,
        contact: ticket.contact,
        status: TicketStatus::New,
        created_on: now.clone(),
        updated_on: now.clone(),
        latest_message_on: Some(now),
        closed_on: None,
        foreign_id: ticket.foreign_id,
    };
    book.tickets.push(StoredTicket {
        ticket: created.clone(),
        body: ticket.body,
        author: ticket.author,
        replies: Vec::new(),
    });
    drop(books);
    sandbox.emit(EventKind::Created, account, &created);
    Json(created).into_response()
}

/// Closes the connection without an answer; without a connection to close (a router driven
/// in-process), breaks the answer off after its head.
async fn drop_connection(control: Option<Extension<ConnectionControl>>) -> Response {
    match control {
        Some(Extension(c)) => {
            c.close();
            std::future::pending::<Response>().await
        }
        None => Response::new(Body::from_stream(futures_util::stream::once(async {
            Err::<Bytes, _>(std::io::Error::other("sandbox: connection dropped"))
        }))),
    }
}

pub(super) async fn list(
    State(sandbox): State<SandboxHandle>,
    Path(account): Path<String>,
    peer: Option<Extension<PeerAddr>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let account = match admit(&sandbox, peer, &account, &headers, "tickets.read") {
        Ok(a) => a,
        Err(r) => return r.into_response(),
    };
    let count = match query.get("count").map(|c| c.parse::<usize>()) {
        None => DEFAULT_PAGE,
        Some(Ok(n)) if (1..=MAX_PAGE).contains(&n) => n,
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("count must be from 1 to {MAX_PAGE}"),
            )
        }
    };
    let before = match query.get("cursor").filter(|c| !c.is_empty()) {
        None => i64::MAX,
        Some(c) => match c.parse::<i64>() {
            Ok(n) => n,
            Err(_) => return error(StatusCode::BAD_REQUEST, "invalid cursor"),
        },
    };
    let status = query.get("status").filter(|s| !s.is_empty());
    let foreign_id = query.get("foreignID").filter(|s| !s.is_empty());
    let matching: Vec<Ticket> = sandbox
        .tickets(account)
        .into_iter()
        .rev()
        .map(|s| s.ticket)
        .filter(|t| t.number < before)
        .filter(|t| status.is_none_or(|s| t.status.as_str() == s))
        .filter(|t| foreign_id.is_none_or(|f| t.foreign_id.as_deref() == Some(f.as_str())))
        .collect();
    let more = matching.len() > count;
    let items: Vec<Ticket> = matching.into_iter().take(count).collect();
    let mut page = json!({ "items": items });
    if more {
        if let Some(last) = items.last() {
            page["nextPage"] = json!({ "cursor": last.number.to_string() });
        }
    }
    Json(page).into_response()
}

pub(super) async fn get_one(
    State(sandbox): State<SandboxHandle>,
    Path((account, ticket_id)): Path<(String, String)>,
    peer: Option<Extension<PeerAddr>>,
    headers: HeaderMap,
) -> Response {
    let account = match admit(&sandbox, peer, &account, &headers, "tickets.read") {
        Ok(a) => a,
        Err(r) => return r.into_response(),
    };
    match sandbox.with_ticket(account, &ticket_id, |s| s.ticket.clone()) {
        Some(ticket) => Json(ticket).into_response(),
        None => error(StatusCode::NOT_FOUND, "ticket not found"),
    }
}

/// `GET /accounts/{id}/tickets/{ticketID}/messages`: the ticket's body first, then replies.
pub(super) async fn messages(
    State(sandbox): State<SandboxHandle>,
    Path((account, ticket_id)): Path<(String, String)>,
    peer: Option<Extension<PeerAddr>>,
    headers: HeaderMap,
) -> Response {
    let account = match admit(&sandbox, peer, &account, &headers, "tickets.read") {
        Ok(a) => a,
        Err(r) => return r.into_response(),
    };
    match sandbox.with_ticket(account, &ticket_id, |s| s.messages()) {
        Some(all) => Json(all).into_response(),
        None => error(StatusCode::NOT_FOUND, "ticket not found"),
    }
}

/// The body of `PATCH /accounts/{id}/tickets/{ticketID}`. Other fields are ignored.
#[derive(serde::Deserialize)]
struct Update {
    status: Option<String>,
}

/// `PATCH /accounts/{id}/tickets/{ticketID}` `{"status": "closed"}`, the only change a
/// ticket takes; answers the ticket as it now is.
pub(super) async fn close(
    State(sandbox): State<SandboxHandle>,
    Path((account, ticket_id)): Path<(String, String)>,
    peer: Option<Extension<PeerAddr>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let account = match admit(&sandbox, peer, &account, &headers, "tickets.write") {
        Ok(a) => a,
        Err(r) => return r.into_response(),
    };
    if let Err(refusal) = check_update(&body) {
        return refusal.into_response();
    }
    match sandbox.close_ticket(account, &ticket_id) {
        Some(ticket) => Json(ticket).into_response(),
        None => error(StatusCode::NOT_FOUND, "ticket not found"),
    }
}

/// Why an update is refused.
enum BadUpdate {
    /// Not JSON, not an object, or a field of the wrong type: 400 `{error}`.
    Malformed(String),
    /// A status other than `closed`: the flat 422 field map, as for a ticket's fields.
    Status,
}

impl IntoResponse for BadUpdate {
    fn into_response(self) -> Response {
        match self {
            BadUpdate::Malformed(e) => error(
                StatusCode::BAD_REQUEST,
                format!("invalid ticket update: {e}"),
            ),
            BadUpdate::Status => {
                let field = json!({
                    "status": "status must be closed, the only status a ticket can be set to"
                });
                (StatusCode::UNPROCESSABLE_ENTITY, Json(field)).into_response()
            }
        }
    }
}

fn check_update(body: &[u8]) -> Result<(), BadUpdate> {
    let malformed = |e: serde_json::Error| BadUpdate::Malformed(e.to_string());
    let value: serde_json::Value = serde_json::from_slice(body).map_err(malformed)?;
    // serde would also read `["closed"]` positionally; an update is an object.
    if !value.is_object() {
        return Err(BadUpdate::Malformed(
            "the body must be a JSON object like {\"status\": \"closed\"}".into(),
        ));
    }
    let update: Update = serde_json::from_value(value).map_err(malformed)?;
    match update.status.as_deref() {
        Some("closed") => Ok(()),
        _ => Err(BadUpdate::Status),
    }
}

impl SandboxHandle {
    /// Closes a ticket, stamping `closedOn` and `updatedOn`; a closed ticket stays as it is.
    /// `None` when the account has no such ticket.
    fn close_ticket(&self, account: Uuid, ticket_id: &str) -> Option<Ticket> {
        let (ticket, closed_now) = self.with_ticket(account, ticket_id, |stored| {
            let ticket = &mut stored.ticket;
            let closed_now = ticket.status != TicketStatus::Closed;
            if closed_now {
                set_status(ticket, TicketStatus::Closed, &now_rfc3339());
            }
            (ticket.clone(), closed_now)
        })?;
        if closed_now {
            self.emit(EventKind::Updated, account, &ticket);
        }
        Some(ticket)
    }
}

pub(super) fn now_rfc3339() -> String {
    // Milliseconds, as Moov's Go services write fractional seconds: a reply in the second
    // its ticket was filed must still be later than the ticket's first message.
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(now)
        .format(&Rfc3339)
        .unwrap_or_default()
}
