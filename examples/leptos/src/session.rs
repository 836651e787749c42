//! The signed-in user's session token, minted by the app's own backend (`GET /session` of
//! examples/axum), which the support form hands to the proxy.

use gloo_net::http::Request;
use serde::Deserialize;
use thiserror::Error;

/// Where the backend answers.
const SESSION_URL: &str = "/session";

/// Why there is no token.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SessionError {
    /// The request did not complete: the backend is down or the browser is offline.
    #[error("the session could not be fetched ({0}); is the app's backend running?")]
    Unreachable(String),
    /// The backend answered, but not with a token.
    #[error("the backend refused a session (HTTP {0}); sign in again")]
    Refused(u16),
    /// The backend's answer is not `{"token": "…"}`.
    #[error("the session answer has no token ({0})")]
    Malformed(String),
}

#[derive(Deserialize)]
struct Session {
    token: String,
}

/// Asks the backend for a fresh token.
pub async fn fetch_token() -> Result<String, SessionError> {
    let response = Request::get(SESSION_URL)
        .send()
        .await
        .map_err(|e| SessionError::Unreachable(e.to_string()))?;
    if !response.ok() {
        return Err(SessionError::Refused(response.status()));
    }
    let session: Session = response
        .json()
        .await
        .map_err(|e| SessionError::Malformed(e.to_string()))?;
    Ok(session.token)
}
