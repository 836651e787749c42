//! Every `moov-support:*` event `<moov-support-form>` dispatches, with the shape of its
//! `detail`: the one table the element's emitter, the npm package's TypeScript types and its
//! Custom Elements Manifest come from.
//!
//! Compiled natively as well as into the widget, so the package's generator (in xtask) and
//! native tests read the same table the browser code dispatches from. The emitter only takes
//! an [`EmbedEvent`] from here (one cannot be made elsewhere), so the page never sees an event
//! this table does not describe.

/// The prefix of every event's DOM name.
pub const PREFIX: &str = "moov-support:";

/// One event the element dispatches (bubbling, composed, so it leaves the shadow root).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbedEvent {
    name: &'static str,
    detail: Detail,
    /// The types' and README's words for it; not linked into the widget.
    #[cfg(not(target_arch = "wasm32"))]
    doc: &'static str,
}

impl EmbedEvent {
    /// The name after [`PREFIX`], e.g. `submitted`.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The name the page listens for, e.g. `moov-support:submitted`.
    pub fn dom_name(&self) -> String {
        format!("{PREFIX}{}", self.name)
    }

    /// What its `detail` holds.
    pub const fn detail(&self) -> Detail {
        self.detail
    }

    /// When it fires, as the generated types and the README say it.
    #[cfg(not(target_arch = "wasm32"))]
    pub const fn doc(&self) -> &'static str {
        self.doc
    }
}

/// The shape of an event's `detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// `null`: the event itself is the news.
    Nothing,
    /// The filed ticket, as [`crate::ticket::Ticket`] serializes (Moov's own JSON).
    Ticket,
    /// `{status, message, requestId}` of a send that failed.
    Error,
    /// `{ticketID, number}` of the ticket support answered.
    Reply,
    /// `{count}`: requests with a reply the user has not read.
    Unread,
}

/// The JavaScript type of one field of a detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsType {
    /// A string.
    String,
    /// A number.
    Number,
    /// A number, or `null` when there is none (no HTTP status for a network failure).
    NumberOrNull,
    /// A string, or `null` when there is none.
    StringOrNull,
    /// A ticket's status: `new`, `in-progress`, `on-hold`, `closed`, or a state Moov added.
    TicketStatus,
    /// `{email, name?}`, as [`crate::ticket::Contact`] serializes.
    Contact,
}

/// One field of a detail object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetailField {
    /// The key, exactly as on the object.
    pub name: &'static str,
    /// Its value's type.
    pub ty: JsType,
    /// Whether the key may be absent.
    pub optional: bool,
}

const fn field(name: &'static str, ty: JsType) -> DetailField {
    DetailField {
        name,
        ty,
        optional: false,
    }
}

const fn optional(name: &'static str, ty: JsType) -> DetailField {
    DetailField {
        name,
        ty,
        optional: true,
    }
}

const TICKET_FIELDS: [DetailField; 10] = [
    field("ticketID", JsType::String),
    field("number", JsType::Number),
    field("title", JsType::String),
    field("contact", JsType::Contact),
    field("status", JsType::TicketStatus),
    field("createdOn", JsType::String),
    field("updatedOn", JsType::String),
    optional("latestMessageOn", JsType::String),
    optional("closedOn", JsType::String),
    optional("foreignID", JsType::String),
];
const ERROR_FIELDS: [DetailField; 3] = [
    field("status", JsType::NumberOrNull),
    field("message", JsType::String),
    field("requestId", JsType::StringOrNull),
];
const REPLY_FIELDS: [DetailField; 2] = [
    field("ticketID", JsType::String),
    field("number", JsType::Number),
];
const UNREAD_FIELDS: [DetailField; 1] = [field("count", JsType::Number)];

impl Detail {
    /// The detail's fields; empty for [`Detail::Nothing`].
    pub const fn fields(self) -> &'static [DetailField] {
        match self {
            Detail::Nothing => &[],
            Detail::Ticket => &TICKET_FIELDS,
            Detail::Error => &ERROR_FIELDS,
            Detail::Reply => &REPLY_FIELDS,
            Detail::Unread => &UNREAD_FIELDS,
        }
    }

    /// The TypeScript name of the detail's type in the npm package.
    pub const fn type_name(self) -> &'static str {
        match self {
            Detail::Nothing => "null",
            Detail::Ticket => "MoovSupportTicket",
            Detail::Error => "MoovSupportErrorDetail",
            Detail::Reply => "MoovSupportReplyDetail",
            Detail::Unread => "MoovSupportUnreadDetail",
        }
    }
}

/// The form is drawn and can be used.
pub const READY: EmbedEvent = EmbedEvent {
    name: "ready",
    detail: Detail::Nothing,
    #[cfg(not(target_arch = "wasm32"))]
    doc: "the form is drawn and can be used",
};

/// The user's unsent draft was put back into the form.
pub const DRAFT_RESTORED: EmbedEvent = EmbedEvent {
    name: "draft-restored",
    detail: Detail::Nothing,
    #[cfg(not(target_arch = "wasm32"))]
    doc: "the user's unsent draft was put back into the form",
};

/// The browser is offline: the request waits and is sent when the connection returns.
pub const QUEUED: EmbedEvent = EmbedEvent {
    name: "queued",
    detail: Detail::Nothing,
    #[cfg(not(target_arch = "wasm32"))]
    doc: "the browser is offline: the request is kept and sent when the connection returns",
};

/// Moov filed the ticket.
pub const SUBMITTED: EmbedEvent = EmbedEvent {
    name: "submitted",
    detail: Detail::Ticket,
    #[cfg(not(target_arch = "wasm32"))]
    doc: "Moov filed the ticket; `detail` is the ticket as Moov returned it",
};

/// A send failed; the draft is kept.
pub const ERROR: EmbedEvent = EmbedEvent {
    name: "error",
    detail: Detail::Error,
    #[cfg(not(target_arch = "wasm32"))]
    doc: "a send failed (the draft is kept); `requestId` is the proxy's, for its logs",
};

/// Support answered one of the user's requests.
pub const REPLY: EmbedEvent = EmbedEvent {
    name: "reply",
    detail: Detail::Reply,
    #[cfg(not(target_arch = "wasm32"))]
    doc: "support answered one of the user's requests",
};

/// The number of requests with an unread reply changed.
pub const UNREAD: EmbedEvent = EmbedEvent {
    name: "unread",
    detail: Detail::Unread,
    #[cfg(not(target_arch = "wasm32"))]
    doc: "the number of the user's requests with a reply they have not read changed",
};

/// Every event, in the order the types and the README list them.
pub const EVENTS: [EmbedEvent; 7] = [
    READY,
    DRAFT_RESTORED,
    QUEUED,
    SUBMITTED,
    ERROR,
    REPLY,
    UNREAD,
];

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::ticket::{Contact, Ticket, TicketStatus};

    fn keys(value: &serde_json::Value) -> Vec<String> {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }

    fn fields(detail: Detail, with_optional: bool) -> Vec<String> {
        let mut names: Vec<String> = detail
            .fields()
            .iter()
            .filter(|f| with_optional || !f.optional)
            .map(|f| f.name.to_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_ticket_detail_is_what_a_ticket_serializes_to() {
        let mut ticket = Ticket {
            ticket_id: "t".into(),
            number: 7,
            title: "Payout".into(),
            contact: Contact {
                email: "a@example.com".into(),
                name: None,
            },
            status: TicketStatus::New,
            created_on: "2026-01-01T00:00:00Z".into(),
            updated_on: "2026-01-01T00:00:00Z".into(),
            latest_message_on: None,
            closed_on: None,
            foreign_id: None,
        };
        let least = serde_json::to_value(&ticket).unwrap();
        assert_eq!(keys(&least), fields(Detail::Ticket, false));
        ticket.latest_message_on = Some("2026-01-02T00:00:00Z".into());
        ticket.closed_on = Some("2026-01-03T00:00:00Z".into());
        ticket.foreign_id = Some("k".into());
        let most = serde_json::to_value(&ticket).unwrap();
        assert_eq!(keys(&most), fields(Detail::Ticket, true));
        assert!(most["number"].is_number() && most["status"].is_string());
    }

    #[test]
    fn names_are_unique_kebab_case_and_prefixed() {
        let mut names: Vec<&str> = EVENTS.iter().map(|e| e.name()).collect();
        for name in &names {
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{name}"
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EVENTS.len(), "an event is listed twice");
        assert_eq!(SUBMITTED.dom_name(), "moov-support:submitted");
    }

    /// The emitter takes table entries only; this holds the browser code to that: every
    /// `emit`/`on` in `src/web` names one of the table's constants, never a string.
    #[test]
    fn the_browser_code_dispatches_only_table_events() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/web");
        let mut sources = Vec::new();
        collect(std::path::Path::new(dir), &mut sources);
        assert!(sources.len() > 10, "src/web not found");
        let mut dispatched = Vec::new();
        for (path, text) in &sources {
            for call in ["emit(", "emit_value(", ".on("] {
                for (at, _) in text.match_indices(call) {
                    let rest = &text[at + call.len()..];
                    let arg = rest.split([',', ')']).next().unwrap_or("").trim();
                    if arg == "&self" {
                        continue; // the definition
                    }
                    assert!(
                        !arg.starts_with('"'),
                        "{path}: `{call}{arg}`: an event must come from embed_events::EVENTS"
                    );
                    dispatched.push(arg.to_owned());
                }
            }
        }
        for event in EVENTS {
            let constant = event.name().to_ascii_uppercase().replace('-', "_");
            assert!(
                dispatched.iter().any(|d| d.ends_with(&constant)),
                "`{}` is in the table but the browser code never dispatches it ({dispatched:?})",
                event.dom_name()
            );
        }
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.display().to_string(), text));
            }
        }
    }
}
