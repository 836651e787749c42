//! Persists the user's [`Draft`] in `localStorage`, keyed per endpoint and user.

use crate::draft::Draft;
use crate::web::wire;

/// Where one user's draft for one endpoint lives. Different users on a shared computer, or
/// two widgets pointed at different proxies, never see each other's drafts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftStore {
    key: String,
}

impl DraftStore {
    /// `instance` tells apart two forms on one page (the host element's `id`).
    pub fn new(endpoint: &str, user: &str, instance: Option<&str>) -> Self {
        let mut key = format!("moov-support:draft:v1:{endpoint}:{user}");
        if let Some(instance) = instance {
            key.push('#');
            key.push_str(instance);
        }
        DraftStore { key }
    }

    /// Whether any user has a draft saved for this endpoint and form (`instance`), without
    /// knowing whose.
    pub fn any_saved(endpoint: &str, instance: Option<&str>) -> bool {
        let Some(storage) = Self::storage() else {
            return false;
        };
        let prefix = format!("moov-support:draft:v1:{endpoint}:");
        let suffix = instance.map(|i| format!("#{i}"));
        (0..storage.length().unwrap_or(0))
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter_map(|key| key.strip_prefix(&prefix).map(str::to_owned))
            .any(|user| match &suffix {
                Some(suffix) => user.ends_with(suffix.as_str()),
                None => !user.contains('#'),
            })
    }

    /// The storage key, exposed for tests.
    pub fn key(&self) -> &str {
        &self.key
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok().flatten()
    }

    /// The saved draft, or `None` when there is none or it cannot be read.
    pub fn load(&self) -> Option<Draft> {
        let raw = Self::storage()?.get_item(&self.key).ok().flatten()?;
        wire::draft(&wire::parse(&raw)?)
    }

    /// Saves the draft; storage that is full or disabled (private mode) is not an error the
    /// user can do anything about, so it is ignored and the form keeps working.
    pub fn save(&self, draft: &Draft) {
        if let (Some(storage), Some(json)) = (Self::storage(), wire::to_json(draft)) {
            let _ = storage.set_item(&self.key, &json);
        }
    }

    pub fn clear(&self) {
        if let Some(storage) = Self::storage() {
            let _ = storage.remove_item(&self.key);
        }
    }
}

/// A fresh random idempotency key (UUID v4) from the browser's CSPRNG.
pub fn new_idempotency_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_default()
}

/// Where one user's read marks for "Your requests" live (per endpoint and user, like drafts).
pub fn seen_key(endpoint: &str, user: &str) -> String {
    format!("moov-support:seen:v1:{endpoint}:{user}")
}

/// Whether this browser holds read marks for any of this user's requests: a user with
/// requests, whose replies the inbox should be ready for.
pub fn any_read_marks(endpoint: &str, user: &str) -> bool {
    DraftStore::storage()
        .and_then(|s| s.get_item(&seen_key(endpoint, user)).ok().flatten())
        .is_some_and(|raw| raw.contains(':'))
}
