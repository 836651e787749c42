//! "Your requests": the proxy's ticket routes ([`api`]), the live channel ([`live`]), the
//! read marks ([`seen_store`]), the [`model::Model`] the views draw, and [`mount`], the one
//! entry the form reaches it by, through plain JS values ([`hooks`]). It is its own wasm
//! module (`moov-support-inbox`), loaded by [`crate::web::inbox_loader`] when needed.

pub mod api;
pub mod hooks;
pub mod live;
pub mod model;
pub mod mount;
mod request;
pub mod seen_store;

pub use crate::web::inbox_report::{Reply, Report};
pub use model::Model;
