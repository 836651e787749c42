//! Everything that runs only in the browser: the form, its HTTP client, draft storage and the
//! `<moov-support-form>` element.

pub mod client;
pub mod embed;
pub mod events;
pub mod host_token;
pub mod i18n;
pub mod inbox;
mod inbox_boundary;
pub mod inbox_loader;
pub mod inbox_report;
pub mod inbox_tokens;
pub mod options;
mod page_style;
pub mod sanitizer_worker;
pub mod send;
pub mod storage;
pub mod token_provider;
pub mod ui;
pub mod wire;
