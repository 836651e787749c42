//! A support reply's way to the user's screen: from the agent's `POST` to the message drawn in
//! the request the user has open, through the sandbox's signed webhook, the proxy, its event
//! stream and the widget's fetch of the request's messages.

use std::time::Duration;

use serde_json::json;

use crate::demo_e2e::inbox_page::{self as page, MESSAGE};
use crate::demo_e2e::wait_signed_in;
use crate::run::Result;
use crate::tools::CHROMIUM;
use crate::webdriver::{profile_dir, Browser};

/// Replies timed, after one that is not (the first warms the proxy's Moov token and the
/// page's connections).
pub(super) const REPLIES: usize = 15;

/// Opens the demo page as a user with one request, opens that request, and has support
/// answer it [`REPLIES`] times: the milliseconds from each `POST` to its message on screen.
pub(super) fn reply_latency(driver: &str, base: &str) -> Result<Vec<f64>> {
    let profile = profile_dir("replies")?;
    let browser = Browser::open(driver, CHROMIUM, &profile)?;
    let measured = measure(&browser, base);
    let _ = browser.close();
    let _ = std::fs::remove_dir_all(&profile);
    measured
}

fn measure(b: &Browser, base: &str) -> Result<Vec<f64>> {
    let run = page::unique();
    let token = page::session(base, Some(&format!("bench-replies-{run}")))?;
    let request = page::file(base, &token, &format!("Reply latency {run}"))?;
    b.goto(base)?;
    // The demo page signs its own user in first; this user replaces it.
    wait_signed_in(b)?;
    page::sign_in_and_show(b, page::HOST, &token)?;
    page::open(b, page::HOST, &request)?;
    let mut times = Vec::new();
    for i in 0..=REPLIES {
        let ms = b.execute_async(
            "const [host, selector, id, text, done] = arguments;
             const root = document.querySelector(host).shadowRoot;
             const seen = () => [...root.querySelectorAll(selector)].some((m) => m.textContent.includes(text));
             const shown = new Promise((resolve) => {
               const observer = new MutationObserver(() => {
                 if (seen()) { observer.disconnect(); resolve(performance.now()); }
               });
               observer.observe(root, { childList: true, subtree: true, characterData: true });
             });
             const timeout = new Promise((resolve) => setTimeout(() => resolve('not shown within 10 s'), 10000));
             const t0 = performance.now();
             const sent = fetch(`/api/dev/tickets/${id}/reply`, {
               method: 'POST',
               headers: { 'content-type': 'application/json' },
               body: JSON.stringify({ body: `<p>${text}</p>` }),
             }).then((r) => { if (!r.ok) throw new Error(`the reply was refused: HTTP ${r.status}`); });
             Promise.all([sent, Promise.race([shown, timeout])])
               .then(([, t1]) => done(typeof t1 === 'number' ? t1 - t0 : t1), (e) => done(String(e)));",
            json!([page::HOST, MESSAGE, request.id, format!("Reply {i} of {run}")]),
        )?;
        let ms = ms.as_f64().ok_or_else(|| format!("reply {i}: {ms}"))?;
        println!(
            "  reply {i}: {ms:.0} ms{}",
            if i == 0 { " (warm-up)" } else { "" }
        );
        if i > 0 {
            times.push(ms);
        }
        // Let the widget settle (marks read, announcements) before the next one.
        std::thread::sleep(Duration::from_millis(300));
    }
    Ok(times)
}
