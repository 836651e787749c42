//! `POST /oauth2/token`: client-credentials tokens limited to scopes, and their renewal with
//! `grant_type=refresh_token`.
//!
//! Reading of Moov's token endpoint where its documents leave it open: a refresh needs the
//! key pair too, keeps the scopes of the token it renews (a `scope` sent with it is
//! ignored), and uses the refresh token up (the answer carries a new one); an unknown, used
//! or expired refresh token is a 400, as OAuth's `invalid_grant` is. Refresh tokens live a
//! day.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde_json::json;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::{error, lock, Issued, SandboxHandle};

/// Permissions the sandbox can grant on an account.
const PERMISSIONS: [&str; 3] = ["tickets.write", "tickets.read", "profile.read"];
/// How long a refresh token can renew an access token.
const REFRESH_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

pub(super) async fn token(
    State(sandbox): State<SandboxHandle>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let state = &sandbox.0;
    state.token_requests.fetch_add(1, Ordering::SeqCst);
    if let Some(status) = *lock(&state.token_failure) {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return error(status, "sandbox: scripted token endpoint failure");
    }
    if !headers.contains_key(header::ORIGIN) && !headers.contains_key(header::REFERER) {
        return error(
            StatusCode::BAD_REQUEST,
            "an Origin or Referer header on the key's allowed domains is required",
        );
    }
    let Some(params) = parse_params(&headers, &body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "the body must be a form or a JSON object",
        );
    };
    let (id, secret) = match basic_credentials(&headers) {
        Some(pair) => pair,
        None => match (params.get("client_id"), params.get("client_secret")) {
            (Some(id), Some(secret)) => (id.clone(), secret.clone()),
            _ => return error(StatusCode::UNAUTHORIZED, "client credentials are required"),
        },
    };
    if !sandbox.is_key_pair(&id, &secret) {
        return error(StatusCode::UNAUTHORIZED, "invalid client credentials");
    }
    let scopes = match params.get("grant_type").map(String::as_str) {
        Some("client_credentials") => match requested_scopes(&sandbox, &params) {
            Ok(scopes) => scopes,
            Err(refusal) => return refusal,
        },
        Some("refresh_token") => match params.get("refresh_token") {
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "refresh_token is required with grant_type refresh_token",
                )
            }
            Some(refresh) => match sandbox.take_refresh_token(refresh) {
                Some(scopes) => scopes,
                None => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "the refresh token is unknown, used or expired: ask for a new token with client_credentials",
                    )
                }
            },
        },
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "grant_type must be client_credentials or refresh_token",
            )
        }
    };

    let lifetime = sandbox.token_lifetime();
    let access_token = format!("sbx_at_{}", Uuid::new_v4().simple());
    let refresh_token = format!("sbx_rt_{}", Uuid::new_v4().simple());
    {
        let mut tokens = lock(&state.tokens);
        let now = Instant::now();
        tokens.retain(|_, t| t.expires_at > now);
        tokens.insert(
            access_token.clone(),
            Issued {
                scopes: scopes.clone(),
                expires_at: now + lifetime,
            },
        );
        let mut refresh = lock(&state.refresh_tokens);
        refresh.retain(|_, t| t.expires_at > now);
        refresh.insert(
            refresh_token.clone(),
            Issued {
                scopes: scopes.clone(),
                expires_at: now + REFRESH_LIFETIME,
            },
        );
    }
    let expires_in = if state.expires_in_as_timestamp.load(Ordering::SeqCst) {
        unix_now() + lifetime.as_secs()
    } else {
        lifetime.as_secs()
    };
    Json(json!({
        "access_token": access_token,
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "scope": scopes.join(" "),
    }))
    .into_response()
}

/// The scopes a client-credentials request asks for, each on an account the key reaches.
fn requested_scopes(
    sandbox: &SandboxHandle,
    params: &HashMap<String, String>,
) -> Result<Vec<String>, Response> {
    let scopes: Vec<String> = params
        .get("scope")
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    if scopes.is_empty() {
        return Err(error(StatusCode::BAD_REQUEST, "scope is required"));
    }
    for scope in &scopes {
        match parse_scope(scope) {
            None => {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    format!("invalid scope `{scope}`"),
                ))
            }
            Some(account) if !sandbox.knows_account(account) => {
                return Err(error(
                    StatusCode::FORBIDDEN,
                    format!("this key has no access to account {account}"),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(scopes)
}

/// `/accounts/{uuid}/{permission}` → the account.
fn parse_scope(scope: &str) -> Option<Uuid> {
    let rest = scope.strip_prefix("/accounts/")?;
    let (account, permission) = rest.split_once('/')?;
    if !PERMISSIONS.contains(&permission) {
        return None;
    }
    Uuid::parse_str(account).ok()
}

/// Form or JSON body parameters, as strings.
fn parse_params(headers: &HeaderMap, body: &[u8]) -> Option<HashMap<String, String>> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(body).ok()?;
        return Some(
            object
                .into_iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
                .collect(),
        );
    }
    std::str::from_utf8(body).ok()?;
    Some(form_urlencoded::parse(body).into_owned().collect())
}

/// The key pair of an `Authorization: Basic …` header.
pub(super) fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

impl SandboxHandle {
    pub(super) fn is_key_pair(&self, id: &str, secret: &str) -> bool {
        let id_ok = id.as_bytes().ct_eq(self.0.public_key.as_bytes());
        let secret_ok = secret.as_bytes().ct_eq(self.0.secret_key.as_bytes());
        (id_ok & secret_ok).into()
    }

    /// Uses up a live refresh token; the scopes of the token it renews.
    fn take_refresh_token(&self, token: &str) -> Option<Vec<String>> {
        let issued = lock(&self.0.refresh_tokens).remove(token)?;
        (issued.expires_at > Instant::now()).then_some(issued.scopes)
    }

    /// The scopes of a live access token.
    pub(super) fn scopes_of(&self, token: &str) -> Option<Vec<String>> {
        let tokens = lock(&self.0.tokens);
        let issued = tokens.get(token)?;
        (issued.expires_at > Instant::now()).then(|| issued.scopes.clone())
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_name_an_account_and_a_permission() {
        let a = Uuid::new_v4();
        assert_eq!(
            parse_scope(&format!("/accounts/{a}/tickets.write")),
            Some(a)
        );
        assert_eq!(parse_scope(&format!("/accounts/{a}/profile.read")), Some(a));
        assert_eq!(parse_scope(&format!("/accounts/{a}/wallets.read")), None);
        assert_eq!(parse_scope("/accounts/nope/tickets.write"), None);
        assert_eq!(parse_scope(&format!("/accounts/{a}")), None);
    }

    #[test]
    fn form_and_json_bodies() {
        let mut h = HeaderMap::new();
        let p = parse_params(&h, b"grant_type=client_credentials&scope=%2Fa+%2Fb").unwrap();
        assert_eq!(p["scope"], "/a /b");
        h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        let p = parse_params(&h, br#"{"client_id":"x","n":1}"#).unwrap();
        assert_eq!(p["client_id"], "x");
        assert!(!p.contains_key("n"));
        assert!(parse_params(&h, b"not json").is_none());
    }
}
