//! The support-ticket model, shaped exactly like Moov's `POST /accounts/{accountID}/tickets`.
//!
//! One copy for the widget, the proxy and the sandbox: what the browser sends is what the
//! proxy checks is what the sandbox stores.

use serde::{Deserialize, Serialize};

/// Who Moov support answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Contact {
    /// Required; checked by [`crate::rules`].
    pub email: String,
    /// Optional; an empty name is omitted rather than sent as `""`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The request body of "Create a support ticket".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateTicket {
    /// Plain-text subject line.
    pub title: String,
    /// HTML message, always passed through [`crate::sanitize`] before it leaves the browser and
    /// again in the proxy.
    pub body: String,
    /// Who support answers; the only way back to the user, since the widget keeps no account.
    pub contact: Contact,
    /// Overrides the first message's author (newer API versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The partner's own reference; the proxy puts the submission's idempotency key here.
    #[serde(default, rename = "foreignID", skip_serializing_if = "Option::is_none")]
    pub foreign_id: Option<String>,
}

/// Where a ticket stands in Moov's queue.
///
/// Moov may add states; an unknown one is kept as text instead of failing the whole answer,
/// so a ticket that was created is never reported as an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TicketStatus {
    /// Filed, not yet picked up by support.
    New,
    /// Support is working on it.
    InProgress,
    /// Support waits for something, often the user's answer.
    OnHold,
    /// Answered or withdrawn; a closed request takes no more messages.
    Closed,
    /// A state this version does not know, by its wire name.
    #[serde(untagged)]
    Unknown(String),
}

impl TicketStatus {
    /// The status named `name` on the wire (`Unknown` keeps a name this version does not know).
    pub fn from_name(name: String) -> TicketStatus {
        [
            TicketStatus::New,
            TicketStatus::InProgress,
            TicketStatus::OnHold,
            TicketStatus::Closed,
        ]
        .into_iter()
        .find(|known| known.as_str() == name)
        .unwrap_or(TicketStatus::Unknown(name))
    }

    /// The wire value, e.g. `in-progress`.
    pub fn as_str(&self) -> &str {
        match self {
            TicketStatus::New => "new",
            TicketStatus::InProgress => "in-progress",
            TicketStatus::OnHold => "on-hold",
            TicketStatus::Closed => "closed",
            TicketStatus::Unknown(s) => s,
        }
    }
}

/// A ticket as Moov returns it (the seed's 200 answer). Timestamps stay RFC 3339 strings: the
/// widget only displays them and the proxy passes them through untouched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    /// Moov's id for the ticket, used in its API paths.
    #[serde(rename = "ticketID")]
    pub ticket_id: String,
    /// The number a user quotes to support ("Ticket #1042").
    pub number: i64,
    /// The subject line as filed.
    pub title: String,
    /// Who support answers.
    pub contact: Contact,
    /// Where the ticket stands.
    pub status: TicketStatus,
    /// When it was filed (RFC 3339).
    pub created_on: String,
    /// When it last changed (RFC 3339).
    pub updated_on: String,
    /// When its latest message was written (RFC 3339), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_message_on: Option<String>,
    /// When it was closed (RFC 3339), if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<String>,
    /// The partner's own reference: the submission's idempotency key, so a retried send is
    /// recognised as the same ticket.
    #[serde(default, rename = "foreignID", skip_serializing_if = "Option::is_none")]
    pub foreign_id: Option<String>,
}

/// Per-field messages for the contact object of a 422 answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ContactErrors {
    /// What is wrong with the email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// What is wrong with the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl ContactErrors {
    /// Whether neither contact field has a message (then the object is left off the wire).
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.name.is_none()
    }
}

/// The body of a 422 answer: a flat map of field messages, no `error` wrapper.
///
/// Client-side validation produces the same type, so the form shows a local mistake and a
/// server rejection in exactly the same place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct FieldErrors {
    /// What is wrong with the subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What is wrong with the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// What is wrong with the author override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// What is wrong with the partner's reference.
    #[serde(default, rename = "foreignID", skip_serializing_if = "Option::is_none")]
    pub foreign_id: Option<String>,
    /// What is wrong with the contact details.
    #[serde(default, skip_serializing_if = "ContactErrors::is_empty")]
    pub contact: ContactErrors,
}

impl FieldErrors {
    /// Whether no field has a message: the ticket may be sent.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.body.is_none()
            && self.author.is_none()
            && self.foreign_id.is_none()
            && self.contact.is_empty()
    }

    /// The message for one form field, if any.
    pub fn get(&self, field: Field) -> Option<&str> {
        match field {
            Field::Title => self.title.as_deref(),
            Field::Body => self.body.as_deref(),
            Field::Email => self.contact.email.as_deref(),
            Field::Name => self.contact.name.as_deref(),
        }
    }

    /// Replaces the message for one form field.
    pub fn set(&mut self, field: Field, message: Option<String>) {
        match field {
            Field::Title => self.title = message,
            Field::Body => self.body = message,
            Field::Email => self.contact.email = message,
            Field::Name => self.contact.name = message,
        }
    }

    /// The first field with a message, in form order: where focus goes after a failed submit.
    pub fn first_invalid(&self) -> Option<Field> {
        Field::ALL.into_iter().find(|f| self.get(*f).is_some())
    }
}

/// The four fields a user fills in, in the order the form shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The subject line.
    Title,
    /// The formatted message.
    Body,
    /// The email support answers.
    Email,
    /// The user's name (optional).
    Name,
}

impl Field {
    /// Every field, in form order.
    pub const ALL: [Field; 4] = [Field::Title, Field::Body, Field::Email, Field::Name];

    /// A stable identifier, used for element ids and test selectors.
    pub fn key(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Body => "body",
            Field::Email => "email",
            Field::Name => "name",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_answer_deserializes() {
        let json = r#"{"ticketID":"string","number":0,"title":"string",
            "contact":{"email":"string","name":"string"},"status":"new",
            "createdOn":"2019-08-24T14:15:22Z","updatedOn":"2019-08-24T14:15:22Z",
            "latestMessageOn":"2019-08-24T14:15:22Z","closedOn":"2019-08-24T14:15:22Z"}"#;
        let t: Ticket = serde_json::from_str(json).unwrap();
        assert_eq!(t.status, TicketStatus::New);
        assert_eq!(t.closed_on.as_deref(), Some("2019-08-24T14:15:22Z"));
        assert_eq!(t.foreign_id, None);
    }

    #[test]
    fn unknown_status_is_kept_and_null_foreign_id_accepted() {
        let json = r#"{"ticketID":"t","number":7,"title":"x","contact":{"email":"a@b.c"},
            "status":"escalated","createdOn":"c","updatedOn":"u","foreignID":null}"#;
        let t: Ticket = serde_json::from_str(json).unwrap();
        assert_eq!(t.status, TicketStatus::Unknown("escalated".into()));
        assert_eq!(t.status.as_str(), "escalated");
        for (s, v) in [
            (TicketStatus::InProgress, "\"in-progress\""),
            (TicketStatus::OnHold, "\"on-hold\""),
        ] {
            assert_eq!(serde_json::to_string(&s).unwrap(), v);
            assert_eq!(serde_json::from_str::<TicketStatus>(v).unwrap(), s);
            assert_eq!(TicketStatus::from_name(s.as_str().into()), s);
        }
        assert_eq!(
            TicketStatus::from_name("escalated".into()),
            TicketStatus::Unknown("escalated".into())
        );
    }

    #[test]
    fn field_errors_match_the_422_shape() {
        let mut e = FieldErrors::default();
        assert_eq!(serde_json::to_string(&e).unwrap(), "{}");
        e.set(Field::Email, Some("bad".into()));
        e.foreign_id = Some("dup".into());
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"foreignID":"dup","contact":{"email":"bad"}}"#
        );
        let back: FieldErrors =
            serde_json::from_str(r#"{"title":"t","contact":{"name":"n"}}"#).unwrap();
        assert_eq!(back.first_invalid(), Some(Field::Title));
        assert_eq!(back.get(Field::Name), Some("n"));
    }

    #[test]
    fn create_ticket_omits_absent_optionals() {
        let t = CreateTicket {
            title: "a".into(),
            body: "<p>b</p>".into(),
            contact: Contact {
                email: "x@y.z".into(),
                name: None,
            },
            author: None,
            foreign_id: Some("k".into()),
        };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"title":"a","body":"<p>b</p>","contact":{"email":"x@y.z"},"foreignID":"k"}"#
        );
    }
}
