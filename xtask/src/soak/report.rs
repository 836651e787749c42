//! The soak's report: what the traffic came to, the proxy's RSS, and why the soak failed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use super::proxy::Counted;
use super::traffic::Tally;
use super::{Kind, RSS_MARGIN_KIB, RSS_PER_TICKET_KIB};

/// RSS samples in KiB, with when they were taken.
#[derive(Default)]
pub(super) struct RssLog {
    pub(super) samples: Vec<(Duration, u64)>,
    pub(super) warm: Option<(Duration, u64)>,
}

impl RssLog {
    pub(super) fn sample(&mut self, pid: u32, at: Duration) {
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

pub(super) struct Report {
    pub(super) ran: Duration,
    pub(super) tally: Tally,
    pub(super) faults: BTreeMap<&'static str, u32>,
    pub(super) five_xx_faults: u32,
    pub(super) crashed: Option<String>,
    pub(super) rss: RssLog,
    pub(super) counted: Option<Counted>,
}

impl Report {
    /// The printed report, and why the soak failed (empty when it passed).
    pub(super) fn render(&self) -> (String, Vec<String>) {
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
