//! The proxy and the sandbox over real HTTP on loopback ports.

mod common;
mod hardening;
mod sandbox_api;
mod sandbox_mode;
mod sessions;
mod tickets;
mod tokens;
