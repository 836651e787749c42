//! The proxy's ticket routes the inbox reads and closes through: every call carries the
//! session token, and a refused token is renewed once and the call made again, as sending
//! does.

use gloo_net::http::{Request, RequestBuilder};
use thiserror::Error;
use wasm_bindgen::JsValue;

use crate::inbox_state::Message;
use crate::ticket::Ticket;
use crate::web::client::Timer;
use crate::web::send::SessionTokens;
use crate::web::wire;

/// How many tickets a page of the list holds.
pub const PAGE_SIZE: u32 = 20;

/// Why the inbox could not read or change a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ApiError {
    #[error("the request does not exist, or this user may not see it")]
    NotFound,
    #[error("the session was refused; sign in again")]
    SessionExpired,
    #[error("support could not be reached; check the connection")]
    Network,
    #[error("support answered HTTP {0}; try again shortly")]
    Status(u16),
    #[error("support's answer could not be read; try again shortly")]
    Malformed,
}

/// The ticket routes under the form's endpoint, with the tokens to call them with.
pub struct Api<T> {
    /// The proxy's ticket URL (the form's `endpoint`).
    pub tickets: String,
    pub timeout_ms: i32,
    pub tokens: T,
}

fn segment(id: &str) -> String {
    String::from(js_sys::encode_uri_component(id))
}

impl<T: SessionTokens> Api<T> {
    /// The live channel's URL: `events` beside `tickets`.
    pub fn events_url(&self) -> String {
        let base = self.tickets.trim_end_matches('/');
        match base.rsplit_once('/') {
            Some((parent, _)) => format!("{parent}/events"),
            None => "events".to_owned(),
        }
    }

    /// A page of the user's tickets, newest activity first, from `cursor` (the first page
    /// when `None`).
    pub async fn list(
        &self,
        cursor: Option<&str>,
    ) -> Result<(Vec<Ticket>, Option<String>), ApiError> {
        let mut url = format!("{}?count={PAGE_SIZE}", self.tickets);
        if let Some(cursor) = cursor {
            url.push_str("&cursor=");
            url.push_str(&segment(cursor));
        }
        let body = self.call(|| Request::get(&url), None).await?;
        wire::ticket_page(&body).ok_or(ApiError::Malformed)
    }

    pub async fn get(&self, id: &str) -> Result<Ticket, ApiError> {
        let url = format!("{}/{}", self.tickets, segment(id));
        let body = self.call(|| Request::get(&url), None).await?;
        wire::ticket(&body).ok_or(ApiError::Malformed)
    }

    /// A request's messages, oldest first.
    pub async fn messages(&self, id: &str) -> Result<Vec<Message>, ApiError> {
        let url = format!("{}/{}/messages", self.tickets, segment(id));
        let body = self.call(|| Request::get(&url), None).await?;
        wire::messages(&body).ok_or(ApiError::Malformed)
    }

    /// Closes a request; closing a closed one answers the ticket again.
    pub async fn close(&self, id: &str) -> Result<Ticket, ApiError> {
        let url = format!("{}/{}", self.tickets, segment(id));
        let body = self
            .call(|| Request::patch(&url), Some(r#"{"status":"closed"}"#))
            .await?;
        wire::ticket(&body).ok_or(ApiError::Malformed)
    }

    /// The token, once; after a 401, a fresh token, once more.
    async fn call(
        &self,
        request: impl Fn() -> RequestBuilder,
        body: Option<&str>,
    ) -> Result<JsValue, ApiError> {
        let token = self.tokens.current().await;
        match self.once(request(), body, token.as_deref()).await {
            Err(ApiError::SessionExpired) => match self.tokens.renew().await {
                Some(fresh) => self.once(request(), body, Some(&fresh)).await,
                None => Err(ApiError::SessionExpired),
            },
            answer => answer,
        }
    }

    async fn once(
        &self,
        request: RequestBuilder,
        body: Option<&str>,
        token: Option<&str>,
    ) -> Result<JsValue, ApiError> {
        let controller = web_sys::AbortController::new().map_err(|_| ApiError::Network)?;
        let _timer = Timer::start(&controller, self.timeout_ms);
        let mut request = request.abort_signal(Some(&controller.signal()));
        if let Some(token) = token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header("Content-Type", "application/json")
                .body(body),
            None => request.build(),
        }
        .map_err(|_| ApiError::Network)?;
        let response = request.send().await.map_err(|_| ApiError::Network)?;
        let text = response.text().await.map_err(|_| ApiError::Network)?;
        match response.status() {
            200 => wire::parse(&text).ok_or(ApiError::Malformed),
            401 => Err(ApiError::SessionExpired),
            404 => Err(ApiError::NotFound),
            other => Err(ApiError::Status(other)),
        }
    }
}
