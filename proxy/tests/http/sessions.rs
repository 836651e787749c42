//! Who may file tickets, and on which account.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use moov_support_proxy::config::Secret;
use moov_support_proxy::session::{unix_now, ResolveFuture, SessionError};
use moov_support_proxy::{Config, JwtSessions, Proxy, Session, SessionResolver};
use moov_support_sandbox::{SandboxOptions, DEMO_ACCOUNT_ID};
use reqwest::header::{HeaderMap, AUTHORIZATION, COOKIE};
use serde_json::json;
use uuid::Uuid;

use crate::common::{client, signed, ticket, token, vars, Env, Reply, ACCOUNT, SECRET};

#[tokio::test]
async fn bad_session_tokens_are_401_with_a_reason() {
    let env = Env::start(&[]).await;
    let now = unix_now();
    let none_alg = format!(
        "{}.{}.",
        B64.encode(br#"{"alg":"none","typ":"JWT"}"#),
        B64.encode(
            json!({"sub": "u-1", "moov_account_id": ACCOUNT.to_string(), "exp": now + 600})
                .to_string()
        )
    );
    let cases: Vec<(Option<String>, &str)> = vec![
        (None, "missing bearer token"),
        (
            Some("Basic dTpw".into()),
            "the Authorization header must be `Bearer <session token>`",
        ),
        (
            Some("Bearer not-a-jwt".into()),
            "session token is malformed",
        ),
        (
            Some(format!(
                "Bearer {}",
                signed("u-1", ACCOUNT, now - 3600, SECRET)
            )),
            "session token expired",
        ),
        (
            Some(format!(
                "Bearer {}",
                signed(
                    "u-1",
                    ACCOUNT,
                    now + 600,
                    "some-other-secret-some-other-secret"
                )
            )),
            "session token signature invalid",
        ),
        (
            Some(format!("Bearer {none_alg}")),
            "session token must be signed with HS256",
        ),
        (
            Some(format!(
                "Bearer {}",
                signed("u-1", ACCOUNT, now + 3 * 3600, SECRET)
            )),
            "session token lives too long: exp must be at most 2 hours ahead",
        ),
    ];
    for (auth, message) in cases {
        let mut req = env
            .http
            .post(env.url("/api/support/tickets"))
            .json(&ticket());
        if let Some(a) = &auth {
            req = req.header(AUTHORIZATION, a);
        }
        let reply = Reply::read(req.send().await.unwrap()).await;
        assert_eq!(reply.status, 401, "{auth:?}: {}", reply.text);
        assert_eq!(reply.error(), message, "{auth:?}");
        assert!(reply.header("www-authenticate").is_some());
        reply.request_id();
    }
    // Nothing reached Moov.
    assert_eq!(env.moov().create_requests(), 0);
    assert_eq!(env.moov().token_requests(), 0);
}

#[tokio::test]
async fn the_account_comes_from_the_session_only() {
    let other = Uuid::new_v4();
    let options = SandboxOptions {
        accounts: vec![DEMO_ACCOUNT_ID, other],
        ..SandboxOptions::default()
    };
    let env = Env::start_with(options, &[]).await;
    let mut body = ticket();
    body["accountID"] = json!(other.to_string());
    body["moov_account_id"] = json!(other.to_string());
    body["account"] = json!({"id": other.to_string()});
    let url = format!(
        "{}?accountID={other}&moov_account_id={other}",
        env.url("/api/support/tickets")
    );
    let reply = Reply::read(
        env.http
            .post(url)
            .bearer_auth(token("u-1", ACCOUNT))
            .header("x-moov-account-id", other.to_string())
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 1);
    assert!(env.moov().tickets(other).is_empty());

    // A session for the other account files there.
    let reply = env.post_as(&token("u-2", other), &ticket(), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["number"], 1);
    assert_eq!(env.moov().tickets(other).len(), 1);
    // The account path is not a route of the proxy at all.
    let path = Reply::read(
        env.http
            .post(env.url(&format!("/api/support/accounts/{other}/tickets")))
            .bearer_auth(token("u-1", ACCOUNT))
            .json(&ticket())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(path.status, 404);
    assert_eq!(env.moov().tickets(other).len(), 1);
}

/// A partner whose users have cookie sessions.
struct CookieSessions;

impl SessionResolver for CookieSessions {
    fn resolve<'a>(&'a self, headers: &'a HeaderMap) -> ResolveFuture<'a> {
        Box::pin(async move {
            let cookie = headers
                .get(COOKIE)
                .and_then(|c| c.to_str().ok())
                .ok_or(SessionError::Rejected("sign in first".into()))?;
            if cookie != "sid=valid" {
                return Err(SessionError::Rejected("your session has ended".into()));
            }
            Ok(Session {
                user_id: "cookie-user".into(),
                account_id: DEMO_ACCOUNT_ID,
                email: None,
                name: None,
                scope: moov_support_proxy::SupportScope::Own,
                expires_at: None,
            })
        })
    }
}

#[tokio::test]
async fn partners_can_plug_in_their_own_sessions() {
    let env = Env::start(&[]).await;
    let config = Config::from_map(&vars(&[
        ("MOOV_BASE_URL", &env.sandbox.url()),
        ("MOOV_PUBLIC_KEY", moov_support_sandbox::SANDBOX_PUBLIC_KEY),
        ("MOOV_SECRET_KEY", moov_support_sandbox::SANDBOX_SECRET_KEY),
        ("SESSION_SECRET", SECRET),
        ("PROXY_ADDR", "127.0.0.1:0"),
    ]))
    .unwrap();
    let proxy = Proxy::new(config)
        .with_session_resolver(Arc::new(CookieSessions))
        .start()
        .await
        .unwrap();
    let url = format!("{}/api/support/tickets", proxy.url());
    let http = client();
    let ok = Reply::read(
        http.post(&url)
            .header(COOKIE, "sid=valid")
            .json(&ticket())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let refused = Reply::read(
        http.post(&url)
            .header(COOKIE, "sid=old")
            .json(&ticket())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.error(), "your session has ended");
    // A bearer token means nothing to this partner.
    let bearer = env.post_as(&token("u-1", ACCOUNT), &ticket(), None).await;
    assert_eq!(bearer.status, 200, "the default proxy still accepts JWTs");
    let bearer_here = Reply::read(
        http.post(&url)
            .bearer_auth(token("u-1", ACCOUNT))
            .json(&ticket())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(bearer_here.status, 401);
    proxy.shutdown().await.unwrap();
}

/// A session token carrying `email` and `name` claims, or none.
fn with_contact(sub: &str, email: Option<&str>, name: Option<&str>) -> String {
    JwtSessions::new(&Secret::new(SECRET)).mint(
        &Session {
            user_id: sub.into(),
            account_id: ACCOUNT,
            email: email.map(str::to_owned),
            name: name.map(str::to_owned),
            scope: moov_support_proxy::SupportScope::Own,
            expires_at: None,
        },
        unix_now() + 600,
    )
}

#[tokio::test]
async fn a_locked_contact_is_the_sessions_whatever_the_browser_sends() {
    let env = Env::start(&[("LOCK_CONTACT", "true")]).await;
    let mut body = ticket();
    body["contact"] = json!({"email": "attacker@example.net", "name": "Mallory"});
    let session = with_contact("u-1", Some("ann@partner.example"), Some("Ann Lee"));
    let reply = env.post_as(&session, &body, None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let stored = &env.moov().tickets(ACCOUNT)[0].ticket.contact;
    assert_eq!(
        (stored.email.as_str(), stored.name.as_deref()),
        ("ann@partner.example", Some("Ann Lee"))
    );
    assert_eq!(
        reply.json()["contact"],
        json!({"email": "ann@partner.example", "name": "Ann Lee"})
    );
    // Without a name claim the ticket has no name, not the browser's.
    let nameless = with_contact("u-2", Some("bo@partner.example"), None);
    let reply = env.post_as(&nameless, &body, None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json()["contact"],
        json!({"email": "bo@partner.example"})
    );
}

#[tokio::test]
async fn a_locked_contact_needs_an_email_in_the_session() {
    let env = Env::start(&[("LOCK_CONTACT", "true")]).await;
    let session = with_contact("no-email-user", None, Some("Ann Lee"));
    let reply = env.post_as(&session, &ticket(), None).await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert!(reply.error().contains("no email"), "{}", reply.text);
    reply.request_id();
    assert_eq!(env.moov().create_requests(), 0);
    assert!(crate::logs::text()
        .lines()
        .any(|l| l.contains("WARN") && l.contains("no-email-user") && l.contains("LOCK_CONTACT")));
}

#[tokio::test]
async fn an_unlocked_contact_is_the_browsers() {
    let env = Env::start(&[("LOCK_CONTACT", "off")]).await;
    let session = with_contact("u-1", Some("ann@partner.example"), None);
    let reply = env.post_as(&session, &ticket(), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["contact"], ticket()["contact"]);
}
