//! The proxy under test: started in sandbox mode from the release build, and its sandbox's
//! tickets read back at the end.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;

use super::{
    ACCOUNT, IP_LIMIT_PER_MINUTE, MOOV_VERSION, ORIGIN, PUBLIC_KEY, SECRET_KEY,
    USER_LIMIT_PER_MINUTE,
};
use crate::http;
use crate::run::Result;
use crate::service::Service;

/// Starts the proxy under test, its output in `log`; returns it with its URL and its
/// sandbox's, read from the line the proxy prints once it serves.
pub(super) fn start_proxy(
    binary: &Path,
    addr: &str,
    log: &Path,
) -> Result<(Service, String, String)> {
    let mut proxy = Service::start_logged(
        "moov-support-proxy",
        Command::new(binary)
            .args(["serve", "--sandbox"])
            .env_remove("MOOV_BASE_URL")
            .env_remove("REDIS_URL")
            .env("PROXY_ADDR", addr)
            .env("ALLOWED_ORIGINS", ORIGIN)
            .env("TRUSTED_PROXY_HOPS", "1")
            .env(
                "USER_RATE_LIMIT_PER_MINUTE",
                USER_LIMIT_PER_MINUTE.to_string(),
            )
            .env("IP_RATE_LIMIT_PER_MINUTE", IP_LIMIT_PER_MINUTE.to_string())
            .env("RUST_LOG", "warn"),
        log,
    )?;
    let url = format!("http://{addr}");
    proxy.wait_healthy(&format!("{url}/healthz"), Duration::from_secs(30))?;
    // The line is printed right after the listener opens; give it a moment to land.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let printed = std::fs::read_to_string(log)?;
        if let Some(sandbox_url) = sandbox_url(&printed) {
            return Ok((proxy, url, sandbox_url));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the proxy did not say it runs against its sandbox (log: {}):\n{}",
                log.display(),
                printed.trim()
            )
            .into());
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// The sandbox's URL in what the proxy printed at start.
pub(super) fn sandbox_url(printed: &str) -> Option<String> {
    printed
        .lines()
        .find_map(|l| l.split_once("Moov sandbox at "))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .map(str::to_owned)
}

/// Every ticket of the demo account, straight from the sandbox (HTTP Basic with its keys):
/// how many carry each `foreignID`, and which ticket ids.
pub(super) fn list_tickets(sandbox_url: &str) -> Result<Counted> {
    let agent = http::agent();
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{PUBLIC_KEY}:{SECRET_KEY}"));
    let headers = vec![
        ("authorization", format!("Basic {basic}")),
        ("x-moov-version", MOOV_VERSION.to_string()),
    ];
    let mut counted = Counted::default();
    let mut cursor = String::new();
    loop {
        let url = format!("{sandbox_url}/accounts/{ACCOUNT}/tickets?count=200&cursor={cursor}");
        let r = http::get(&agent, &url, &headers)?;
        if r.status == 429 {
            thread::sleep(Duration::from_secs(1));
            continue;
        }
        if r.status != 200 {
            return Err(format!("listing the sandbox's tickets: {} {}", r.status, r.body).into());
        }
        let page: Value = serde_json::from_str(&r.body)?;
        for t in page["items"].as_array().into_iter().flatten() {
            counted.total += 1;
            match t["foreignID"].as_str() {
                Some(f) => counted
                    .by_key
                    .entry(f.to_owned())
                    .or_default()
                    .push(t["ticketID"].as_str().unwrap_or_default().to_owned()),
                None => counted.without_key += 1,
            }
        }
        match page["nextPage"]["cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => return Ok(counted),
        }
        thread::sleep(Duration::from_millis(30));
    }
}

#[derive(Default)]
pub(super) struct Counted {
    pub(super) total: u64,
    pub(super) without_key: u64,
    pub(super) by_key: HashMap<String, Vec<String>>,
}
