//! The sanitizer's cost: ammonia in wasm against DOMPurify on the same inputs, and the main
//! thread while a 64 KiB paste is cleaned.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{json, Value};

use crate::run::Result;
use crate::tools;
use crate::webdriver::Browser;

/// Timed rounds over every input, per sanitizer.
pub(super) const ROUNDS: u32 = 15;

/// The XSS corpus' payloads (when present) and one 64 KiB document pasted from a word
/// processor.
pub(super) fn sanitize_inputs(root: &Path) -> Vec<String> {
    let corpus = root.join("../shared/corpus/xss-dompurify.jsonl");
    let mut inputs: Vec<String> = match std::fs::read_to_string(&corpus) {
        Ok(text) => text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter_map(|v| v["payload"].as_str().map(str::to_owned))
            .collect(),
        Err(_) => {
            println!(
                "notice: {} is absent; sanitizing measures the 64 KiB document only",
                corpus.display()
            );
            Vec::new()
        }
    };
    inputs.push(pasted_document(64 * 1024));
    inputs
}

/// HTML the way word processors put it on the clipboard: styles, classes, spans, comments,
/// lists and links, until it is `bytes` long.
pub fn pasted_document(bytes: usize) -> String {
    let mut html = String::from(
        "<html><head><style>p.MsoNormal{margin:0}</style></head><body><!--StartFragment-->",
    );
    let mut n = 0;
    while html.len() < bytes {
        n += 1;
        let _ = write!(
            html,
            "<p class=\"MsoNormal\" style=\"margin:0cm;font-family:Calibri\"><span lang=\"EN-US\" \
             style=\"font-size:11pt\">Paragraph {n}: the payout for invoice <b>INV-{n:05}</b> \
             was <i>declined</i>; see <a href=\"https://example.com/payouts/{n}?ref=mail\" \
             target=\"_blank\">the payout</a>.</span><o:p></o:p></p>\
             <!--[if !supportLists]--><ul style=\"margin-top:0\"><li class=\"MsoListParagraph\">\
             Amount: <span style=\"color:red\">{n}.00 USD</span></li><li>Reference: \
             <code>ref-{n}</code></li></ul><!--[endif]-->"
        );
    }
    html.push_str("<!--EndFragment--></body></html>");
    html
}

/// The release sanitizer's module and wasm, as URLs relative to the site root.
pub(super) fn sanitizer_files(dir: &Path) -> Result<(String, String)> {
    let mut files = Vec::new();
    crate::assets::files_under(dir, Path::new(""), &mut files)?;
    let url = |name: &str| -> Result<String> {
        let rel = files
            .iter()
            .find(|f| f.file_name().is_some_and(|n| n == name))
            .ok_or_else(|| format!("{name} is not in {}", dir.display()))?;
        Ok(format!("/{}", rel.to_string_lossy().replace('\\', "/")))
    };
    Ok((
        url("moov-support-sanitizer.js")?,
        url("moov-support-sanitizer_bg.wasm")?,
    ))
}

/// DOMPurify set up as close to the widget's policy as its options allow.
const PURIFY_CONFIG: &str = "{ ALLOWED_TAGS: ['p','br','strong','em','b','i','u','s','code','pre','blockquote','ul','ol','li','a'], ALLOWED_ATTR: ['href'], ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i }";

/// Median milliseconds per round over every input: (ammonia, DOMPurify).
pub(super) fn compare_sanitizers(
    b: &Browser,
    base: &str,
    module: &str,
    wasm: &str,
    inputs: &[String],
) -> Result<(f64, f64)> {
    b.goto(&format!("{base}launcher.html"))?;
    let source = std::fs::read_to_string(tools::dompurify_script())?;
    b.execute(&format!("{source}\nreturn true;"), json!([]))?;
    let script = format!(
        "const [moduleUrl, wasmUrl, inputs, rounds] = arguments;
         const done = arguments[arguments.length - 1];
         (async () => {{
           const ammonia = await import(moduleUrl);
           await ammonia.default({{ module_or_path: wasmUrl }});
           const config = {PURIFY_CONFIG};
           const purify = html => DOMPurify.sanitize(html, config);
           const round = fn => {{
             const t0 = performance.now();
             for (const html of inputs) fn(html);
             return performance.now() - t0;
           }};
           for (let i = 0; i < 3; i++) {{ round(ammonia.clean); round(purify); }}
           const a = [], p = [];
           for (let i = 0; i < rounds; i++) {{ a.push(round(ammonia.clean)); p.push(round(purify)); }}
           const median = v => v.sort((x, y) => x - y)[v.length >> 1];
           return [median(a), median(p)];
         }})().then(done, e => done(String(e)));"
    );
    let v = b.execute_async(&script, json!([module, wasm, inputs, ROUNDS]))?;
    match (v[0].as_f64(), v[1].as_f64()) {
        (Some(a), Some(p)) => Ok((a, p)),
        _ => Err(format!("sanitizer timing failed: {v}").into()),
    }
}

pub(super) struct Paste {
    pub(super) inserted_ms: f64,
    pub(super) longest_task_ms: f64,
    pub(super) main_thread_clean_ms: f64,
}

/// Pastes a 64 KiB document into the demo's inline editor with a long-task observer on.
pub(super) fn paste_long_task(b: &Browser, base: &str, module: &str, wasm: &str) -> Result<Paste> {
    b.goto(base)?;
    let html = pasted_document(64 * 1024);
    let v = b.execute_async(
        "const [html, moduleUrl, wasmUrl] = arguments;
         const done = arguments[arguments.length - 1];
         const sleep = ms => new Promise(r => setTimeout(r, ms));
         const paste = (editor, content) => {
           const data = new DataTransfer();
           data.setData('text/html', content);
           data.setData('text/plain', 'x');
           editor.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
         };
         (async () => {
           let editor;
           for (let i = 0; i < 200 && !editor; i++) {
             editor = document.querySelector('#support')?.shadowRoot?.querySelector('#moov-body');
             if (!editor) await sleep(50);
           }
           editor.focus();
           // The first paste also downloads the sanitizer; the measured one finds it ready.
           paste(editor, '<p>warm <b>up</b></p>');
           for (let i = 0; i < 400 && !editor.innerHTML.includes('warm'); i++) await sleep(25);
           editor.innerHTML = '';
           editor.focus();
           const tasks = [];
           const observer = new PerformanceObserver(list => tasks.push(...list.getEntries()));
           observer.observe({ type: 'longtask' });
           const t0 = performance.now();
           paste(editor, html);
           while (!editor.innerHTML.includes('Paragraph 2')) await sleep(1);
           const inserted = performance.now() - t0;
           await sleep(300);
           observer.disconnect();
           const longest = tasks.reduce((m, t) => Math.max(m, t.duration), 0);
           const ammonia = await import(moduleUrl);
           await ammonia.default({ module_or_path: wasmUrl });
           ammonia.clean('<p>warm</p>');
           const t1 = performance.now();
           ammonia.clean(html);
           const mainThread = performance.now() - t1;
           return [inserted, longest, mainThread];
         })().then(done, e => done(String(e)));",
        json!([html, module, wasm]),
    )?;
    match (v[0].as_f64(), v[1].as_f64(), v[2].as_f64()) {
        (Some(inserted_ms), Some(longest_task_ms), Some(main_thread_clean_ms)) => Ok(Paste {
            inserted_ms,
            longest_task_ms,
            main_thread_clean_ms,
        }),
        _ => Err(format!("paste measurement failed: {v}").into()),
    }
}
