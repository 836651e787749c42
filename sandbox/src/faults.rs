//! Scripted answers to ticket creation, to rehearse what Moov may do.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// One scripted answer, as posted to `/api/dev/faults`.
///
/// `{"status":422,"body":{"title":"…"},"times":1}`, `{"status":429,"retryAfter":2}`,
/// `{"status":500}`, `{"delayMs":1500}`, `{"drop":true}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    /// Answer with this status instead of creating the ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The answer's JSON body; a Moov-like default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// How many upcoming creations get this answer (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// `Retry-After` seconds (for 429 and 503 answers, or any other).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Wait this long before answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Close the connection without any answer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop: bool,
}

impl Fault {
    pub fn status(status: u16) -> Self {
        Fault {
            status: Some(status),
            ..Fault::default()
        }
    }

    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    /// Says what is wrong with a fault before it is queued.
    pub fn check(&self) -> Result<(), String> {
        if self.status.is_none() && self.delay_ms.is_none() && !self.drop {
            return Err("a fault needs `status`, `delayMs` or `drop`".into());
        }
        if let Some(s) = self.status {
            if !(200..=599).contains(&s) {
                return Err(format!("status {s} is not between 200 and 599"));
            }
        }
        if self.drop && self.status.is_some() {
            return Err("a dropped connection has no status".into());
        }
        if matches!(self.times, Some(0) | Some(1001..)) {
            return Err("times must be from 1 to 1000".into());
        }
        if self.delay_ms.is_some_and(|d| d > 60_000) {
            return Err("delayMs must be at most 60000".into());
        }
        Ok(())
    }

    pub(super) fn remaining(&self) -> u32 {
        self.times.unwrap_or(1)
    }

    /// Uses one repetition; true when none is left.
    pub(super) fn take_one(&mut self) -> bool {
        let left = self.remaining().saturating_sub(1);
        self.times = Some(left);
        left == 0
    }

    pub(super) fn delay(&self) -> Option<Duration> {
        self.delay_ms.map(Duration::from_millis)
    }

    /// The scripted answer, when the fault replaces the real one.
    pub(super) fn response(&self) -> Option<Response> {
        let status = StatusCode::from_u16(self.status?).ok()?;
        let body = self.body.clone().or_else(|| default_body(status));
        let mut response = match body {
            Some(b) => (status, Json(b)).into_response(),
            None => status.into_response(),
        };
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        Some(response)
    }
}

/// Moov documents bodies for 400, 409 and 422 only; the others answer without one.
fn default_body(status: StatusCode) -> Option<Value> {
    match status.as_u16() {
        400 => Some(json!({"error": "sandbox: scripted bad request"})),
        409 => Some(json!({"error": "sandbox: scripted conflict"})),
        422 => Some(json!({"title": "sandbox: scripted validation failure"})),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_shapes() {
        for (json, ok) in [
            (r#"{"status":422,"body":{"title":"x"},"times":1}"#, true),
            (r#"{"status":429,"retryAfter":2}"#, true),
            (r#"{"delayMs":1500}"#, true),
            (r#"{"drop":true}"#, true),
            (r#"{}"#, false),
            (r#"{"status":99}"#, false),
            (r#"{"status":500,"times":0}"#, false),
            (r#"{"drop":true,"status":500}"#, false),
        ] {
            let f: Fault = serde_json::from_str(json).unwrap();
            assert_eq!(f.check().is_ok(), ok, "{json}");
        }
        assert!(serde_json::from_str::<Fault>(r#"{"stauts":500}"#).is_err());
    }

    #[test]
    fn counts_down_repetitions() {
        let mut f = Fault::status(500).times(2);
        assert!(!f.take_one());
        assert!(f.take_one());
        let mut once = Fault::status(500);
        assert!(once.take_one());
    }
}
