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
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::{MoovCredentials, Secret};
use crate::error::ApiError;
use crate::request_id::X_REQUEST_ID;
use crate::ticket_id::TicketId;
use moov_support::moov_version::MoovVersion;
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
    partner: Option<Uuid>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: Option<String>,
}

/// One page of `GET /accounts/{id}/tickets`, newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketPage {
    #[serde(default)]
    pub items: Vec<Ticket>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page: Option<NextPage>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NextPage {
    pub cursor: String,
}

/// One message of a ticket's conversation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketMessage {
    pub author: String,
    /// HTML.
    pub body: String,
    pub sent_on: String,
}

/// Filters and paging of a ticket list, passed to Moov as they are.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub cursor: Option<String>,
    pub count: Option<u32>,
    pub status: Option<String>,
}

/// What a token must allow on an account.
#[derive(Debug, Clone, Copy)]
pub enum Permission {
    Write,
    Read,
}

impl Permission {
    fn as_str(self) -> &'static str {
        match self {
            Permission::Write => "tickets.write",
            Permission::Read => "tickets.read",
        }
    }
}

/// The scopes to ask for. Directly: the account's own ticket permission. On behalf of it:
/// the partner's ticket permission plus the account's `profile.read`, as Moov requires.
pub fn scopes_for(partner: Option<Uuid>, account: Uuid, permission: Permission) -> String {
    let permission = permission.as_str();
    match partner {
        None => format!("/accounts/{account}/{permission}"),
        Some(partner) => {
            format!("/accounts/{partner}/{permission} /accounts/{account}/profile.read")
        }
    }
}

impl MoovClient {
    /// `timeout` bounds each whole call, token requests included, so nothing hangs.
    /// With `partner`, tokens are asked for in on-behalf mode (see [`scopes_for`]).
    pub fn new(
        credentials: MoovCredentials,
        version: MoovVersion,
        origin: String,
        timeout: Duration,
        partner: Option<Uuid>,
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
            partner,
        })
    }

    fn scope(&self, account: Uuid, permission: Permission) -> String {
        scopes_for(self.partner, account, permission)
    }

    /// Whether a token for filing `account`'s tickets can be had now (cached or fresh):
    /// `tickets.write` is what creating needs, and all a key must grant.
    pub async fn ready(&self, account: Uuid) -> Result<(), ApiError> {
        self.tokens
            .get(&self.scope(account, Permission::Write))
            .await
            .map(drop)
    }

    /// `GET /accounts/{accountID}/tickets`.
    pub async fn list_tickets(
        &self,
        account: Uuid,
        query: &ListQuery,
    ) -> Result<Answer<TicketPage>, Failure> {
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(c) = &query.cursor {
            params.push(("cursor", c.clone()));
        }
        if let Some(n) = query.count {
            params.push(("count", n.to_string()));
        }
        if let Some(s) = &query.status {
            params.push(("status", s.clone()));
        }
        let url = format!("{}/accounts/{account}/tickets", self.base_url);
        self.read_json(account, &url, &params, ApiError::AccountNotFound)
            .await
    }

    /// `GET /accounts/{accountID}/tickets/{ticketID}`.
    pub async fn get_ticket(
        &self,
        account: Uuid,
        ticket: &TicketId,
    ) -> Result<Answer<Ticket>, Failure> {
        let url = format!("{}/accounts/{account}/tickets/{ticket}", self.base_url);
        self.read_json(account, &url, &[], ApiError::TicketNotFound)
            .await
    }

    /// `GET /accounts/{accountID}/tickets/{ticketID}/messages`.
    pub async fn ticket_messages(
        &self,
        account: Uuid,
        ticket: &TicketId,
    ) -> Result<Answer<Vec<TicketMessage>>, Failure> {
        let url = format!(
            "{}/accounts/{account}/tickets/{ticket}/messages",
            self.base_url
        );
        self.read_json(account, &url, &[], ApiError::TicketNotFound)
            .await
    }

    /// A GET with a `tickets.read` token; Moov's 404 becomes `not_found`.
    async fn read_json<T: DeserializeOwned>(
        &self,
        account: Uuid,
        url: &str,
        query: &[(&str, String)],
        not_found: ApiError,
    ) -> Result<Answer<T>, Failure> {
        let scope = self.scope(account, Permission::Read);
        let response = self
            .call(&scope, |token| {
                self.http.get(url).query(query).bearer_auth(token.expose())
            })
            .await?;
        let request_id = request_id_of(&response);
        let status = response.status();
        let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
        let body = read_body(response, &request_id).await?;
        if status == StatusCode::NOT_FOUND {
            return Err(Failure {
                error: not_found,
                request_id,
            });
        }
        if !status.is_success() {
            return Err(Failure {
                error: error_for(status, &body, retry_after),
                request_id,
            });
        }
        match serde_json::from_slice(&body) {
            Ok(value) => Ok(Answer { value, request_id }),
            Err(e) => {
                tracing::warn!(error = %e, "Moov's answer could not be read");
                Err(Failure {
                    error: ApiError::UpstreamGarbled,
                    request_id,
                })
            }
        }
    }

    /// `POST /accounts/{accountID}/tickets`.
    pub async fn create_ticket(
        &self,
        account: Uuid,
        ticket: &CreateTicket,
    ) -> Result<Answer<Ticket>, Failure> {
        let url = format!("{}/accounts/{account}/tickets", self.base_url);
        self.write_ticket(account, reqwest::Method::POST, &url, ticket, None)
            .await
    }

    /// `PATCH /accounts/{accountID}/tickets/{ticketID}` `{"status": "closed"}`, the one change
    /// Moov lets a ticket take.
    pub async fn close_ticket(
        &self,
        account: Uuid,
        ticket: &TicketId,
    ) -> Result<Answer<Ticket>, Failure> {
        let url = format!("{}/accounts/{account}/tickets/{ticket}", self.base_url);
        let body = serde_json::json!({"status": "closed"});
        self.write_ticket(
            account,
            reqwest::Method::PATCH,
            &url,
            &body,
            Some(ApiError::TicketNotFound),
        )
        .await
    }

    /// Sends `body` with a `tickets.write` token and reads the ticket Moov answers with;
    /// Moov's 404 becomes `not_found` when given.
    async fn write_ticket<B: Serialize + ?Sized>(
        &self,
        account: Uuid,
        method: reqwest::Method,
        url: &str,
        body: &B,
        not_found: Option<ApiError>,
    ) -> Result<Answer<Ticket>, Failure> {
        let scope = self.scope(account, Permission::Write);
        let response = self
            .call(&scope, |token| {
                self.http
                    .request(method.clone(), url)
                    .bearer_auth(token.expose())
                    .json(body)
            })
            .await?;
        let request_id = request_id_of(&response);
        let status = response.status();
        let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
        let bytes = read_body(response, &request_id).await?;
        if status.is_success() {
            let ticket = serde_json::from_slice::<Ticket>(&bytes).map_err(|e| {
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
        let error = match not_found {
            Some(e) if status == StatusCode::NOT_FOUND => e,
            _ => error_for(status, &bytes, retry_after),
        };
        Err(Failure { error, request_id })
    }

    /// Finds the ticket created with `foreign_id`, to answer a retry without a duplicate.
    pub async fn find_by_foreign_id(
        &self,
        account: Uuid,
        foreign_id: &str,
    ) -> Result<Option<Answer<Ticket>>, Failure> {
        let url = format!("{}/accounts/{account}/tickets", self.base_url);
        let params = [
            ("foreignID", foreign_id.to_owned()),
            ("count", "10".to_owned()),
        ];
        let page: Answer<TicketPage> = self
            .read_json(account, &url, &params, ApiError::AccountNotFound)
            .await?;
        let request_id = page.request_id;
        Ok(page
            .value
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_directly_and_on_behalf() {
        let (account, partner) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(
            scopes_for(None, account, Permission::Write),
            format!("/accounts/{account}/tickets.write")
        );
        assert_eq!(
            scopes_for(Some(partner), account, Permission::Read),
            format!("/accounts/{partner}/tickets.read /accounts/{account}/profile.read")
        );
    }
}
