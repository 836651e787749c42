//! The validation rules on any ticket: they never panic; the widget's path (sanitize, then
//! `check_sanitized`, with `check_field` live under each input) and the proxy's `prepare` give
//! the same verdict; a prepared ticket prepares to itself; and what passes is accepted again
//! by the proxy's decoding and by the sandbox after a trip through JSON.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use moov_support::rules::{self, check_field, check_sanitized, field_errors, prepare};
use moov_support::sanitize::{clean, MAX_BODY_BYTES};
use moov_support::{Contact, CreateTicket, Field, FieldErrors};
use moov_support_proxy::api::NewTicket;

/// An email either as any text or assembled from a local part and domain labels, so the
/// fuzzer reaches the domain rules without first guessing an `@`.
#[derive(Debug, Arbitrary)]
enum Email {
    Text(String),
    Parts {
        local: String,
        labels: Vec<String>,
        pad: Option<String>,
    },
}

impl Email {
    fn text(self) -> String {
        match self {
            Email::Text(t) => t,
            Email::Parts { local, labels, pad } => {
                let pad = pad.unwrap_or_default();
                format!("{pad}{local}@{}{pad}", labels.join("."))
            }
        }
    }
}

#[derive(Debug, Arbitrary)]
struct Input {
    title: String,
    body: String,
    email: Email,
    name: Option<String>,
    author: Option<String>,
    foreign_id: Option<String>,
}

fuzz_target!(|input: Input| {
    let raw = CreateTicket {
        title: input.title,
        body: input.body,
        contact: Contact {
            email: input.email.text(),
            name: input.name,
        },
        author: input.author,
        foreign_id: input.foreign_id,
    };
    let proxy = prepare(raw.clone());

    // The widget: sanitize in the worker, then the rules on the clean body.
    let clean_body = clean(&raw.body);
    let widget = check_sanitized(CreateTicket {
        body: clean_body.clone(),
        ..raw.clone()
    });
    assert_eq!(
        widget.clone().map_err(|p| field_errors(&p)),
        proxy,
        "widget and proxy disagree on {raw:?}"
    );

    // The live check under each input says what the submit says.
    let problems = widget.clone().err().unwrap_or_default();
    let name = raw.contact.name.clone().unwrap_or_default();
    for (field, value) in [
        (Field::Title, raw.title.as_str()),
        (Field::Body, clean_body.as_str()),
        (Field::Email, raw.contact.email.as_str()),
        (Field::Name, name.as_str()),
    ] {
        let on_submit = problems.iter().find(|(f, _)| *f == field).map(|(_, p)| p);
        assert_eq!(
            check_field(field, value).err().as_ref(),
            on_submit,
            "{field:?} live vs submit on {raw:?}"
        );
    }

    match proxy {
        Ok(ticket) => accepted(ticket),
        Err(errors) => {
            assert!(!errors.is_empty());
            // The widget reads the 422 body back into the same type.
            let json = serde_json::to_string(&errors).unwrap();
            assert_eq!(serde_json::from_str::<FieldErrors>(&json).unwrap(), errors);
        }
    }
});

/// A ticket that passed: it is within every limit, and every later step accepts it unchanged.
fn accepted(ticket: CreateTicket) {
    assert!(!ticket.title.is_empty() && ticket.title.chars().count() <= rules::MAX_TITLE_CHARS);
    assert!(!ticket.title.chars().any(char::is_control));
    assert!(ticket.body.len() <= MAX_BODY_BYTES);
    assert!(rules::is_valid_email(&ticket.contact.email));
    assert!(ticket.contact.name.as_ref().is_none_or(|n| !n.is_empty()));

    assert_eq!(
        prepare(ticket.clone()).as_ref(),
        Ok(&ticket),
        "prepare is not stable"
    );
    assert_eq!(check_sanitized(ticket.clone()).as_ref(), Ok(&ticket));

    let json = serde_json::to_vec(&ticket).unwrap();
    // The proxy: its own decoding keeps the fields the widget sends and sets the foreignID.
    let decoded = NewTicket::decode(&json).expect("the proxy cannot read a valid ticket");
    let again = prepare(decoded.into_create(ticket.foreign_id.clone()))
        .expect("the proxy refuses a ticket the widget accepted");
    assert_eq!(
        again,
        CreateTicket {
            author: None,
            ..ticket.clone()
        }
    );
    // The sandbox reads Moov's shape and runs the same rules.
    let stored: CreateTicket = serde_json::from_slice(&json).unwrap();
    assert_eq!(
        prepare(stored).as_ref(),
        Ok(&ticket),
        "the sandbox refuses it"
    );
}
