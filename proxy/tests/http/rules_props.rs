//! Generated tickets near every rule's edge: the widget's verdict (sanitize, then
//! `check_sanitized`) is the proxy's `prepare` verdict, and over real HTTP the proxy and the
//! sandbox file what the widget accepts (200) and refuse what it rejects with a 422 naming
//! the same fields, in the same words.

use std::cell::Cell;

use moov_support::rules::{check_sanitized, field_errors, prepare};
use moov_support::sanitize::clean;
use moov_support::{Contact, CreateTicket, FieldErrors};
use moov_support_sandbox::{SandboxOptions, SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::common::{client, Env, ACCOUNT};

/// Cases of the pure property: the rules alone, fast.
const RULE_CASES: u32 = 2_000;
/// Cases sent over HTTP to the proxy and the sandbox (two to four requests each).
const HTTP_CASES: u32 = 200;

/// Text from a mix of ASCII, accented and wide letters, spaces, zero-width and control
/// characters, `len` characters long.
fn line(len: impl Into<proptest::sample::SizeRange>) -> impl Strategy<Value = String> {
    let chars = prop_oneof![
        20 => proptest::char::range('a', 'z'),
        2 => Just(' '),
        2 => prop::sample::select(vec!['é', 'ü', '漢', '🙂', 'Ω', '\u{00A0}', '\u{3000}']),
        1 => prop::sample::select(vec!['\u{200B}', '\u{FEFF}', '\u{00AD}']),
        1 => prop::sample::select(vec!['\t', '\n', '\r', '\u{7}', '\u{0}', '\u{85}', '\u{7F}']),
    ];
    vec(chars, len).prop_map(|c| c.into_iter().collect())
}

/// Titles and names: short, empty, padded, or a few characters either side of `max`.
fn bounded(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        line(0..12),
        line(max - 3..max + 3),
        (line(1..6), "[ \t]{0,3}").prop_map(|(t, pad)| format!("{pad}{t}{pad}")),
        (1..=max + 2).prop_map(|n| "x".repeat(n)),
    ]
}

/// Bodies assembled from fragments a user might paste or a hostile page might send.
fn body() -> impl Strategy<Value = String> {
    let fragment = prop::sample::select(vec![
        "<p>Payout missing</p>",
        "plain words",
        "<strong>bold</strong> <em>it</em>",
        "<ul><li>one</li><li>two</li></ul>",
        "<a href=\"https://moov.io/docs\">docs</a>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"/relative\"></a>",
        "<script>alert(1)</script>",
        "<style>p{color:red}</style>",
        "<img src=x onerror=alert(1)>",
        "<svg><g onload=alert(1)></g></svg>",
        "<p onclick=\"x()\" style=\"color:red\">&nbsp;</p>",
        "<p>&nbsp;</p>",
        "<br>",
        "\u{200B}",
        "   ",
        "<!-- note -->",
        "<span>kept text</span>",
        "&lt;script&gt;",
        "<p>漢字 🙂</p>",
        "<table><tr><td>cell</td></tr></table>",
        "<pre><code>fn main() {}</code></pre>",
    ]);
    vec(fragment, 0..6).prop_map(|f| f.concat())
}

/// Emails around the WHATWG rule: valid ones, each way to break them, and lengths near 254.
fn email() -> impl Strategy<Value = String> {
    let local = prop_oneof![
        8 => "[a-zA-Z0-9._%+-]{1,12}",
        1 => "[a-z!#$%&'*+/=?^_`{|}~.-]{1,6}",
        1 => "[a-z]{0,3}[ @ü\"(),:;<>\\[\\]][a-z]{0,3}",
        1 => (240usize..252).prop_map(|n| "a".repeat(n)),
    ];
    let label = prop_oneof![
        16 => "[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?",
        1 => "-[a-z]{1,3}|[a-z]{1,3}-",
        1 => Just(String::new()),
        1 => "[a-z]{0,2}[_ü][a-z]{0,2}",
        1 => (62usize..65).prop_map(|n| "l".repeat(n)),
    ];
    prop_oneof![
        8 => (local, vec(label, 1..4), "[ ]{0,2}")
            .prop_map(|(l, labels, pad)| format!("{pad}{l}@{}{pad}", labels.join("."))),
        1 => "[a-z@. ]{0,8}",
    ]
}

fn ticket() -> impl Strategy<Value = CreateTicket> {
    (
        bounded(moov_support::rules::MAX_TITLE_CHARS),
        body(),
        email(),
        prop::option::of(bounded(moov_support::rules::MAX_NAME_CHARS)),
    )
        .prop_map(|(title, body, email, name)| CreateTicket {
            title,
            body,
            contact: Contact { email, name },
            ..CreateTicket::default()
        })
}

/// What the widget does before sending: sanitize (in its worker), then the rules.
#[allow(
    clippy::result_large_err,
    reason = "the error is the 422 body the test compares"
)]
fn widget(raw: &CreateTicket) -> Result<CreateTicket, FieldErrors> {
    check_sanitized(CreateTicket {
        body: clean(&raw.body),
        ..raw.clone()
    })
    .map_err(|p| field_errors(&p))
}

#[test]
fn the_widget_and_the_proxy_rules_agree() {
    let mut runner = TestRunner::new(Config {
        cases: RULE_CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let accepted = Cell::new(0u32);
    runner
        .run(&ticket(), |raw| {
            let client = widget(&raw);
            prop_assert_eq!(&prepare(raw.clone()), &client);
            if let Ok(sent) = &client {
                accepted.set(accepted.get() + 1);
                // The proxy prepares the widget's ticket to itself.
                prop_assert_eq!(&prepare(sent.clone()), &client);
            }
            Ok(())
        })
        .unwrap();
    let accepted = accepted.get();
    eprintln!("{RULE_CASES} generated tickets, {accepted} accepted");
    assert!(accepted > RULE_CASES / 10 && accepted < RULE_CASES * 9 / 10);
}

#[test]
fn the_proxy_and_the_sandbox_answer_what_the_widget_decided() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (env, moov_token) = rt.block_on(async {
        let env = Env::start_with(
            SandboxOptions {
                rate_limit_per_second: 100_000,
                ..SandboxOptions::default()
            },
            &[
                ("USER_RATE_LIMIT_PER_MINUTE", "0"),
                ("IP_RATE_LIMIT_PER_MINUTE", "0"),
            ],
        )
        .await;
        let token = sandbox_token(&env).await;
        (env, token)
    });
    let mut runner = TestRunner::new(Config {
        cases: HTTP_CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let (filed, refused) = (Cell::new(0u32), Cell::new(0u32));
    runner
        .run(&ticket(), |raw| {
            rt.block_on(async {
                match widget(&raw) {
                    Ok(sent) => {
                        filed.set(filed.get() + 1);
                        let body = serde_json::to_value(&sent).unwrap();
                        let proxy = env.post(&body, None).await;
                        prop_assert_eq!(proxy.status, 200, "proxy: {}", proxy.text);
                        let created = proxy.json();
                        prop_assert_eq!(created["title"].as_str(), Some(sent.title.as_str()));
                        prop_assert_eq!(
                            &serde_json::from_value::<Contact>(created["contact"].clone()).unwrap(),
                            &sent.contact
                        );
                        let (status, text) = to_sandbox(&env, &moov_token, &body).await;
                        prop_assert_eq!(status, 200, "sandbox: {}", text);
                    }
                    Err(expected) => {
                        refused.set(refused.get() + 1);
                        let body = serde_json::to_value(&raw).unwrap();
                        let proxy = env.post(&body, None).await;
                        prop_assert_eq!(proxy.status, 422, "proxy: {}", proxy.text);
                        let named: FieldErrors = serde_json::from_str(&proxy.text).unwrap();
                        prop_assert_eq!(&named, &expected);
                        let (status, text) = to_sandbox(&env, &moov_token, &body).await;
                        prop_assert_eq!(status, 422, "sandbox: {}", text);
                        let named: FieldErrors = serde_json::from_str(&text).unwrap();
                        prop_assert_eq!(&named, &expected);
                    }
                }
                Ok(())
            })
        })
        .unwrap();
    let (filed, refused) = (filed.get(), refused.get());
    eprintln!("{HTTP_CASES} tickets over HTTP: {filed} filed, {refused} refused");
    assert!(filed > 0 && refused > 0);
}

/// A sandbox access token that may create tickets on the demo account.
async fn sandbox_token(env: &Env) -> String {
    let reply = client()
        .post(format!("{}/oauth2/token", env.sandbox.url()))
        .header("origin", "https://partner.example")
        .basic_auth(SANDBOX_PUBLIC_KEY, Some(SANDBOX_SECRET_KEY))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", &format!("/accounts/{ACCOUNT}/tickets.write")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let json: serde_json::Value = reply.json().await.unwrap();
    json["access_token"].as_str().unwrap().to_owned()
}

/// Files `body` on the sandbox directly, as Moov's API.
async fn to_sandbox(env: &Env, token: &str, body: &serde_json::Value) -> (u16, String) {
    let reply = client()
        .post(format!("{}/accounts/{ACCOUNT}/tickets", env.sandbox.url()))
        .bearer_auth(token)
        .header("x-moov-version", "v2025.07.00")
        .json(body)
        .send()
        .await
        .unwrap();
    (reply.status().as_u16(), reply.text().await.unwrap())
}
