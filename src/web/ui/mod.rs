//! The widget's Leptos components.

mod editor;
mod form;
mod inbox;
mod launcher;

#[doc(hidden)]
pub use form::static_form;
pub use form::SupportForm;
#[doc(hidden)]
pub use inbox::Requests;
#[doc(hidden)]
pub use launcher::Launcher;
