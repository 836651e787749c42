//! The widget's Leptos components.

mod form;

pub use form::SupportForm;
