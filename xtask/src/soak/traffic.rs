//! The traffic mix: users, keys and tickets, the bursts and retries, and the tally of what
//! came back.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::mpsc::Receiver;
use std::sync::{Mutex, RwLock};
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};
use ureq::Agent;
use uuid::Uuid;

use super::{
    Job, Kind, BURST_PAUSE, BURST_TICKETS, IP_BURST_REQUESTS, MAX_ATTEMPTS, ORIGIN, USERS,
};
use crate::http::{self, Reply};
use crate::run::Result;

pub(super) struct Target {
    pub(super) agent: Agent,
    /// The proxy's `http://host:port`.
    pub(super) url: String,
    /// One session per user; the last two are the burst user's and the control's.
    pub(super) tokens: RwLock<Vec<String>>,
}

impl Target {
    fn token(&self, user: usize) -> String {
        self.tokens.read().unwrap_or_else(|e| e.into_inner())[user].clone()
    }

    pub(super) fn post(&self, path: &str, headers: &[(&str, String)], body: &str) -> Answer {
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
pub(super) fn control() -> Vec<(&'static str, String)> {
    vec![("x-forwarded-for", "10.255.0.1".into())]
}

pub(super) fn mint_tokens(agent: &Agent, url: &str) -> Result<Vec<String>> {
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
pub(super) struct Tally {
    pub(super) by_status: BTreeMap<u16, u64>,
    pub(super) by_kind: BTreeMap<(Kind, u16), u64>,
    /// 429s by the limit that answered: the user's, the address's or Moov's.
    pub(super) limits: BTreeMap<&'static str, u64>,
    pub(super) five_xx: u64,
    pub(super) transport_errors: u64,
    /// Answers a kind of request must never get, with the first few described.
    pub(super) wrong: u64,
    pub(super) wrong_examples: Vec<String>,
    /// Key → ticket id answered with 200.
    pub(super) filed: HashMap<String, String>,
    /// Keys refused with 429: nothing may be filed under them.
    pub(super) refused: HashSet<String>,
    /// Valid tickets still without an answer after every retry.
    pub(super) unresolved: u64,
    pub(super) retries: u64,
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

pub(super) fn work_through(target: &Target, tally: &Mutex<Tally>, queue: &Mutex<Receiver<Job>>) {
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
pub(super) fn key() -> String {
    Uuid::new_v4().to_string()
}
