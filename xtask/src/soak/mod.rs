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

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::http;
use crate::run::{free_addr, step, Result};

mod proxy;
mod report;
mod traffic;

use proxy::{list_tickets, start_proxy};
use report::{Report, RssLog};
use traffic::{control, mint_tokens, work_through, Tally, Target};

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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use uuid::Uuid;

    use super::proxy::sandbox_url;
    use super::traffic::key;

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
