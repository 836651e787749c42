//! The read side: a user's own tickets and messages, and nobody else's.

use moov_support_sandbox::SandboxOptions;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::{ticket, token, Env, ACCOUNT};

fn titled(title: &str) -> Value {
    let mut t = ticket();
    t["title"] = json!(title);
    t
}

#[tokio::test]
async fn lists_pages_and_reads_the_sessions_tickets() {
    let env = Env::start(&[]).await;
    let ann = token("ann", ACCOUNT);
    for title in ["first", "second", "third"] {
        assert_eq!(env.post_as(&ann, &titled(title), None).await.status, 200);
    }
    let page = env.get_as(&ann, "/api/support/tickets?count=2").await;
    assert_eq!(page.status, 200, "{}", page.text);
    let page = page.json();
    let titles: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["third", "second"]);
    let cursor = page["nextPage"]["cursor"].as_str().unwrap();
    let rest = env
        .get_as(
            &ann,
            &format!("/api/support/tickets?count=2&cursor={cursor}"),
        )
        .await
        .json();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["items"][0]["title"], "first");
    assert!(rest.get("nextPage").is_none());
    let closed = env.get_as(&ann, "/api/support/tickets?status=closed").await;
    assert_eq!(closed.json()["items"], json!([]));

    let id = page["items"][0]["ticketID"].as_str().unwrap();
    let one = env
        .get_as(&ann, &format!("/api/support/tickets/{id}"))
        .await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.json(), page["items"][0]);
    one.request_id();

    // Messages: the ticket's body by its contact, then support's reply, cleaned.
    assert!(env.moov().add_reply(
        ACCOUNT,
        id,
        "support@moov.io",
        "<p onclick=\"x()\">We are on it.</p><img src=x onerror=alert(1)><script>alert(2)</script>"
    ));
    let messages = env
        .get_as(&ann, &format!("/api/support/tickets/{id}/messages"))
        .await;
    assert_eq!(messages.status, 200, "{}", messages.text);
    let messages = messages.json();
    assert_eq!(messages[0]["from"], "user");
    assert_eq!(messages[0]["body"], ticket()["body"]);
    assert!(messages[0]["sentOn"].is_string());
    assert_eq!(messages[1]["from"], "support");
    assert_eq!(messages[1]["body"], "<p>We are on it.</p>");
    // Moov's author stays with the proxy.
    assert!(messages[1].get("author").is_none(), "{messages}");
}

#[tokio::test]
async fn bad_read_requests_are_400_or_404() {
    let env = Env::start(&[]).await;
    let ann = token("ann", ACCOUNT);
    for path in [
        "/api/support/tickets?count=0",
        "/api/support/tickets?count=500",
        "/api/support/tickets?status=open",
        "/api/support/tickets/a%20b",
        "/api/support/tickets/a%2Fb/messages",
        "/api/support/tickets/%C3%A9",
        "/api/support/tickets?cursor=17",
    ] {
        let reply = env.get_as(&ann, path).await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.text);
        assert!(!reply.error().is_empty());
    }
    let unknown = Uuid::new_v4();
    let long = "x".repeat(129);
    let reply = env
        .get_as(&ann, &format!("/api/support/tickets/{long}"))
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    for path in [
        // Ids are Moov's, opaque: not only UUIDs.
        "/api/support/tickets/not-a-uuid".to_owned(),
        "/api/support/tickets/TCK_1.2~3/messages".to_owned(),
        format!("/api/support/tickets/{unknown}"),
        format!("/api/support/tickets/{unknown}/messages"),
    ] {
        let reply = env.get_as(&ann, &path).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.text);
        assert_eq!(reply.error(), "no such ticket on this account");
    }
    let anonymous = env.get_as("", "/api/support/tickets").await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn a_session_for_one_account_never_reaches_anothers_tickets() {
    let other = Uuid::new_v4();
    let env = Env::start_with(
        SandboxOptions {
            accounts: vec![ACCOUNT, other],
            ..SandboxOptions::default()
        },
        &[],
    )
    .await;
    let ann = token("ann", ACCOUNT);
    let bob = token("bob", other);
    let a = env.post_as(&ann, &titled("ann's"), None).await.json();
    let b = env.post_as(&bob, &titled("bob's"), None).await.json();
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 1);
    assert_eq!(env.moov().tickets(other).len(), 1);

    for (session, own, foreign) in [(&ann, &a, &b), (&bob, &b, &a)] {
        let list = env.get_as(session, "/api/support/tickets").await.json();
        assert_eq!(list["items"], json!([own.clone()]));
        let id = foreign["ticketID"].as_str().unwrap();
        for path in [
            format!("/api/support/tickets/{id}"),
            format!("/api/support/tickets/{id}/messages"),
            // Query and path tricks do not change the account.
            format!("/api/support/tickets/{id}?accountID={other}"),
        ] {
            let reply = env.get_as(session, &path).await;
            assert_eq!(reply.status, 404, "{path}: {}", reply.text);
        }
        let own_id = own["ticketID"].as_str().unwrap();
        let mine = env
            .get_as(session, &format!("/api/support/tickets/{own_id}"))
            .await;
        assert_eq!(mine.status, 200);
    }
    let listed = env
        .get_as(&ann, &format!("/api/support/tickets?accountID={other}"))
        .await
        .json();
    assert_eq!(listed["items"], json!([a]));
}
