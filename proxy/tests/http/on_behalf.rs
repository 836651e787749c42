//! On-behalf mode: the partner's own scopes act for the session's account.

use moov_support_sandbox::{
    self as sandbox, SandboxOptions, DEMO_ACCOUNT_ID, PARTNER_ACCOUNT_ID, SANDBOX_PUBLIC_KEY,
    SANDBOX_SECRET_KEY,
};
use uuid::Uuid;

use crate::common::{client, loopback, ticket, token, Env, Reply, ACCOUNT};

#[tokio::test]
async fn the_proxy_files_and_reads_with_partner_scopes() {
    let partner = PARTNER_ACCOUNT_ID.to_string();
    let env = Env::start(&[("MOOV_PARTNER_ACCOUNT_ID", &partner)]).await;
    let ann = token("ann", ACCOUNT);
    let created = env.post_as(&ann, &ticket(), None).await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 1);
    assert!(env.moov().tickets(PARTNER_ACCOUNT_ID).is_empty());
    let list = env.get_as(&ann, "/api/support/tickets").await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.json()["items"][0], created.json());
    // One token for writing and one for reading, each with the on-behalf pair of scopes.
    assert_eq!(env.moov().token_requests(), 2);
}

#[tokio::test]
async fn a_partner_id_that_may_not_act_for_the_account_is_the_proxys_problem() {
    let stranger = Uuid::new_v4();
    let env = Env::start_with(
        SandboxOptions {
            accounts: vec![ACCOUNT, stranger],
            ..SandboxOptions::default()
        },
        &[("MOOV_PARTNER_ACCOUNT_ID", &stranger.to_string())],
    )
    .await;
    let reply = env.post(&ticket(), None).await;
    assert_eq!(reply.status, 502, "{}", reply.text);
    assert!(reply.error().contains("permissions"), "{}", reply.text);
    assert!(env.moov().tickets(ACCOUNT).is_empty());
}

#[tokio::test]
async fn the_sandbox_needs_both_on_behalf_scopes() {
    let sb = sandbox::spawn(SandboxOptions::default(), loopback())
        .await
        .unwrap();
    let http = client();
    let token_for = |scope: String| {
        let http = http.clone();
        let url = format!("{}/oauth2/token", sb.url());
        async move {
            let r = Reply::read(
                http.post(url)
                    .header("origin", "https://partner.example")
                    .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
                    .form(&[("grant_type", "client_credentials"), ("scope", &scope)])
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.json()["access_token"].as_str().unwrap().to_owned()
        }
    };
    let create = |access: String| {
        let http = http.clone();
        let url = format!("{}/accounts/{DEMO_ACCOUNT_ID}/tickets", sb.url());
        async move {
            Reply::read(
                http.post(url)
                    .bearer_auth(access)
                    .header("x-moov-version", "v2025.07.00")
                    .json(&ticket())
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let p = PARTNER_ACCOUNT_ID;
    let a = DEMO_ACCOUNT_ID;
    for (scope, want) in [
        (
            format!("/accounts/{p}/tickets.write /accounts/{a}/profile.read"),
            200,
        ),
        (format!("/accounts/{p}/tickets.write"), 403),
        (
            format!("/accounts/{p}/tickets.read /accounts/{a}/profile.read"),
            403,
        ),
        (format!("/accounts/{a}/profile.read"), 403),
        (format!("/accounts/{a}/tickets.write"), 200),
    ] {
        let reply = create(token_for(scope.clone()).await).await;
        assert_eq!(reply.status, want, "{scope}: {}", reply.text);
    }
    sb.shutdown().await;
}
