//! Filing tickets through the proxy, and every Moov answer passing back.

use futures_util::future::join_all;
use moov_support::{Ticket, TicketStatus};
use moov_support_sandbox::Fault;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::{ticket, Env, ACCOUNT};

#[tokio::test]
async fn happy_path_returns_the_ticket_with_its_number() {
    let env = Env::start(&[]).await;
    let mut body = ticket();
    body["body"] = json!("<p onclick=\"steal()\">Hi <script>alert(1)</script>there</p>");
    let first = env.post(&body, None).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let t: Ticket = serde_json::from_str(&first.text).unwrap();
    assert_eq!(t.number, 1);
    assert_eq!(t.status, TicketStatus::New);
    assert_eq!(t.title, "Payout missing");
    assert_eq!(t.contact.email, "jordan@example.com");
    assert!(Uuid::parse_str(&t.ticket_id).is_ok());
    assert_eq!(t.foreign_id, None);
    // Moov's own request id comes back beside the proxy's.
    let moov_id = env.moov().last_create_request_id().unwrap();
    assert_eq!(first.moov_request_id(), Some(moov_id.as_str()));
    assert_ne!(first.request_id().to_string(), moov_id);

    let second = env.post(&ticket(), None).await;
    let t2: Ticket = serde_json::from_str(&second.text).unwrap();
    assert_eq!(t2.number, 2);
    assert_ne!(t2.ticket_id, t.ticket_id);

    // What reached Moov is the cleaned body.
    let stored = env.moov().tickets(ACCOUNT);
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].body, "<p>Hi there</p>");
    assert_eq!(stored[0].ticket, t);
}

#[tokio::test]
async fn the_idempotency_key_becomes_the_foreign_id_and_browser_values_are_dropped() {
    let env = Env::start(&[]).await;
    let key = Uuid::new_v4().to_string();
    let mut body = ticket();
    body["foreignID"] = json!("browser-chosen");
    body["author"] = json!("someone-else@example.com");
    let reply = env.post(&body, Some(&key)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["foreignID"], json!(key));
    let stored = &env.moov().tickets(ACCOUNT)[0];
    assert_eq!(stored.ticket.foreign_id.as_deref(), Some(key.as_str()));
    assert_eq!(stored.author, None);

    let bad = env.post(&ticket(), Some("not-a-uuid")).await;
    assert_eq!(bad.status, 400);
    assert!(bad.error().contains("Idempotency-Key"), "{}", bad.text);
    bad.request_id();
}

/// One scripted Moov answer, what the widget must get, and how to check the body.
struct Case {
    fault: Value,
    status: u16,
    check: fn(&Value),
}

#[tokio::test]
async fn every_upstream_status_reaches_the_widget_as_json() {
    let env = Env::start(&[]).await;
    let cases = [
        Case {
            fault: json!({"status": 400, "body": {"error": "title has unsupported characters"}}),
            status: 400,
            check: |b| assert_eq!(b["error"], "title has unsupported characters"),
        },
        Case {
            fault: json!({"status": 400}),
            status: 400,
            check: |b| assert_eq!(b["error"], "sandbox: scripted bad request"),
        },
        Case {
            fault: json!({"status": 403}),
            status: 502,
            check: |b| assert!(b["error"].as_str().unwrap().contains("permissions")),
        },
        Case {
            fault: json!({"status": 404}),
            status: 404,
            check: |b| {
                assert!(b["error"]
                    .as_str()
                    .unwrap()
                    .starts_with("Moov account not found"))
            },
        },
        Case {
            fault: json!({"status": 409, "body": {"error": "duplicate foreignID"}}),
            status: 409,
            check: |b| assert_eq!(b["error"], "duplicate foreignID"),
        },
        Case {
            fault: json!({"status": 422, "body": {"title": "Too vague.", "contact": {"email": "Unknown domain."}}}),
            status: 422,
            check: |b| {
                assert_eq!(
                    b,
                    &json!({"title": "Too vague.", "contact": {"email": "Unknown domain."}})
                )
            },
        },
        Case {
            fault: json!({"status": 422, "body": {"error": "ticket body is not allowed"}}),
            status: 422,
            check: |b| assert_eq!(b, &json!({"error": "ticket body is not allowed"})),
        },
        Case {
            fault: json!({"status": 422, "body": {}}),
            status: 422,
            check: |b| assert_eq!(b, &json!({"error": "Moov rejected the ticket's contents"})),
        },
        Case {
            fault: json!({"status": 500}),
            status: 500,
            check: |b| assert!(b["error"].as_str().unwrap().contains("internal error")),
        },
        Case {
            fault: json!({"status": 504}),
            status: 504,
            check: |b| assert!(b["error"].as_str().unwrap().contains("timed out")),
        },
        Case {
            fault: json!({"status": 503}),
            status: 502,
            check: |b| assert!(b["error"].as_str().unwrap().contains("503")),
        },
        Case {
            fault: json!({"status": 401, "times": 2}),
            status: 502,
            check: |b| assert_eq!(b["error"], "the proxy's Moov credentials were rejected"),
        },
        Case {
            fault: json!({"status": 200, "body": {"ticketID": 5}}),
            status: 502,
            check: |b| assert_eq!(b["error"], "Moov's answer could not be read"),
        },
    ];
    for case in cases {
        let fault: Fault = serde_json::from_value(case.fault.clone()).unwrap();
        env.moov().push_fault(fault);
        let reply = env.post(&ticket(), None).await;
        assert_eq!(reply.status, case.status, "{}: {}", case.fault, reply.text);
        (case.check)(&reply.json());
        // Moov answered, so its request id comes back beside the proxy's.
        assert_eq!(
            reply.moov_request_id(),
            env.moov().last_create_request_id().as_deref(),
            "{}",
            case.fault
        );
        reply.request_id();
        assert_eq!(env.moov().pending_faults(), 0, "{}", case.fault);
    }
    assert!(env.moov().tickets(ACCOUNT).is_empty());
}

#[tokio::test]
async fn rate_limits_keep_retry_after() {
    let env = Env::start(&[]).await;
    env.moov().push_fault(Fault {
        status: Some(429),
        retry_after: Some(2),
        ..Fault::default()
    });
    let reply = env.post(&ticket(), None).await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.header("retry-after"), Some("2"));
    assert!(reply.error().contains("rate limiting"));

    // The sandbox's own limit, not a scripted one.
    env.moov().set_rate_limit(1);
    let ok = env.post(&ticket(), None).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let limited = env.post(&ticket(), None).await;
    assert_eq!(limited.status, 429, "{}", limited.text);
    assert_eq!(limited.header("retry-after"), Some("1"));
    limited.request_id();
}

#[tokio::test]
async fn an_upstream_401_renews_the_token_once_and_retries() {
    let env = Env::start(&[]).await;
    env.moov().push_fault(Fault::status(401));
    let reply = env.post(&ticket(), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(env.moov().token_requests(), 2);
    assert_eq!(env.moov().create_requests(), 2);

    // A token Moov forgot (not a scripted answer) is renewed the same way.
    env.moov().revoke_tokens();
    let reply = env.post(&ticket(), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(env.moov().token_requests(), 3);
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 2);
}

#[tokio::test]
async fn a_late_answer_is_a_504_and_the_retry_finds_the_ticket() {
    let env = Env::start(&[("UPSTREAM_TIMEOUT_MS", "500")]).await;
    // Warm the token cache so the timeout hits the ticket call.
    assert_eq!(env.post(&ticket(), None).await.status, 200);
    env.moov().push_fault(Fault {
        delay_ms: Some(1200),
        ..Fault::default()
    });
    let key = Uuid::new_v4().to_string();
    let late = env.post(&ticket(), Some(&key)).await;
    assert_eq!(late.status, 504, "{}", late.text);
    assert!(late.error().contains("did not answer in time"));
    late.request_id();
    // Moov did store it; retrying with the same key must not file it twice.
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 2);
    let retry = env.post(&ticket(), Some(&key)).await;
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.json()["number"], 2);
    assert_eq!(retry.json()["foreignID"], json!(key));
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 2);
}

#[tokio::test]
async fn a_dropped_connection_is_a_502_and_the_retry_creates_once() {
    let env = Env::start(&[]).await;
    env.moov().push_fault(Fault {
        drop: true,
        ..Fault::default()
    });
    let key = Uuid::new_v4().to_string();
    let dropped = env.post(&ticket(), Some(&key)).await;
    assert_eq!(dropped.status, 502, "{}", dropped.text);
    assert_eq!(dropped.error(), "the proxy could not reach Moov");
    dropped.request_id();
    assert!(env.moov().tickets(ACCOUNT).is_empty());

    let retry = env.post(&ticket(), Some(&key)).await;
    assert_eq!(retry.status, 200, "{}", retry.text);
    // Replayed from the proxy's memory: no second creation at Moov.
    let again = env.post(&ticket(), Some(&key)).await;
    assert_eq!(again.json(), retry.json());
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 1);
    assert_eq!(env.moov().create_requests(), 2);
}

#[tokio::test]
async fn concurrent_submissions_with_one_key_create_one_ticket() {
    let env = Env::start(&[]).await;
    let key = Uuid::new_v4().to_string();
    let replies = futures_join(&env, &key, 5).await;
    let first = replies[0].json();
    for r in &replies {
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json(), first);
    }
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 1);
}

async fn futures_join(env: &Env, key: &str, n: usize) -> Vec<crate::common::Reply> {
    let body = ticket();
    // Polled together so they really overlap at the proxy.
    join_all((0..n).map(|_| env.post(&body, Some(key)))).await
}

#[tokio::test]
async fn shutdown_lets_a_ticket_in_flight_finish() {
    let Env {
        proxy,
        sandbox,
        http: _,
    } = Env::start(&[]).await;
    sandbox.handle.push_fault(Fault {
        delay_ms: Some(600),
        ..Fault::default()
    });
    let base = proxy.url();
    let in_flight = tokio::spawn(async move {
        crate::common::post_to(
            &base,
            &crate::common::token("u-1", ACCOUNT),
            &ticket(),
            None,
        )
        .await
    });
    // Let the request reach the sandbox, then stop the proxy while it waits for Moov.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let stopping = tokio::spawn(proxy.shutdown());
    let reply = in_flight.await.unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["number"], 1);
    stopping.await.unwrap().unwrap();
    assert_eq!(sandbox.handle.tickets(ACCOUNT).len(), 1);
}
