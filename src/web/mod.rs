//! Everything that runs only in the browser: the form, its HTTP client, draft storage and the
//! `<moov-support-form>` element. What a Leptos app uses of it (the modules shown here) is
//! also at the crate root; the rest is the element's own machinery.

pub mod client;
#[doc(hidden)]
pub mod embed;
#[doc(hidden)]
pub mod events;
#[doc(hidden)]
pub mod handoff;
#[doc(hidden)]
pub mod host_token;
#[doc(hidden)]
pub mod i18n;
#[doc(hidden)]
pub mod inbox;
mod inbox_boundary;
#[doc(hidden)]
pub mod inbox_loader;
pub mod inbox_report;
#[doc(hidden)]
pub mod inbox_tokens;
pub mod options;
mod page_style;
#[doc(hidden)]
pub mod sanitizer_worker;
#[doc(hidden)]
pub mod send;
mod sheet;
#[doc(hidden)]
pub mod storage;
pub mod token_provider;
pub mod ui;
#[doc(hidden)]
pub mod wire;
