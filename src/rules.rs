//! Validation rules for a ticket, applied in the widget, the proxy and the sandbox alike.
//!
//! Moov publishes no limits, so these are the project's own. A ticket that passes here is
//! what the proxy forwards; a 422 from Moov still wins and is shown on the same fields.

use thiserror::Error;

use crate::sanitize;
use crate::ticket::{Contact, CreateTicket, Field, FieldErrors};

/// The longest subject, in characters: one line a support queue can still show whole.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest email, in characters: the most an SMTP path allows.
pub const MAX_EMAIL_CHARS: usize = 254;
/// The longest name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// What is wrong with one field. The English text is the default message; the widget maps the
/// variant to the user's language.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Problem {
    /// The field is empty but must be filled in.
    #[error("This field is required.")]
    Required,
    /// The field is longer than the rules allow.
    #[error("Keep this under {max} characters.")]
    TooLong {
        /// The most characters the field may hold.
        max: usize,
    },
    /// A one-line field holds tabs, line breaks or other control characters.
    #[error("Remove control characters such as tabs or line breaks.")]
    ControlCharacters,
    /// The email is not an address mail can be sent to.
    #[error("Enter an email address like name@example.com.")]
    InvalidEmail,
    /// The message has markup but nothing a reader would see.
    #[error("Write a message: it has no visible text.")]
    NoVisibleText,
    /// The message's formatted text is over the size Moov accepts.
    #[error("The message is too long: keep it under 64 KiB of formatted text.")]
    BodyTooLarge,
}

impl Problem {
    /// The message shown under `field`; `Required` names what is missing.
    pub fn message(&self, field: Field) -> String {
        match (self, field) {
            (Problem::Required, Field::Title) => "Enter a subject.".into(),
            (Problem::Required, Field::Body) => "Write a message.".into(),
            (Problem::Required, Field::Email) => {
                "Enter your email address so support can reply.".into()
            }
            _ => self.to_string(),
        }
    }
}

/// Checks one field's value as the user typed it; the body is HTML.
///
/// The body verdict is exact for sanitized HTML, which is what [`check_sanitized`] and the proxy
/// see; on the editor's live HTML it is the same answer for anything a user can type.
pub fn check_field(field: Field, raw: &str) -> Result<(), Problem> {
    match field {
        Field::Title => check_title(raw.trim()),
        Field::Body => check_clean_body(raw),
        Field::Email => check_email(raw.trim()),
        Field::Name => check_name(raw.trim()),
    }
}

/// Normalizes a submitted ticket (trims, sanitizes the body, drops an empty name) and checks
/// every field. The proxy calls this on whatever the browser sent.
#[allow(
    clippy::result_large_err,
    reason = "runs once per submission, and the error is the 422 body itself"
)]
pub fn prepare(raw: CreateTicket) -> Result<CreateTicket, FieldErrors> {
    let raw = CreateTicket {
        body: sanitize::clean(&raw.body),
        ..raw
    };
    check_sanitized(raw).map_err(|problems| field_errors(&problems))
}

/// Every problem found in one ticket, in field order.
pub type Problems = Vec<(Field, Problem)>;

/// [`prepare`] for a ticket whose body has already been through [`sanitize::clean`].
///
/// The widget sanitizes off the main thread and then calls this, so the rules run without
/// linking the sanitizer into the first bundle.
pub fn check_sanitized(raw: CreateTicket) -> Result<CreateTicket, Problems> {
    let name = raw
        .contact
        .name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    let ticket = CreateTicket {
        title: raw.title.trim().to_owned(),
        body: raw.body,
        contact: Contact {
            email: raw.contact.email.trim().to_owned(),
            name,
        },
        author: raw.author,
        foreign_id: raw.foreign_id,
    };
    let results = [
        (Field::Title, check_title(&ticket.title)),
        (Field::Body, check_clean_body(&ticket.body)),
        (Field::Email, check_email(&ticket.contact.email)),
        (
            Field::Name,
            ticket.contact.name.as_deref().map_or(Ok(()), check_name),
        ),
    ];
    let problems: Problems = results
        .into_iter()
        .filter_map(|(field, result)| result.err().map(|p| (field, p)))
        .collect();
    if problems.is_empty() {
        Ok(ticket)
    } else {
        Err(problems)
    }
}

/// The 422 body for `problems`, in English.
pub fn field_errors(problems: &[(Field, Problem)]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (field, problem) in problems {
        errors.set(*field, Some(problem.message(*field)));
    }
    errors
}

fn check_title(title: &str) -> Result<(), Problem> {
    if title.is_empty() {
        return Err(Problem::Required);
    }
    check_line(title, MAX_TITLE_CHARS)
}

fn check_name(name: &str) -> Result<(), Problem> {
    check_line(name, MAX_NAME_CHARS)
}

fn check_line(text: &str, max: usize) -> Result<(), Problem> {
    if text.chars().count() > max {
        return Err(Problem::TooLong { max });
    }
    if text.chars().any(char::is_control) {
        return Err(Problem::ControlCharacters);
    }
    Ok(())
}

fn check_clean_body(clean_html: &str) -> Result<(), Problem> {
    if clean_html.trim().is_empty() {
        return Err(Problem::Required);
    }
    if !sanitize::has_visible_text(clean_html) {
        return Err(Problem::NoVisibleText);
    }
    if clean_html.len() > sanitize::MAX_BODY_BYTES {
        return Err(Problem::BodyTooLarge);
    }
    Ok(())
}

fn check_email(email: &str) -> Result<(), Problem> {
    if email.is_empty() {
        return Err(Problem::Required);
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(Problem::TooLong {
            max: MAX_EMAIL_CHARS,
        });
    }
    if is_valid_email(email) {
        Ok(())
    } else {
        Err(Problem::InvalidEmail)
    }
}

/// The WHATWG "valid email address": what `<input type=email>` accepts.
///
/// `1*( atext / "." ) "@" label *( "." label )`, a label being 1–63 letters, digits or
/// hyphens that neither starts nor ends with a hyphen.
pub fn is_valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
    let domain_ok = domain.split('.').all(|label| {
        let bytes = label.as_bytes();
        (1..=63).contains(&bytes.len())
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            && bytes[0] != b'-'
            && bytes[bytes.len() - 1] != b'-'
    });
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(title: &str, body: &str, email: &str, name: Option<&str>) -> CreateTicket {
        CreateTicket {
            title: title.into(),
            body: body.into(),
            contact: Contact {
                email: email.into(),
                name: name.map(Into::into),
            },
            ..Default::default()
        }
    }

    #[test]
    fn a_good_ticket_is_normalized() {
        let t = prepare(ticket(
            "  Payout late ",
            "<p onclick=x>Hi</p>",
            " a@b.co ",
            Some("  "),
        ))
        .unwrap();
        assert_eq!(t.title, "Payout late");
        assert_eq!(t.body, "<p>Hi</p>");
        assert_eq!(t.contact.email, "a@b.co");
        assert_eq!(t.contact.name, None);
    }

    #[test]
    fn every_field_reports_in_the_422_shape() {
        let e = prepare(ticket("", "<p>&nbsp;</p>", "nope", Some("a\u{7}b"))).unwrap_err();
        assert_eq!(e.title.as_deref(), Some("Enter a subject."));
        assert_eq!(
            e.body.as_deref(),
            Some(Problem::NoVisibleText.to_string().as_str())
        );
        assert_eq!(
            e.contact.email.as_deref(),
            Some(Problem::InvalidEmail.to_string().as_str())
        );
        assert_eq!(
            e.contact.name.as_deref(),
            Some(Problem::ControlCharacters.to_string().as_str())
        );
        let json = serde_json::to_value(&e).unwrap();
        assert!(json.get("contact").unwrap().get("email").is_some());
        assert!(json.get("error").is_none());
    }

    #[test]
    fn lengths_are_counted_in_characters_and_bytes() {
        assert_eq!(check_field(Field::Title, &"é".repeat(200)), Ok(()));
        assert_eq!(
            check_field(Field::Title, &"é".repeat(201)),
            Err(Problem::TooLong { max: 200 })
        );
        assert_eq!(
            check_field(Field::Name, &"n".repeat(101)),
            Err(Problem::TooLong { max: 100 })
        );
        let local = "a".repeat(250);
        assert_eq!(
            check_field(Field::Email, &format!("{local}@b.co")),
            Err(Problem::TooLong { max: 254 })
        );
        let big = format!("<p>{}</p>", "x".repeat(sanitize::MAX_BODY_BYTES));
        assert_eq!(check_field(Field::Body, &big), Err(Problem::BodyTooLarge));
        assert_eq!(check_field(Field::Body, "  "), Err(Problem::Required));
        assert_eq!(
            prepare(ticket("t", "<script>x</script>", "a@b.co", None))
                .unwrap_err()
                .body
                .as_deref(),
            Some("Write a message.")
        );
        assert_eq!(
            check_field(Field::Title, "tab\there"),
            Err(Problem::ControlCharacters)
        );
    }

    #[test]
    fn email_follows_the_html_input_rule() {
        for ok in [
            "a@b",
            "first.last+tag@example.co.uk",
            "x!#$%&'*+/=?^_`{|}~-@d-1.io",
            "..@a",
        ] {
            assert!(is_valid_email(ok), "{ok} should pass");
        }
        for bad in [
            "",
            "@b.c",
            "a@",
            "a@b..c",
            "a@-b.c",
            "a@b-.c",
            "a b@c.d",
            "a@b@c",
            "ü@b.c",
            "a@bü.c",
            &format!("a@{}.c", "l".repeat(64)),
        ] {
            assert!(!is_valid_email(bad), "{bad} should fail");
        }
    }
}
