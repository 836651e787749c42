//! What "Your requests" tells the form that embeds it, as Rust callbacks: the form turns
//! them into host events and the launcher's badge.

use leptos::prelude::*;

/// A reply from support on one of the user's requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Moov's id for the request that was answered.
    pub ticket_id: String,
    /// The number the user knows the request by.
    pub number: i64,
}

/// The form's callbacks for the inbox's news.
#[derive(Clone, Copy, Default)]
pub struct Report {
    /// Each reply from support, as it arrives.
    pub reply: Option<UnsyncCallback<Reply>>,
    /// How many requests have an unread reply, at every change.
    pub unread: Option<UnsyncCallback<usize>>,
}

impl Report {
    /// Tells the form of a reply from support.
    pub fn reply(&self, reply: Reply) {
        if let Some(f) = self.reply {
            f.run(reply);
        }
    }

    /// Tells the form how many requests have an unread reply now.
    pub fn unread(&self, count: usize) {
        if let Some(f) = self.unread {
            f.run(count);
        }
    }
}
