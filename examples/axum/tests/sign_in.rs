//! The example against a real Moov's settings: no one is signed in until the partner plugs
//! in their own sign-in, so `/session` signs no token for whoever asks.

use std::collections::HashMap;
use std::net::SocketAddr;

use example_axum::{app, Settings, NOT_SIGNED_IN};

#[tokio::test]
async fn without_the_sandbox_the_session_route_signs_no_one_in() {
    let proxy_vars = [
        // Never called: building the router makes no Moov request.
        ("MOOV_BASE_URL", "http://127.0.0.1:9"),
        ("MOOV_PUBLIC_KEY", "pk"),
        ("MOOV_SECRET_KEY", "sk"),
        ("SESSION_SECRET", "a-secret-of-the-partners-own-0123456789"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect::<HashMap<_, _>>();
    let settings = Settings {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        static_dir: None,
        sandbox: false,
        account: Some(moov_support_sandbox::DEMO_ACCOUNT_ID),
        proxy_vars,
    };
    let (router, _proxy) = app(&settings).await.unwrap();
    let listener = tokio::net::TcpListener::bind(settings.addr).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });

    let answer = reqwest::get(format!("{base}/session")).await.unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(answer.text().await.unwrap(), NOT_SIGNED_IN);
}
