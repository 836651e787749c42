//! The sandbox on its own, as Moov's API is documented.

use moov_support_sandbox::{
    self as sandbox, RunningSandbox, SandboxOptions, DEMO_ACCOUNT_ID, SANDBOX_PUBLIC_KEY,
    SANDBOX_SECRET_KEY,
};
use reqwest::RequestBuilder;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::{client, loopback, ticket, Reply};

const VERSION: &str = "v2025.07.00";

async fn start() -> RunningSandbox {
    sandbox::spawn(SandboxOptions::default(), loopback())
        .await
        .unwrap()
}

async fn send(req: RequestBuilder) -> Reply {
    let reply = Reply::read(req.send().await.unwrap()).await;
    // Every answer carries a request id.
    reply.request_id();
    reply
}

fn token_request(sb: &RunningSandbox) -> RequestBuilder {
    client()
        .post(format!("{}/oauth2/token", sb.url()))
        .header("origin", "https://partner.example")
}

fn write_scope() -> String {
    format!("/accounts/{DEMO_ACCOUNT_ID}/tickets.write")
}

async fn access_token(sb: &RunningSandbox, scope: &str) -> String {
    let reply = send(
        token_request(sb)
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .form(&[("grant_type", "client_credentials"), ("scope", scope)]),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["access_token"].as_str().unwrap().to_owned()
}

fn tickets_url(sb: &RunningSandbox, account: Uuid) -> String {
    format!("{}/accounts/{account}/tickets", sb.url())
}

#[tokio::test]
async fn the_token_endpoint_follows_moovs_rules() {
    let sb = start().await;
    let scope = format!("{} /accounts/{DEMO_ACCOUNT_ID}/tickets.read", write_scope());
    let form = [
        ("grant_type", "client_credentials"),
        ("scope", scope.as_str()),
    ];

    let ok = send(
        token_request(&sb)
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .form(&form),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let t = ok.json();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 900);
    assert_eq!(t["scope"], scope.as_str());
    assert!(t["refresh_token"].is_string() && t["access_token"].is_string());

    // Keys in a JSON body or a form body work too.
    let json_body = send(token_request(&sb).json(&json!({
        "grant_type": "client_credentials", "scope": write_scope(),
        "client_id": SANDBOX_PUBLIC_KEY, "client_secret": SANDBOX_SECRET_KEY,
    })))
    .await;
    assert_eq!(json_body.status, 200, "{}", json_body.text);
    let form_body = send(token_request(&sb).form(&[
        ("grant_type", "client_credentials"),
        ("scope", write_scope().as_str()),
        ("client_id", SANDBOX_PUBLIC_KEY),
        ("client_secret", SANDBOX_SECRET_KEY),
    ]))
    .await;
    assert_eq!(form_body.status, 200, "{}", form_body.text);

    sb.handle.set_expires_in_as_timestamp(true);
    let ts = send(
        token_request(&sb)
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .form(&form),
    )
    .await;
    let expires = ts.json()["expires_in"].as_i64().unwrap();
    let now = moov_support_proxy::session::unix_now();
    assert!((now + 890..=now + 910).contains(&expires), "{expires}");

    let no_origin = send(
        client()
            .post(format!("{}/oauth2/token", sb.url()))
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .form(&form),
    )
    .await;
    assert_eq!(no_origin.status, 400);
    assert!(no_origin.json()["error"]
        .as_str()
        .unwrap()
        .contains("Origin"));
    let referer = send(
        client()
            .post(format!("{}/oauth2/token", sb.url()))
            .header("referer", "https://partner.example/settings")
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .form(&form),
    )
    .await;
    assert_eq!(referer.status, 200);

    let bad_key = send(
        token_request(&sb)
            .basic_auth(SANDBOX_PUBLIC_KEY, Some("wrong"))
            .form(&form),
    )
    .await;
    assert_eq!(bad_key.status, 401);
    let no_key = send(token_request(&sb).form(&form)).await;
    assert_eq!(no_key.status, 401);
    let grant = send(
        token_request(&sb)
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .form(&[
                ("grant_type", "password"),
                ("scope", write_scope().as_str()),
            ]),
    )
    .await;
    assert_eq!(grant.status, 400);
    let stranger = format!("/accounts/{}/tickets.write", Uuid::new_v4());
    let unknown = send(
        token_request(&sb)
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", stranger.as_str()),
            ]),
    )
    .await;
    assert_eq!(unknown.status, 403);
    let nonsense = send(
        token_request(&sb)
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", "/everything"),
            ]),
    )
    .await;
    assert_eq!(nonsense.status, 400);
    assert_eq!(sb.handle.token_requests(), 11);
}

#[tokio::test]
async fn creating_tickets_checks_auth_version_scope_and_account() {
    let sb = start().await;
    let url = tickets_url(&sb, DEMO_ACCOUNT_ID);
    let write = access_token(&sb, &write_scope()).await;
    let read = access_token(&sb, &format!("/accounts/{DEMO_ACCOUNT_ID}/tickets.read")).await;
    let post = || client().post(&url).json(&ticket());

    assert_eq!(
        send(post().header("x-moov-version", VERSION)).await.status,
        401
    );
    assert_eq!(
        send(
            post()
                .header("x-moov-version", VERSION)
                .bearer_auth("sbx_at_made_up")
        )
        .await
        .status,
        401
    );
    let no_version = send(post().bearer_auth(&write)).await;
    assert_eq!(no_version.status, 404);
    assert!(no_version.json()["error"]
        .as_str()
        .unwrap()
        .contains("v2024.01.00"));
    let old = send(
        post()
            .bearer_auth(&write)
            .header("x-moov-version", "v2025.04.00"),
    )
    .await;
    assert_eq!(old.status, 404);
    let garbled = send(
        post()
            .bearer_auth(&write)
            .header("x-moov-version", "newest"),
    )
    .await;
    assert_eq!(garbled.status, 400);
    let read_only = send(post().bearer_auth(&read).header("x-moov-version", VERSION)).await;
    assert_eq!(read_only.status, 403);
    let unknown = send(
        client()
            .post(tickets_url(&sb, Uuid::new_v4()))
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .header("x-moov-version", VERSION)
            .json(&ticket()),
    )
    .await;
    assert_eq!(unknown.status, 404);
    let not_uuid = send(
        client()
            .post(format!("{}/accounts/acct-1/tickets", sb.url()))
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .header("x-moov-version", VERSION)
            .json(&ticket()),
    )
    .await;
    assert_eq!(not_uuid.status, 404);
    assert!(sb.handle.tickets(DEMO_ACCOUNT_ID).is_empty());

    let invalid = send(
        post()
            .bearer_auth(&write)
            .header("x-moov-version", VERSION)
            .json(&json!({"title": "", "body": "<p>hi</p>", "contact": {"email": "x"}})),
    )
    .await;
    assert_eq!(invalid.status, 422);
    let fields = invalid.json();
    assert!(fields["title"].is_string() && fields["contact"]["email"].is_string());
    assert!(fields.get("error").is_none());
    let malformed = send(
        client()
            .post(&url)
            .bearer_auth(&write)
            .header("x-moov-version", VERSION)
            .header("content-type", "application/json")
            .body("{"),
    )
    .await;
    assert_eq!(malformed.status, 400);
    assert!(malformed.json()["error"].is_string());

    // Both ways of authenticating create, numbered per account.
    let by_token = send(
        post()
            .bearer_auth(&write)
            .header("x-moov-version", "v2026.01.00"),
    )
    .await;
    assert_eq!(by_token.status, 200, "{}", by_token.text);
    let by_key = send(
        post()
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .header("x-moov-version", VERSION),
    )
    .await;
    assert_eq!(by_key.status, 200);
    let (a, b) = (by_token.json(), by_key.json());
    assert_eq!(
        (a["number"].as_i64(), b["number"].as_i64()),
        (Some(1), Some(2))
    );
    assert_eq!(a["status"], "new");
    for field in ["createdOn", "updatedOn"] {
        let ts = a[field].as_str().unwrap();
        assert!(ts.len() == 20 && ts.ends_with('Z'), "{field}: {ts}");
    }
    assert!(Uuid::parse_str(a["ticketID"].as_str().unwrap()).is_ok());
}

#[tokio::test]
async fn listing_is_newest_first_with_filters_and_pages() {
    let sb = start().await;
    let url = tickets_url(&sb, DEMO_ACCOUNT_ID);
    let auth = |r: RequestBuilder| {
        r.basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .header("x-moov-version", VERSION)
    };
    for i in 0..5 {
        let mut body = ticket();
        body["foreignID"] = json!(format!("ref-{i}"));
        assert_eq!(
            send(auth(client().post(&url)).json(&body)).await.status,
            200
        );
    }
    let page = |query: &'static str| {
        let req = auth(client().get(format!("{url}{query}")));
        async move { send(req).await }
    };
    let numbers = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["number"].as_i64().unwrap())
            .collect()
    };
    let all = page("").await.json();
    assert_eq!(numbers(&all), [5, 4, 3, 2, 1]);
    assert!(all.get("nextPage").is_none());

    let first = page("?count=2").await.json();
    assert_eq!(numbers(&first), [5, 4]);
    assert_eq!(first["nextPage"]["cursor"], "4");
    let second = page("?count=2&cursor=4").await.json();
    assert_eq!(numbers(&second), [3, 2]);

    let one = page("?foreignID=ref-2").await.json();
    assert_eq!(numbers(&one), [3]);
    assert_eq!(
        numbers(&page("?status=closed").await.json()),
        Vec::<i64>::new()
    );
    assert_eq!(numbers(&page("?status=new").await.json()).len(), 5);
    assert_eq!(page("?count=0").await.status, 400);
    assert_eq!(page("?cursor=abc").await.status, 400);

    let id = all["items"][0]["ticketID"].as_str().unwrap().to_owned();
    let got = send(auth(client().get(format!("{url}/{id}")))).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json(), all["items"][0]);
    assert_eq!(
        send(auth(client().get(format!("{url}/{}", Uuid::new_v4()))))
            .await
            .status,
        404
    );

    // Reading needs the read scope, not the write one.
    let write = access_token(&sb, &write_scope()).await;
    let denied = send(
        client()
            .get(&url)
            .bearer_auth(write)
            .header("x-moov-version", VERSION),
    )
    .await;
    assert_eq!(denied.status, 403);
}

#[tokio::test]
async fn requests_per_ip_and_account_are_limited() {
    let sb = start().await;
    sb.handle.set_rate_limit(3);
    let url = tickets_url(&sb, DEMO_ACCOUNT_ID);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let r = send(
            client()
                .get(&url)
                .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
                .header("x-moov-version", VERSION),
        )
        .await;
        if r.status == 429 {
            assert_eq!(r.header("retry-after"), Some("1"));
        }
        statuses.push(r.status);
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    // Another account has its own budget.
    let other = Uuid::new_v4();
    sb.handle.add_account(other);
    let r = send(
        client()
            .get(tickets_url(&sb, other))
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .header("x-moov-version", VERSION),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn closing_a_ticket_is_the_only_update() {
    let sb = start().await;
    let url = tickets_url(&sb, DEMO_ACCOUNT_ID);
    let by_key = |r: RequestBuilder| {
        r.basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .header("x-moov-version", VERSION)
    };
    let created = send(by_key(client().post(&url)).json(&ticket()))
        .await
        .json();
    let one = format!("{url}/{}", created["ticketID"].as_str().unwrap());
    let patch = |body: Value| client().patch(&one).json(&body);
    let closed = json!({"status": "closed"});

    // Authentication, version and scope as for every ticket route; closing writes.
    assert_eq!(
        send(patch(closed.clone()).header("x-moov-version", VERSION))
            .await
            .status,
        401
    );
    let old = send(
        patch(closed.clone())
            .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
            .header("x-moov-version", "v2025.04.00"),
    )
    .await;
    assert_eq!(old.status, 404);
    let read = access_token(&sb, &format!("/accounts/{DEMO_ACCOUNT_ID}/tickets.read")).await;
    let read_only = send(
        patch(closed.clone())
            .bearer_auth(read)
            .header("x-moov-version", VERSION),
    )
    .await;
    assert_eq!(read_only.status, 403, "{}", read_only.text);
    assert!(read_only.json()["error"]
        .as_str()
        .unwrap()
        .contains("tickets.write"));

    // `closed` is the only status a ticket can be given.
    for wrong in [
        json!({"status": "new"}),
        json!({"status": "open"}),
        json!({}),
    ] {
        let r = send(by_key(patch(wrong.clone()))).await;
        assert_eq!(r.status, 422, "{wrong}: {}", r.text);
        assert!(
            r.json()["status"].as_str().unwrap().contains("closed"),
            "{}",
            r.text
        );
        assert!(r.json().get("error").is_none());
    }
    for garbled in [json!({"status": 3}), json!(["closed"])] {
        let r = send(by_key(patch(garbled.clone()))).await;
        assert_eq!(r.status, 400, "{garbled}: {}", r.text);
        assert!(r.json()["error"].is_string());
    }
    let not_json = send(
        by_key(client().patch(&one))
            .header("content-type", "application/json")
            .body("{"),
    )
    .await;
    assert_eq!(not_json.status, 400);
    assert_eq!(
        sb.handle.tickets(DEMO_ACCOUNT_ID)[0].ticket.status.as_str(),
        "new"
    );

    let unknown = send(by_key(
        client()
            .patch(format!("{url}/{}", Uuid::new_v4()))
            .json(&closed),
    ))
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error"], "ticket not found");

    let write = access_token(&sb, &write_scope()).await;
    let done = send(
        patch(closed.clone())
            .bearer_auth(write)
            .header("x-moov-version", VERSION),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let ticket = done.json();
    assert_eq!(ticket["status"], "closed");
    assert_eq!(ticket["ticketID"], created["ticketID"]);
    let closed_on = ticket["closedOn"].as_str().unwrap();
    assert!(
        closed_on.len() == 20 && closed_on.ends_with('Z'),
        "{closed_on}"
    );
    assert_eq!(ticket["updatedOn"], ticket["closedOn"]);
    assert_eq!(ticket["createdOn"], created["createdOn"]);
    // The change is what later reads see, and closing again changes nothing.
    assert_eq!(send(by_key(client().get(&one))).await.json(), ticket);
    let listed = send(by_key(client().get(format!("{url}?status=closed"))))
        .await
        .json();
    assert_eq!(listed["items"][0], ticket);
    let again = send(by_key(patch(closed))).await;
    assert_eq!((again.status, again.json()), (200, ticket));
}

#[tokio::test]
async fn other_methods_get_a_json_405() {
    let sb = start().await;
    let url = tickets_url(&sb, DEMO_ACCOUNT_ID);
    for (req, allowed) in [
        (
            client().delete(format!("{url}/{}", Uuid::new_v4())),
            "GET,HEAD,PATCH",
        ),
        (client().put(&url), "POST,GET,HEAD"),
        (client().get(format!("{}/oauth2/token", sb.url())), "POST"),
        (
            client().post(format!("{url}/{}/messages", Uuid::new_v4())),
            "GET,HEAD",
        ),
    ] {
        let r = send(req).await;
        assert_eq!(r.status, 405, "{}", r.text);
        assert!(r.json()["error"].is_string(), "{}", r.text);
        assert_eq!(r.header("allow"), Some(allowed));
    }
}
