//! `cargo xtask soak [MINUTES]`: the release proxy, in sandbox mode, under a steady mix of
//! traffic for MINUTES (default 10), on loopback only.
//!
//! The mix, per second: six valid tickets (each with its own `Idempotency-Key`, one in eight
//! sent a second time on purpose), one invalid ticket (422) and one malformed request (400),
//! from 32 users each behind its own client address (`X-Forwarded-For`, one trusted hop).
//! Every 30 s one user sends 40 tickets in 4 s, past its 30 per minute, or one address 130
//! requests at once, past its 120 per minute (429). Every 15 s a Moov fault is queued (500, 504, a late
//! answer, a dropped connection); a ticket whose answer is a 5xx or a 429 is retried with
//! its key until it gets its ticket, as the widget would.
//!
//! The proxy's RSS is read from `/proc` every 5 s. At the end the sandbox's tickets are
//! listed straight from its own `GET /accounts/{id}/tickets` and matched to the keys: each
//! ticket answered 200 must be there exactly once, with the ticket id the client was given;
//! each ticket refused with 429 must not be there at all. The command fails on a crash, a
//! 5xx that no fault explains, a wrong answer, a lost, duplicated or phantom ticket, or RSS
//! growth after warm-up beyond a generous bound.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};
use ureq::Agent;
use uuid::Uuid;

use crate::http::{self, Reply};
use crate::run::{free_addr, step, Result};
use crate::service::Service;

/// The sandbox's demo account and key pair (valid against the sandbox only).
const ACCOUNT: &str = "5e1f6a3c-0b7d-4c39-9a8e-2f4d6b8c1a27";
const PUBLIC_KEY: &str = "sandbox-public-key";
const SECRET_KEY: &str = "sandbox-secret-key-not-for-production";
const MOOV_VERSION: &str = "v2025.07.00";
const ORIGIN: &str = "http://127.0.0.1:8080";

/// Requests the steady load starts per second.
const TICKS_PER_SECOND: u32 = 8;
/// One cycle of the steady load: valid, invalid and malformed requests in these shares.
const CYCLE: [Kind; 16] = {
    use Kind::{Invalid as I, Malformed as M, Valid as V};
    [V, V, V, V, I, V, V, V, M, V, V, V, I, V, V, M]
};
const USERS: usize = 32;
const WORKERS: usize = 6;
const USER_LIMIT_PER_MINUTE: u32 = 30;
const IP_LIMIT_PER_MINUTE: u32 = 120;
const BURST_EVERY: Duration = Duration::from_secs(30);
const BURST_TICKETS: usize = 40;
/// Paced so the burst trips the proxy's per-user limit rather than Moov's 40 calls per second.
const BURST_PAUSE: Duration = Duration::from_millis(100);
const IP_BURST_REQUESTS: usize = 130;
const FAULT_EVERY: Duration = Duration::from_secs(15);
/// Scripted Moov answers, queued in turn; each is used by the next ticket creation.
const FAULTS: [&str; 5] = [
    r#"{"status":500}"#,
    r#"{"status":504}"#,
    r#"{"delayMs":1500}"#,
    r#"{"drop":true}"#,
    r#"{"status":500,"times":2}"#,
];
const RSS_EVERY: Duration = Duration::from_secs(5);
/// Session tokens live an hour; longer soaks mint new ones.
const TOKENS_EVERY: Duration = Duration::from_secs(30 * 60);
/// A valid ticket is retried until it is filed, at most this many times.
const MAX_ATTEMPTS: u32 = 40;
/// Allowed RSS growth after warm-up: a fixed margin plus a share per ticket filed, since the
/// proxy remembers each key for 24 h and the in-process sandbox keeps every ticket.
const RSS_MARGIN_KIB: u64 = 32 * 1024;
const RSS_PER_TICKET_KIB: u64 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Valid,
    Replay,
    Invalid,
    Malformed,
    Burst,
    IpBurst,
}

enum Job {
    Steady(Kind, usize),
    Burst,
    IpBurst,
}

pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let minutes: f64 = match args.first() {
        None => 10.0,
        Some(m) => m
            .parse()
            .ok()
            .filter(|m: &f64| *m > 0.0 && *m <= 24.0 * 60.0)
            .ok_or_else(|| format!("MINUTES must be a positive number, not `{m}`"))?,
    };
    let duration = Duration::from_secs_f64(minutes * 60.0);
    let binary = crate::build_proxy(root, true)?;
    let work = std::env::temp_dir().join(format!("moov-support-soak-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let log = work.join("proxy.log");
    let (mut proxy, proxy_url, sandbox_url) = start_proxy(&binary, &free_addr()?, &log)?;
    step(&format!(
        "soak: {minutes} min against the proxy (pid {}) on {proxy_url} and its sandbox at {sandbox_url}; proxy log {}",
        proxy.pid(),
        log.display()
    ));

    let agent = http::agent();
    let target = Target {
        tokens: RwLock::new(mint_tokens(&agent, &proxy_url)?),
        agent,
        url: proxy_url,
    };
    let shared = Arc::new((target, Mutex::new(Tally::default())));
    let (jobs, queue) = channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (shared, queue) = (shared.clone(), queue.clone());
            thread::spawn(move || work_through(&shared.0, &shared.1, &queue))
        })
        .collect();

    let warm_up = (duration / 10).clamp(Duration::from_secs(10), Duration::from_secs(60));
    let mut rss = RssLog::default();
    rss.sample(proxy.pid(), Duration::ZERO);
    let started = Instant::now();
    let mut faults: BTreeMap<&str, u32> = BTreeMap::new();
    let mut five_xx_faults = 0u32;
    let (mut next_fault, mut next_burst, mut next_rss, mut next_tokens) =
        (FAULT_EVERY, BURST_EVERY, RSS_EVERY, TOKENS_EVERY);
    let (mut tick, mut bursts, mut crashed) = (0u64, 0u64, None);
    let tick_len = Duration::from_secs(1) / TICKS_PER_SECOND;
    while started.elapsed() < duration {
        let due = tick_len * tick as u32;
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            thread::sleep(wait);
        }
        let now = started.elapsed();
        if let Some(status) = proxy.exited() {
            crashed = Some(format!("{status} after {:.0} s", now.as_secs_f64()));
            break;
        }
        let kind = CYCLE[tick as usize % CYCLE.len()];
        jobs.send(Job::Steady(kind, tick as usize % USERS))?;
        tick += 1;
        if now >= next_fault {
            next_fault += FAULT_EVERY;
            let fault = FAULTS[faults.values().sum::<u32>() as usize % FAULTS.len()];
            let r = shared.0.post("/api/dev/faults", &control(), fault);
            match r {
                Ok(r) if r.status == 200 => {
                    *faults.entry(fault).or_default() += 1;
                    let f: Value = serde_json::from_str(fault)?;
                    if f["drop"] == json!(true) || f["status"].as_u64().is_some_and(|s| s >= 500) {
                        five_xx_faults += f["times"].as_u64().unwrap_or(1) as u32;
                    }
                }
                other => return Err(format!("could not queue a fault: {other:?}").into()),
            }
        }
        if now >= next_burst {
            next_burst += BURST_EVERY;
            jobs.send(if bursts.is_multiple_of(2) {
                Job::Burst
            } else {
                Job::IpBurst
            })?;
            bursts += 1;
        }
        if now >= next_rss {
            next_rss += RSS_EVERY;
            rss.sample(proxy.pid(), now);
            if rss.warm.is_none() && now >= warm_up {
                rss.warm = rss.samples.last().copied();
            }
        }
        if now >= next_tokens {
            next_tokens += TOKENS_EVERY;
            *shared.0.tokens.write().unwrap_or_else(|e| e.into_inner()) =
                mint_tokens(&shared.0.agent, &shared.0.url)?;
        }
    }
    drop(jobs);
    step("soak: traffic stopped; waiting for retries in flight");
    for w in workers {
        let _ = w.join();
    }
    let ran = started.elapsed();
    if crashed.is_none() {
        if let Some(status) = proxy.exited() {
            crashed = Some(format!("{status} at the end"));
        }
    }
    rss.sample(proxy.pid(), ran);
    let counted = if crashed.is_none() {
        Some(list_tickets(&sandbox_url)?)
    } else {
        None
    };
    let tally = std::mem::take(&mut *shared.1.lock().unwrap_or_else(|e| e.into_inner()));
    let report = Report {
        ran,
        tally,
        faults,
        five_xx_faults,
        crashed,
        rss,
        counted,
    };
    let (text, failures) = report.render();
    print!("{text}");
    if failures.is_empty() {
        step("soak passed");
        Ok(())
    } else {
        Err(format!("soak failed: {}", failures.join("; ")).into())
    }
}

/// Starts the proxy under test, its output in `log`; returns it with its URL and its
/// sandbox's, read from the line the proxy prints once it serves.
fn start_proxy(binary: &Path, addr: &str, log: &Path) -> Result<(Service, String, String)> {
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
fn sandbox_url(printed: &str) -> Option<String> {
    printed
        .lines()
        .find_map(|l| l.split_once("Moov sandbox at "))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .map(str::to_owned)
}

struct Target {
    agent: Agent,
    /// The proxy's `http://host:port`.
    url: String,
    /// One session per user; the last two are the burst user's and the control's.
    tokens: RwLock<Vec<String>>,
}

impl Target {
    fn token(&self, user: usize) -> String {
        self.tokens.read().unwrap_or_else(|e| e.into_inner())[user].clone()
    }

    fn post(&self, path: &str, headers: &[(&str, String)], body: &str) -> Answer {
        http::post(&self.agent, &format!("{}{path}", self.url), headers, body)
    }

    fn get(&self, path: &str, headers: &[(&str, String)]) -> Answer {
        http::get(&self.agent, &format!("{}{path}", self.url), headers)
    }
}

/// An answer, or why none came.
type Answer = std::result::Result<Reply, ureq::Error>;

const BURST_USER: usize = USERS;

/// Headers of the soak's own control requests (sessions, faults), from an address of their own.
fn control() -> Vec<(&'static str, String)> {
    vec![("x-forwarded-for", "10.255.0.1".into())]
}

fn mint_tokens(agent: &Agent, url: &str) -> Result<Vec<String>> {
    (0..=USERS)
        .map(|u| {
            let path = format!("{url}/api/dev/session?sub=soak-user-{u}");
            let r = http::get(agent, &path, &control())?;
            let v: Value = serde_json::from_str(&r.body)?;
            v["token"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("no session token: {} {}", r.status, r.body).into())
        })
        .collect()
}

/// What the traffic came to.
#[derive(Default)]
struct Tally {
    by_status: BTreeMap<u16, u64>,
    by_kind: BTreeMap<(Kind, u16), u64>,
    /// 429s by the limit that answered: the user's, the address's or Moov's.
    limits: BTreeMap<&'static str, u64>,
    five_xx: u64,
    transport_errors: u64,
    /// Answers a kind of request must never get, with the first few described.
    wrong: u64,
    wrong_examples: Vec<String>,
    /// Key → ticket id answered with 200.
    filed: HashMap<String, String>,
    /// Keys refused with 429: nothing may be filed under them.
    refused: HashSet<String>,
    /// Valid tickets still without an answer after every retry.
    unresolved: u64,
    retries: u64,
}

impl Tally {
    fn count(&mut self, kind: Kind, reply: &Reply) {
        let status = reply.status;
        if status == 429 {
            let limit = if reply.body.contains("this user") {
                "user"
            } else if reply.body.contains("this address") {
                "address"
            } else {
                "Moov"
            };
            *self.limits.entry(limit).or_default() += 1;
        }
        *self.by_status.entry(status).or_default() += 1;
        *self.by_kind.entry((kind, status)).or_default() += 1;
        if status >= 500 {
            self.five_xx += 1;
        }
    }

    fn wrong(&mut self, what: String) {
        self.wrong += 1;
        if self.wrong_examples.len() < 10 {
            self.wrong_examples.push(what);
        }
    }
}

fn work_through(target: &Target, tally: &Mutex<Tally>, queue: &Mutex<Receiver<Job>>) {
    loop {
        let job = match queue.lock().unwrap_or_else(|e| e.into_inner()).recv() {
            Ok(job) => job,
            Err(_) => return,
        };
        match job {
            Job::Steady(Kind::Valid, user) => {
                let key = key();
                let body = ticket(&key, user);
                if let Some(id) = file(target, tally, user, &key, &body, Kind::Valid) {
                    // One in eight, the widget sends the filed ticket again (a double click,
                    // a lost answer): the same ticket comes back and nothing new is filed.
                    if key.as_bytes()[0].is_multiple_of(8) {
                        replay(target, tally, user, &key, &body, &id);
                    }
                }
            }
            Job::Steady(kind, user) => malformed_or_invalid(target, tally, kind, user, &key()),
            Job::Burst => {
                for _ in 0..BURST_TICKETS {
                    thread::sleep(BURST_PAUSE);
                    let key = key();
                    file(
                        target,
                        tally,
                        BURST_USER,
                        &key,
                        &ticket(&key, BURST_USER),
                        Kind::Burst,
                    );
                }
            }
            Job::IpBurst => {
                // Unsigned requests from one address: refused for the session (401) until
                // the address is over its limit (429), without ever reaching Moov.
                let headers = vec![("x-forwarded-for", "10.254.0.1".to_string())];
                for _ in 0..IP_BURST_REQUESTS {
                    let r = target.get("/api/support/tickets", &headers);
                    record(tally, Kind::IpBurst, &r, &[401, 429]);
                }
            }
        }
    }
}

fn user_headers(target: &Target, user: usize, key: Option<&str>) -> Vec<(&'static str, String)> {
    let mut h = vec![
        ("authorization", format!("Bearer {}", target.token(user))),
        ("content-type", "application/json".into()),
        ("origin", ORIGIN.into()),
        (
            "x-forwarded-for",
            format!("10.0.{}.{}", user / 200, user % 200 + 1),
        ),
    ];
    if let Some(k) = key {
        h.push(("idempotency-key", k.to_owned()));
    }
    h
}

fn ticket(key: &str, user: usize) -> String {
    json!({
        "title": format!("Soak ticket {key}"),
        "body": format!("<p>Payout for order <strong>{key}</strong> has not arrived.</p>"),
        "contact": {"email": format!("soak-user-{user}@example.com"), "name": "Soak User"}
    })
    .to_string()
}

/// Sends one ticket until it is filed or definitely refused, as the widget retries a draft.
/// Returns the ticket id when filed.
fn file(
    target: &Target,
    tally: &Mutex<Tally>,
    user: usize,
    key: &str,
    body: &str,
    kind: Kind,
) -> Option<String> {
    // After a 5xx or no answer, Moov may hold the ticket: only a filed answer settles it.
    let mut unsure = false;
    for attempt in 1..=MAX_ATTEMPTS {
        let headers = user_headers(target, user, Some(key));
        let r = target.post("/api/support/tickets", &headers, body);
        let mut t = lock(tally);
        if attempt > 1 {
            t.retries += 1;
        }
        let wait = match &r {
            Err(e) => {
                t.transport_errors += 1;
                t.wrong(format!("{kind:?} {key}: no answer: {e}"));
                unsure = true;
                Duration::from_millis(500)
            }
            Ok(r) => {
                t.count(kind, r);
                match r.status {
                    200 => {
                        let v: Value = serde_json::from_str(&r.body).unwrap_or_default();
                        let id = v["ticketID"].as_str().unwrap_or_default().to_owned();
                        if v["foreignID"] != json!(key) || id.is_empty() {
                            t.wrong(format!(
                                "{kind:?} {key}: a 200 without its ticket: {}",
                                r.body
                            ));
                        }
                        t.refused.remove(key);
                        t.filed.insert(key.to_owned(), id.clone());
                        return Some(id);
                    }
                    // The burst user past its limit: refused, nothing filed, not retried.
                    429 if kind == Kind::Burst && !unsure => {
                        t.refused.insert(key.to_owned());
                        return None;
                    }
                    429 => Duration::from_secs(r.retry_after.unwrap_or(1).min(65)),
                    500 | 502 | 504 => {
                        unsure = true;
                        Duration::from_millis(300)
                    }
                    s => {
                        t.wrong(format!("{kind:?} {key}: {s} {}", r.body));
                        t.unresolved += 1;
                        return None;
                    }
                }
            }
        };
        drop(t);
        thread::sleep(wait);
    }
    let mut t = lock(tally);
    t.unresolved += 1;
    t.wrong(format!(
        "{kind:?} {key}: still not filed after {MAX_ATTEMPTS} attempts"
    ));
    None
}

/// The same key and ticket again: the same ticket must come back.
fn replay(target: &Target, tally: &Mutex<Tally>, user: usize, key: &str, body: &str, id: &str) {
    let headers = user_headers(target, user, Some(key));
    let r = target.post("/api/support/tickets", &headers, body);
    let mut t = lock(tally);
    match r {
        Ok(r) => {
            t.count(Kind::Replay, &r);
            let again: Value = serde_json::from_str(&r.body).unwrap_or_default();
            if r.status != 200 || again["ticketID"] != json!(id) {
                t.wrong(format!("replay {key}: {} {}", r.status, r.body));
            }
        }
        Err(e) => {
            t.transport_errors += 1;
            t.wrong(format!("replay {key}: no answer: {e}"));
        }
    }
}

/// A ticket the rules refuse (422), or a request that is not a ticket at all (400).
fn malformed_or_invalid(target: &Target, tally: &Mutex<Tally>, kind: Kind, user: usize, key: &str) {
    let invalid = |title: String, body: &str, email: &str| {
        json!({"title": title, "body": body, "contact": {"email": email}}).to_string()
    };
    let (text, key, expected) = match (kind, key.as_bytes()[1] % 3) {
        (Kind::Invalid, 0) => (
            invalid("Bad email".into(), "<p>x</p>", "not-an-email"),
            Some(key),
            422,
        ),
        // Nothing visible is left once the script is removed; the title is blank.
        (Kind::Invalid, 1) => (
            invalid(" ".into(), "<script>alert(1)</script>", "a@b.co"),
            Some(key),
            422,
        ),
        (Kind::Invalid, _) => (invalid("x".repeat(201), "<p>x</p>", "a@b.co"), None, 422),
        (_, 0) => (r#"{"title": "cut off"#.to_owned(), Some(key), 400),
        (_, 1) => (
            r#"["Payout missing", "<p>x</p>"]"#.to_owned(),
            Some(key),
            400,
        ),
        (_, _) => (ticket(key, user), Some("not-a-uuid"), 400),
    };
    let headers = user_headers(target, user, key);
    let r = target.post("/api/support/tickets", &headers, &text);
    record(tally, kind, &r, &[expected]);
}

fn record(tally: &Mutex<Tally>, kind: Kind, r: &Answer, expected: &[u16]) {
    let mut t = lock(tally);
    match r {
        Ok(r) => {
            t.count(kind, r);
            if !expected.contains(&r.status) {
                t.wrong(format!("{kind:?}: {} {}", r.status, r.body));
            }
        }
        Err(e) => {
            t.transport_errors += 1;
            t.wrong(format!("{kind:?}: no answer: {e}"));
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A fresh idempotency key, as the widget makes one: a random (version 4) UUID in its
/// hyphenated lowercase form, which the proxy requires.
fn key() -> String {
    Uuid::new_v4().to_string()
}

/// Every ticket of the demo account, straight from the sandbox (HTTP Basic with its keys):
/// how many carry each `foreignID`, and which ticket ids.
fn list_tickets(sandbox_url: &str) -> Result<Counted> {
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
struct Counted {
    total: u64,
    without_key: u64,
    by_key: HashMap<String, Vec<String>>,
}

/// RSS samples in KiB, with when they were taken.
#[derive(Default)]
struct RssLog {
    samples: Vec<(Duration, u64)>,
    warm: Option<(Duration, u64)>,
}

impl RssLog {
    fn sample(&mut self, pid: u32, at: Duration) {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let kib = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok());
        if let Some(kib) = kib {
            self.samples.push((at, kib));
        }
    }
}

struct Report {
    ran: Duration,
    tally: Tally,
    faults: BTreeMap<&'static str, u32>,
    five_xx_faults: u32,
    crashed: Option<String>,
    rss: RssLog,
    counted: Option<Counted>,
}

impl Report {
    /// The printed report, and why the soak failed (empty when it passed).
    fn render(&self) -> (String, Vec<String>) {
        let mut out = String::new();
        let mut failures = Vec::new();
        let t = &self.tally;
        let requests: u64 = t.by_status.values().sum();
        let secs = self.ran.as_secs_f64();
        let _ = writeln!(out, "\nsoak results");
        let _ = writeln!(
            out,
            "  duration          {:.1} min; {requests} requests ({:.1}/s), {} retries of unfiled tickets",
            secs / 60.0,
            requests as f64 / secs.max(1.0),
            t.retries
        );
        let statuses: Vec<String> = t
            .by_status
            .iter()
            .map(|(s, n)| format!("{s}: {n}"))
            .collect();
        let _ = writeln!(out, "  by status         {}", statuses.join(", "));
        let mut kinds: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
        for ((kind, status), n) in &t.by_kind {
            kinds
                .entry(*kind)
                .or_default()
                .push(format!("{status}: {n}"));
        }
        for (kind, statuses) in kinds {
            let _ = writeln!(
                out,
                "    {:<15} {}",
                format!("{kind:?}"),
                statuses.join(", ")
            );
        }
        let faults: Vec<String> = self
            .faults
            .iter()
            .map(|(f, n)| format!("{n} × {f}"))
            .collect();
        let _ = writeln!(
            out,
            "  faults injected   {} ({}); at most {} answers may be 5xx because of them",
            self.faults.values().sum::<u32>(),
            faults.join(", "),
            self.five_xx_faults
        );
        let limits: Vec<String> = t.limits.iter().map(|(l, n)| format!("{l} {n}")).collect();
        let _ = writeln!(out, "  429 by limit      {}", limits.join(", "));
        let unexpected = t.five_xx.saturating_sub(self.five_xx_faults as u64);
        let _ = writeln!(
            out,
            "  5xx answers       {} ({unexpected} not explained by a fault)",
            t.five_xx
        );
        if unexpected > 0 {
            failures.push(format!("{unexpected} unexpected 5xx"));
        }
        let _ = writeln!(
            out,
            "  crashes           {}",
            self.crashed
                .as_deref()
                .map_or("0".into(), |c| format!("1 ({c})"))
        );
        if let Some(c) = &self.crashed {
            failures.push(format!("the proxy exited: {c}"));
        }
        let _ = writeln!(out, "  transport errors  {}", t.transport_errors);
        let _ = writeln!(out, "  wrong answers     {}", t.wrong);
        for example in &t.wrong_examples {
            let _ = writeln!(out, "    {example}");
        }
        if t.wrong > 0 {
            failures.push(format!("{} wrong answers", t.wrong));
        }

        let kib = |k: u64| format!("{:.1} MiB", k as f64 / 1024.0);
        let first = self.rss.samples.first().map(|s| s.1).unwrap_or(0);
        let last = self.rss.samples.last().map(|s| s.1).unwrap_or(0);
        let max = self.rss.samples.iter().map(|s| s.1).max().unwrap_or(0);
        let (warm_at, warm) = self.rss.warm.unwrap_or((Duration::ZERO, first));
        let _ = writeln!(
            out,
            "  RSS               start {}, after warm-up ({:.0} s) {}, end {}, max {} ({} samples)",
            kib(first),
            warm_at.as_secs_f64(),
            kib(warm),
            kib(last),
            kib(max),
            self.rss.samples.len()
        );

        if let Some(counted) = &self.counted {
            let filed = t.filed.len() as u64;
            let lost: Vec<&String> = t
                .filed
                .keys()
                .filter(|k| !counted.by_key.contains_key(*k))
                .collect();
            let duplicated = counted.by_key.values().filter(|ids| ids.len() > 1).count();
            let phantom = t
                .refused
                .iter()
                .filter(|k| counted.by_key.contains_key(*k))
                .count();
            let other_id = t
                .filed
                .iter()
                .filter(|(k, id)| {
                    counted
                        .by_key
                        .get(*k)
                        .is_some_and(|ids| ids.len() == 1 && ids[0] != **id)
                })
                .count();
            let strays = counted
                .by_key
                .keys()
                .filter(|k| !t.filed.contains_key(*k) && !t.refused.contains(*k))
                .count() as u64
                + counted.without_key;
            let _ = writeln!(
                out,
                "  tickets           {filed} valid tickets filed (answered 200), {} refused over the limit; \
                 {} counted in the sandbox",
                t.refused.len(),
                counted.total
            );
            let _ = writeln!(
                out,
                "  lost {}, duplicated {duplicated}, filed although refused {phantom}, \
                 answered with another ticket id {other_id}, unknown to the soak {strays}, never filed {}",
                lost.len(),
                t.unresolved
            );
            for (what, n) in [
                ("lost", lost.len()),
                ("duplicated", duplicated),
                ("filed although refused", phantom),
                ("answered with another ticket id", other_id),
                ("unknown to the soak", strays as usize),
                ("never filed", t.unresolved as usize),
            ] {
                if n > 0 {
                    failures.push(format!("{n} tickets {what}"));
                }
            }
            let growth = last.saturating_sub(warm);
            let allowed = RSS_MARGIN_KIB + RSS_PER_TICKET_KIB * counted.total;
            let _ = writeln!(
                out,
                "  RSS growth        {} after warm-up ({:.2} KiB per ticket in the sandbox); allowed {}",
                kib(growth),
                growth as f64 / counted.total.max(1) as f64,
                kib(allowed)
            );
            if growth > allowed {
                failures.push(format!("RSS grew by {} after warm-up", kib(growth)));
            }
        }
        (out, failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct_version_4_uuids_in_the_form_the_proxy_takes() {
        let keys: Vec<String> = (0..4096).map(|_| key()).collect();
        let distinct: HashSet<&String> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len());
        for k in &keys {
            let parsed = Uuid::parse_str(k).unwrap();
            assert_eq!(parsed.get_version(), Some(uuid::Version::Random), "{k}");
            assert_eq!(
                *k,
                parsed.hyphenated().to_string(),
                "not lowercase hyphenated"
            );
        }
        // The mix is drawn from the keys' text: one valid ticket in eight is sent again, and
        // each of the three invalid and malformed variants comes up.
        let replayed = keys
            .iter()
            .filter(|k| k.as_bytes()[0].is_multiple_of(8))
            .count();
        assert!(
            (384..=640).contains(&replayed),
            "{replayed} of 4096 replayed"
        );
        let variants: HashSet<u8> = keys.iter().map(|k| k.as_bytes()[1] % 3).collect();
        assert_eq!(variants.len(), 3);
    }

    #[test]
    fn the_sandbox_url_is_read_from_the_proxy_start_line() {
        let printed = "moov-support-proxy listening on http://127.0.0.1:4000 against the built-in \
                       Moov sandbox at http://127.0.0.1:41234 (demo account 5e1f)\n";
        assert_eq!(
            sandbox_url(printed).as_deref(),
            Some("http://127.0.0.1:41234")
        );
        assert_eq!(
            sandbox_url("moov-support-proxy listening on http://127.0.0.1:4000 against Moov at https://api.moov.io\n"),
            None
        );
    }
}
