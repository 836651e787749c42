//! The widget's Leptos components.

mod editor;
mod inbox;
mod form;
mod launcher;

pub use form::SupportForm;
pub use inbox::Requests;
pub use launcher::Launcher;
