//! The send pipeline alone (sanitize → rules → token → POST → renew once on 401 → resend),
//! with a counting token source and a scripted proxy: no form on the page, no network.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use moov_support::ticket::{Contact, CreateTicket, Field, FieldErrors, Ticket, TicketStatus};
use moov_support::web::client::{Failure, SubmitError};
use moov_support::web::sanitizer_worker::{SanitizerError, Worker};
use moov_support::web::send::{self, Pipeline, Post, Sanitizer, SessionTokens};
use wasm_bindgen_test::*;

/// Tokens handed out, and how often each kind was asked for.
#[derive(Default)]
struct CountingTokens {
    current: Option<&'static str>,
    renewed: Option<&'static str>,
    asked: Cell<u32>,
    renewals: Cell<u32>,
}

impl SessionTokens for CountingTokens {
    async fn current(&self) -> Option<String> {
        self.asked.set(self.asked.get() + 1);
        self.current.map(str::to_owned)
    }

    async fn renew(&self) -> Option<String> {
        self.renewals.set(self.renewals.get() + 1);
        self.renewed.map(str::to_owned)
    }
}

/// A proxy that answers from a script and records every request.
#[derive(Default)]
struct ScriptedProxy {
    answers: RefCell<VecDeque<Result<Ticket, Failure>>>,
    /// (ticket, idempotency key, session token) of each POST.
    posts: RefCell<Vec<(CreateTicket, String, Option<String>)>>,
}

impl ScriptedProxy {
    fn answering(answers: impl IntoIterator<Item = Result<Ticket, Failure>>) -> Self {
        ScriptedProxy {
            answers: RefCell::new(answers.into_iter().collect()),
            posts: RefCell::default(),
        }
    }

    fn tokens_sent(&self) -> Vec<Option<String>> {
        self.posts
            .borrow()
            .iter()
            .map(|(_, _, t)| t.clone())
            .collect()
    }
}

impl Post for &ScriptedProxy {
    async fn post(
        &self,
        ticket: &CreateTicket,
        idempotency_key: &str,
        session_token: Option<&str>,
    ) -> Result<Ticket, Failure> {
        self.posts.borrow_mut().push((
            ticket.clone(),
            idempotency_key.to_owned(),
            session_token.map(str::to_owned),
        ));
        self.answers
            .borrow_mut()
            .pop_front()
            .expect("the proxy was asked more often than the test scripted")
    }
}

/// A sanitizer that cannot load, counting how often it was tried.
#[derive(Default)]
struct UnreachableSanitizer {
    tried: Cell<u32>,
}

impl Sanitizer for &UnreachableSanitizer {
    async fn clean(&self, _html: &str) -> Result<String, SanitizerError> {
        self.tried.set(self.tried.get() + 1);
        Err(SanitizerError::Unavailable("offline".into()))
    }
}

fn typed() -> CreateTicket {
    CreateTicket {
        title: "  Payout is late  ".into(),
        body: "<p>Since Monday<script>alert(1)</script></p>".into(),
        contact: Contact {
            email: " ana@example.com ".into(),
            name: Some("".into()),
        },
        ..Default::default()
    }
}

fn filed(number: i64) -> Ticket {
    Ticket {
        ticket_id: format!("t-{number}"),
        number,
        title: "Payout is late".into(),
        contact: Contact {
            email: "ana@example.com".into(),
            name: None,
        },
        status: TicketStatus::New,
        created_on: "2026-01-01T00:00:00Z".into(),
        updated_on: "2026-01-01T00:00:00Z".into(),
        latest_message_on: None,
        closed_on: None,
        foreign_id: None,
    }
}

fn refusal(error: SubmitError, status: Option<u16>) -> Failure {
    Failure {
        error,
        request_id: status.map(|s| format!("req-{s}")),
        status,
    }
}

fn tokens(current: Option<&'static str>, renewed: Option<&'static str>) -> CountingTokens {
    CountingTokens {
        current,
        renewed,
        ..Default::default()
    }
}

#[wasm_bindgen_test]
async fn a_ticket_goes_out_cleaned_and_checked_under_its_key_and_token() {
    let proxy = ScriptedProxy::answering([Ok(filed(7))]);
    let pipeline = Pipeline {
        sanitizer: Worker,
        tokens: tokens(Some("page-token"), Some("unused")),
        post: &proxy,
    };
    let ticket = pipeline.send(typed(), "key-1", || false).await.unwrap();
    assert_eq!(ticket.number, 7);
    let posts = proxy.posts.borrow();
    assert_eq!(posts.len(), 1);
    let (sent, key, token) = &posts[0];
    assert_eq!(sent.title, "Payout is late", "the rules trim the title");
    assert_eq!(
        sent.body, "<p>Since Monday</p>",
        "the sanitizer's answer is sent"
    );
    assert_eq!(sent.contact.email, "ana@example.com");
    assert_eq!(sent.contact.name, None, "an empty name is dropped");
    assert_eq!(key, "key-1");
    assert_eq!(token.as_deref(), Some("page-token"));
    assert_eq!(pipeline.tokens.asked.get(), 1);
    assert_eq!(pipeline.tokens.renewals.get(), 0);
}

#[wasm_bindgen_test]
async fn a_422_comes_back_as_the_proxys_field_errors() {
    let mut fields = FieldErrors::default();
    fields.set(Field::Title, Some("Too vague.".into()));
    let proxy = ScriptedProxy::answering([Err(refusal(
        SubmitError::Invalid(fields.clone()),
        Some(422),
    ))]);
    let pipeline = Pipeline {
        sanitizer: Worker,
        tokens: tokens(Some("page-token"), Some("fresh")),
        post: &proxy,
    };
    let failure = pipeline.send(typed(), "key-1", || false).await.unwrap_err();
    match failure {
        send::Failure::Proxy(f) => {
            assert_eq!(f.error, SubmitError::Invalid(fields));
            assert_eq!(f.request_id.as_deref(), Some("req-422"));
        }
        other => panic!("expected the proxy's field errors, got {other:?}"),
    }
    assert_eq!(proxy.posts.borrow().len(), 1, "a 422 is not sent again");
    assert_eq!(pipeline.tokens.renewals.get(), 0);
}

#[wasm_bindgen_test]
async fn a_refused_token_is_renewed_once_and_the_ticket_resent_once() {
    let proxy = ScriptedProxy::answering([
        Err(refusal(SubmitError::SessionExpired, Some(401))),
        Ok(filed(8)),
    ]);
    let pipeline = Pipeline {
        sanitizer: Worker,
        tokens: tokens(Some("stale"), Some("fresh")),
        post: &proxy,
    };
    let ticket = pipeline.send(typed(), "key-1", || false).await.unwrap();
    assert_eq!(ticket.number, 8);
    assert_eq!(
        proxy.tokens_sent(),
        [Some("stale".to_owned()), Some("fresh".to_owned())]
    );
    let keys: Vec<String> = proxy
        .posts
        .borrow()
        .iter()
        .map(|(_, k, _)| k.clone())
        .collect();
    assert_eq!(
        keys,
        ["key-1", "key-1"],
        "the resend is the same submission"
    );
    assert_eq!(pipeline.tokens.renewals.get(), 1);
}

#[wasm_bindgen_test]
async fn a_renewed_token_refused_again_is_not_resent_a_second_time() {
    let proxy = ScriptedProxy::answering([
        Err(refusal(SubmitError::SessionExpired, Some(401))),
        Err(refusal(SubmitError::SessionExpired, Some(401))),
    ]);
    let pipeline = Pipeline {
        sanitizer: Worker,
        tokens: tokens(Some("stale"), Some("also-stale")),
        post: &proxy,
    };
    let failure = pipeline.send(typed(), "key-1", || false).await.unwrap_err();
    assert!(
        matches!(&failure, send::Failure::Proxy(f) if f.error == SubmitError::SessionExpired),
        "{failure:?}"
    );
    assert_eq!(proxy.posts.borrow().len(), 2);
    assert_eq!(pipeline.tokens.renewals.get(), 1);
}

#[wasm_bindgen_test]
async fn without_a_renewed_token_the_refusal_stands() {
    let proxy = ScriptedProxy::answering([Err(refusal(SubmitError::SessionExpired, Some(401)))]);
    let pipeline = Pipeline {
        sanitizer: Worker,
        tokens: tokens(Some("stale"), None),
        post: &proxy,
    };
    let failure = pipeline.send(typed(), "key-1", || false).await.unwrap_err();
    assert!(matches!(failure, send::Failure::Proxy(f) if f.status == Some(401)));
    assert_eq!(proxy.posts.borrow().len(), 1);
    assert_eq!(pipeline.tokens.renewals.get(), 1);
}

#[wasm_bindgen_test]
async fn a_network_failure_is_reported_and_not_retried() {
    let proxy = ScriptedProxy::answering([Err(refusal(SubmitError::Network, None))]);
    let pipeline = Pipeline {
        sanitizer: Worker,
        tokens: tokens(None, Some("fresh")),
        post: &proxy,
    };
    let failure = pipeline.send(typed(), "key-1", || false).await.unwrap_err();
    assert_eq!(
        failure,
        send::Failure::Proxy(refusal(SubmitError::Network, None))
    );
    assert_eq!(proxy.tokens_sent(), [None], "no token: sent without one");
    assert_eq!(pipeline.tokens.renewals.get(), 0);
}

#[wasm_bindgen_test]
async fn a_sanitizer_that_cannot_load_sends_nothing() {
    let sanitizer = UnreachableSanitizer::default();
    let proxy = ScriptedProxy::default();
    let pipeline = Pipeline {
        sanitizer: &sanitizer,
        tokens: tokens(Some("page-token"), None),
        post: &proxy,
    };
    let failure = pipeline.send(typed(), "key-1", || false).await.unwrap_err();
    assert_eq!(
        failure,
        send::Failure::Sanitizer(SanitizerError::Unavailable("offline".into()))
    );
    assert_eq!(sanitizer.tried.get(), 1);
    assert!(proxy.posts.borrow().is_empty());
    assert_eq!(pipeline.tokens.asked.get(), 0, "no token is asked for");
}

#[wasm_bindgen_test]
async fn the_rules_stop_a_ticket_before_a_token_is_asked_for() {
    let proxy = ScriptedProxy::default();
    let pipeline = Pipeline {
        sanitizer: Worker,
        tokens: tokens(Some("page-token"), None),
        post: &proxy,
    };
    let raw = CreateTicket {
        title: "   ".into(),
        body: "<p><script>alert(1)</script></p>".into(),
        ..typed()
    };
    let failure = pipeline.send(raw, "key-1", || false).await.unwrap_err();
    let send::Failure::Rules(problems) = failure else {
        panic!("expected the rules' problems, got {failure:?}");
    };
    let fields: Vec<Field> = problems.iter().map(|(f, _)| *f).collect();
    assert_eq!(fields, [Field::Title, Field::Body]);
    assert!(proxy.posts.borrow().is_empty());
    assert_eq!(pipeline.tokens.asked.get(), 0);
}

#[wasm_bindgen_test]
async fn a_form_gone_before_the_post_sends_nothing() {
    let proxy = ScriptedProxy::default();
    let pipeline = Pipeline {
        sanitizer: Worker,
        tokens: tokens(Some("page-token"), None),
        post: &proxy,
    };
    let failure = pipeline.send(typed(), "key-1", || true).await.unwrap_err();
    assert_eq!(failure, send::Failure::Abandoned);
    assert!(proxy.posts.borrow().is_empty());
}
