//! Start-up: cold and repeat loads of the demo page until its form is ready, each in a fresh
//! profile, throttled to a slow mobile network or not.

use std::time::Duration;

use serde_json::json;

use crate::run::Result;
use crate::tools::CHROMIUM;
use crate::webdriver::{profile_dir, Browser};

/// Lighthouse's mobile profile: 150 ms round trip, 1.6 Mbps down, 750 Kbps up.
const SLOW_LATENCY_MS: u64 = 150;
const SLOW_DOWN_BYTES_PER_SEC: u64 = 1_600_000 / 8;
const SLOW_UP_BYTES_PER_SEC: u64 = 750_000 / 8;
/// Cold loads per start-up figure (the "median of 9").
pub(super) const LOADS: usize = 9;

/// What one start-up series measured, in milliseconds.
pub(super) struct Series {
    pub(super) values: Vec<f64>,
}

impl Series {
    pub(super) fn percentile(&self, p: f64) -> f64 {
        let mut v = self.values.clone();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * (v.len() as f64 - 1.0)).round() as usize;
        v[rank.min(v.len() - 1)]
    }
}

/// What one series of page loads measured.
pub(super) struct Startup {
    /// Navigation → the loader's static form drawn and typable (`moov-support:static`),
    /// first visit.
    pub(super) cold_static: Series,
    /// Navigation → ready, first visit (empty cache).
    pub(super) cold: Series,
    /// Loader start → ready, first visit.
    pub(super) cold_from_start: Series,
    /// Navigation → ready, the same page opened again: the widget's files come from the
    /// browser's cache (`v/<hash>/` is immutable), the loader is revalidated.
    pub(super) repeat: Series,
}

/// Loads of the demo page, each in a fresh profile, then once more in that profile; with
/// `language`, the browser speaks only that language.
pub(super) fn startup(
    driver: &str,
    base: &str,
    throttled: bool,
    language: Option<&str>,
) -> Result<Startup> {
    let mut series = Startup {
        cold_static: Series { values: Vec::new() },
        cold: Series { values: Vec::new() },
        cold_from_start: Series { values: Vec::new() },
        repeat: Series { values: Vec::new() },
    };
    for i in 0..LOADS {
        let profile = profile_dir(&format!(
            "startup-{throttled}-{}-{i}",
            language.unwrap_or("default")
        ))?;
        let browser = Browser::open(driver, CHROMIUM, &profile)?;
        let measured = (|| -> Result<(Load, f64)> {
            if let Some(tag) = language {
                browser.emulate_language(tag)?;
            }
            if throttled {
                browser.emulate_network(
                    SLOW_LATENCY_MS,
                    SLOW_DOWN_BYTES_PER_SEC,
                    SLOW_UP_BYTES_PER_SEC,
                )?;
            }
            let cold = load(&browser, base, true)?;
            // A page of the same dashboard, later: what every page after the first costs.
            browser.goto("about:blank")?;
            // From the cache the Rust form can be ready before a language file arrives for
            // the static form; that one is then never drawn, and not needed.
            let repeat = load(&browser, base, false)?.ready;
            Ok((cold, repeat))
        })();
        let _ = browser.close();
        let _ = std::fs::remove_dir_all(&profile);
        let (cold, repeat) = measured?;
        println!(
            "  load {}: static form {:.0} ms, ready {:.0} ms after navigation, {:.0} ms after \
             start; again: {repeat:.0} ms",
            i + 1,
            cold.typable,
            cold.ready,
            cold.ready - cold.start
        );
        series.cold_static.values.push(cold.typable);
        series.cold.values.push(cold.ready);
        series.cold_from_start.values.push(cold.ready - cold.start);
        series.repeat.values.push(repeat);
    }
    Ok(series)
}

/// The marks of one page load, in ms after navigation.
struct Load {
    /// The loader started (`moov-support:start`).
    start: f64,
    /// The first static form drawn and typable (`moov-support:static`); NaN when it was
    /// not drawn.
    typable: f64,
    /// The first Rust form ready (`moov-support:ready`).
    ready: f64,
}

/// Opens `url` and waits until the first form is ready; with `typable`, its static form
/// must have been drawn before.
fn load(browser: &Browser, url: &str, typable: bool) -> Result<Load> {
    browser.goto(url)?;
    for _ in 0..300 {
        let marks = browser.execute(
            "const at = n => (performance.getEntriesByName(n)[0] || {}).startTime;
             return [at('moov-support:start'), at('moov-support:static'), at('moov-support:ready')];",
            json!([]),
        )?;
        if let (Some(start), Some(ready)) = (marks[0].as_f64(), marks[2].as_f64()) {
            let shown = marks[1].as_f64();
            if typable && shown.is_none() {
                return Err("the form became ready without a static form (no \
                            `moov-support:static` mark)"
                    .into());
            }
            return Ok(Load {
                start,
                typable: shown.unwrap_or(f64::NAN),
                ready,
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err("the form never became ready".into())
}
