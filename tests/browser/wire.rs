//! The wire format read through the browser's `JSON.parse` agrees with serde.

use moov_support::claims;
use moov_support::draft::Draft;
use moov_support::ticket::{
    Contact, ContactErrors, CreateTicket, FieldErrors, Ticket, TicketStatus,
};
use moov_support::web::wire;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

fn through_the_browser(json: &str) -> JsValue {
    wire::parse(json).unwrap_or_else(|| panic!("not JSON: {json}"))
}

#[wasm_bindgen_test]
fn the_wire_reads_and_writes_what_serde_does() {
    let full = Ticket {
        ticket_id: "t-1".into(),
        number: 4_294_967_296,
        title: "Payout missing".into(),
        contact: Contact {
            email: "jordan@example.com".into(),
            name: Some("Jordan Lee".into()),
        },
        status: TicketStatus::InProgress,
        created_on: "2026-11-27T10:00:00Z".into(),
        updated_on: "2026-11-27T10:05:00Z".into(),
        latest_message_on: Some("2026-11-27T10:05:00Z".into()),
        closed_on: Some("2026-11-28T09:00:00Z".into()),
        foreign_id: Some("key-1".into()),
    };
    let minimal = Ticket {
        contact: Contact {
            email: "a@example.com".into(),
            name: None,
        },
        status: TicketStatus::Unknown("escalated".into()),
        latest_message_on: None,
        closed_on: None,
        foreign_id: None,
        ..full.clone()
    };
    for t in [&full, &minimal] {
        let json = serde_json::to_string(t).unwrap();
        assert_eq!(
            wire::ticket(&through_the_browser(&json)).as_ref(),
            Some(t),
            "{json}"
        );
    }
    // Moov writes absent optional fields as null.
    let nulls = r#"{"ticketID":"t-1","number":7,"title":"x","contact":{"email":"a@b.c","name":null},
        "status":"new","createdOn":"c","updatedOn":"u","latestMessageOn":null,"closedOn":null,"foreignID":null}"#;
    let t = wire::ticket(&through_the_browser(nulls)).unwrap();
    assert_eq!(t, serde_json::from_str::<Ticket>(nulls).unwrap());
    // What serde refuses is not a ticket here either.
    for broken in [
        r#"{"ticketID":"t","number":7.5,"title":"x","contact":{"email":"a@b.c"},"status":"new","createdOn":"c","updatedOn":"u"}"#,
        r#"{"ticketID":"t","number":7,"title":"x","status":"new","createdOn":"c","updatedOn":"u"}"#,
        r#"[1, 2]"#,
    ] {
        assert!(serde_json::from_str::<Ticket>(broken).is_err(), "{broken}");
        assert_eq!(wire::ticket(&through_the_browser(broken)), None, "{broken}");
    }
    assert_eq!(wire::parse("not JSON"), None);
    // Numbers a double holds exactly are read; past them, what arrives may not be what was
    // sent, so the answer is refused rather than shown with another ticket's number.
    let numbered = |n: &str| {
        format!(
            r#"{{"ticketID":"t","number":{n},"title":"x","contact":{{"email":"a@b.c"}},"status":"new","createdOn":"c","updatedOn":"u"}}"#
        )
    };
    let largest = wire::ticket(&through_the_browser(&numbered("9007199254740991"))).unwrap();
    assert_eq!(largest.number, 9_007_199_254_740_991);
    assert_eq!(
        wire::ticket(&through_the_browser(&numbered("9007199254740993"))),
        None
    );
    assert_eq!(wire::ticket(&through_the_browser(&numbered("1e300"))), None);

    let errors = FieldErrors {
        title: Some("Enter a subject.".into()),
        body: Some("Enter a message.".into()),
        author: Some("a".into()),
        foreign_id: Some("f".into()),
        contact: ContactErrors {
            email: Some("Enter an email.".into()),
            name: Some("Too long.".into()),
        },
    };
    let json = serde_json::to_string(&errors).unwrap();
    assert_eq!(wire::field_errors(&through_the_browser(&json)), errors);
    assert!(wire::field_errors(&through_the_browser("{}")).is_empty());
    assert_eq!(
        wire::error_message(&through_the_browser(r#"{"error":"nope"}"#)).as_deref(),
        Some("nope")
    );

    // What the widget sends and stores is byte for byte what serde_json writes.
    let ticket = CreateTicket {
        title: "Payout \"missing\"".into(),
        body: "<p>Friday’s payout</p>".into(),
        contact: Contact {
            email: "jordan@example.com".into(),
            name: None,
        },
        ..Default::default()
    };
    assert_eq!(wire::to_json(&ticket), serde_json::to_string(&ticket).ok());
    let draft = Draft {
        title: "t".into(),
        message: "<p>m</p>".into(),
        email: "e@example.com".into(),
        name: String::new(),
        idempotency_key: "k".into(),
    };
    let stored = wire::to_json(&draft).unwrap();
    assert_eq!(Some(&stored), serde_json::to_string(&draft).ok().as_ref());
    assert_eq!(wire::draft(&through_the_browser(&stored)), Some(draft));
    // A draft saved by an older version, with fields missing, still restores.
    assert_eq!(
        wire::draft(&through_the_browser(r#"{"title":"old"}"#)).map(|d| d.title),
        Some("old".into())
    );

    // {"sub":"u-1","moov_account_id":"x","email":"a@b.c"}, base64url without padding.
    let token = "h.eyJzdWIiOiJ1LTEiLCJtb292X2FjY291bnRfaWQiOiJ4IiwiZW1haWwiOiJhQGIuYyJ9.s";
    assert_eq!(wire::session_claims(token), claims::read(token));
    assert_eq!(
        wire::session_claims(token).unwrap().email.as_deref(),
        Some("a@b.c")
    );
    assert_eq!(wire::session_claims("garbage"), None);
}
