//! Moov "Contact support": an embeddable form that files Moov support tickets.
//!
//! The ticket core ([`ticket`], [`rules`], [`sanitize`]) compiles for both the browser and the
//! server and is the single source of truth for the widget and the token proxy; the proxy and
//! the Moov sandbox also share [`moov_version`] and [`retry_after`] from here. Everything
//! browser-only sits behind the default `web` feature.

pub mod claims;
pub mod draft;
pub mod embed_events;
pub mod form_state;
pub mod inbox_state;
pub mod locale;
pub mod moov_version;
pub mod options_spec;
pub mod reconnect;
pub mod retry_after;
pub mod rules;
pub mod sanitize;
pub mod sse;
pub mod ticket;

pub use ticket::{Contact, ContactErrors, CreateTicket, Field, FieldErrors, Ticket, TicketStatus};

#[cfg(feature = "web")]
pub mod web;
