//! Who sees which ticket, over HTTP: the list, a ticket, its messages and closing it apply
//! one rule, and a ticket outside it is a 404 exactly like one that does not exist.

use moov_support_proxy::session::unix_now;
use moov_support_proxy::SupportScope;
use moov_support_sandbox::{SandboxOptions, SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::{client, session_token, ticket, Env, Reply, ACCOUNT};

fn session(user: &str, email: Option<&str>, scope: SupportScope) -> String {
    session_token(user, ACCOUNT, email, scope, unix_now() + 600)
}

fn for_contact(email: &str, title: &str) -> Value {
    let mut t = ticket();
    t["contact"]["email"] = json!(email);
    t["title"] = json!(title);
    t
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["ticketID"].as_str().unwrap().to_owned())
        .collect()
}

/// The three per-ticket routes, as `session`: (get, messages, close).
async fn reach(env: &Env, session: &str, id: &str) -> [Reply; 3] {
    let path = format!("/api/support/tickets/{id}");
    [
        env.get_as(session, &path).await,
        env.get_as(session, &format!("{path}/messages")).await,
        env.patch_as(session, &path, r#"{"status":"closed"}"#).await,
    ]
}

#[tokio::test]
async fn each_user_sees_their_own_and_an_account_scope_sees_all() {
    let env = Env::start(&[]).await;
    let ann = session("ann", Some("Ann@Example.com "), SupportScope::Own);
    let bob = session("bob", Some("bob@example.com"), SupportScope::Own);
    let admin = session("admin", Some("ops@partner.example"), SupportScope::Account);
    let a = env
        .post_as(&ann, &for_contact("ann@example.com", "ann's"), None)
        .await
        .json()["ticketID"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = env
        .post_as(&bob, &for_contact("bob@example.com", "bob's"), None)
        .await
        .json()["ticketID"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = |s: String| {
        let env = &env;
        async move { ids(&env.get_as(&s, "/api/support/tickets").await.json()) }
    };
    assert_eq!(list(ann.clone()).await, vec![a.clone()]);
    assert_eq!(list(bob.clone()).await, vec![b.clone()]);
    assert_eq!(list(admin.clone()).await, [b.clone(), a.clone()]);

    let missing = reach(&env, &ann, &Uuid::new_v4().to_string()).await;
    let hidden = reach(&env, &ann, &b).await;
    for (m, h) in missing.iter().zip(&hidden) {
        assert_eq!(m.status, 404, "{}", m.text);
        assert_eq!((h.status, &h.text), (m.status, &m.text));
    }
    // Bob's ticket is untouched by Ann's attempt to close it.
    assert_eq!(env.moov().tickets(ACCOUNT)[1].ticket.status.as_str(), "new");
    let [get, messages, close] = reach(&env, &admin, &b).await;
    assert_eq!((get.status, messages.status), (200, 200));
    assert_eq!(close.status, 200, "{}", close.text);
    assert_eq!(close.json()["status"], "closed");
    let [get, _, _] = reach(&env, &ann, &a).await;
    assert_eq!(get.status, 200);
}

#[tokio::test]
async fn a_session_without_email_sees_what_it_filed() {
    let env = Env::start(&[]).await;
    let anon = session("anon-1", None, SupportScope::Own);
    let other = session("anon-2", None, SupportScope::Own);
    let mine = env
        .post_as(&anon, &for_contact("typed@example.com", "mine"), None)
        .await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    let mine = mine.json()["ticketID"].as_str().unwrap().to_owned();
    // The same contact filed by someone else stays theirs.
    let theirs = env
        .post_as(&other, &for_contact("typed@example.com", "theirs"), None)
        .await
        .json()["ticketID"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        ids(&env.get_as(&anon, "/api/support/tickets").await.json()),
        vec![mine.clone()]
    );
    for reply in reach(&env, &anon, &theirs).await {
        assert_eq!(reply.status, 404, "{}", reply.text);
    }
    let [get, messages, close] = reach(&env, &anon, &mine).await;
    assert_eq!((get.status, messages.status, close.status), (200, 200, 200));
    assert_eq!(messages.json()[0]["from"], "user");
    // Someone with the contact's email sees both: the email decides, not who filed.
    let typed = session("typed", Some("typed@example.com"), SupportScope::Own);
    assert_eq!(
        ids(&env.get_as(&typed, "/api/support/tickets").await.json()),
        [theirs, mine]
    );
}

#[tokio::test]
async fn another_accounts_ticket_is_404_on_every_route() {
    let other = Uuid::new_v4();
    let env = Env::start_with(
        SandboxOptions {
            accounts: vec![ACCOUNT, other],
            ..SandboxOptions::default()
        },
        &[],
    )
    .await;
    let admin_elsewhere =
        session_token("eve", other, None, SupportScope::Account, unix_now() + 600);
    let foreign = env
        .post_as(&admin_elsewhere, &for_contact("ann@example.com", "x"), None)
        .await
        .json()["ticketID"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin_here = session("admin", None, SupportScope::Account);
    for reply in reach(&env, &admin_here, &foreign).await {
        assert_eq!(reply.status, 404, "{}", reply.text);
        assert_eq!(reply.error(), "no such ticket on this account");
    }
    for (path, body) in [
        ("/api/support/tickets/a%2Fb", r#"{"status":"closed"}"#),
        ("/api/support/tickets/%20", r#"{"status":"closed"}"#),
    ] {
        let reply = env.patch_as(&admin_here, path, body).await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.text);
    }
    assert_eq!(env.moov().tickets(other)[0].ticket.status.as_str(), "new");
}

#[tokio::test]
async fn closing_is_the_one_update_and_twice_is_harmless() {
    let env = Env::start(&[]).await;
    let ann = session("ann", Some("ann@example.com"), SupportScope::Own);
    let id = env
        .post_as(&ann, &for_contact("ann@example.com", "x"), None)
        .await
        .json()["ticketID"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/support/tickets/{id}");
    for (body, status) in [
        (r#"{"status":"open"}"#, 422),
        (r#"{"status":"in-progress"}"#, 422),
        (r#"{}"#, 422),
        (r#"{"status":"closed""#, 400),
        (r#"["closed"]"#, 400),
        ("", 400),
    ] {
        let reply = env.patch_as(&ann, &path, body).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.text);
        if status == 422 {
            assert!(reply.json()["status"].is_string(), "{}", reply.text);
            assert!(reply.json().get("error").is_none());
        }
    }
    assert_eq!(env.moov().tickets(ACCOUNT)[0].ticket.status.as_str(), "new");
    let first = env.patch_as(&ann, &path, r#"{"status":"closed"}"#).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let closed = first.json();
    assert_eq!(closed["status"], "closed");
    assert!(closed["closedOn"].is_string());
    assert!(first.moov_request_id().is_some());
    let again = env.patch_as(&ann, &path, r#"{"status":"closed"}"#).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json()["closedOn"], closed["closedOn"]);
    assert_eq!(env.get_as(&ann, &path).await.json()["status"], "closed");

    // A browser on the partner's page may send PATCH.
    let preflight = Reply::read(
        client()
            .request(reqwest::Method::OPTIONS, env.url(&path))
            .header("origin", "https://partner.example")
            .header("access-control-request-method", "PATCH")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(preflight.status, 200, "{}", preflight.text);
    let methods = preflight
        .header("access-control-allow-methods")
        .unwrap()
        .to_owned();
    assert!(methods.contains("PATCH"), "{methods}");
}

/// Files `n` tickets for `email` straight at the sandbox, as Moov would hold them.
async fn seed(env: &Env, n: usize, email: &str) {
    let url = format!("{}/accounts/{ACCOUNT}/tickets", env.sandbox.url());
    let http = client();
    for i in 0..n {
        let reply = http
            .post(&url)
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .header("x-moov-version", "v2025.07.00")
            .json(&for_contact(email, &format!("seed {i}")))
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200, "{}", reply.text().await.unwrap());
    }
}

#[tokio::test]
async fn pages_count_visible_tickets_and_stop_after_five_moov_pages() {
    let env = Env::start_with(
        SandboxOptions {
            rate_limit_per_second: 100_000,
            ..SandboxOptions::default()
        },
        &[],
    )
    .await;
    let ann = session("ann", Some("ann@example.com"), SupportScope::Own);
    // Ann's oldest ticket lies beyond five of Moov's pages of other people's tickets.
    seed(&env, 1, "ann@example.com").await;
    seed(&env, 1000, "someone@example.com").await;
    // Then hers and others' interleaved.
    for i in 0..5 {
        seed(&env, 1, "ann@example.com").await;
        seed(&env, 3 + i, "someone@example.com").await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let path = match &cursor {
            None => "/api/support/tickets?count=2".to_owned(),
            Some(c) => format!("/api/support/tickets?count=2&cursor={c}"),
        };
        let page = env.get_as(&ann, &path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let page = page.json();
        pages.push(ids(&page).len());
        seen.extend(ids(&page));
        match page["nextPage"]["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(pages.len() < 10, "{pages:?}");
    }
    // Two full pages of the recent five; the third finds the fifth, then reads Moov's pages
    // up to the bound and answers one ticket with a cursor; the fourth finds the oldest.
    assert_eq!(pages, [2, 2, 1, 1]);
    let mut expected: Vec<String> = env
        .moov()
        .tickets(ACCOUNT)
        .into_iter()
        .filter(|t| t.ticket.contact.email == "ann@example.com")
        .map(|t| t.ticket.ticket_id)
        .collect();
    expected.reverse();
    assert_eq!(seen, expected);
}
