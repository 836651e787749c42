//! The proxy and the sandbox over real HTTP on loopback ports.

mod bad_requests;
mod common;
#[cfg(feature = "sandbox")]
mod dev_replies;
mod hardening;
mod history;
mod idempotency;
mod logs;
mod lookup;
mod on_behalf;
mod production;
#[path = "../support/redis.rs"]
mod redis;
mod rules_props;
mod sandbox_api;
#[cfg(feature = "sandbox")]
mod sandbox_mode;
mod sessions;
mod shared;
mod static_assets;
mod tickets;
mod tokens;
