//! The proxy's side of Moov: OAuth tokens and the ticket endpoints.
//!
//! Moov's answers are turned into [`ApiError`]s that keep their meaning for the widget: a
//! Moov 401 or 403 concerns the partner's keys, never the user's session, so it never reaches
//! the browser as a 401.

pub mod token;

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderValue};
use moov_support::{CreateTicket, FieldErrors, Ticket};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use uuid::Uuid;

use crate::config::{MoovCredentials, Secret};
use crate::error::ApiError;
use crate::request_id::X_REQUEST_ID;
use crate::version::MoovVersion;
use token::TokenCache;

/// A successful Moov answer and Moov's request id.
#[derive(Debug)]
pub struct Answer<T> {
    pub value: T,
    pub request_id: Option<HeaderValue>,
}

/// A failed call and, when Moov answered at all, Moov's request id.
#[derive(Debug)]
pub struct Failure {
    pub error: ApiError,
    pub request_id: Option<HeaderValue>,
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Failure {
            error,
            request_id: None,
        }
    }
}

/// Calls Moov with the proxy's keys and a fixed API version.
pub struct MoovClient {
    http: reqwest::Client,
    base_url: String,
    version: HeaderValue,
    tokens: TokenCache,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: Option<String>,
}

#[derive(Deserialize)]
struct TicketPage {
    #[serde(default)]
    items: Vec<Ticket>,
}

impl MoovClient {
    /// `timeout` bounds each whole call, token requests included, so nothing hangs.
    pub fn new(
        credentials: MoovCredentials,
        version: MoovVersion,
        origin: String,
        timeout: Duration,
    ) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("moov-support-proxy/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(MoovClient {
            base_url: credentials.base_url.clone(),
            version: HeaderValue::from_str(&version.to_string())
                .expect("a version is a valid header value"),
            tokens: TokenCache::new(http.clone(), credentials, origin),
            http,
        })
    }

    /// `POST /accounts/{accountID}/tickets`.
    pub async fn create_ticket(
        &self,
        account: Uuid,
        ticket: &CreateTicket,
    ) -> Result<Answer<Ticket>, Failure> {
        let url = format!("{}/accounts/{account}/tickets", self.base_url);
        let scope = format!("/accounts/{account}/tickets.write");
        let response = self
            .call(&scope, |token| {
                self.http
                    .post(&url)
                    .bearer_auth(token.expose())
                    .json(ticket)
            })
            .await?;
        let request_id = request_id_of(&response);
        let status = response.status();
        let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
        let body = read_body(response, &request_id).await?;
        if status.is_success() {
            let ticket = serde_json::from_slice::<Ticket>(&body).map_err(|e| {
                tracing::warn!(error = %e, "Moov's ticket could not be read");
                Failure {
                    error: ApiError::UpstreamGarbled,
                    request_id: request_id.clone(),
                }
            })?;
            return Ok(Answer {
                value: ticket,
                request_id,
            });
        }
        Err(Failure {
            error: error_for(status, &body, retry_after),
            request_id,
        })
    }

    /// Finds the ticket created with `foreign_id`, to answer a retry without a duplicate.
    pub async fn find_by_foreign_id(
        &self,
        account: Uuid,
        foreign_id: &str,
    ) -> Result<Option<Answer<Ticket>>, Failure> {
        let url = format!("{}/accounts/{account}/tickets", self.base_url);
        let scope = format!("/accounts/{account}/tickets.read");
        let response = self
            .call(&scope, |token| {
                self.http
                    .get(&url)
                    .query(&[("foreignID", foreign_id), ("count", "10")])
                    .bearer_auth(token.expose())
            })
            .await?;
        let request_id = request_id_of(&response);
        let status = response.status();
        let body = read_body(response, &request_id).await?;
        if !status.is_success() {
            return Err(Failure {
                error: error_for(status, &body, None),
                request_id,
            });
        }
        let page: TicketPage = serde_json::from_slice(&body).map_err(|_| Failure {
            error: ApiError::UpstreamGarbled,
            request_id: request_id.clone(),
        })?;
        Ok(page
            .items
            .into_iter()
            .find(|t| t.foreign_id.as_deref() == Some(foreign_id))
            .map(|value| Answer { value, request_id }))
    }

    /// Sends one authenticated request; on a 401 renews the token once and tries again.
    async fn call(
        &self,
        scope: &str,
        build: impl Fn(&Secret) -> RequestBuilder,
    ) -> Result<Response, Failure> {
        let token = self.tokens.get(scope).await?;
        let response = self.send(build(&token)).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        tracing::info!(
            request_id = ?request_id_of(&response),
            "Moov refused the access token; renewing it once"
        );
        self.tokens.invalidate(scope, &token).await;
        let token = self.tokens.get(scope).await?;
        let response = self.send(build(&token)).await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            tracing::warn!(request_id = ?request_id_of(&response), "Moov refused a fresh access token");
            return Err(Failure {
                error: ApiError::CredentialsRejected,
                request_id: request_id_of(&response),
            });
        }
        Ok(response)
    }

    async fn send(&self, request: RequestBuilder) -> Result<Response, Failure> {
        request
            .header("x-moov-version", self.version.clone())
            .send()
            .await
            .map_err(|e| Failure::from(transport_error(&e)))
    }
}

fn transport_error(e: &reqwest::Error) -> ApiError {
    tracing::warn!(error = %e, "Moov call failed");
    if e.is_timeout() {
        ApiError::UpstreamTimeout
    } else {
        ApiError::UpstreamUnreachable
    }
}

async fn read_body(response: Response, request_id: &Option<HeaderValue>) -> Result<Bytes, Failure> {
    response.bytes().await.map_err(|e| Failure {
        error: if e.is_timeout() {
            ApiError::UpstreamTimeout
        } else {
            tracing::warn!(error = %e, "Moov's answer broke off");
            ApiError::UpstreamGarbled
        },
        request_id: request_id.clone(),
    })
}

/// Moov's `x-request-id`, when it is one we can pass on.
fn request_id_of(response: &Response) -> Option<HeaderValue> {
    let value = response.headers().get(X_REQUEST_ID)?;
    let ok = value.len() <= 128
        && !value.is_empty()
        && value.as_bytes().iter().all(|b| b.is_ascii_graphic());
    ok.then(|| value.clone())
}

/// Maps a non-success Moov status to what the widget gets.
fn error_for(status: StatusCode, body: &[u8], retry_after: Option<HeaderValue>) -> ApiError {
    let message = || {
        serde_json::from_slice::<ErrorBody>(body)
            .ok()
            .and_then(|b| b.error)
            .filter(|m| !m.trim().is_empty())
    };
    match status.as_u16() {
        400 => ApiError::UpstreamBadRequest(
            message().unwrap_or_else(|| "Moov could not understand the ticket request".into()),
        ),
        409 => ApiError::UpstreamConflict(
            message().unwrap_or_else(|| "the ticket conflicts with one Moov already has".into()),
        ),
        422 => match serde_json::from_slice::<FieldErrors>(body) {
            Ok(fields) if !fields.is_empty() => ApiError::Validation(Box::new(fields)),
            _ => ApiError::UpstreamUnprocessable(
                message().unwrap_or_else(|| "Moov rejected the ticket's contents".into()),
            ),
        },
        401 => ApiError::CredentialsRejected,
        403 => ApiError::UpstreamForbidden,
        404 => ApiError::AccountNotFound,
        429 => ApiError::UpstreamRateLimited { retry_after },
        500 => ApiError::UpstreamInternal,
        504 => ApiError::UpstreamGatewayTimeout,
        other => ApiError::UpstreamUnexpected(other),
    }
}
