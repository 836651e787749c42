//! The widget's Leptos components.

mod editor;
mod form;
mod launcher;

pub use form::SupportForm;
pub use launcher::Launcher;
