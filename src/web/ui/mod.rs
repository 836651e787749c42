//! The widget's Leptos components.

mod editor;
mod form;
mod inbox;
mod launcher;

pub use form::SupportForm;
pub use inbox::Requests;
pub use launcher::Launcher;
