//! A send's own overhead: the widget's time before the request leaves and after the answer
//! arrives, the network excluded.

use serde_json::json;

use crate::run::Result;
use crate::webdriver::Browser;

/// Sends from the demo's inline form a dozen times and splits each send's time into what the
/// widget spends before the request leaves (Resource Timing marks when it does), and after
/// the answer's body has reached the page: [before, after, before + after, the browser's own
/// delivery from the last byte on the wire to the body in the page] per send, warm-up dropped.
/// With `leave_editor`, focus moves to Send 100 ms before the click, as it does when a user
/// presses the button (focus moves on pointer down) or tabs to it.
pub(super) fn submit_overhead(b: &Browser, leave_editor: bool) -> Result<Vec<[f64; 4]>> {
    let v = b.execute_async(
        "const done = arguments[arguments.length - 1];
         const sleep = ms => new Promise(r => setTimeout(r, ms));
         const q = s => document.querySelector('#support').shadowRoot.querySelector(s);
         const leaveEditor = arguments[0];
         // When the answer's body has reached the page: the browser's part ends there.
         if (!window.bodyReadPatched) {
           window.bodyReadPatched = true;
           const text = Response.prototype.text;
           Response.prototype.text = function () {
             return text.call(this).then(t => { window.bodyRead = performance.now(); return t; });
           };
         }
         (async () => {
           const sends = [];
           for (let i = 0; i < 12; i++) {
             for (let k = 0; k < 200 && !(q('#moov-title') && q('#moov-email').value); k++) await sleep(25);
             const title = q('#moov-title');
             title.value = 'Send ' + i;
             title.dispatchEvent(new Event('input', { bubbles: true }));
             const editor = q('#moov-body');
             editor.focus();
             editor.innerHTML = '<p>Measured send <b>' + i + '</b></p>';
             editor.dispatchEvent(new InputEvent('input', { bubbles: true }));
             await sleep(50);
             performance.clearResourceTimings();
             const root = document.querySelector('#support').shadowRoot;
             const shown = new Promise(resolve => {
               const observer = new MutationObserver(() => {
                 if (q('.moov-success')) { observer.disconnect(); resolve(performance.now()); }
               });
               observer.observe(root, { childList: true, subtree: true });
             });
             if (leaveEditor) {
               q('button.moov-send').focus();
               await sleep(100);
             }
             const t0 = performance.now();
             q('button.moov-send').click();
             const t1 = await shown;
             const request = performance.getEntriesByType('resource')
               .find(r => r.name.endsWith('/api/support/tickets'));
             const before = request.startTime - t0, after = t1 - window.bodyRead;
             const delivery = window.bodyRead - request.responseEnd;
             if (i > 0) sends.push([before, after, before + after, delivery]);
             q('.moov-again').click();
             await sleep(50);
           }
           return sends;
         })().then(done, e => done(String(e)));",
        json!([leave_editor]),
    )?;
    let sends: Option<Vec<[f64; 4]>> = v.as_array().and_then(|a| {
        a.iter()
            .map(|s| {
                Some([
                    s[0].as_f64()?,
                    s[1].as_f64()?,
                    s[2].as_f64()?,
                    s[3].as_f64()?,
                ])
            })
            .collect()
    });
    sends.ok_or_else(|| format!("send timing failed: {v}").into())
}
