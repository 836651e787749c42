//! The examples a partner copies (`examples/`): each built by its own toolchain, then used in
//! headless Chromium as its user would, through the axum example's server.

pub mod e2e;
pub mod first_load;
pub mod leptos;
