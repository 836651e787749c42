//! "Your requests": the proxy's ticket routes ([`api`]), the live channel ([`live`]), the
//! read marks ([`seen_store`]), and the [`model::Model`] the views draw.

pub mod api;
pub mod live;
pub mod model;
mod request;
pub mod seen_store;
pub mod tokens;

use leptos::prelude::*;

pub use model::Model;

/// A reply from support on one of the user's requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub ticket_id: String,
    pub number: i64,
}

/// What the inbox tells whoever embeds it, as Rust callbacks.
#[derive(Clone, Copy, Default)]
pub struct Report {
    pub reply: Option<UnsyncCallback<Reply>>,
    /// How many requests have an unread reply, at every change.
    pub unread: Option<UnsyncCallback<usize>>,
}

impl Report {
    pub fn reply(&self, reply: Reply) {
        if let Some(f) = self.reply {
            f.run(reply);
        }
    }

    pub fn unread(&self, count: usize) {
        if let Some(f) = self.unread {
            f.run(count);
        }
    }
}
