//! Moov OAuth access tokens for the proxy, cached per scope.
//!
//! Every ticket would otherwise cost a token request. A token is reused until shortly before
//! it expires, and when it must be renewed only one request per scope goes out: callers that
//! arrive meanwhile wait for it and share its result.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::header;
use serde::Deserialize;
use tokio::sync::Mutex as AsyncMutex;

use crate::config::{MoovCredentials, Secret};
use crate::error::ApiError;

/// Renew at most this long before expiry (or a tenth of the lifetime, if shorter).
pub const RENEW_MARGIN: Duration = Duration::from_secs(60);
/// `expires_in` values above this are Unix timestamps rather than lifetimes.
const TIMESTAMP_THRESHOLD: f64 = 1e9;
/// The longest a token is trusted, whatever `expires_in` says. Moov's tokens live minutes; a
/// longer or absurd reading (`1e20`) then costs an early renewal, never a panic or a token
/// cached for years.
pub const MAX_LIFETIME: Duration = Duration::from_secs(60 * 60);

#[derive(Clone)]
struct CachedToken {
    access_token: Secret,
    renew_at: Instant,
}

/// One scope's token, and the last failure to get one.
#[derive(Default)]
struct Entry {
    token: Option<CachedToken>,
    failure: Option<(Instant, ApiError)>,
}

type Slot = Arc<AsyncMutex<Entry>>;

/// Client-credentials tokens for one set of Moov keys.
pub struct TokenCache {
    http: reqwest::Client,
    token_url: String,
    credentials: MoovCredentials,
    origin: String,
    slots: Mutex<HashMap<String, Slot>>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: serde_json::Number,
}

impl TokenCache {
    pub fn new(http: reqwest::Client, credentials: MoovCredentials, origin: String) -> Self {
        TokenCache {
            http,
            token_url: format!("{}/oauth2/token", credentials.base_url),
            credentials,
            origin,
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, scope: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(scope.to_owned()).or_default().clone()
    }

    /// A token valid for `scope`, from the cache or freshly requested.
    pub async fn get(&self, scope: &str) -> Result<Secret, ApiError> {
        let arrived = Instant::now();
        let slot = self.slot(scope);
        // Held across the request on purpose: concurrent callers queue here and then find
        // the token the first one fetched, or the error it got. Without sharing the error,
        // callers queued behind a dead token endpoint would each wait out their own timeout.
        let mut entry = slot.lock().await;
        if let Some(token) = &entry.token {
            if Instant::now() < token.renew_at {
                return Ok(token.access_token.clone());
            }
        }
        if let Some((failed_at, error)) = &entry.failure {
            if *failed_at >= arrived {
                return Err(error.clone());
            }
        }
        match self.fetch(scope).await {
            Ok(token) => {
                let secret = token.access_token.clone();
                *entry = Entry {
                    token: Some(token),
                    failure: None,
                };
                Ok(secret)
            }
            Err(error) => {
                entry.failure = Some((Instant::now(), error.clone()));
                Err(error)
            }
        }
    }

    /// Forgets `stale` after Moov refused it; a token another caller already replaced it
    /// with is kept.
    pub async fn invalidate(&self, scope: &str, stale: &Secret) {
        let slot = self.slot(scope);
        let mut entry = slot.lock().await;
        if entry
            .token
            .as_ref()
            .is_some_and(|t| &t.access_token == stale)
        {
            entry.token = None;
        }
    }

    async fn fetch(&self, scope: &str) -> Result<CachedToken, ApiError> {
        let sent_at = Instant::now();
        let answer = self
            .http
            .post(&self.token_url)
            .basic_auth(
                &self.credentials.public_key,
                Some(self.credentials.secret_key.expose()),
            )
            .header(header::ORIGIN, &self.origin)
            .form(&[("grant_type", "client_credentials"), ("scope", scope)])
            .send()
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, scope, "Moov token request failed");
                ApiError::TokenEndpoint(if e.is_timeout() {
                    "Moov's token endpoint did not answer in time".into()
                } else {
                    "Moov's token endpoint could not be reached".into()
                })
            })?;
        let status = answer.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            tracing::warn!(
                status = status.as_u16(),
                scope,
                "Moov refused the proxy's keys"
            );
            return Err(ApiError::CredentialsRejected);
        }
        if status == reqwest::StatusCode::FORBIDDEN {
            // Info, not a warning: whoever asked for the token reports the refusal, and a key
            // without `tickets.read` has the look-up before a creation refused every time.
            tracing::info!(scope, "Moov would not grant the proxy's keys this scope");
            return Err(ApiError::TokenForbidden);
        }
        if !status.is_success() {
            tracing::warn!(
                status = status.as_u16(),
                scope,
                "Moov token endpoint refused"
            );
            return Err(ApiError::TokenEndpoint(format!(
                "Moov's token endpoint answered {}",
                status.as_u16()
            )));
        }
        let body: TokenAnswer = answer.json().await.map_err(|e| {
            tracing::warn!(error = %e, scope, "Moov token answer unreadable");
            ApiError::TokenEndpoint("Moov's token endpoint answer could not be read".into())
        })?;
        let expires_in = body.expires_in.as_f64().unwrap_or(0.0);
        let lifetime = lifetime_of(expires_in, unix_now_f64());
        tracing::debug!(
            scope,
            lifetime_s = lifetime.as_secs(),
            "Moov token obtained"
        );
        Ok(CachedToken {
            access_token: Secret::new(body.access_token),
            renew_at: renew_at(sent_at, lifetime),
        })
    }
}

/// How long a token lives, reading `expires_in` either way Moov's sources describe it: a
/// lifetime in seconds, or (above 10^9) the Unix time of expiry. At most [`MAX_LIFETIME`];
/// a value already past, zero, negative or not finite is no lifetime at all: the token
/// serves the request it was fetched for and the next one fetches another.
pub fn lifetime_of(expires_in: f64, now_unix: f64) -> Duration {
    let seconds = if expires_in > TIMESTAMP_THRESHOLD {
        expires_in - now_unix
    } else {
        expires_in
    };
    if seconds.is_finite() && seconds > 0.0 {
        Duration::from_secs_f64(seconds.min(MAX_LIFETIME.as_secs_f64()))
    } else {
        Duration::ZERO
    }
}

/// When to fetch a new token for one fetched at `sent_at`.
fn renew_at(sent_at: Instant, lifetime: Duration) -> Instant {
    let usable = lifetime.saturating_sub(renew_margin(lifetime));
    sent_at.checked_add(usable).unwrap_or(sent_at)
}

/// How early to renew: a minute, or a tenth of a short lifetime.
pub fn renew_margin(lifetime: Duration) -> Duration {
    RENEW_MARGIN.min(lifetime / 10)
}

fn unix_now_f64() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_as_seconds_or_timestamp() {
        let now = 1_760_000_000.0;
        assert_eq!(lifetime_of(900.0, now), Duration::from_secs(900));
        assert_eq!(lifetime_of(now + 900.0, now), Duration::from_secs(900));
        assert_eq!(lifetime_of(1800.5, now), Duration::from_secs_f64(1800.5));
        // Up to 10^9 is still read as a lifetime, however long, and capped.
        assert_eq!(lifetime_of(7200.0, now), MAX_LIFETIME);
        // Already past, zero or nonsense: use once, renew at once.
        assert_eq!(lifetime_of(now - 5.0, now), Duration::ZERO);
        assert_eq!(lifetime_of(0.0, now), Duration::ZERO);
        assert_eq!(lifetime_of(-3.0, now), Duration::ZERO);
    }

    #[test]
    fn absurd_expiries_are_capped_and_never_panic() {
        let now = 1_760_000_000.0;
        // Read as a timestamp centuries ahead, or a lifetime past what a Duration holds.
        for huge in [1e20, 1e300, f64::MAX, now + 1e12] {
            let lifetime = lifetime_of(huge, now);
            assert_eq!(lifetime, MAX_LIFETIME, "{huge}");
            let _ = renew_at(Instant::now(), lifetime);
        }
        assert_eq!(lifetime_of(1e9, now), MAX_LIFETIME);
        for nonsense in [-1e20, f64::MIN, f64::NEG_INFINITY, f64::INFINITY, f64::NAN] {
            assert_eq!(lifetime_of(nonsense, now), Duration::ZERO, "{nonsense}");
        }
        let sent = Instant::now();
        assert_eq!(renew_at(sent, Duration::ZERO), sent);
        assert_eq!(
            renew_at(sent, MAX_LIFETIME),
            sent + MAX_LIFETIME - RENEW_MARGIN
        );
    }

    #[test]
    fn renews_a_minute_or_a_tenth_early() {
        assert_eq!(
            renew_margin(Duration::from_secs(900)),
            Duration::from_secs(60)
        );
        assert_eq!(
            renew_margin(Duration::from_secs(300)),
            Duration::from_secs(30)
        );
        assert_eq!(
            renew_margin(Duration::from_secs(2)),
            Duration::from_millis(200)
        );
        assert_eq!(renew_margin(Duration::ZERO), Duration::ZERO);
    }
}
