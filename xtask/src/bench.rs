//! `cargo xtask bench`: the widget's bytes and browser timings ([`crate::assets`],
//! [`crate::bench_browser`]), then the proxy's own cost under load, on loopback only.
//!
//! The same ticket creation is driven by `wrk` (fixed threads, connections and duration)
//! against (a) the Moov sandbox directly, (b) the token proxy in front of that sandbox, and
//! (c) nginx `proxy_pass` in front of that sandbox, so the proxy's overhead can be read
//! against a plain reverse proxy's. Everything runs on 127.0.0.1; nothing leaves the machine.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::run::{cmd, free_addr, output, step, Result};
use crate::service::Service;
use crate::tools;

/// The sandbox's demo account and key pair (valid against the sandbox only).
const ACCOUNT: &str = "5e1f6a3c-0b7d-4c39-9a8e-2f4d6b8c1a27";
const PUBLIC_KEY: &str = "sandbox-public-key";
const SECRET_KEY: &str = "sandbox-secret-key-not-for-production";
const SESSION_SECRET: &str = "bench-session-secret-bench-session-secret";
const TICKET: &str = r#"{"title":"Payout missing","body":"<p>My payout from <strong>Friday</strong> has not arrived.</p>","contact":{"email":"jordan@example.com","name":"Jordan Lee"}}"#;

/// How each target is driven.
#[derive(Clone, Copy)]
pub struct Load {
    pub threads: u32,
    pub connections: u32,
    pub seconds: u32,
}

impl Default for Load {
    fn default() -> Self {
        Load {
            threads: 2,
            connections: 32,
            seconds: 10,
        }
    }
}

/// One target's result.
struct Measured {
    name: &'static str,
    requests_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    non_2xx: u64,
}

/// `widget_only` measures the widget (bytes and browser timings) and skips the load test.
pub fn run(root: &Path, load: &Load, widget_only: bool) -> Result<()> {
    // Other work on the machine skews the numbers; the report says how busy it was.
    let loadavg: String = std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    tools::setup_path();
    if widget_only {
        let binary = build_for_speed(root)?;
        return widget(root, &binary).map(|_| ());
    }
    tools::ensure_debian_tool("nginx", &["nginx"])?;
    tools::ensure_debian_tool("wrk", &["wrk"])?;
    let binary = build_for_speed(root)?;
    let work = std::env::temp_dir().join(format!("moov-support-bench-{}", std::process::id()));
    std::fs::create_dir_all(work.join("logs"))?;

    let sandbox_addr = free_addr()?;
    let mut sandbox = Service::start(
        "sandbox",
        Command::new(binary.with_file_name("moov-support-sandbox"))
            .env("SANDBOX_ADDR", &sandbox_addr)
            // Moov's own 40/s per IP would turn the load into 429s.
            .env("SANDBOX_RATE_LIMIT_PER_SECOND", "100000000")
            .env("RUST_LOG", "warn"),
    )?;
    sandbox.wait_listening(&sandbox_addr, Duration::from_secs(20))?;

    let proxy_addr = free_addr()?;
    let mut proxy = Service::start(
        "moov-support-proxy",
        Command::new(&binary)
            .arg("serve")
            .env("MOOV_BASE_URL", format!("http://{sandbox_addr}"))
            .env("MOOV_PUBLIC_KEY", PUBLIC_KEY)
            .env("MOOV_SECRET_KEY", SECRET_KEY)
            .env("SESSION_SECRET", SESSION_SECRET)
            .env("PROXY_ADDR", &proxy_addr)
            .env("ALLOWED_ORIGINS", "http://127.0.0.1")
            // One bench user from one address: the limits would measure themselves.
            .env("USER_RATE_LIMIT_PER_MINUTE", "0")
            .env("IP_RATE_LIMIT_PER_MINUTE", "0")
            .env("RUST_LOG", "warn")
            .env_remove("REDIS_URL"),
    )?;
    proxy.wait_healthy(
        &format!("http://{proxy_addr}/healthz"),
        Duration::from_secs(20),
    )?;
    let session = output(
        Command::new(&binary)
            .arg("session")
            .env("SESSION_SECRET", SESSION_SECRET)
            .env("SESSION_SUB", "bench-user")
            .env("MOOV_ACCOUNT_ID", ACCOUNT),
    )?
    .trim()
    .to_owned();

    let nginx_addr = free_addr()?;
    let conf = nginx_conf(&work, &nginx_addr, &sandbox_addr);
    std::fs::write(work.join("nginx.conf"), conf)?;
    let nginx_bin = tools::find_program("nginx").ok_or("nginx is not installed")?;
    let mut nginx = Service::start(
        "nginx",
        Command::new(nginx_bin)
            .arg("-p")
            .arg(&work)
            .arg("-c")
            .arg(work.join("nginx.conf"))
            .arg("-e")
            .arg(work.join("logs/error.log")),
    )?;
    nginx.wait_listening(&nginx_addr, Duration::from_secs(10))?;

    let direct = format!("http://{sandbox_addr}/accounts/{ACCOUNT}/tickets");
    let via_nginx = format!("http://{nginx_addr}/accounts/{ACCOUNT}/tickets");
    let via_proxy = format!("http://{proxy_addr}/api/support/tickets");
    let moov_auth = format!("Basic {}", base64(&format!("{PUBLIC_KEY}:{SECRET_KEY}")));
    let moov_script = lua_script(&work, "moov.lua", &moov_auth, true)?;
    let proxy_script = lua_script(&work, "proxy.lua", &format!("Bearer {session}"), false)?;

    // A short warm-up fills connection pools and the proxy's token cache.
    for (url, script) in [
        (&direct, &moov_script),
        (&via_proxy, &proxy_script),
        (&via_nginx, &moov_script),
    ] {
        wrk(
            url,
            script,
            &Load {
                seconds: 1,
                ..*load
            },
        )?;
    }
    let results = vec![
        measure("sandbox directly", &direct, &moov_script, load)?,
        measure("through the proxy", &via_proxy, &proxy_script, load)?,
        measure("through nginx", &via_nginx, &moov_script, load)?,
    ];
    drop(nginx);
    drop(proxy);
    drop(sandbox);
    let _ = std::fs::remove_dir_all(&work);

    let browser = widget(root, &binary);
    println!();
    print!("{}", report(&results, load, &loadavg));
    if let Some(bad) = results.iter().find(|r| r.non_2xx > 0) {
        return Err(format!("{}: {} answers were not 2xx", bad.name, bad.non_2xx).into());
    }
    browser
}

/// The widget's release assets, their sizes and the browser timings, printed as tables.
/// The widget's brotli bytes before "Your requests" (first-interactive with the heaviest
/// language, and in all), from `cargo xtask test`'s size check: what the inbox's weight is
/// read against.
const BEFORE_INBOX: (u64, u64) = (111_462, 318_113);

fn widget(root: &Path, binary: &Path) -> Result<()> {
    step("the widget: release assets");
    let dir = crate::assets::release(root)?;
    let sizes = crate::assets::sizes(&dir)?;
    let browser = crate::bench_browser::run(root, binary, &dir);
    println!();
    crate::assets::print_table(&sizes);
    let (first, all) = crate::assets::totals(&sizes);
    let change = |now: u64, before: u64| {
        format!(
            "{now} B, {:+} B ({:+.1} %) against {before} B before the inbox",
            now as i64 - before as i64,
            (now as f64 / before as f64 - 1.0) * 100.0
        )
    };
    println!(
        "brotli, first-interactive: {}; in all: {} (budgets {} B and {} B)",
        change(first.brotli, BEFORE_INBOX.0),
        change(all.brotli, BEFORE_INBOX.1),
        crate::assets::FIRST_INTERACTIVE_BUDGET,
        crate::assets::TOTAL_BUDGET
    );
    println!();
    match &browser {
        Ok(lines) => print!("{lines}"),
        Err(e) => println!("browser measurements failed: {e}"),
    }
    // The npm package in a partner's own build, beside the script tag's bytes above.
    let bundled = crate::examples::first_load::react(root, first.brotli);
    println!();
    match &bundled {
        Ok(lines) => print!("{lines}"),
        Err(e) => println!("the React example's first load could not be measured: {e}"),
    }
    browser.and(bundled).map(|_| ())
}

/// The proxy built for a server: the workspace's release profile is tuned for the widget's
/// wasm size (`opt-level = "z"`, fat LTO), which is not how a partner should build a server.
/// A separate target folder keeps this build from invalidating the size-tuned one.
fn build_for_speed(root: &Path) -> Result<PathBuf> {
    step("building the token proxy and the sandbox for speed (opt-level 3; first time a few minutes)");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("bench");
    cmd(crate::cargo(root)
        .args([
            "build",
            "--release",
            "-p",
            "moov-support-proxy",
            "-p",
            "moov-support-sandbox",
        ])
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "3")
        .env("CARGO_PROFILE_RELEASE_LTO", "thin")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"))?;
    Ok(target.join("release/moov-support-proxy"))
}

fn nginx_conf(work: &Path, listen: &str, sandbox: &str) -> String {
    let w = work.display();
    format!(
        // One process in the foreground: stopping it stops nginx, no orphaned workers.
        r#"daemon off;
master_process off;
pid {w}/nginx.pid;
error_log {w}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {w}/client_body;
    proxy_temp_path {w}/proxy;
    fastcgi_temp_path {w}/fastcgi;
    uwsgi_temp_path {w}/uwsgi;
    scgi_temp_path {w}/scgi;
    upstream sandbox {{
        server {sandbox};
        keepalive 64;
    }}
    server {{
        listen {listen};
        location / {{
            proxy_pass http://sandbox;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"#
    )
}

/// A wrk script that POSTs the ticket with `authorization`.
fn lua_script(work: &Path, name: &str, authorization: &str, moov: bool) -> Result<PathBuf> {
    let mut lua = String::new();
    writeln!(lua, "wrk.method = \"POST\"")?;
    writeln!(lua, "wrk.body = [[{TICKET}]]")?;
    writeln!(lua, "wrk.headers[\"Content-Type\"] = \"application/json\"")?;
    writeln!(lua, "wrk.headers[\"Authorization\"] = \"{authorization}\"")?;
    if moov {
        writeln!(lua, "wrk.headers[\"x-moov-version\"] = \"v2025.07.00\"")?;
    }
    let path = work.join(name);
    std::fs::write(&path, lua)?;
    Ok(path)
}

fn wrk(url: &str, script: &Path, load: &Load) -> Result<String> {
    output(
        Command::new("wrk")
            .arg(format!("-t{}", load.threads))
            .arg(format!("-c{}", load.connections))
            .arg(format!("-d{}s", load.seconds))
            .arg("--latency")
            .arg("-s")
            .arg(script)
            .arg(url),
    )
}

fn measure(name: &'static str, url: &str, script: &Path, load: &Load) -> Result<Measured> {
    step(&format!(
        "{name}: {}s, {} connections",
        load.seconds, load.connections
    ));
    let out = wrk(url, script, load)?;
    parse_wrk(name, &out).ok_or_else(|| format!("could not read wrk's output:\n{out}").into())
}

/// Reads `Requests/sec`, the 50% and 99% latency lines and the non-2xx count.
fn parse_wrk(name: &'static str, out: &str) -> Option<Measured> {
    let mut m = Measured {
        name,
        requests_per_sec: 0.0,
        p50_ms: 0.0,
        p99_ms: 0.0,
        non_2xx: 0,
    };
    let mut seen = 0;
    for line in out.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", n] => {
                m.requests_per_sec = n.parse().ok()?;
                seen += 1;
            }
            ["50%", t] => {
                m.p50_ms = millis(t)?;
                seen += 1;
            }
            ["99%", t] => {
                m.p99_ms = millis(t)?;
                seen += 1;
            }
            ["Non-2xx", "or", "3xx", "responses:", n] => m.non_2xx = n.parse().ok()?,
            _ => {}
        }
    }
    (seen == 3).then_some(m)
}

/// wrk's `812.00us`, `1.23ms`, `2.01s` in milliseconds.
fn millis(text: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        (text.strip_suffix('s')?, 1000.0)
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

fn report(results: &[Measured], load: &Load, loadavg: &str) -> String {
    let base = &results[0];
    let mut out = format!(
        "\nPOST ticket, wrk -t{} -c{} -d{}s --latency, loopback; load average before: {}\n\n",
        load.threads, load.connections, load.seconds, loadavg
    );
    out.push_str("| target | requests/s | p50 ms | p99 ms | req/s vs direct | p50 vs direct |\n");
    out.push_str("| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for r in results {
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} |",
            r.name,
            r.requests_per_sec,
            r.p50_ms,
            r.p99_ms,
            r.requests_per_sec / base.requests_per_sec,
            r.p50_ms / base.p50_ms
        );
    }
    if let [_, proxy, nginx] = results {
        let _ = writeln!(
            out,
            "\nproxy vs nginx: {:.2}x the requests/s, {:.2}x the p50, {:.2}x the p99",
            proxy.requests_per_sec / nginx.requests_per_sec,
            proxy.p50_ms / nginx.p50_ms,
            proxy.p99_ms / nginx.p99_ms
        );
    }
    out
}

fn base64(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_output() {
        let out = "Running 10s test @ http://127.0.0.1:1/x
  Latency Distribution
     50%  812.00us
     75%    1.20ms
     90%    2.00ms
     99%    1.50s
  1000 requests in 10.00s, 1.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   4321.50
Transfer/sec:    100.00KB
";
        let m = parse_wrk("x", out).unwrap();
        assert_eq!(m.requests_per_sec, 4321.5);
        assert!((m.p50_ms - 0.812).abs() < 1e-9);
        assert_eq!(m.p99_ms, 1500.0);
        assert_eq!(m.non_2xx, 3);
        assert!(parse_wrk("x", "nothing").is_none());
    }

    #[test]
    fn encodes_basic_credentials() {
        assert_eq!(base64("a:b"), "YTpi");
        assert_eq!(base64("ab:c"), "YWI6Yw==");
        assert_eq!(base64("abc:d"), "YWJjOmQ=");
    }
}
