//! Moov "Contact support": an embeddable form that files Moov support tickets through the
//! partner's token proxy.
//!
//! Most pages embed it as the `<moov-support-form>` element (see the README). A dashboard that
//! is itself a Leptos app renders the form as a component instead: [`SupportForm`], configured
//! with [`Options`], answering through Rust callbacks ([`Ticket`] once filed, [`Failure`] for a
//! failed send, [`Reply`] when support answers) and asking a Rust [`TokenProvider`] for the
//! user's session token.
//!
//! ```ignore
//! use leptos::prelude::*;
//! use moov_support::{Options, SupportForm, Ticket};
//!
//! #[component]
//! fn Help() -> impl IntoView {
//!     let filed = RwSignal::new(None::<i64>);
//!     // The app's own backend mints the user's session token (see examples/axum).
//!     let session = || async { fetch_session_token().await };
//!     view! {
//!         <SupportForm
//!             options=Options::new("/support/api/support/tickets").locale("en")
//!             token_provider=session
//!             on_submitted=UnsyncCallback::new(move |t: Ticket| filed.set(Some(t.number)))
//!         />
//!         <p>{move || filed.get().map(|n| format!("Ticket #{n} filed"))}</p>
//!     }
//! }
//! ```
//!
//! The form is drawn in the app's own DOM, not a shadow root, with the element's look: the
//! same stylesheet scoped to the form's root and themed with the same `--moov-*` variables.
//! The fields keep their ids (`#moov-title`, `#moov-body`, `#moov-email`, `#moov-name`).
//!
//! # Features
//!
//! - `web` (default): everything that runs in a browser. Without it only the ticket core is
//!   built ([`ticket`], [`rules`], [`sanitize`]), which the proxy shares so that the browser
//!   and the server apply the same rules.
//! - `csr`: Leptos' client-side rendering, for the widget's own bundles and its tests. A
//!   Leptos app chooses its own mode; a client-side app turns on `leptos/csr` itself.
//! - `inline-sanitizer`, `inline-locales`, `inline-inbox`: link the message sanitizer, every
//!   language's strings and "Your requests" into the app's own wasm. The widget's own build
//!   serves them as separate files next to its bundle and fetches them when a form first needs
//!   them; a Leptos app's build (trunk or any other) has no such files, so a Leptos dependent
//!   turns all three on.

#![deny(missing_docs)]

#[doc(hidden)]
pub mod claims;
#[doc(hidden)]
pub mod draft;
pub mod embed_events;
#[doc(hidden)]
pub mod form_state;
#[doc(hidden)]
pub mod inbox_state;
#[doc(hidden)]
pub mod locale;
#[doc(hidden)]
pub mod moov_version;
#[doc(hidden)]
pub mod options_spec;
#[doc(hidden)]
pub mod reconnect;
#[doc(hidden)]
pub mod retry_after;
pub mod rules;
pub mod sanitize;
#[doc(hidden)]
pub mod sse;
#[doc(hidden)]
pub mod stylesheet;
pub mod ticket;

pub use ticket::{Contact, ContactErrors, CreateTicket, Field, FieldErrors, Ticket, TicketStatus};

/// The browser half: the form, its HTTP client, the `<moov-support-form>` element. What a
/// Leptos app needs of it is re-exported at the crate root.
#[cfg(feature = "web")]
pub mod web;

#[cfg(feature = "web")]
pub use web::{
    client::{Failure, SubmitError},
    inbox_report::Reply,
    options::Options,
    token_provider::{TokenFuture, TokenProvider, Tokens},
    ui::SupportForm,
};
