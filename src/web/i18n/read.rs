//! Reading a language file (JSON, parsed by the browser) into [`super::Strings`]: every key
//! the struct has, and no other, so a typo in a translation is an error rather than a gap.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The values of one section of a file, in the order its fields are declared.
pub(super) type Values = std::vec::IntoIter<JsValue>;

/// A value read from a language file: the next of `values`. What is wrong is added to
/// `problems` (with where in the file) and a stand-in returned, so one file reports all its
/// mistakes at once.
pub(super) trait Read: Sized {
    fn read(values: &mut Values, at: &str, problems: &mut Vec<String>) -> Self;
}

/// Reads a whole file.
pub(super) fn file<T: Read>(value: JsValue) -> Result<T, String> {
    let mut problems = Vec::new();
    let read = T::read(&mut vec![value].into_iter(), "the file", &mut problems);
    if problems.is_empty() {
        Ok(read)
    } else {
        Err(problems.join("; "))
    }
}

impl Read for &'static str {
    // Called once per field: kept out of line, a section's reader stays a list of calls.
    #[inline(never)]
    fn read(values: &mut Values, at: &str, problems: &mut Vec<String>) -> Self {
        match values.next().and_then(|value| value.as_string()) {
            // Loaded once per language and page, and used for as long as the page lives.
            Some(text) => Box::leak(text.into_boxed_str()),
            None => {
                problems.push(format!("`{at}` is missing or not text"));
                ""
            }
        }
    }
}

/// The values of the section that is the next of `values`, in the order of `keys`; an
/// unknown key is a problem.
pub(super) fn section(
    values: &mut Values,
    at: &str,
    keys: &[&str],
    problems: &mut Vec<String>,
) -> Values {
    let value = values.next().unwrap_or_default();
    if !value.is_object() {
        problems.push(format!("`{at}` is missing or not an object"));
    } else if let Some(unknown) = Object::keys(value.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .find(|k| !keys.contains(&k.as_str()))
    {
        problems.push(format!("`{at}` has an unknown key `{unknown}`"));
    }
    keys.iter()
        .map(|key| Reflect::get(&value, &(*key).into()).unwrap_or(JsValue::UNDEFINED))
        .collect::<Vec<_>>()
        .into_iter()
}

/// Strings by their place in a language file (`inbox.your_requests`): the static form is
/// rendered with each string standing for its key, and filled in from the language's file.
pub trait Keyed: Sized {
    /// Every string its own key, as `{{key}}`.
    fn marked(at: &str) -> Self;
    /// Every string with its key.
    fn each(&self, at: &str, out: &mut dyn FnMut(String, &'static str));
}

/// `field`'s key inside the section at `at`.
pub(super) fn path(at: &str, field: &str) -> String {
    if at.is_empty() {
        field.to_owned()
    } else {
        format!("{at}.{field}")
    }
}

impl Keyed for &'static str {
    fn marked(at: &str) -> Self {
        Box::leak(format!("{{{{{at}}}}}").into_boxed_str())
    }

    fn each(&self, at: &str, out: &mut dyn FnMut(String, &'static str)) {
        out(at.to_owned(), self);
    }
}

/// Declares a section of strings and its [`Read`]: one list of fields for both.
macro_rules! texts {
    ($(
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident: $ty:ty, )*
        }
    )*) => {$(
        $(#[$meta])*
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $ty, )*
        }

        impl read::Read for $name {
            fn read(values: &mut read::Values, at: &str, problems: &mut Vec<String>) -> Self {
                let mut values =
                    read::section(values, at, &[$(stringify!($field)),*], problems);
                $name {
                    $( $field: read::Read::read(&mut values, stringify!($field), problems), )*
                }
            }
        }

        impl read::Keyed for $name {
            fn marked(at: &str) -> Self {
                $name {
                    $( $field: read::Keyed::marked(&read::path(at, stringify!($field))), )*
                }
            }

            fn each(&self, at: &str, out: &mut dyn FnMut(String, &'static str)) {
                $( read::Keyed::each(&self.$field, &read::path(at, stringify!($field)), out); )*
            }
        }
    )*};
}
pub(super) use texts;
