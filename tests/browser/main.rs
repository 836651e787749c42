//! The widget in a real headless browser, talking to a real proxy in sandbox mode.
//!
//! `cargo xtask test` starts `moov-support-proxy` (sandbox mode) and compiles these tests with
//! `MOOV_SUPPORT_TEST_PROXY` pointing at it. Each test mounts `<moov-support-form>` exactly as a
//! partner page does, acts on the real DOM inside its shadow root and asserts on what a user
//! would see. One module per topic; what they share is in `support`.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

mod component;
mod drafts;
mod editor;
mod embed_api;
mod form;
mod i18n;
mod i18n_inbox;
mod i18n_plural;
mod i18n_time;
mod inbox;
mod inbox_live;
mod inbox_support;
mod launcher;
mod offline;
mod send_pipeline;
mod sending;
mod styling;
mod support;
mod wire;
