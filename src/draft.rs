//! What the user has typed so far. The widget keeps it in `localStorage` (see
//! `web::storage`) so a reload, a crash or a failed submit loses nothing.

use serde::{Deserialize, Serialize};

/// Everything the user typed, plus the idempotency key that makes retries of this draft safe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Draft {
    #[serde(default)]
    pub title: String,
    /// The message as typed (plain text; it becomes HTML on submit).
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    /// One key per draft: a retry after a timeout reuses it so the proxy never files twice.
    #[serde(default)]
    pub idempotency_key: String,
}

impl Draft {
    /// True when the user typed nothing worth restoring.
    pub fn is_blank(&self) -> bool {
        [&self.title, &self.message, &self.email, &self.name]
            .iter()
            .all(|s| s.trim().is_empty())
    }
}

/// What the widget reads from a session token without verifying it: who the user is, to keep
/// drafts apart, and their contact details, to prefill the form. The proxy is the one that
/// verifies the token and decides the account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SessionHint {
    pub sub: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// Reads the unverified claims of a JWT; `None` when it is not one.
pub fn session_hint(token: &str) -> Option<SessionHint> {
    serde_json::from_slice(&session_claims(token)?).ok()
}

/// The JSON text of a JWT's claims, not verified; `None` when it is not a JWT.
pub fn session_claims(token: &str) -> Option<Vec<u8>> {
    base64url_decode(token.split('.').nth(1)?)
}

fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_hint_reads_claims_without_padding() {
        // {"sub":"u-1","moov_account_id":"x"} in base64url, no padding.
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEiLCJtb292X2FjY291bnRfaWQiOiJ4In0.sig";
        let hint = session_hint(token).unwrap();
        assert_eq!(hint.sub, "u-1");
        assert_eq!(hint.email, None);
        assert_eq!(session_hint("garbage"), None);
        assert_eq!(session_hint("a.!!!.c"), None);
    }

    #[test]
    fn blank_drafts_are_not_restored() {
        let mut d = Draft {
            idempotency_key: "k".into(),
            ..Default::default()
        };
        assert!(d.is_blank());
        d.name = " x ".into();
        assert!(!d.is_blank());
    }
}
