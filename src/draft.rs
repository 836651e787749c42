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

#[cfg(test)]
mod tests {
    use super::*;

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
