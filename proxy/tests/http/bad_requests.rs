//! Forty-odd malformed or hostile requests, each with the 4xx it must get: a JSON `{error}`
//! (or the 422 field map) with an `x-request-id`, and the proxy still serving afterwards.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use moov_support_proxy::session::unix_now;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::common::{client, signed, ticket, token, Env, Reply, ACCOUNT};

/// One hostile request and the status it must get.
struct Case {
    name: &'static str,
    method: Method,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    expect: u16,
}

fn unsigned(header: &str, claims: serde_json::Value) -> String {
    format!("{}.{}.", B64.encode(header), B64.encode(claims.to_string()))
}

fn cases() -> Vec<Case> {
    let good = format!("Bearer {}", token("u-1", ACCOUNT));
    let json_ct = ("content-type", "application/json".to_owned());
    let auth = ("authorization", good.clone());
    let ticket_bytes = ticket().to_string().into_bytes();
    let post = |name, headers: Vec<(&'static str, String)>, body: Vec<u8>, expect| Case {
        name,
        method: Method::POST,
        path: "/api/support/tickets".into(),
        headers,
        body,
        expect,
    };
    let with_auth = |extra: Vec<(&'static str, String)>| {
        let mut h = vec![auth.clone(), json_ct.clone()];
        h.extend(extra);
        h
    };
    let bearer = |t: String| vec![("authorization", format!("Bearer {t}")), json_ct.clone()];
    let now = unix_now();
    let field = |v: serde_json::Value| v.to_string().into_bytes();
    let account = ACCOUNT.to_string();
    let other = Uuid::new_v4().to_string();
    vec![
        // Transport and encoding.
        post(
            "no content type",
            vec![auth.clone()],
            ticket_bytes.clone(),
            415,
        ),
        post(
            "text/plain",
            vec![auth.clone(), ("content-type", "text/plain".into())],
            ticket_bytes.clone(),
            415,
        ),
        post(
            "form encoded",
            vec![
                auth.clone(),
                ("content-type", "application/x-www-form-urlencoded".into()),
            ],
            b"title=x".to_vec(),
            415,
        ),
        post(
            "multipart",
            vec![
                auth.clone(),
                ("content-type", "multipart/form-data; boundary=x".into()),
            ],
            b"--x--".to_vec(),
            415,
        ),
        post(
            "invalid UTF-8",
            with_auth(vec![]),
            b"{\"title\":\"\xff\xfe\"}".to_vec(),
            400,
        ),
        post("empty body", with_auth(vec![]), vec![], 400),
        post(
            "truncated JSON",
            with_auth(vec![]),
            b"{\"title\": \"x\"".to_vec(),
            400,
        ),
        post(
            "trailing garbage",
            with_auth(vec![]),
            b"{} xyz".to_vec(),
            400,
        ),
        post(
            "deeply nested",
            with_auth(vec![]),
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
            400,
        ),
        post(
            "an empty JSON array",
            with_auth(vec![]),
            b"[]".to_vec(),
            400,
        ),
        post(
            "an array of strings",
            with_auth(vec![]),
            b"[\"t\", \"b\"]".to_vec(),
            400,
        ),
        post("JSON null", with_auth(vec![]), b"null".to_vec(), 400),
        post("huge number", with_auth(vec![]), b"1e999999".to_vec(), 400),
        post(
            "10 MB body",
            with_auth(vec![]),
            vec![b' '; 10 * 1024 * 1024],
            413,
        ),
        post(
            "300 KiB body",
            with_auth(vec![]),
            field(
                json!({"title": "x", "body": "y".repeat(300 * 1024), "contact": {"email": "a@b.co"}}),
            ),
            413,
        ),
        // Wrong types and missing fields.
        post(
            "number for title",
            with_auth(vec![]),
            field(json!({"title": 42, "body": "<p>x</p>", "contact": {"email": "a@b.co"}})),
            400,
        ),
        post(
            "object for body",
            with_auth(vec![]),
            field(json!({"title": "t", "body": {"html": "x"}, "contact": {"email": "a@b.co"}})),
            400,
        ),
        post(
            "array for name",
            with_auth(vec![]),
            field(
                json!({"title": "t", "body": "<p>x</p>", "contact": {"email": "a@b.co", "name": ["x"]}}),
            ),
            400,
        ),
        post(
            "string for contact",
            with_auth(vec![]),
            field(json!({"title": "t", "body": "<p>x</p>", "contact": "a@b.co"})),
            400,
        ),
        post("empty object", with_auth(vec![]), b"{}".to_vec(), 422),
        post(
            "only script in body",
            with_auth(vec![]),
            field(
                json!({"title": "t", "body": "<script>alert(1)</script>", "contact": {"email": "a@b.co"}}),
            ),
            422,
        ),
        post(
            "control characters in title",
            with_auth(vec![]),
            field(json!({"title": "a\u{0}b", "body": "<p>x</p>", "contact": {"email": "a@b.co"}})),
            422,
        ),
        post(
            "bad email",
            with_auth(vec![]),
            field(json!({"title": "t", "body": "<p>x</p>", "contact": {"email": "a@@b"}})),
            422,
        ),
        post(
            "title over 200",
            with_auth(vec![]),
            field(
                json!({"title": "x".repeat(201), "body": "<p>x</p>", "contact": {"email": "a@b.co"}}),
            ),
            422,
        ),
        // Headers.
        post(
            "idempotency key not a UUID",
            with_auth(vec![("idempotency-key", "abc".into())]),
            ticket_bytes.clone(),
            400,
        ),
        post(
            "idempotency key with injected header",
            with_auth(vec![("idempotency-key", "x\tSet-Cookie: a=b".into())]),
            ticket_bytes.clone(),
            400,
        ),
        post(
            "forged Origin",
            with_auth(vec![("origin", "https://evil.example".into())]),
            ticket_bytes.clone(),
            403,
        ),
        post(
            "null Origin",
            with_auth(vec![("origin", "null".into())]),
            ticket_bytes.clone(),
            403,
        ),
        // Sessions.
        post(
            "no authorization",
            vec![json_ct.clone()],
            ticket_bytes.clone(),
            401,
        ),
        post(
            "basic instead of bearer",
            vec![("authorization", "Basic dTpw".into()), json_ct.clone()],
            ticket_bytes.clone(),
            401,
        ),
        post(
            "empty bearer",
            bearer(String::new()),
            ticket_bytes.clone(),
            401,
        ),
        post("not a JWT", bearer("abc".into()), ticket_bytes.clone(), 401),
        post(
            "alg none",
            bearer(unsigned(
                r#"{"alg":"none","typ":"JWT"}"#,
                json!({"sub": "u-1", "moov_account_id": account, "exp": now + 600}),
            )),
            ticket_bytes.clone(),
            401,
        ),
        post(
            "HS512",
            bearer(unsigned(
                r#"{"alg":"HS512","typ":"JWT"}"#,
                json!({"sub": "u-1", "moov_account_id": account, "exp": now + 600}),
            )),
            ticket_bytes.clone(),
            401,
        ),
        post(
            "expired",
            bearer(signed("u-1", ACCOUNT, now - 60, crate::common::SECRET)),
            ticket_bytes.clone(),
            401,
        ),
        post(
            "lives too long",
            bearer(signed(
                "u-1",
                ACCOUNT,
                now + 3 * 3600,
                crate::common::SECRET,
            )),
            ticket_bytes.clone(),
            401,
        ),
        post(
            "wrong secret",
            bearer(signed(
                "u-1",
                ACCOUNT,
                now + 600,
                "another-secret-of-at-least-32-bytes!!",
            )),
            ticket_bytes.clone(),
            401,
        ),
        post(
            "tampered payload",
            bearer({
                let t = token("u-1", ACCOUNT);
                let mut parts: Vec<&str> = t.split('.').collect();
                let forged = B64.encode(
                    json!({"sub": "u-1", "moov_account_id": other, "exp": now + 600}).to_string(),
                );
                parts[1] = &forged;
                parts.join(".")
            }),
            ticket_bytes.clone(),
            401,
        ),
        // Routes and methods.
        Case {
            name: "account in the path",
            method: Method::POST,
            path: format!("/accounts/{other}/tickets"),
            headers: with_auth(vec![]),
            body: ticket_bytes.clone(),
            expect: 404,
        },
        Case {
            name: "PUT on tickets",
            method: Method::PUT,
            path: "/api/support/tickets".into(),
            headers: with_auth(vec![]),
            body: ticket_bytes.clone(),
            expect: 405,
        },
        Case {
            name: "dev route outside sandbox mode",
            method: Method::GET,
            path: "/api/dev/session".into(),
            headers: vec![],
            body: vec![],
            expect: 404,
        },
        Case {
            name: "ticket id that cannot be a path segment",
            method: Method::GET,
            path: "/api/support/tickets/a%2Fb".into(),
            headers: vec![auth.clone()],
            body: vec![],
            expect: 400,
        },
        Case {
            name: "path traversal",
            method: Method::GET,
            path: "/api/support/tickets/..%2F..%2Fetc%2Fpasswd".into(),
            headers: vec![auth.clone()],
            body: vec![],
            expect: 400,
        },
    ]
}

#[tokio::test]
async fn every_malformed_request_gets_its_4xx_and_the_proxy_keeps_serving() {
    let env = Env::start(&[
        ("USER_RATE_LIMIT_PER_MINUTE", "0"),
        ("IP_RATE_LIMIT_PER_MINUTE", "0"),
    ])
    .await;
    let http = client();
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut wrong = Vec::new();
    for case in &cases {
        let mut req = http.request(case.method.clone(), env.url(&case.path));
        for (k, v) in &case.headers {
            req = req.header(*k, v.as_str());
        }
        let reply = Reply::read(req.body(case.body.clone()).send().await.unwrap()).await;
        let json_error = serde_json::from_str::<serde_json::Value>(&reply.text)
            .map(|v| {
                v.get("error").is_some_and(|e| e.is_string())
                    || (reply.status == 422 && v.is_object())
            })
            .unwrap_or(false);
        if reply.status != case.expect || !json_error || reply.header("x-request-id").is_none() {
            wrong.push(format!(
                "{}: expected {}, got {} {}",
                case.name,
                case.expect,
                reply.status,
                reply.text.chars().take(120).collect::<String>()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
    // Still serving, and nothing was filed by any of them.
    let ok = env.post(&ticket(), None).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(env.moov().tickets(ACCOUNT).len(), 1);
}
