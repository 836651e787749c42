//! One Idempotency-Key, one ticket: retries, overlaps, refusals and a changed ticket.

use std::time::{Duration, Instant};

use moov_support_sandbox::Fault;
use serde_json::json;
use uuid::Uuid;

use crate::common::{post_to, ticket, token, Env, ACCOUNT};

#[tokio::test]
async fn the_same_key_with_another_ticket_is_409() {
    let env = Env::start(&[]).await;
    let key = Uuid::new_v4().to_string();
    let first = env.post(&ticket(), Some(&key)).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let mut changed = ticket();
    changed["body"] = json!("<p>Something else entirely.</p>");
    let conflict = env.post(&changed, Some(&key)).await;
    assert_eq!(conflict.status, 409, "{}", conflict.text);
    assert!(
        conflict.error().contains("different ticket"),
        "{}",
        conflict.text
    );
    conflict.request_id();
    changed = ticket();
    changed["contact"]["email"] = json!("someone.else@example.com");
    assert_eq!(env.post(&changed, Some(&key)).await.status, 409);
    // The original ticket still replays, and what the cleaner removes does not count.
    let mut same = ticket();
    same["body"] = json!(format!(
        "{}<script>x</script>",
        ticket()["body"].as_str().unwrap()
    ));
    let replay = env.post(&same, Some(&key)).await;
    assert_eq!(replay.status, 200, "{}", replay.text);
    assert_eq!(replay.json(), first.json());
    assert_eq!(env.moov().create_requests(), 1);
}

#[tokio::test]
async fn retries_with_one_key_create_one_ticket() {
    let env = Env::start(&[]).await;
    let key = Uuid::new_v4().to_string();
    env.moov().push_fault(Fault::status(500));
    let failed = env.post(&ticket(), Some(&key)).await;
    assert_eq!(failed.status, 500, "{}", failed.text);
    let mut numbers = Vec::new();
    for _ in 0..4 {
        let r = env.post(&ticket(), Some(&key)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        numbers.push(r.json()["number"].clone());
    }
    assert!(numbers.iter().all(|n| *n == numbers[0]));
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 1);
    // The failed attempt and one creation; the rest were answered from the record.
    assert_eq!(env.moov().create_requests(), 2);
}

#[tokio::test]
async fn a_retry_while_the_first_is_in_flight_waits_for_it() {
    let env = Env::start(&[]).await;
    assert_eq!(env.post(&ticket(), None).await.status, 200);
    env.moov().push_fault(Fault {
        delay_ms: Some(600),
        ..Fault::default()
    });
    let key = Uuid::new_v4().to_string();
    let started = Instant::now();
    let body = ticket();
    let (first, second) = tokio::join!(env.post(&body, Some(&key)), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        env.post(&body, Some(&key)).await
    });
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(first.json(), second.json());
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(env.moov().create_requests(), 2);
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 2);
}

#[tokio::test]
async fn a_refused_ticket_may_be_corrected_under_the_same_key() {
    let env = Env::start(&[]).await;
    let key = Uuid::new_v4().to_string();
    env.moov().push_fault(Fault {
        status: Some(422),
        body: Some(json!({"title": "Moov wants a better subject."})),
        ..Fault::default()
    });
    let refused = env.post(&ticket(), Some(&key)).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let mut corrected = ticket();
    corrected["title"] = json!("A better subject");
    let ok = env.post(&corrected, Some(&key)).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json()["title"], "A better subject");
}

#[tokio::test]
async fn keys_belong_to_one_account() {
    let other = Uuid::new_v4();
    let env = Env::start_with(
        moov_support_sandbox::SandboxOptions {
            accounts: vec![ACCOUNT, other],
            ..Default::default()
        },
        &[],
    )
    .await;
    let key = Uuid::new_v4().to_string();
    let a = env
        .post_as(&token("ann", ACCOUNT), &ticket(), Some(&key))
        .await;
    let b = env
        .post_as(&token("bob", other), &ticket(), Some(&key))
        .await;
    assert_eq!((a.status, b.status), (200, 200), "{} {}", a.text, b.text);
    // Bob's retry is not answered with Ann's ticket.
    assert_ne!(a.json()["ticketID"], b.json()["ticketID"]);
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 1);
    assert_eq!(env.moov().tickets(other).len(), 1);
}

#[tokio::test]
async fn a_key_moov_holds_for_another_ticket_is_409() {
    let env = Env::start(&[]).await;
    let key = Uuid::new_v4().to_string();
    let first = env.post(&ticket(), Some(&key)).await;
    assert_eq!(first.status, 200, "{}", first.text);
    // A fresh instance with its own memory has no record of the key: it asks Moov first.
    let other = env.another_proxy(&[]).await;
    let session = token("u-1", ACCOUNT);
    let changes = [
        ("/title", json!("Another subject")),
        ("/contact/email", json!("someone.else@example.com")),
        ("/contact/name", json!("Someone Else")),
    ];
    for (field, value) in changes {
        let mut changed = ticket();
        *changed.pointer_mut(field).unwrap() = value;
        let reply = post_to(&other.url(), &session, &changed, Some(&key)).await;
        assert_eq!(reply.status, 409, "{field}: {}", reply.text);
        assert!(reply.error().contains("different ticket"), "{}", reply.text);
    }
    // The ticket Moov holds is still the answer to its own retry.
    let same = post_to(&other.url(), &session, &ticket(), Some(&key)).await;
    assert_eq!(same.status, 200, "{}", same.text);
    assert_eq!(same.json(), first.json());
    assert_eq!(env.moov().create_requests(), 1);
}
