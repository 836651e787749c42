//! Moov's webhook signatures, checked as Moov documents them ("Check webhook signatures"):
//! the lowercase hex HMAC-SHA512, keyed with the webhook's signing secret, of
//! `{X-Timestamp}|{X-Nonce}|{X-Webhook-ID}`, the header strings exactly as sent, compared in
//! constant time. The signature does not cover the body, so the body is only ever a hint.

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::Sha512;
use thiserror::Error;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::config::Secret;

/// How far a delivery's timestamp may be from the proxy's clock, either way.
pub const TOLERANCE_SECS: i64 = 5 * 60;

type HmacSha512 = Hmac<Sha512>;

/// Why a delivery is refused. The messages name the header to check, never a value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    #[error("missing or unreadable {0} header")]
    MissingHeader(&'static str),
    #[error("the webhook signature does not match; check that MOOV_WEBHOOK_SECRET is this webhook's signing secret")]
    BadSignature,
    #[error("X-Timestamp is not RFC 3339 or Unix seconds")]
    BadTimestamp,
    #[error("X-Timestamp is more than 5 minutes away from the proxy's clock")]
    Stale,
    #[error("this delivery's nonce was already used")]
    Replayed,
}

/// A delivery whose signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub nonce: String,
    pub webhook_id: String,
}

/// The hex signature Moov sends for these header values.
pub fn sign(secret: &Secret, timestamp: &str, nonce: &str, webhook_id: &str) -> String {
    hex::encode(
        mac(secret, timestamp, nonce, webhook_id)
            .finalize()
            .into_bytes(),
    )
}

fn mac(secret: &Secret, timestamp: &str, nonce: &str, webhook_id: &str) -> HmacSha512 {
    let mut mac = HmacSha512::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp}|{nonce}|{webhook_id}").as_bytes());
    mac
}

/// Checks the signature first, then the timestamp against `now` (Unix seconds). The nonce is
/// the caller's to claim in the shared store.
pub fn verify(secret: &Secret, headers: &HeaderMap, now: i64) -> Result<Signed, Refusal> {
    let header = |name: &'static str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .ok_or(Refusal::MissingHeader(name))
    };
    let signature = header("X-Signature")?;
    let timestamp = header("X-Timestamp")?;
    let nonce = header("X-Nonce")?;
    let webhook_id = header("X-Webhook-ID")?;
    let given = hex::decode(signature.trim()).map_err(|_| Refusal::BadSignature)?;
    mac(secret, timestamp, nonce, webhook_id)
        .verify_slice(&given)
        .map_err(|_| Refusal::BadSignature)?;
    let at = parse_timestamp(timestamp).ok_or(Refusal::BadTimestamp)?;
    if (now - at).abs() > TOLERANCE_SECS {
        return Err(Refusal::Stale);
    }
    Ok(Signed {
        nonce: nonce.to_owned(),
        webhook_id: webhook_id.to_owned(),
    })
}

/// Unix seconds, or an RFC 3339 date (what Moov's deliveries carry).
fn parse_timestamp(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if let Ok(secs) = raw.parse::<i64>() {
        return Some(secs);
    }
    OffsetDateTime::parse(raw, &Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_780_000_000;

    fn headers(ts: &str, nonce: &str, id: &str, signature: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-timestamp", ts.parse().unwrap());
        h.insert("x-nonce", nonce.parse().unwrap());
        h.insert("x-webhook-id", id.parse().unwrap());
        h.insert("x-signature", signature.parse().unwrap());
        h
    }

    #[test]
    fn a_signature_over_the_three_headers_verifies() {
        let secret = Secret::new("whsec");
        // The signed text is exactly `{timestamp}|{nonce}|{webhookID}`.
        let expected = {
            let mut m = HmacSha512::new_from_slice(b"whsec").unwrap();
            m.update(b"1780000000|n-1|wh-1");
            hex::encode(m.finalize().into_bytes())
        };
        assert_eq!(sign(&secret, "1780000000", "n-1", "wh-1"), expected);
        assert_eq!(expected.len(), 128);
        let ok = verify(
            &secret,
            &headers("1780000000", "n-1", "wh-1", &expected),
            NOW,
        );
        assert_eq!(
            ok,
            Ok(Signed {
                nonce: "n-1".into(),
                webhook_id: "wh-1".into()
            })
        );
        let rfc = "2026-05-28T20:26:40Z";
        assert_eq!(parse_timestamp(rfc), Some(NOW));
        let sig = sign(&secret, rfc, "n-2", "wh-1");
        assert!(verify(&secret, &headers(rfc, "n-2", "wh-1", &sig), NOW).is_ok());
    }

    #[test]
    fn every_refusal() {
        let secret = Secret::new("whsec");
        let ts = NOW.to_string();
        let good = sign(&secret, &ts, "n", "wh");
        let check = |h: HeaderMap| verify(&secret, &h, NOW);
        assert_eq!(
            check(headers(
                &ts,
                "n",
                "wh",
                &sign(&Secret::new("other"), &ts, "n", "wh")
            )),
            Err(Refusal::BadSignature)
        );
        // Any header changed after signing breaks the signature.
        assert_eq!(
            check(headers(&ts, "m", "wh", &good)),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            check(headers("1780000001", "n", "wh", &good)),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            check(headers(&ts, "n", "wh", "zz")),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            check(headers(&ts, "n", "wh", &good[..64])),
            Err(Refusal::BadSignature)
        );
        let mut missing = headers(&ts, "n", "wh", &good);
        missing.remove("x-signature");
        assert_eq!(check(missing), Err(Refusal::MissingHeader("X-Signature")));
        let mut missing = headers(&ts, "n", "wh", &good);
        missing.remove("x-nonce");
        assert_eq!(check(missing), Err(Refusal::MissingHeader("X-Nonce")));
        for (offset, ok) in [(-301, false), (-300, true), (299, true), (301, false)] {
            let ts = (NOW + offset).to_string();
            let sig = sign(&secret, &ts, "n", "wh");
            let result = check(headers(&ts, "n", "wh", &sig));
            assert_eq!(result.is_ok(), ok, "{offset}: {result:?}");
            if !ok {
                assert_eq!(result, Err(Refusal::Stale));
            }
        }
        let sig = sign(&secret, "yesterday", "n", "wh");
        assert_eq!(
            check(headers("yesterday", "n", "wh", &sig)),
            Err(Refusal::BadTimestamp)
        );
    }
}
