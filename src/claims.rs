//! Who a session token says the user is, read without verifying it: the widget uses it to
//! keep one user's draft from another's and to prefill their contact details. The proxy is
//! the one that verifies tokens (`moov_support_proxy::session`).

use serde::Deserialize;

/// What the widget reads from a session token without verifying it: who the user is, to keep
/// drafts apart, and their contact details, to prefill the form. The proxy is the one that
/// verifies the token and decides the account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SessionClaims {
    pub sub: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// Reads the unverified claims of a JWT; `None` when it is not one.
pub fn read(token: &str) -> Option<SessionClaims> {
    serde_json::from_slice(&payload(token)?).ok()
}

/// The JSON text of a JWT's claims, not verified; `None` when it is not a JWT.
pub fn payload(token: &str) -> Option<Vec<u8>> {
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
    fn reads_claims_without_padding() {
        // {"sub":"u-1","moov_account_id":"x"} in base64url, no padding.
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEiLCJtb292X2FjY291bnRfaWQiOiJ4In0.sig";
        let claims = read(token).unwrap();
        assert_eq!(claims.sub, "u-1");
        assert_eq!(claims.email, None);
        assert_eq!(read("garbage"), None);
        assert_eq!(read("a.!!!.c"), None);
    }
}
