//! The partner-side token proxy for the Moov support widget, and a local Moov sandbox.
//!
//! The widget never holds a Moov credential: it sends the user's ticket with a short-lived
//! session token signed by the partner's app, and this proxy verifies the session, checks and
//! cleans the ticket with the shared core ([`moov_support::rules`], [`moov_support::sanitize`]),
//! obtains a scoped Moov token and files the ticket on the session's account.
//!
//! Start one with [`Proxy::new`]`(`[`Config::from_env`]`()?).start()`; without Moov settings it
//! runs against the built-in [`sandbox`].

pub mod api;
pub mod cli;
pub mod config;
pub mod error;
pub mod idempotency;
pub mod limit;
pub mod moov;
pub mod request_id;
pub mod sandbox;
pub mod server;
pub mod session;
pub mod store;
pub mod version;

pub use config::{Config, ConfigError, Secret};
pub use error::ApiError;
pub use server::{Proxy, RunningProxy, StartError};
pub use session::{JwtSessions, Session, SessionError, SessionResolver};
