//! Reading the settings: what starts, and what stops the proxy with a message naming the setting.

use super::*;

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const SECRET: &str = "0123456789abcdef0123456789abcdef";

#[cfg(feature = "sandbox")]
#[test]
fn sandbox_defaults() {
    let c = Config::from_map(&map(&[("MOOV_SANDBOX", "1")])).unwrap();
    assert!(c.is_sandbox());
    assert_eq!(c.moov_version, MoovVersion::DEFAULT);
    assert_eq!(c.moov_origin, "http://localhost");
    assert_eq!(c.session_secret.expose().len(), 64);
    assert_eq!(
        c.allowed_origins,
        ["http://127.0.0.1:8080", "http://localhost:8080"]
    );
    assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
    assert_eq!(c.upstream_timeout, Duration::from_secs(10));
    // Two sandboxes never share a generated secret.
    let d = Config::from_map(&map(&[("MOOV_SANDBOX", "true")])).unwrap();
    assert_ne!(c.session_secret, d.session_secret);
}

#[cfg(not(feature = "sandbox"))]
#[test]
fn a_build_without_the_sandbox_refuses_it_by_name() {
    let err = Config::from_map(&map(&[("MOOV_SANDBOX", "1")])).unwrap_err();
    assert_eq!(err, ConfigError::SandboxNotBuilt);
    assert!(err.to_string().contains("`sandbox` feature"), "{err}");
}

#[test]
fn no_moov_settings_is_refused_not_a_sandbox() {
    let err = Config::from_map(&map(&[])).unwrap_err().to_string();
    for named in [
        "MOOV_BASE_URL",
        "MOOV_PUBLIC_KEY",
        "MOOV_SECRET_KEY",
        "--sandbox",
        "MOOV_SANDBOX=1",
    ] {
        assert!(err.contains(named), "{named} missing from: {err}");
    }
    // A misspelt variable is no Moov setting either.
    let err = Config::from_map(&map(&[("MOOV_BASEURL", "https://api.moov.io")])).unwrap_err();
    assert!(
        err.to_string().starts_with("MOOV_BASE_URL is required"),
        "{err}"
    );
    let off = Config::from_map(&map(&[("MOOV_SANDBOX", "0")])).unwrap_err();
    assert!(off.to_string().starts_with("MOOV_BASE_URL"), "{off}");
}

#[cfg(feature = "sandbox")]
#[test]
fn sandbox_with_moov_settings_is_a_conflict() {
    for var in ["MOOV_BASE_URL", "MOOV_PUBLIC_KEY", "MOOV_SECRET_KEY"] {
        let value = if var == "MOOV_BASE_URL" {
            "https://api.moov.io"
        } else {
            "k"
        };
        let err = Config::from_map(&map(&[("MOOV_SANDBOX", "1"), (var, value)])).unwrap_err();
        assert_eq!(err, ConfigError::SandboxWithMoov { var });
        let msg = err.to_string();
        assert!(msg.contains("MOOV_SANDBOX") && msg.contains(var), "{msg}");
    }
}

#[cfg(feature = "sandbox")]
#[test]
fn the_sandbox_listens_on_loopback_unless_allowed() {
    for addr in ["0.0.0.0:3000", "192.0.2.7:3000", "[::]:3000"] {
        let err =
            Config::from_map(&map(&[("MOOV_SANDBOX", "1"), ("PROXY_ADDR", addr)])).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("PROXY_ADDR"), "{msg}");
        assert!(
            msg.contains("--sandbox-allow-remote") && msg.contains("MOOV_SANDBOX_ALLOW_REMOTE"),
            "{msg}"
        );
        let c = Config::from_map(&map(&[
            ("MOOV_SANDBOX", "1"),
            ("PROXY_ADDR", addr),
            ("MOOV_SANDBOX_ALLOW_REMOTE", "yes"),
        ]))
        .unwrap();
        assert_eq!(c.addr.to_string(), addr);
        assert!(c.sandbox_allow_remote, "{addr}");
    }
    for addr in ["127.0.0.1:0", "[::1]:3000"] {
        let c = Config::from_map(&map(&[("MOOV_SANDBOX", "1"), ("PROXY_ADDR", addr)]));
        let c = c.unwrap();
        assert!(c.is_sandbox() && !c.sandbox_allow_remote, "{addr}");
    }
    let err = Config::from_map(&map(&[("MOOV_SANDBOX_ALLOW_REMOTE", "1")])).unwrap_err();
    assert_eq!(err, ConfigError::RemoteWithoutSandbox);
}

#[cfg(feature = "sandbox")]
#[test]
fn flags_and_variables_are_one_setting() {
    let by_flag: Config = Config::from_args(
        settings::parse_with_env(&["--sandbox", "--addr=127.0.0.1:4100"], &map(&[])).unwrap(),
    )
    .unwrap();
    assert!(by_flag.is_sandbox());
    assert_eq!(by_flag.addr.port(), 4100);
    let err = settings::parse_with_env::<ServeArgs>(&["--upstream-timeout-ms", "0"], &map(&[]))
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("UPSTREAM_TIMEOUT_MS is invalid"),
        "{err}"
    );
    let err = settings::parse_with_env::<ServeArgs>(&["--frobnicate"], &map(&[])).unwrap_err();
    assert!(matches!(err, ConfigError::Usage(_)), "{err:?}");
}

#[test]
#[cfg_attr(not(feature = "sandbox"), allow(irrefutable_let_patterns))]
fn moov_mode_requires_keys_and_secret() {
    let base = [
        ("MOOV_BASE_URL", "https://api.moov.io/"),
        ("MOOV_PUBLIC_KEY", "pk"),
        ("MOOV_SECRET_KEY", "sk"),
        ("SESSION_SECRET", SECRET),
    ];
    let c = Config::from_map(&map(&base)).unwrap();
    let Upstream::Moov(m) = &c.upstream else {
        panic!("expected Moov")
    };
    assert_eq!(m.base_url, "https://api.moov.io");
    assert!(c.allowed_origins.is_empty());
    for missing in ["MOOV_PUBLIC_KEY", "MOOV_SECRET_KEY", "SESSION_SECRET"] {
        let vars: Vec<_> = base
            .iter()
            .copied()
            .filter(|(k, _)| *k != missing)
            .collect();
        let err = Config::from_map(&map(&vars)).unwrap_err();
        assert!(err.to_string().starts_with(missing), "{err}");
    }
    let err = Config::from_map(&map(&[("MOOV_SECRET_KEY", "sk")])).unwrap_err();
    assert!(err.to_string().starts_with("MOOV_BASE_URL"), "{err}");
}

#[test]
fn bad_values_name_their_variable() {
    for (var, value) in [
        ("MOOV_VERSION", "v2025.04.00"),
        ("MOOV_VERSION", "latest"),
        ("MOOV_BASE_URL", "ftp://x"),
        ("MOOV_ORIGIN", "http://localhost/"),
        ("SESSION_SECRET", "short"),
        ("ALLOWED_ORIGINS", "http://a.test,*"),
        ("ALLOWED_ORIGINS", "https://a.test/app"),
        ("PROXY_ADDR", "localhost"),
        ("UPSTREAM_TIMEOUT_MS", "0"),
        ("UPSTREAM_TIMEOUT_MS", "ten"),
        ("USER_RATE_LIMIT_PER_MINUTE", "-1"),
        ("IP_RATE_LIMIT_PER_MINUTE", "many"),
        ("TRUSTED_PROXY_HOPS", "11"),
        ("REQUEST_TIMEOUT_MS", "0"),
        ("MOOV_PARTNER_ACCOUNT_ID", "partner"),
        ("MOOV_READY_ACCOUNT_ID", "1234"),
        ("REDIS_URL", "http://cache:6379"),
        ("REDIS_URL", "redis://cache/zero"),
        ("STATIC_DIR", "/nonexistent/dist"),
        ("LOCK_CONTACT", "maybe"),
        ("MOOV_SANDBOX", "perhaps"),
        ("LOG_FORMAT", "xml"),
    ] {
        let mut vars = map(&[("MOOV_PUBLIC_KEY", "pk"), ("MOOV_SECRET_KEY", "sk")]);
        vars.insert("MOOV_BASE_URL".into(), "http://127.0.0.1:1".into());
        vars.insert("SESSION_SECRET".into(), SECRET.into());
        vars.insert(var.into(), value.into());
        let err = Config::from_map(&vars).unwrap_err();
        assert!(err.to_string().starts_with(var), "{var}={value}: {err}");
    }
}

#[cfg(feature = "sandbox")]
#[test]
fn explicit_values_are_used() {
    let c = Config::from_map(&map(&[
        ("MOOV_SANDBOX", "on"),
        ("MOOV_VERSION", "v2026.01.00"),
        (
            "ALLOWED_ORIGINS",
            " https://app.example.com , http://127.0.0.1:9000 ",
        ),
        ("PROXY_ADDR", "127.0.0.1:0"),
        ("UPSTREAM_TIMEOUT_MS", "250"),
        ("USER_RATE_LIMIT_PER_MINUTE", "0"),
        ("IP_RATE_LIMIT_PER_MINUTE", "1000"),
        ("REQUEST_TIMEOUT_MS", "4000"),
        (
            "MOOV_PARTNER_ACCOUNT_ID",
            "5e1f6a3c-0b7d-4c39-9a8e-2f4d6b8c1a27",
        ),
        ("REDIS_URL", "redis://127.0.0.1:6390/1"),
    ]))
    .unwrap();
    assert_eq!(c.ip_rate_limit_per_minute, 1000);
    assert_eq!(c.request_timeout, Duration::from_secs(4));
    let partner = Uuid::parse_str("5e1f6a3c-0b7d-4c39-9a8e-2f4d6b8c1a27").unwrap();
    assert_eq!(
        (c.partner_account, c.ready_account),
        (Some(partner), Some(partner))
    );
    assert_eq!(c.redis_url.unwrap().expose(), "redis://127.0.0.1:6390/1");
    assert_eq!(c.moov_version.to_string(), "v2026.01.00");
    assert_eq!(
        c.allowed_origins,
        ["https://app.example.com", "http://127.0.0.1:9000"]
    );
    assert_eq!(c.upstream_timeout, Duration::from_millis(250));
    assert_eq!(c.user_rate_limit_per_minute, 0);
}

#[cfg(feature = "sandbox")]
#[test]
fn lock_contact_is_an_off_by_default_flag() {
    let lock = |value: &str| {
        Config::from_map(&map(&[("MOOV_SANDBOX", "1"), ("LOCK_CONTACT", value)]))
            .map(|c| c.lock_contact)
    };
    assert!(
        !Config::from_map(&map(&[("MOOV_SANDBOX", "1")]))
            .unwrap()
            .lock_contact
    );
    assert_eq!(lock(""), Ok(false));
    for on in ["true", "TRUE", "1", "yes", "On"] {
        assert_eq!(lock(on), Ok(true), "{on}");
    }
    for off in ["false", "0", "no", "OFF"] {
        assert_eq!(lock(off), Ok(false), "{off}");
    }
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let c = Config::from_map(&map(&[
        ("MOOV_BASE_URL", "https://api.moov.io"),
        ("MOOV_PUBLIC_KEY", "pk"),
        ("MOOV_SECRET_KEY", "sk-very-secret-value"),
        ("SESSION_SECRET", SECRET),
        ("REDIS_URL", "redis://app:redis-password-value@cache:6379"),
    ]))
    .unwrap();
    let dump = format!("{c:?}");
    assert!(!dump.contains("redis-password-value"), "{dump}");
    assert!(!dump.contains("sk-very-secret-value"), "{dump}");
    assert!(!dump.contains(SECRET), "{dump}");
    assert!(dump.contains("***"));
}
