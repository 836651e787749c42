//! `rediss://`: the shared store over TLS, against a local `redis-server` that speaks only
//! TLS, with a certificate signed by a certificate authority made for each test.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use moov_support_proxy::store::{RedisStore, Store, StoreError};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

#[path = "support/redis.rs"]
mod redis;
use redis::Redis;

/// A certificate authority, and a certificate it signed for `127.0.0.1` written with its key
/// into `dir` as PEM files.
struct Authority {
    root_pem: String,
    cert: std::path::PathBuf,
    key: std::path::PathBuf,
}

fn authority(dir: &Path) -> Authority {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "moov-support test authority");
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let (cert, key) = (dir.join("redis.crt"), dir.join("redis.key"));
    std::fs::write(&cert, server.pem()).unwrap();
    std::fs::write(&key, server_key.serialize_pem()).unwrap();
    Authority {
        root_pem: ca.pem(),
        cert,
        key,
    }
}

async fn tls_redis(dir: &Path) -> (Redis, Authority) {
    let authority = authority(dir);
    let redis = Redis::start_tls(
        &authority.cert,
        &authority.key,
        authority.root_pem.as_bytes(),
    )
    .await;
    assert!(redis.url.starts_with("rediss://"), "{}", redis.url);
    (redis, authority)
}

#[tokio::test]
async fn a_tls_redis_whose_authority_is_trusted_holds_claims_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (redis, authority) = tls_redis(dir.path()).await;
    let store =
        RedisStore::with_root_certificates(&redis.url, authority.root_pem.as_bytes()).unwrap();
    let ttl = Duration::from_secs(30);
    assert!(store.claim("tls:k", "a", ttl).await.unwrap());
    assert!(!store.claim("tls:k", "b", ttl).await.unwrap());
    store.release("tls:k", "a").await.unwrap();
    assert_eq!(store.get("tls:k").await.unwrap(), None);
    store.set("tls:v", "é", ttl).await.unwrap();
    assert_eq!(store.get("tls:v").await.unwrap().as_deref(), Some("é"));
    let window = Duration::from_secs(60);
    assert_eq!(store.hit("tls:h", window).await.unwrap().count, 1);
    assert_eq!(store.hit("tls:h", window).await.unwrap().count, 2);
}

#[tokio::test]
async fn a_certificate_no_trusted_authority_signed_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (redis, _authority) = tls_redis(dir.path()).await;
    // Trusting the web's authorities only, as the proxy does.
    let store = RedisStore::new(&redis.url).unwrap();
    let err = store.ping().await.unwrap_err();
    assert!(matches!(err, StoreError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains("certificate"), "{err}");
    // Trusting another authority does not help either.
    let other_dir = dir.path().join("other");
    std::fs::create_dir(&other_dir).unwrap();
    let other = authority(&other_dir);
    let store = RedisStore::with_root_certificates(&redis.url, other.root_pem.as_bytes()).unwrap();
    assert!(store.ping().await.is_err());
}

/// The configuration takes a `rediss://` URL and the proxy goes to it over TLS: against a
/// certificate only a test authority signed, it stops at start and says why.
#[tokio::test]
async fn the_proxy_takes_a_rediss_url_and_checks_the_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (redis, _authority) = tls_redis(dir.path()).await;
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_moov-support-proxy"))
        .arg("serve")
        .env_clear()
        .env("MOOV_BASE_URL", "http://127.0.0.1:1")
        .env("MOOV_PUBLIC_KEY", "pk-test")
        .env("MOOV_SECRET_KEY", "sk-test")
        .env(
            "SESSION_SECRET",
            "rediss-test-session-secret-0123456789abcdef",
        )
        .env("PROXY_ADDR", "127.0.0.1:0")
        .env("ALLOWED_ORIGINS", "https://partner.example")
        .env(
            "REDIS_URL",
            redis.url.replace("rediss://", "rediss://app:tls-pass@"),
        )
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(30), output)
        .await
        .expect("the proxy stops at start")
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("REDIS_URL"), "{stderr}");
    assert!(stderr.contains("certificate"), "{stderr}");
    assert!(!stderr.contains("tls-pass"), "{stderr}");
}
