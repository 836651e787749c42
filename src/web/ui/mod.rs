//! The widget's Leptos components.

mod editor;
mod form;
mod inbox;
mod launcher;

pub use form::SupportForm;
#[doc(hidden)]
pub use inbox::Requests;
#[doc(hidden)]
pub use launcher::Launcher;
