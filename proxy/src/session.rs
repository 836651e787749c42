//! Who is asking: the partner's signed-in user and the Moov account they act for.
//!
//! The account always comes from here, never from the request body or path, so a user can
//! only ever file tickets on the account their partner app vouched for.

use std::future::Future;
use std::pin::Pin;

use axum::http::{header, HeaderMap};
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use crate::config::Secret;

/// A verified user of the partner's app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The partner's user id (`sub`).
    pub user_id: String,
    /// The Moov account whose tickets this user may file.
    pub account_id: Uuid,
    pub email: Option<String>,
    pub name: Option<String>,
    /// Which of the account's tickets this user may see (`support_scope`).
    pub scope: SupportScope,
    /// When the session ends (Unix seconds), if its resolver knows: live streams close then.
    pub expires_at: Option<i64>,
}

/// Which tickets a session sees, from the token's `support_scope` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SupportScope {
    /// The user's own: those whose contact is the session's email, or that the user filed
    /// through this proxy when the session has no email.
    #[default]
    Own,
    /// `"support_scope": "account"`: every ticket of the account, for a partner's admins.
    Account,
}

impl SupportScope {
    /// The claim's value, `None` for [`SupportScope::Own`] (the claim is then left out).
    pub fn claim(self) -> Option<&'static str> {
        match self {
            SupportScope::Own => None,
            SupportScope::Account => Some("account"),
        }
    }
}

/// Why a request carries no usable session. Each message tells the partner what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SessionError {
    #[error("missing bearer token")]
    Missing,
    #[error("the Authorization header must be `Bearer <session token>`")]
    NotBearer,
    #[error("session token is malformed")]
    Malformed,
    #[error("session token must be signed with HS256")]
    WrongAlgorithm,
    #[error("session token signature invalid")]
    BadSignature,
    #[error("session token expired")]
    Expired,
    #[error("session token is not valid yet")]
    NotYetValid,
    #[error("session token has no `{0}` claim")]
    MissingClaim(&'static str),
    #[error("session token claim `{0}` is invalid")]
    InvalidClaim(&'static str),
    #[error("session token lives too long: exp must be at most 2 hours ahead")]
    TooLongLived,
    /// A custom resolver's own refusal.
    #[error("{0}")]
    Rejected(String),
}

/// A boxed future, so resolvers can be stored as trait objects.
pub type ResolveFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Session, SessionError>> + Send + 'a>>;

/// Turns a request's headers into a [`Session`].
///
/// The JWT scheme ([`JwtSessions`]) is the default; a partner whose users already have cookie
/// sessions implements this to look the cookie up in their own store.
pub trait SessionResolver: Send + Sync + 'static {
    fn resolve<'a>(&'a self, headers: &'a HeaderMap) -> ResolveFuture<'a>;
}

/// Longest a session token may live; partners mint short-lived tokens per page load.
pub const MAX_LIFETIME_SECS: i64 = 2 * 60 * 60;
/// Tolerated clock difference between the partner's signer and the proxy.
pub const LEEWAY_SECS: i64 = 30;

/// The claims a session token carries, as signed.
#[derive(Debug, Serialize)]
struct Claims {
    sub: String,
    moov_account_id: String,
    exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    support_scope: Option<&'static str>,
}

/// HS256 session tokens signed with the shared `SESSION_SECRET`.
pub struct JwtSessions {
    decoding: DecodingKey,
    encoding: EncodingKey,
    validation: Validation,
}

impl JwtSessions {
    pub fn new(secret: &Secret) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        // `exp` is checked below, against a clock the tests can set, with precise messages.
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.leeway = LEEWAY_SECS as u64;
        validation.validate_nbf = true;
        // Session tokens name no audience; one that does is still ours to check.
        validation.validate_aud = false;
        JwtSessions {
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            validation,
        }
    }

    /// Verifies a compact JWT. `now` is Unix seconds.
    pub fn verify_at(&self, token: &str, now: i64) -> Result<Session, SessionError> {
        check_header(token)?;
        let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            token,
            &self.decoding,
            &self.validation,
        )
        .map_err(|e| match e.kind() {
            ErrorKind::InvalidSignature => SessionError::BadSignature,
            ErrorKind::ExpiredSignature => SessionError::Expired,
            ErrorKind::ImmatureSignature => SessionError::NotYetValid,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                SessionError::WrongAlgorithm
            }
            ErrorKind::InvalidClaimFormat(_) => SessionError::InvalidClaim("nbf"),
            _ => SessionError::Malformed,
        })?;
        let claims = data.claims;
        let text = |name: &'static str| -> Result<Option<String>, SessionError> {
            match claims.get(name) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => {
                    Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty()))
                }
                Some(_) => Err(SessionError::InvalidClaim(name)),
            }
        };
        let exp = claims
            .get("exp")
            .ok_or(SessionError::MissingClaim("exp"))?
            .as_i64()
            .ok_or(SessionError::InvalidClaim("exp"))?;
        if exp < now - LEEWAY_SECS {
            return Err(SessionError::Expired);
        }
        if exp > now + MAX_LIFETIME_SECS + LEEWAY_SECS {
            return Err(SessionError::TooLongLived);
        }
        let user_id = text("sub")?.ok_or(SessionError::MissingClaim("sub"))?;
        let account =
            text("moov_account_id")?.ok_or(SessionError::MissingClaim("moov_account_id"))?;
        let account_id =
            Uuid::parse_str(&account).map_err(|_| SessionError::InvalidClaim("moov_account_id"))?;
        let scope = match text("support_scope")?.as_deref() {
            None => SupportScope::Own,
            Some("account") => SupportScope::Account,
            Some(_) => return Err(SessionError::InvalidClaim("support_scope")),
        };
        Ok(Session {
            user_id,
            account_id,
            email: text("email")?,
            name: text("name")?,
            scope,
            expires_at: Some(exp),
        })
    }

    /// Signs a session token, as a partner backend would. Used by the sandbox's dev route
    /// and by tests.
    pub fn mint(&self, session: &Session, exp: i64) -> String {
        let claims = Claims {
            sub: session.user_id.clone(),
            moov_account_id: session.account_id.to_string(),
            exp,
            email: session.email.clone(),
            name: session.name.clone(),
            support_scope: session.scope.claim(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing with an HMAC key cannot fail")
    }
}

impl SessionResolver for JwtSessions {
    fn resolve<'a>(&'a self, headers: &'a HeaderMap) -> ResolveFuture<'a> {
        Box::pin(async move {
            let token = bearer_token(headers)?;
            self.verify_at(token, unix_now())
        })
    }
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, SessionError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(SessionError::Missing)?
        .to_str()
        .map_err(|_| SessionError::NotBearer)?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or(SessionError::NotBearer)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(SessionError::NotBearer);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(SessionError::Missing);
    }
    Ok(token)
}

/// Refuses anything but HS256 before any signature work, with a message that says so
/// (`alg: none` and RS/ES tokens would otherwise read as "malformed").
fn check_header(token: &str) -> Result<(), SessionError> {
    #[derive(Deserialize)]
    struct JoseHeader {
        alg: Option<String>,
    }
    let mut parts = token.split('.');
    let (Some(head), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(SessionError::Malformed);
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head.trim_end_matches('='))
        .map_err(|_| SessionError::Malformed)?;
    let header: JoseHeader = serde_json::from_slice(&bytes).map_err(|_| SessionError::Malformed)?;
    match header.alg.as_deref() {
        Some("HS256") => Ok(()),
        _ => Err(SessionError::WrongAlgorithm),
    }
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use serde_json::json;

    const SECRET: &str = "test-secret-test-secret-test-secret!";
    const ACCOUNT: &str = "9a3c1f52-6d1e-4b8a-a7f0-3c2b1d4e5f60";

    fn sessions() -> JwtSessions {
        JwtSessions::new(&Secret::new(SECRET))
    }

    fn sign(claims: serde_json::Value, secret: &str) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    fn claims(now: i64) -> serde_json::Value {
        json!({"sub": "u-1", "moov_account_id": ACCOUNT, "exp": now + 600,
               "email": "a@b.co", "name": "Ann"})
    }

    #[test]
    fn a_good_token_yields_the_session() {
        let now = unix_now();
        let s = sessions()
            .verify_at(&sign(claims(now), SECRET), now)
            .unwrap();
        assert_eq!(s.user_id, "u-1");
        assert_eq!(s.account_id.to_string(), ACCOUNT);
        assert_eq!(s.email.as_deref(), Some("a@b.co"));
        assert_eq!(s.name.as_deref(), Some("Ann"));
        assert_eq!(s.scope, SupportScope::Own);
        assert_eq!(s.expires_at, Some(now + 600));
    }

    #[test]
    fn the_support_scope_claim_is_account_or_absent() {
        let j = sessions();
        let now = unix_now();
        let with_scope = |scope: serde_json::Value| {
            let mut c = claims(now);
            c["support_scope"] = scope;
            j.verify_at(&sign(c, SECRET), now)
        };
        assert_eq!(
            with_scope(json!("account")).unwrap().scope,
            SupportScope::Account
        );
        assert_eq!(with_scope(json!(null)).unwrap().scope, SupportScope::Own);
        for bad in [json!("Account"), json!("all"), json!(true)] {
            assert_eq!(
                with_scope(bad.clone()),
                Err(SessionError::InvalidClaim("support_scope")),
                "{bad}"
            );
        }
    }

    #[test]
    fn minted_tokens_round_trip() {
        let j = sessions();
        let session = Session {
            user_id: "demo".into(),
            account_id: Uuid::parse_str(ACCOUNT).unwrap(),
            email: None,
            name: Some("Jordan".into()),
            scope: SupportScope::Account,
            expires_at: None,
        };
        let now = unix_now();
        let verified = j.verify_at(&j.mint(&session, now + 3600), now).unwrap();
        assert_eq!(verified.expires_at, Some(now + 3600));
        assert_eq!(
            verified,
            Session {
                expires_at: Some(now + 3600),
                ..session
            }
        );
    }

    #[test]
    fn expiry_rules() {
        let j = sessions();
        let now = unix_now();
        let with_exp = |exp: i64| {
            let mut c = claims(now);
            c["exp"] = json!(exp);
            sign(c, SECRET)
        };
        assert_eq!(
            j.verify_at(&with_exp(now - 3600), now),
            Err(SessionError::Expired)
        );
        assert_eq!(
            j.verify_at(&with_exp(now + MAX_LIFETIME_SECS + 3600), now),
            Err(SessionError::TooLongLived)
        );
        assert!(j.verify_at(&with_exp(now + MAX_LIFETIME_SECS), now).is_ok());
        // A token judged against a later clock expires even if the system clock says not.
        assert_eq!(
            j.verify_at(&with_exp(now + 600), now + 3600),
            Err(SessionError::Expired)
        );
        let mut c = claims(now);
        c.as_object_mut().unwrap().remove("exp");
        assert_eq!(
            j.verify_at(&sign(c, SECRET), now),
            Err(SessionError::MissingClaim("exp"))
        );
        let mut c = claims(now);
        c["nbf"] = json!(now + 600);
        assert_eq!(
            j.verify_at(&sign(c, SECRET), now),
            Err(SessionError::NotYetValid)
        );
        let mut c = claims(now);
        c["exp"] = json!("tomorrow");
        assert_eq!(
            j.verify_at(&sign(c, SECRET), now),
            Err(SessionError::InvalidClaim("exp"))
        );
    }

    #[test]
    fn claims_must_name_user_and_account() {
        let j = sessions();
        let now = unix_now();
        for (field, value, want) in [
            ("sub", json!(null), SessionError::MissingClaim("sub")),
            ("sub", json!("  "), SessionError::MissingClaim("sub")),
            ("sub", json!(42), SessionError::InvalidClaim("sub")),
            (
                "email",
                json!(["a@b.co"]),
                SessionError::InvalidClaim("email"),
            ),
            (
                "moov_account_id",
                json!(null),
                SessionError::MissingClaim("moov_account_id"),
            ),
            (
                "moov_account_id",
                json!("acct-1"),
                SessionError::InvalidClaim("moov_account_id"),
            ),
        ] {
            let mut c = claims(now);
            if value.is_null() {
                c.as_object_mut().unwrap().remove(field);
            } else {
                c[field] = value;
            }
            assert_eq!(j.verify_at(&sign(c, SECRET), now), Err(want), "{field}");
        }
    }

    #[test]
    fn signature_and_algorithm_are_enforced() {
        let j = sessions();
        let now = unix_now();
        assert_eq!(
            j.verify_at(&sign(claims(now), "another-secret-another-secret-xx"), now),
            Err(SessionError::BadSignature)
        );
        // alg none: a header and claims with an empty signature.
        let none_header = B64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = B64.encode(claims(now).to_string());
        assert_eq!(
            j.verify_at(&format!("{none_header}.{body}."), now),
            Err(SessionError::WrongAlgorithm)
        );
        // HS512 with the right secret is still refused: only HS256 is accepted.
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims(now),
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap();
        assert_eq!(j.verify_at(&hs512, now), Err(SessionError::WrongAlgorithm));
        // A tampered payload under the original signature.
        let good = sign(claims(now), SECRET);
        let mut parts: Vec<&str> = good.split('.').collect();
        let mut evil = claims(now);
        evil["moov_account_id"] = json!("00000000-0000-4000-8000-000000000000");
        let evil_body = B64.encode(evil.to_string());
        parts[1] = &evil_body;
        assert_eq!(
            j.verify_at(&parts.join("."), now),
            Err(SessionError::BadSignature)
        );
        for junk in ["", "abc", "a.b", "a.b.c.d", "!!!.e30.x"] {
            assert_eq!(
                j.verify_at(junk, now),
                Err(SessionError::Malformed),
                "{junk}"
            );
        }
    }

    #[test]
    fn bearer_header_parsing() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer_token(&h), Err(SessionError::Missing));
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer_token(&h), Err(SessionError::NotBearer));
        h.insert(header::AUTHORIZATION, "Bearer ".parse().unwrap());
        assert!(bearer_token(&h).is_err());
        h.insert(header::AUTHORIZATION, "bearer  t.o.k ".parse().unwrap());
        assert_eq!(bearer_token(&h), Ok("t.o.k"));
    }
}
