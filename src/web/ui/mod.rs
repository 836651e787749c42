//! The widget's Leptos components.

mod editor;
mod form;

pub use form::SupportForm;
