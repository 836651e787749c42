//! The partner-side token proxy for the Moov support widget.
//!
//! The widget never holds a Moov credential: it sends the user's ticket with a short-lived
//! session token signed by the partner's app, and this proxy verifies the session, checks and
//! cleans the ticket with the shared core ([`moov_support::rules`], [`moov_support::sanitize`]),
//! obtains a scoped Moov token and files the ticket on the session's account.
//!
//! Start one with [`Proxy::new`]`(`[`Config::from_map`]`(&vars)?).start()`, or from the command
//! line ([`settings`]). It needs Moov settings; the local Moov emulator
//! (`moov-support-sandbox`) runs in-process only when asked for with `--sandbox`, in builds with
//! the default `sandbox` feature.

pub mod api;
pub mod cli;
pub mod config;
pub mod error;
pub mod idempotency;
pub mod limit;
pub mod live;
pub mod moov;
pub mod request_id;
pub mod secret;
pub mod server;
pub mod session;
pub mod settings;
pub mod store;
pub mod ticket_id;
pub mod visibility;
pub mod webhook;

pub use config::{Config, ConfigError, Secret};
pub use error::ApiError;
pub use server::{Proxy, RunningProxy, StartError};
pub use session::{JwtSessions, Session, SessionError, SessionResolver, SupportScope};
