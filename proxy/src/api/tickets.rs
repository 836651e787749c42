//! `POST /api/support/tickets`: the widget's one real request.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use moov_support::{rules, Contact, CreateTicket, Ticket};
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use crate::error::ApiError;
use crate::idempotency::{fingerprint, Begin, IdempotencyError, Outcome};
use crate::moov::{Answer, Failure};
use crate::request_id::{LogContext, X_MOOV_REQUEST_ID};
use crate::session::Session;
use moov_support::retry_after::retry_after_secs;

/// What the widget sends. Only these fields are read: an `author`, a `foreignID` or an
/// account id in the body is ignored, because the browser is not trusted with them.
/// Missing fields read as empty so the rules can name them in a 422.
#[derive(Debug, Default, Deserialize)]
pub struct NewTicket {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub contact: NewContact,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewContact {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
}

impl NewTicket {
    /// Reads a ticket from a JSON object only: serde would otherwise also take an array
    /// positionally (`["title", "body"]`), which no widget sends.
    pub fn from_json(value: serde_json::Value) -> Result<NewTicket, ApiError> {
        if !value.is_object() {
            return Err(ApiError::MalformedJson(
                "the ticket must be a JSON object with title, body and contact".into(),
            ));
        }
        serde_json::from_value(value).map_err(|e| ApiError::MalformedJson(e.to_string()))
    }

    /// Reads a ticket from the bytes of a request whose content type is JSON: every way the
    /// bytes are not a ticket object is a 400 [`ApiError::MalformedJson`].
    pub fn decode(body: &[u8]) -> Result<NewTicket, ApiError> {
        let Json(value) = Json::<serde_json::Value>::from_bytes(body)?;
        NewTicket::from_json(value)
    }

    /// The ticket to check and forward, with the proxy's own `foreignID`.
    pub fn into_create(self, foreign_id: Option<String>) -> CreateTicket {
        CreateTicket {
            title: self.title,
            body: self.body,
            contact: Contact {
                email: self.contact.email,
                name: self.contact.name,
            },
            author: None,
            foreign_id,
        }
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    payload: Result<Bytes, BytesRejection>,
) -> Response {
    let session = match state.0.sessions.resolve(&headers).await {
        Ok(s) => s,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut response = match submit(&state, &session, &headers, payload).await {
        Ok(answer) => {
            // So a session without an email claim can find its request again.
            if let Err(e) = state
                .0
                .visibility
                .record_filed(&session, &answer.value.ticket_id)
                .await
            {
                tracing::error!(error = %e, "could not record who filed a ticket");
            }
            with_moov_request_id(Json(answer.value).into_response(), answer.request_id)
        }
        Err(failure) => with_moov_request_id(failure.error.into_response(), failure.request_id),
    };
    response.extensions_mut().insert(LogContext {
        user: session.user_id,
        account: session.account_id,
    });
    response
}

async fn submit(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    payload: Result<Bytes, BytesRejection>,
) -> Result<Answer<Ticket>, Failure> {
    if let Some(limit) = &state.0.user_limit {
        let user = format!("{}:{}", session.account_id, session.user_id);
        limit
            .check(&user)
            .await
            .map_err(|wait| ApiError::TooManySubmissions {
                retry_after_secs: retry_after_secs(wait),
            })?;
    }
    let key = idempotency_key(headers)?;
    // The order of axum's `Json` extractor: content type (415), then size (413), then JSON.
    if !is_json(headers) {
        return Err(ApiError::UnsupportedMediaType.into());
    }
    let bytes = payload.map_err(|e| ApiError::from(JsonRejection::from(e)))?;
    let mut raw = NewTicket::decode(&bytes)?;
    if state.0.lock_contact {
        raw.contact = session_contact(session)?;
    }
    let ticket = rules::prepare(raw.into_create(key.map(|k| k.to_string())))
        .map_err(|fields| ApiError::Validation(Box::new(fields)))?;
    let account = session.account_id;
    let moov = &state.0.moov;
    let Some(key) = key else {
        return moov.create_ticket(account, &ticket).await;
    };

    let attempt = match state
        .0
        .idempotency
        .begin(account, key, &fingerprint(&ticket))
        .await
        .map_err(ApiError::from)?
    {
        Begin::Replay(ticket) => {
            tracing::info!(%key, "answering a retried submission with its ticket");
            return Ok(Answer {
                value: *ticket,
                request_id: None,
            });
        }
        Begin::Attempt(attempt) => attempt,
    };
    if attempt.look_first() {
        match moov.find_by_foreign_id(account, &key.to_string()).await {
            Ok(Some(found)) if same_ticket(&found.value, &ticket) => {
                tracing::info!(%key, "a previous attempt had created the ticket");
                finish(attempt, Outcome::Created(&found.value)).await;
                return Ok(found);
            }
            Ok(Some(_)) => {
                tracing::info!(%key, "Moov holds another ticket under this key");
                finish(attempt, Outcome::Taken).await;
                return Err(ApiError::from(IdempotencyError::Conflict).into());
            }
            Ok(None) => {}
            Err(f) if f.error.is_permission_refused() => {
                // Moov documents only `tickets.write` for creating: a key without
                // `tickets.read` still files tickets, only without this safety net.
                if state.0.lookup_refused.ready() {
                    tracing::warn!(
                        %account,
                        request_id = ?f.request_id,
                        error = %f.error,
                        "Moov refused the look-up for an earlier ticket; filing without it. \
                         Grant the API key tickets.read so that a retry after a timeout \
                         cannot file a second ticket"
                    );
                }
            }
            Err(f) => {
                // Creating now could duplicate a ticket Moov already has: keep the key
                // pending and let the widget retry.
                tracing::warn!(%key, error = %f.error, "could not check for an earlier ticket");
                finish(attempt, Outcome::Unknown).await;
                return Err(f);
            }
        }
    }
    let result = moov.create_ticket(account, &ticket).await;
    let outcome = match &result {
        Ok(answer) => Outcome::Created(&answer.value),
        Err(f) if f.error.outcome_unknown() => Outcome::Unknown,
        Err(_) => Outcome::Refused,
    };
    finish(attempt, outcome).await;
    result
}

/// The contact the session vouches for, in place of the browser's under `LOCK_CONTACT`: a
/// partner that locks the contact in the widget must not rely on the browser to keep it.
fn session_contact(session: &Session) -> Result<NewContact, ApiError> {
    let Some(email) = session.email.clone() else {
        tracing::warn!(
            user = %session.user_id,
            account = %session.account_id,
            "LOCK_CONTACT is on and the session token has no email claim: ticket refused"
        );
        return Err(ApiError::SessionWithoutEmail);
    };
    Ok(NewContact {
        email,
        name: session.name.clone(),
    })
}

/// Whether the ticket Moov holds under a key is the one being submitted, as far as a Ticket
/// shows it: it carries no body. Addresses compare without case, which Moov may normalize.
fn same_ticket(found: &Ticket, ticket: &CreateTicket) -> bool {
    let found_name = found.contact.name.as_deref().filter(|n| !n.is_empty());
    found.title == ticket.title
        && found
            .contact
            .email
            .eq_ignore_ascii_case(&ticket.contact.email)
        && found_name == ticket.contact.name.as_deref()
}

/// Lets a warning through at most once per period, so a standing misconfiguration is
/// reported without a line per request.
pub(super) struct Throttle {
    period: Duration,
    last: Mutex<Option<Instant>>,
}

impl Throttle {
    pub(super) fn new(period: Duration) -> Self {
        Throttle {
            period,
            last: Mutex::new(None),
        }
    }

    /// True at most once per period.
    fn ready(&self) -> bool {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if last.is_some_and(|t| now.duration_since(t) < self.period) {
            return false;
        }
        *last = Some(now);
        true
    }
}

/// Records an attempt's end; a store failure here is logged, not shown: the answer from
/// Moov is still the truth for this request.
async fn finish(attempt: crate::idempotency::Attempt, outcome: Outcome<'_>) {
    if let Err(e) = attempt.finish(outcome).await {
        tracing::error!(error = %e, "could not record an idempotency result");
    }
}

/// `application/json` or any `application/*+json`, with or without parameters: what axum's
/// `Json` extractor admits.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| {
            m.type_() == "application"
                && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
        })
}

/// The `Idempotency-Key` header: absent, or a UUID.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<Uuid>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| Uuid::try_parse(v.trim()).ok())
        .map(Some)
        .ok_or(ApiError::InvalidIdempotencyKey)
}

fn with_moov_request_id(mut response: Response, id: Option<HeaderValue>) -> Response {
    if let Some(id) = id {
        response.headers_mut().insert(X_MOOV_REQUEST_ID, id);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use moov_support::TicketStatus;

    fn found(title: &str, email: &str, name: Option<&str>) -> Ticket {
        Ticket {
            ticket_id: "t-1".into(),
            number: 1,
            title: title.into(),
            contact: Contact {
                email: email.into(),
                name: name.map(str::to_owned),
            },
            status: TicketStatus::New,
            created_on: "2026-01-01T00:00:00Z".into(),
            updated_on: "2026-01-01T00:00:00Z".into(),
            latest_message_on: None,
            closed_on: None,
            foreign_id: Some("k".into()),
        }
    }

    fn request(title: &str, email: &str, name: Option<&str>) -> CreateTicket {
        CreateTicket {
            title: title.into(),
            body: "<p>x</p>".into(),
            contact: Contact {
                email: email.into(),
                name: name.map(str::to_owned),
            },
            author: None,
            foreign_id: Some("k".into()),
        }
    }

    #[test]
    fn a_found_ticket_matches_on_title_and_contact() {
        let sent = request("Payout", "ann@example.com", Some("Ann"));
        for (title, email, name, same) in [
            ("Payout", "ann@example.com", Some("Ann"), true),
            ("Payout", "Ann@Example.COM", Some("Ann"), true),
            ("Payout!", "ann@example.com", Some("Ann"), false),
            ("Payout", "bob@example.com", Some("Ann"), false),
            ("Payout", "ann@example.com", Some("Bob"), false),
            ("Payout", "ann@example.com", None, false),
        ] {
            let found = found(title, email, name);
            assert_eq!(same_ticket(&found, &sent), same, "{title} {email} {name:?}");
        }
        let nameless = request("Payout", "ann@example.com", None);
        assert!(same_ticket(
            &found("Payout", "ann@example.com", Some("")),
            &nameless
        ));
    }

    #[test]
    fn the_throttle_lets_one_through_per_period() {
        let hourly = Throttle::new(Duration::from_secs(3600));
        assert!(hourly.ready());
        assert!(!hourly.ready());
        let always = Throttle::new(Duration::ZERO);
        assert!(always.ready() && always.ready());
    }
}
