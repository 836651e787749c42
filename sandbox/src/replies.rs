//! Moov support's side of a conversation. Moov's API has no call for it (answers come from
//! Moov's staff), so the sandbox offers it to tests and to the demo's agent page.
//!
//! A reply adds a message, stamps `latestMessageOn` and `updatedOn`, and moves the ticket to
//! the status given, if any. Reading of what Moov's staff tools do, written down here: a
//! reply to a closed ticket without a status leaves it closed (the user sees the answer, the
//! request stays done); with another status it reopens the ticket, and `closedOn` goes
//! away. Closing by reply stamps `closedOn` like `PATCH` does. Every reply sends
//! `ticket.messageAdded`, then `ticket.updated` when the status changed.
//!
//! Over HTTP, a reply is `{"body": "<p>…</p>", "status"?: "in-progress"}`: the proxy's dev
//! route takes it, and so does the sandbox's own
//! `POST /sandbox/accounts/{accountID}/tickets/{ticketID}/reply` (with the key pair, as
//! HTTP Basic) for a sandbox run on its own.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use moov_support::{Ticket, TicketStatus};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::oauth::basic_credentials;
use crate::tickets::now_rfc3339;
use crate::webhooks::EventKind;
use crate::{error, Message, SandboxHandle};

/// The author Moov's messages from support carry.
pub const SUPPORT_AUTHOR: &str = "support@moov.io";

impl SandboxHandle {
    /// Adds a reply from Moov support to a ticket of `account`, moves it to `status` when
    /// given, and answers the ticket as it now is; `None` when there is no such ticket.
    pub fn reply(
        &self,
        account: Uuid,
        ticket_id: &str,
        body: &str,
        status: Option<TicketStatus>,
    ) -> Option<Ticket> {
        self.reply_as(account, ticket_id, SUPPORT_AUTHOR, body, status)
    }

    /// Adds a reply by `author` without touching the status; false when there is no such
    /// ticket.
    pub fn add_reply(&self, account: Uuid, ticket_id: &str, author: &str, body: &str) -> bool {
        self.reply_as(account, ticket_id, author, body, None)
            .is_some()
    }

    fn reply_as(
        &self,
        account: Uuid,
        ticket_id: &str,
        author: &str,
        body: &str,
        status: Option<TicketStatus>,
    ) -> Option<Ticket> {
        let (ticket, moved) = self.with_ticket(account, ticket_id, |stored| {
            let now = now_rfc3339();
            stored.replies.push(Message {
                author: author.to_owned(),
                body: body.to_owned(),
                sent_on: now.clone(),
            });
            let ticket = &mut stored.ticket;
            ticket.latest_message_on = Some(now.clone());
            ticket.updated_on = now.clone();
            let moved = match status {
                Some(status) if status != ticket.status => {
                    set_status(ticket, status, &now);
                    true
                }
                _ => false,
            };
            (ticket.clone(), moved)
        })?;
        self.emit(EventKind::MessageAdded, account, &ticket);
        if moved {
            self.emit(EventKind::Updated, account, &ticket);
        }
        Some(ticket)
    }
}

/// Moves `ticket` to `status` at `now`: closing stamps `closedOn`, any other status clears it.
pub(crate) fn set_status(ticket: &mut Ticket, status: TicketStatus, now: &str) {
    ticket.closed_on = (status == TicketStatus::Closed).then(|| now.to_owned());
    ticket.status = status;
    ticket.updated_on = now.to_owned();
}

/// A reply as sent over HTTP: its HTML and the status to move the ticket to, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyRequest {
    pub body: String,
    pub status: Option<TicketStatus>,
}

/// Why a reply request is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum BadReply {
    /// Not a JSON object: answered 400 `{error}` with this message.
    Malformed(String),
    /// Fields to fix, answered as Moov's flat 422 map (`{body?, status?}`).
    Fields(Map<String, Value>),
}

impl IntoResponse for BadReply {
    fn into_response(self) -> Response {
        match self {
            BadReply::Malformed(message) => error(StatusCode::BAD_REQUEST, message),
            BadReply::Fields(fields) => {
                (StatusCode::UNPROCESSABLE_ENTITY, Json(fields)).into_response()
            }
        }
    }
}

const STATUS_RULE: &str = "status must be one of new, in-progress, on-hold, closed";

impl ReplyRequest {
    /// Reads `{"body": "<p>…</p>", "status"?: "in-progress"}`: a non-empty body and, when
    /// present, one of Moov's four statuses.
    pub fn parse(bytes: &[u8]) -> Result<ReplyRequest, BadReply> {
        let object =
            match serde_json::from_slice::<Value>(bytes) {
                Ok(Value::Object(o)) => o,
                Ok(_) => return Err(BadReply::Malformed(
                    "send a JSON object like {\"body\": \"<p>…</p>\", \"status\": \"in-progress\"}"
                        .into(),
                )),
                Err(e) => return Err(BadReply::Malformed(format!("invalid reply JSON: {e}"))),
            };
        let mut fields = Map::new();
        let body = match object.get("body") {
            Some(Value::String(b)) if !b.trim().is_empty() => b.clone(),
            _ => {
                fields.insert("body".into(), json!("body is required: the reply's HTML"));
                String::new()
            }
        };
        let status = match object.get("status") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => match TicketStatus::from_name(s.clone()) {
                TicketStatus::Unknown(_) => {
                    fields.insert("status".into(), json!(STATUS_RULE));
                    None
                }
                known => Some(known),
            },
            Some(_) => {
                fields.insert("status".into(), json!(STATUS_RULE));
                None
            }
        };
        if fields.is_empty() {
            Ok(ReplyRequest { body, status })
        } else {
            Err(BadReply::Fields(fields))
        }
    }
}

/// `POST /sandbox/accounts/{accountID}/tickets/{ticketID}/reply`, with the sandbox's key
/// pair: support answers a ticket. Not one of Moov's routes; a sandbox run on its own has no
/// proxy dev route to answer through.
pub(crate) async fn reply_route(
    State(sandbox): State<SandboxHandle>,
    Path((account, ticket_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let key_pair = basic_credentials(&headers).is_some_and(|(id, s)| sandbox.is_key_pair(&id, &s));
    if !key_pair {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Ok(account) = Uuid::parse_str(&account) else {
        return error(StatusCode::NOT_FOUND, "account not found");
    };
    let request = match ReplyRequest::parse(&bytes) {
        Ok(r) => r,
        Err(bad) => return bad.into_response(),
    };
    match sandbox.reply(account, &ticket_id, &request.body, request.status) {
        Some(ticket) => Json(ticket).into_response(),
        None => error(StatusCode::NOT_FOUND, "ticket not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_reply_and_names_what_is_wrong() {
        let ok = ReplyRequest::parse(br#"{"body": "<p>Hi</p>", "status": "on-hold"}"#).unwrap();
        assert_eq!(ok.body, "<p>Hi</p>");
        assert_eq!(ok.status, Some(TicketStatus::OnHold));
        let plain = ReplyRequest::parse(br#"{"body": "<p>Hi</p>", "status": null}"#).unwrap();
        assert_eq!(plain.status, None);
        for (bytes, bad) in [
            (&br#"{"body": " "}"#[..], vec!["body"]),
            (br#"{"status": "closed"}"#, vec!["body"]),
            (br#"{"body": "<p>x</p>", "status": "open"}"#, vec!["status"]),
            (br#"{"body": 1, "status": 2}"#, vec!["body", "status"]),
        ] {
            match ReplyRequest::parse(bytes) {
                Err(BadReply::Fields(f)) => {
                    assert_eq!(f.keys().map(String::as_str).collect::<Vec<_>>(), bad)
                }
                other => panic!("{other:?}"),
            }
        }
        for bytes in [&b"{"[..], b"[]", b"\"<p>x</p>\""] {
            assert!(matches!(
                ReplyRequest::parse(bytes),
                Err(BadReply::Malformed(_))
            ));
        }
    }
}
