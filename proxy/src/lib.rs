//! The partner-side token proxy for the Moov support widget.
//!
//! The widget never holds a Moov credential: it sends the user's ticket with a short-lived
//! session token signed by the partner's app, and this proxy verifies the session, checks and
//! cleans the ticket with the shared core ([`moov_support::rules`], [`moov_support::sanitize`]),
//! obtains a scoped Moov token and files the ticket on the session's account.
//!
//! A partner whose backend is axum mounts its routes with [`Proxy::router`] (see there for
//! nesting under a prefix such as `/support`); [`Proxy::start`] serves them on their own, and
//! the `moov-support-proxy` binary does that from the command line ([`settings`]). All three
//! start from one [`Config`], e.g. [`Config::from_map`]`(&vars)?`. It needs Moov settings;
//! the local Moov emulator (`moov-support-sandbox`) runs in-process only when asked for with
//! `--sandbox` (`MOOV_SANDBOX=1`), in builds with the default `sandbox` feature.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::collections::HashMap;
//!
//! let vars = HashMap::from([("MOOV_SANDBOX".to_owned(), "1".to_owned())]);
//! let config = moov_support_proxy::Config::from_map(&vars)?;
//! let (support, proxy) = moov_support_proxy::Proxy::new(config).router().await?;
//! let app = axum::Router::new().nest("/support", support);
//! # let _ = (app, proxy);
//! # Ok(())
//! # }
//! ```

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
pub use server::{Proxy, ProxyHandle, RunningProxy, StartError};
pub use session::{JwtSessions, Session, SessionError, SessionResolver, SupportScope};
