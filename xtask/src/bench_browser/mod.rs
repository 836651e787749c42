//! The widget's side of `cargo xtask bench`, measured in headless Chromium on the release
//! build served (precompressed) by the proxy: start-up under a slow mobile network and
//! unthrottled, ammonia in wasm against DOMPurify on the same inputs, the main thread
//! while a 64 KiB paste is cleaned, and a support reply's time to the user's screen.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::run::{free_addr, step, Result};
use crate::service::Service;
use crate::tools::{self, CHROMIUM};
use crate::webdriver::{profile_dir, start_chromedriver, Browser};

mod reply;
mod sanitizer;
mod send;
mod startup;

use reply::{reply_latency, REPLIES};
use sanitizer::{compare_sanitizers, paste_long_task, sanitize_inputs, sanitizer_files, ROUNDS};
use send::submit_overhead;
use startup::{startup, Series, LOADS};

/// Runs every browser measurement against the release assets in `dir`, served by the proxy
/// `binary`; returns the report's lines.
pub fn run(root: &Path, binary: &Path, dir: &Path) -> Result<String> {
    tools::ensure_dompurify()?;
    let addr = free_addr()?;
    let mut proxy = Service::start(
        "moov-support-proxy",
        Command::new(binary)
            .args(["serve", "--sandbox"])
            .env("PROXY_ADDR", &addr)
            .env("ALLOWED_ORIGINS", format!("http://{addr}"))
            .env("STATIC_DIR", dir)
            .env_remove("MOOV_BASE_URL")
            .env("RUST_LOG", "warn"),
    )?;
    proxy.wait_healthy(&format!("http://{addr}/healthz"), Duration::from_secs(20))?;
    let base = format!("http://{addr}/");

    let (_driver, driver_addr) = start_chromedriver()?;

    let mut out = String::new();
    step("start-up: cold loads, then the page again, under Lighthouse's mobile network");
    let slow = startup(&driver_addr, &base, true, None)?;
    step("start-up: the same for a browser in Spanish (its language file is fetched)");
    let spanish = startup(&driver_addr, &base, true, Some("es-ES"))?;
    step("start-up: cold loads, then the page again, unthrottled");
    let fast = startup(&driver_addr, &base, false, None)?;
    writeln!(
        out,
        "| start-up ({LOADS} browser profiles, each a cold load then the page again) | median | p90 |"
    )?;
    writeln!(out, "|---|---:|---:|")?;
    for (label, series) in [
        (
            "navigation → static form typable, 150 ms RTT, 1.6 Mbps",
            &slow.cold_static,
        ),
        ("navigation → form ready, 150 ms RTT, 1.6 Mbps", &slow.cold),
        (
            "the same page opened again (widget files cached), same network",
            &slow.repeat,
        ),
        (
            "navigation → static form typable, same network, a browser in Spanish",
            &spanish.cold_static,
        ),
        (
            "navigation → form ready, same network, a browser in Spanish",
            &spanish.cold,
        ),
        ("the same page opened again, in Spanish", &spanish.repeat),
        (
            "navigation → static form typable, unthrottled",
            &fast.cold_static,
        ),
        ("navigation → form ready, unthrottled", &fast.cold),
        (
            "widget start → form ready, unthrottled",
            &fast.cold_from_start,
        ),
        ("the same page opened again, unthrottled", &fast.repeat),
    ] {
        writeln!(
            out,
            "| {label} | {:.0} ms | {:.0} ms |",
            series.percentile(50.0),
            series.percentile(90.0)
        )?;
    }

    step("a support reply: the agent's POST → the message in the user's open request");
    match reply_latency(&driver_addr, &base) {
        Ok(times) => {
            let series = Series { values: times };
            writeln!(out)?;
            writeln!(
                out,
                "| a support reply, {REPLIES} times after one warm-up | median | p90 |"
            )?;
            writeln!(out, "|---|---:|---:|")?;
            writeln!(
                out,
                "| agent's POST → message drawn in the open request (webhook, event stream, fetch) | {:.0} ms | {:.0} ms |",
                series.percentile(50.0),
                series.percentile(90.0)
            )?;
        }
        Err(e) => writeln!(out, "\nreply latency not measured: {e}")?,
    }

    step("sanitizing: ammonia (wasm) and DOMPurify on the same inputs");
    let inputs = sanitize_inputs(root);
    let (module, wasm) = sanitizer_files(dir)?;
    let profile = profile_dir("sanitize")?;
    let browser = Browser::open(&driver_addr, CHROMIUM, &profile)?;
    let result = compare_sanitizers(&browser, &base, &module, &wasm, &inputs);
    let paste = result.as_ref().ok().and(Some(())).map(|()| {
        step("main thread during a 64 KiB paste");
        paste_long_task(&browser, &base, &module, &wasm)
    });
    step("the widget's own time around a send (network excluded)");
    let overheads = [true, false].map(|leave| submit_overhead(&browser, leave));
    let _ = browser.close();
    let _ = std::fs::remove_dir_all(&profile);
    let (ammonia, purify) = result?;
    writeln!(out)?;
    writeln!(
        out,
        "| sanitizing {} inputs ({} KiB), median of {ROUNDS} rounds | ms per round |",
        inputs.len(),
        inputs.iter().map(String::len).sum::<usize>() / 1024
    )?;
    writeln!(out, "|---|---:|")?;
    writeln!(out, "| ammonia in wasm (release) | {ammonia:.1} |")?;
    writeln!(
        out,
        "| DOMPurify {} | {purify:.1} |",
        tools::DOMPURIFY_VERSION
    )?;
    writeln!(
        out,
        "| ratio ammonia / DOMPurify | {:.2}× |",
        ammonia / purify
    )?;
    for (overhead, path) in overheads.into_iter().zip([
        "the message left before Send is pressed (a pointer press or Tab moves focus first)",
        "Send with focus still in the editor (the message is cleaned at Send)",
    ]) {
        let sends = match overhead {
            Ok(sends) => sends,
            Err(e) => {
                writeln!(out, "\nsend overhead not measured ({path}): {e}")?;
                continue;
            }
        };
        let series = |i: usize| Series {
            values: sends.iter().map(|s| s[i]).collect(),
        };
        writeln!(out)?;
        writeln!(
            out,
            "| a send, {} times after one warm-up (network excluded): {path} | median ms | p90 ms |",
            sends.len()
        )?;
        writeln!(out, "|---|---:|---:|")?;
        for (i, label) in [
            "Send pressed → request on the wire (clean, rules, headers)",
            "answer's body in the page → confirmation drawn",
            "both: the widget's own overhead",
            "(the browser's part: last byte received → body in the page)",
        ]
        .into_iter()
        .enumerate()
        {
            let v = series(i);
            writeln!(
                out,
                "| {label} | {:.1} | {:.1} |",
                v.percentile(50.0),
                v.percentile(90.0)
            )?;
        }
    }
    if let Some(paste) = paste {
        let paste = paste?;
        writeln!(out)?;
        writeln!(out, "| 64 KiB paste into the editor | ms |")?;
        writeln!(out, "|---|---:|")?;
        writeln!(
            out,
            "| paste → cleaned HTML in the editor (sanitizer in the worker) | {:.0} |",
            paste.inserted_ms
        )?;
        writeln!(
            out,
            "| longest main-thread task meanwhile (long tasks are > 50 ms; 0 = none) | {:.0} |",
            paste.longest_task_ms
        )?;
        writeln!(
            out,
            "| the same cleaning on the main thread instead: one task of | {:.0} |",
            paste.main_thread_clean_ms
        )?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::sanitizer::pasted_document;
    use super::*;

    #[test]
    fn the_pasted_document_has_the_asked_size_and_word_processor_markup() {
        let html = pasted_document(64 * 1024);
        assert!(html.len() >= 64 * 1024 && html.len() < 66 * 1024);
        assert!(html.contains("class=\"MsoNormal\"") && html.contains("<!--[if"));
    }

    #[test]
    fn percentiles_pick_from_the_sorted_values() {
        let s = Series {
            values: vec![5.0, 1.0, 9.0, 3.0, 7.0, 2.0, 8.0, 4.0, 6.0],
        };
        assert_eq!(s.percentile(50.0), 5.0);
        assert_eq!(s.percentile(90.0), 8.0);
    }
}
