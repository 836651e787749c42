//! `POST /api/support/webhooks/moov`: Moov tells the proxy a ticket changed.
//!
//! A delivery is acted on only when its signature is Moov's ([`crate::webhook`]), its
//! timestamp is within 5 minutes and its nonce is new (claimed in the shared store, so a
//! replay fails on every instance). The answer comes at once; the work happens after it:
//! the body's `accountID` and `ticketID` are only a hint (Moov's signature does not cover the
//! body), so the ticket is read again from Moov, on an account this proxy serves, and only
//! what Moov answers is published to the live streams.
//!
//! The route is not counted by the per-IP limit of the widget's routes: Moov delivers from
//! a few addresses, and a limit meant for browsers could refuse its deliveries and their
//! retries alike until Moov gave up. Nothing costly happens before the signature is checked
//! (one HMAC, no store or Moov call), so an unsigned flood is cheap to refuse.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::AppState;
use crate::error::ApiError;
use crate::live::TicketChange;
use crate::session::unix_now;
use crate::ticket_id::TicketId;
use crate::webhook::{self, Refusal};

pub(super) const PATH: &str = "/api/support/webhooks/moov";
/// Longer than the timestamp window on either side: a nonce cannot be replayed while its
/// timestamp would still pass.
const NONCE_TTL: Duration = Duration::from_secs(12 * 60);
/// Moov retries a delivery for hours at most; an event seen within a day is not acted on twice.
const EVENT_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// An account whose users opened a live stream stays served this long.
const ACCOUNT_TTL: Duration = Duration::from_secs(30 * 24 * 60 * 60);

const TICKET_EVENTS: [&str; 3] = ["ticket.created", "ticket.updated", "ticket.messageAdded"];

/// What the proxy reads of an event.
#[derive(Debug, Deserialize)]
struct Delivery {
    #[serde(rename = "eventID")]
    event_id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    data: Value,
}

/// The hint a ticket event carries.
#[derive(Debug, Deserialize)]
struct TicketHint {
    #[serde(rename = "accountID")]
    account: Uuid,
    #[serde(rename = "ticketID")]
    ticket: String,
}

fn known_account_key(account: Uuid) -> String {
    format!("moov-support:served-account:{account}")
}

/// Marks `account` as one whose ticket events this proxy acts on.
pub(super) async fn remember_account(state: &AppState, account: Uuid) {
    if let Err(e) = state
        .0
        .store
        .set(&known_account_key(account), "1", ACCOUNT_TTL)
        .await
    {
        tracing::warn!(error = %e, "could not record a served account");
    }
}

pub(super) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match accept(&state, &headers, body).await {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => {
            if let ApiError::Webhook(refusal) = &e {
                tracing::warn!(reason = %refusal, "refused a webhook delivery");
            }
            e.into_response()
        }
    }
}

async fn accept(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, ApiError> {
    let secret = state
        .0
        .webhook_secret
        .as_ref()
        .ok_or(ApiError::RouteNotFound)?;
    let signed = webhook::verify(secret, headers, unix_now()).map_err(ApiError::Webhook)?;
    let store = &state.0.store;
    let nonce = format!(
        "moov-support:webhook-nonce:{}:{}",
        signed.webhook_id, signed.nonce
    );
    if !store
        .claim(&nonce, "1", NONCE_TTL)
        .await
        .map_err(unavailable)?
    {
        return Err(ApiError::Webhook(Refusal::Replayed));
    }
    let bytes =
        body.map_err(|e| ApiError::from(axum::extract::rejection::JsonRejection::from(e)))?;
    let delivery: Delivery = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::BadRequest(format!("the event is not Moov's event JSON: {e}")))?;
    if delivery.kind == "event.test" {
        tracing::info!(event = %delivery.event_id, "Moov's test webhook arrived");
        return Ok(json!({"received": true}));
    }
    if !TICKET_EVENTS.contains(&delivery.kind.as_str()) {
        return Ok(json!({"received": true, "ignored": true}));
    }
    let event = format!("moov-support:webhook-event:{}", delivery.event_id);
    if !store
        .claim(&event, "1", EVENT_TTL)
        .await
        .map_err(unavailable)?
    {
        tracing::info!(event = %delivery.event_id, "a webhook event arrived again");
        return Ok(json!({"received": true, "duplicate": true}));
    }
    let hint = serde_json::from_value::<TicketHint>(delivery.data)
        .ok()
        .and_then(|h| Some((h.account, TicketId::parse(&h.ticket).ok()?)));
    let Some((account, ticket)) = hint else {
        tracing::warn!(event = %delivery.event_id, "a ticket event names no readable account and ticket");
        return Ok(json!({"received": true, "ignored": true}));
    };
    tokio::spawn(refresh(state.clone(), account, ticket));
    Ok(json!({"received": true}))
}

fn unavailable(e: crate::store::StoreError) -> ApiError {
    tracing::error!(error = %e, "the shared store failed on a webhook");
    ApiError::StoreUnavailable
}

/// Reads the ticket again from Moov and publishes what Moov says.
async fn refresh(state: AppState, account: Uuid, ticket: TicketId) {
    let served = state.0.served_accounts.contains(&account)
        || matches!(
            state.0.store.get(&known_account_key(account)).await,
            Ok(Some(_))
        );
    if !served {
        tracing::info!(%account, "ignored a ticket event for an account this proxy does not serve");
        return;
    }
    let read = match state.0.moov.get_ticket(account, &ticket).await {
        Ok(answer) => answer.value,
        Err(f) => {
            tracing::warn!(%account, error = %f.error, request_id = ?f.request_id, "could not read a changed ticket from Moov");
            return;
        }
    };
    let change = TicketChange {
        account,
        ticket: read,
    };
    if let Err(e) = state.0.bus.publish(&change).await {
        tracing::warn!(error = %e, "could not publish a ticket change");
    }
}
