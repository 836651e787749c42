//! The proxy and the sandbox over real HTTP on loopback ports.

mod bad_requests;
mod common;
#[cfg(feature = "sandbox")]
mod dev_replies;
mod events;
mod hardening;
mod history;
mod idempotency;
mod live;
mod logs;
mod lookup;
#[cfg(feature = "sandbox")]
mod nested;
mod on_behalf;
mod production;
#[path = "../support/redis.rs"]
mod redis;
mod rules_props;
mod sandbox_api;
#[cfg(feature = "sandbox")]
mod sandbox_mode;
#[cfg(feature = "sandbox")]
mod sandbox_webhooks;
mod sessions;
mod shared;
mod static_assets;
mod tickets;
mod tokens;
mod visibility;
mod webhooks;
