//! How a ticket leaves the form: sanitize → rules → token → POST → renew once on 401 →
//! resend. Plain async Rust over three things passed in (the sanitizer, the session tokens,
//! the HTTP post), so each step can be exercised without a form on the page.

use std::future::Future;

use thiserror::Error;

use crate::rules::{self, Problems};
use crate::ticket::{CreateTicket, Ticket};
use crate::web::client;
use crate::web::sanitizer_worker::SanitizerError;

/// Cleans a message body with the shared policy.
pub trait Sanitizer {
    fn clean(&self, html: &str) -> impl Future<Output = Result<String, SanitizerError>>;
}

/// The session token a send goes out with.
pub trait SessionTokens {
    /// The token for this send; `None` sends without one.
    fn current(&self) -> impl Future<Output = Option<String>>;
    /// A fresh token after the proxy refused the current one; `None` when there is none, and
    /// then the refusal stands.
    fn renew(&self) -> impl Future<Output = Option<String>>;
}

/// POSTs a checked ticket to the proxy under an idempotency key.
pub trait Post {
    fn post(
        &self,
        ticket: &CreateTicket,
        idempotency_key: &str,
        session_token: Option<&str>,
    ) -> impl Future<Output = Result<Ticket, client::Failure>>;
}

/// Why a ticket was not filed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Failure {
    /// The message could not be cleaned: nothing was sent.
    #[error(transparent)]
    Sanitizer(SanitizerError),
    /// The rules refused the ticket: nothing was sent.
    #[error("{} field(s) need attention", .0.len())]
    Rules(Problems),
    /// The proxy refused the ticket, or could not be reached.
    #[error("{}", .0.error)]
    Proxy(client::Failure),
    /// The form went away before the ticket left: nothing was sent.
    #[error("the form was removed before the message was sent")]
    Abandoned,
}

/// The three things a send needs.
pub struct Pipeline<S, T, P> {
    pub sanitizer: S,
    pub tokens: T,
    pub post: P,
}

impl<S: Sanitizer, T: SessionTokens, P: Post> Pipeline<S, T, P> {
    /// Sends `raw` (as typed) under `idempotency_key`. `abandoned` is asked before each step
    /// that would send: a form removed meanwhile sends nothing.
    pub async fn send(
        &self,
        raw: CreateTicket,
        idempotency_key: &str,
        abandoned: impl Fn() -> bool,
    ) -> Result<Ticket, Failure> {
        let body = self
            .sanitizer
            .clean(&raw.body)
            .await
            .map_err(Failure::Sanitizer)?;
        if abandoned() {
            return Err(Failure::Abandoned);
        }
        let ticket =
            rules::check_sanitized(CreateTicket { body, ..raw }).map_err(Failure::Rules)?;
        let token = self.tokens.current().await;
        if abandoned() {
            return Err(Failure::Abandoned);
        }
        let answer = self
            .post
            .post(&ticket, idempotency_key, token.as_deref())
            .await;
        match answer {
            // A refused token is renewed once, then the same ticket goes again under the
            // same key.
            Err(refused) if refused.status == Some(401) => match self.tokens.renew().await {
                Some(fresh) => self.post.post(&ticket, idempotency_key, Some(&fresh)).await,
                None => Err(refused),
            },
            answer => answer,
        }
        .map_err(Failure::Proxy)
    }
}
