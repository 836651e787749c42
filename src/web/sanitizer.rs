//! The sanitizer as the form sees it: asynchronous, so the ammonia policy can run off the
//! main thread or load after first paint without changing the form.

/// Cleans a message body with the shared policy ([`crate::sanitize::policy`]).
pub async fn clean(html: &str) -> String {
    crate::sanitize::clean(html)
}
