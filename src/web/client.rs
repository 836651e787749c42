//! Sends a ticket to the partner's proxy and turns every answer into a [`SubmitError`] a user
//! can act on.

use gloo_net::http::{Request, Response};
use thiserror::Error;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::ticket::{CreateTicket, FieldErrors, Ticket};
use crate::web::send::Post;
use crate::web::wire;

/// How long the widget waits for the proxy before giving up.
pub const DEFAULT_TIMEOUT_MS: i32 = 20_000;

/// How long a user is asked to wait when the proxy refused a send without `Retry-After`.
pub const DEFAULT_RETRY_SECONDS: u32 = 30;

/// One variant per situation the user must handle differently.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SubmitError {
    /// The rules or Moov (422) refused some fields; the form shows each message on its field.
    #[error("Some fields need attention.")]
    Invalid(FieldErrors),
    /// The proxy refused the request as malformed (400), with its reason.
    #[error("The request was not accepted: {0}")]
    BadRequest(String),
    /// The session token was refused (401) even after asking the token provider again.
    #[error("Your session has expired. Sign in again, then press Send.")]
    SessionExpired,
    /// The user's account may not file tickets (403).
    #[error("This account is not allowed to contact support. Ask your administrator.")]
    Forbidden,
    /// The proxy or Moov does not know the user's account (404).
    #[error("Support could not find your account. Ask your administrator.")]
    NotFound,
    /// The idempotency key was used for a different message (409), with the proxy's reason.
    #[error("This message conflicts with one already sent: {0}")]
    Conflict(String),
    /// The request body was over the proxy's limit (413).
    #[error("The message is too large to send. Shorten it and try again.")]
    TooLarge,
    /// Too many sends (429); the seconds to wait when the proxy said (`Retry-After`).
    #[error(
        "Too many messages were sent. Try again in {}.",
        seconds(.0.unwrap_or(DEFAULT_RETRY_SECONDS))
    )]
    RateLimited(Option<u32>),
    /// The proxy failed (500); the draft stays saved.
    #[error(
        "Support is having trouble right now. Your message is saved; try again in a few minutes."
    )]
    ServerError,
    /// The proxy could not reach Moov, or Moov is unavailable (502, 503).
    #[error("Support could not be reached. Your message is saved; try again shortly.")]
    BadGateway,
    /// Moov did not answer the proxy in time (504).
    #[error("Support took too long to answer. Your message is saved; try again shortly.")]
    GatewayTimeout,
    /// The browser could not reach the proxy at all, usually because it is offline.
    #[error(
        "You appear to be offline. Your message is saved; send it again when you are back online."
    )]
    Network,
    /// The proxy did not answer within the form's timeout.
    #[error("The request timed out. Your message is saved; try again.")]
    Timeout,
    /// Any other HTTP status, kept so support can tell what happened.
    #[error("Something went wrong (HTTP {0}). Your message is saved; try again.")]
    Unexpected(u16),
}

/// "1 second", "30 seconds".
fn seconds(count: u32) -> String {
    match count {
        1 => "1 second".into(),
        n => format!("{n} seconds"),
    }
}

/// A failed submission and the trace id support needs to find it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// What went wrong, in the terms the user must act on.
    pub error: SubmitError,
    /// The proxy's `X-Request-Id`, which support asks for to find the request in its logs.
    pub request_id: Option<String>,
    /// The HTTP status, when an answer came at all.
    pub status: Option<u16>,
}

/// What the widget needs to reach the proxy.
#[derive(Debug, Clone)]
pub struct Submission<'a> {
    /// The proxy's ticket URL.
    pub endpoint: &'a str,
    /// The user's session token, sent as a bearer token.
    pub session_token: Option<&'a str>,
    /// The draft's key, so a resend after a lost answer files one ticket, not two.
    pub idempotency_key: &'a str,
    /// How long to wait for the proxy before reporting a timeout.
    pub timeout_ms: i32,
}

/// The proxy's ticket endpoint as the send pipeline's [`Post`].
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// The proxy's ticket URL.
    pub url: String,
    /// How long to wait for the proxy before reporting a timeout.
    pub timeout_ms: i32,
}

impl Post for Endpoint {
    async fn post(
        &self,
        ticket: &CreateTicket,
        idempotency_key: &str,
        session_token: Option<&str>,
    ) -> Result<Ticket, Failure> {
        let to = Submission {
            endpoint: &self.url,
            session_token,
            idempotency_key,
            timeout_ms: self.timeout_ms,
        };
        submit(&to, ticket).await
    }
}

/// POSTs the (already validated and sanitized) ticket.
pub async fn submit(to: &Submission<'_>, ticket: &CreateTicket) -> Result<Ticket, Failure> {
    let controller = web_sys::AbortController::new().map_err(|_| network_failure())?;
    let timer = Timer::start(&controller, to.timeout_ms);
    let mut request = Request::post(to.endpoint)
        .header("Idempotency-Key", to.idempotency_key)
        .abort_signal(Some(&controller.signal()));
    if let Some(token) = to.session_token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let body = wire::to_json(ticket).ok_or_else(network_failure)?;
    let request = request
        .header("Content-Type", "application/json")
        .body(body)
        .map_err(|_| network_failure())?;
    let sent = request.send().await;
    let timed_out = timer.fired();
    let response = match sent {
        Ok(r) => r,
        Err(_) if timed_out => {
            return Err(Failure {
                error: SubmitError::Timeout,
                request_id: None,
                status: None,
            })
        }
        Err(_) => return Err(network_failure()),
    };
    // The timer stays armed while the body streams in.
    let answer = read_answer(response).await;
    drop(timer);
    answer
}

fn network_failure() -> Failure {
    Failure {
        error: SubmitError::Network,
        request_id: None,
        status: None,
    }
}

async fn read_answer(response: Response) -> Result<Ticket, Failure> {
    let status = response.status();
    let request_id = response.headers().get("x-request-id");
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.trim().parse::<u32>().ok());
    let text = response.text().await.unwrap_or_default();
    let body = wire::parse(&text).unwrap_or(JsValue::NULL);
    let message = || wire::error_message(&body).unwrap_or_else(|| "no reason was given".to_owned());
    let error = match status {
        200 | 201 => match wire::ticket(&body) {
            Some(ticket) => return Ok(ticket),
            None => SubmitError::BadGateway,
        },
        400 => SubmitError::BadRequest(message()),
        401 => SubmitError::SessionExpired,
        403 => SubmitError::Forbidden,
        404 => SubmitError::NotFound,
        409 => SubmitError::Conflict(message()),
        413 => SubmitError::TooLarge,
        422 => match wire::field_errors(&body) {
            fields if !fields.is_empty() => SubmitError::Invalid(fields),
            _ => SubmitError::BadRequest(message()),
        },
        429 => SubmitError::RateLimited(retry_after),
        500 => SubmitError::ServerError,
        502 | 503 => SubmitError::BadGateway,
        504 => SubmitError::GatewayTimeout,
        other => SubmitError::Unexpected(other),
    };
    Err(Failure {
        error,
        request_id,
        status: Some(status),
    })
}

/// Aborts the request when the time is up, and remembers that it did so a timeout is not
/// reported as a network drop.
pub(crate) struct Timer {
    handle: i32,
    fired: std::rc::Rc<std::cell::Cell<bool>>,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    pub(crate) fn start(controller: &web_sys::AbortController, ms: i32) -> Self {
        let fired = std::rc::Rc::new(std::cell::Cell::new(false));
        let callback = {
            let fired = fired.clone();
            let controller = controller.clone();
            Closure::<dyn FnMut()>::new(move || {
                fired.set(true);
                controller.abort();
            })
        };
        let handle = web_sys::window()
            .and_then(|w| {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    callback.as_ref().unchecked_ref(),
                    ms,
                )
                .ok()
            })
            .unwrap_or(0);
        Timer {
            handle,
            fired,
            _callback: callback,
        }
    }

    fn fired(&self) -> bool {
        self.fired.get()
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            w.clear_timeout_with_handle(self.handle);
        }
    }
}
