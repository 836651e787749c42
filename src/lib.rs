//! Moov "Contact support": an embeddable form that files Moov support tickets.
//!
//! The ticket core ([`ticket`], [`rules`], [`sanitize`]) compiles for both the browser and the
//! server and is the single source of truth for the widget and the token proxy. Everything
//! browser-only sits behind the default `web` feature.

pub mod draft;
pub mod locale;
pub mod options_spec;
pub mod rules;
pub mod sanitize;
pub mod ticket;

pub use ticket::{Contact, ContactErrors, CreateTicket, Field, FieldErrors, Ticket, TicketStatus};

#[cfg(feature = "web")]
pub mod web;
