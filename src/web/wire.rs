//! The JSON the widget sends, reads and stores, through the browser's own `JSON`.
//!
//! Written out with the serde derives of [`crate::ticket`] and [`crate::draft`] (through
//! serde-wasm-bindgen, which the events use too); read back field by field. serde_json's
//! parser and the derived deserializers were a sixth of the first wasm; the browser parses
//! JSON anyway. The browser tests check that what is read here is what serde reads.

use js_sys::{Reflect, JSON};
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::claims::{self, SessionClaims};
use crate::draft::Draft;
use crate::inbox_state::{Author, Message, TicketEvent};
use crate::ticket::{Contact, ContactErrors, FieldErrors, Ticket, TicketStatus};

/// `value` as a plain JS value, shaped as serde_json would write it.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Option<JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).ok()
}

/// `value` as JSON text, as serde_json would write it.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    JSON::stringify(&to_js(value)?).ok()?.as_string()
}

/// Parsed JSON; `None` when `text` is not JSON.
pub fn parse(text: &str) -> Option<JsValue> {
    JSON::parse(text).ok()
}

fn field(value: &JsValue, key: &str) -> JsValue {
    if value.is_object() {
        Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// A text field; `None` when it is missing, `null` or not text.
fn text(value: &JsValue, key: &str) -> Option<String> {
    field(value, key).as_string()
}

fn contact(value: &JsValue) -> Option<Contact> {
    Some(Contact {
        email: text(value, "email")?,
        name: text(value, "name"),
    })
}

/// The largest integer a double holds exactly (JavaScript's `Number.MAX_SAFE_INTEGER`).
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A created ticket, as the proxy answers it; `None` when a required field is missing.
pub fn ticket(value: &JsValue) -> Option<Ticket> {
    let number = field(value, "number").as_f64()?;
    // The browser's parser reads numbers as doubles: past 2^53 the number read may not be
    // the one sent, and a wrong ticket number is worse than none.
    if number.fract() != 0.0 || number.abs() > MAX_EXACT_INTEGER {
        return None;
    }
    Some(Ticket {
        ticket_id: text(value, "ticketID")?,
        number: number as i64,
        title: text(value, "title")?,
        contact: contact(&field(value, "contact"))?,
        status: TicketStatus::from_name(text(value, "status")?),
        created_on: text(value, "createdOn")?,
        updated_on: text(value, "updatedOn")?,
        latest_message_on: text(value, "latestMessageOn"),
        closed_on: text(value, "closedOn"),
        foreign_id: text(value, "foreignID"),
    })
}

/// A page of the user's tickets and the cursor of the next; `None` when it is not one.
pub fn ticket_page(value: &JsValue) -> Option<(Vec<Ticket>, Option<String>)> {
    let items = field(value, "items");
    let items = js_sys::Array::is_array(&items).then(|| js_sys::Array::from(&items))?;
    let tickets = items
        .iter()
        .map(|t| ticket(&t))
        .collect::<Option<Vec<_>>>()?;
    Some((tickets, text(&field(value, "nextPage"), "cursor")))
}

/// A request's messages, oldest first; a message without a body or time is left out.
pub fn messages(value: &JsValue) -> Option<Vec<Message>> {
    let list = js_sys::Array::is_array(value).then(|| js_sys::Array::from(value))?;
    let read = |m: JsValue| {
        Some(Message {
            from: match text(&m, "from").as_deref() {
                Some("user") => Author::User,
                _ => Author::Support,
            },
            body: text(&m, "body")?,
            sent_on: text(&m, "sentOn")?,
        })
    };
    Some(list.iter().filter_map(read).collect())
}

/// A live event's `data` about one ticket.
pub fn ticket_event(value: &JsValue) -> Option<TicketEvent> {
    let number = field(value, "number").as_f64()?;
    Some(TicketEvent {
        ticket_id: text(value, "ticketID")?,
        number: number as i64,
        status: TicketStatus::from_name(text(value, "status")?),
        latest_message_on: text(value, "latestMessageOn"),
    })
}

/// A 422's field errors; empty when it names none.
pub fn field_errors(value: &JsValue) -> FieldErrors {
    let contact = field(value, "contact");
    FieldErrors {
        title: text(value, "title"),
        body: text(value, "body"),
        author: text(value, "author"),
        foreign_id: text(value, "foreignID"),
        contact: ContactErrors {
            email: text(&contact, "email"),
            name: text(&contact, "name"),
        },
    }
}

/// The `error` of an error answer.
pub fn error_message(value: &JsValue) -> Option<String> {
    text(value, "error")
}

/// A saved draft; a field missing from an older one is empty.
pub fn draft(value: &JsValue) -> Option<Draft> {
    if !value.is_object() {
        return None;
    }
    let text = |key| text(value, key).unwrap_or_default();
    Some(Draft {
        title: text("title"),
        message: text("message"),
        email: text("email"),
        name: text("name"),
        idempotency_key: text("idempotency_key"),
    })
}

/// The unverified claims of a session token ([`crate::claims::read`] in the browser).
pub fn session_claims(token: &str) -> Option<SessionClaims> {
    let claims = String::from_utf8(claims::payload(token)?).ok()?;
    let value = parse(&claims)?;
    Some(SessionClaims {
        sub: text(&value, "sub")?,
        email: text(&value, "email"),
        name: text(&value, "name"),
    })
}
