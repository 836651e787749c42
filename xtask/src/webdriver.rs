//! Just enough of the W3C WebDriver protocol to drive headless Chromium or Firefox through a
//! page the way a person would: type with the keyboard, click, reload, read text, take
//! screenshots. Network emulation and DevTools commands are Chromium's alone.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::run::{free_addr, Result};
use crate::service::Service;
use crate::tools::{self, CHROMEDRIVER, CHROMIUM, FIREFOX};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const SHADOW_KEY: &str = "shadow-6066-11e4-a52e-4f735466cecf";

/// The browsers the end-to-end checks drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
        }
    }

    /// Starts this browser's driver on a free loopback port; returns it (stopped on drop)
    /// and its address.
    pub fn start_driver(self) -> Result<(Service, String)> {
        let (name, binary) = match self {
            Engine::Chromium => ("chromedriver", CHROMEDRIVER.into()),
            Engine::Firefox => ("geckodriver", tools::geckodriver()),
        };
        let addr = free_addr()?;
        let port = addr.rsplit(':').next().unwrap_or("9515").to_owned();
        let mut driver = Service::start_quiet(
            name,
            std::process::Command::new(binary).arg(format!("--port={port}")),
        )?;
        driver.wait_healthy(&format!("http://{addr}/status"), Duration::from_secs(20))?;
        Ok((driver, addr))
    }
}

/// Starts chromedriver on a free loopback port; returns it (stopped on drop) and its address.
pub fn start_chromedriver() -> Result<(Service, String)> {
    Engine::Chromium.start_driver()
}

/// A fresh, empty browser profile folder named for this process and `name`.
pub fn profile_dir(name: &str) -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "moov-support-chromium-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// One browser session.
pub struct Browser {
    driver: String,
    session: String,
}

/// An element, possibly inside a shadow root.
#[derive(Clone)]
pub struct Element(String);

/// Sends one request and parses the JSON answer. chromedriver keeps connections open even
/// when asked to close, so the body is read by its Content-Length.
fn request(addr: &str, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
    let payload = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
        payload.len()
    )?;
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status)?;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse()?;
            }
        }
    }
    let mut raw = vec![0; length];
    reader.read_exact(&mut raw)?;
    let value: Value = serde_json::from_slice(&raw)?;
    if !status.starts_with("HTTP/1.1 200") {
        return Err(format!("WebDriver {method} {path}: {}", value["value"]).into());
    }
    Ok(value["value"].clone())
}

impl Browser {
    /// Opens headless Chromium with a fresh profile through the chromedriver at `driver`.
    pub fn open(driver: &str, chromium: &str, profile: &Path) -> Result<Browser> {
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1100,900",
        ];
        let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args}
        }}});
        Self::start_session(driver, &caps)
    }

    /// Opens headless `engine` with a fresh profile through the driver at `driver`
    /// (geckodriver makes Firefox's profile itself).
    pub fn open_engine(driver: &str, engine: Engine, profile: &Path) -> Result<Browser> {
        match engine {
            Engine::Chromium => Self::open(driver, CHROMIUM, profile),
            Engine::Firefox => {
                let caps = json!({"capabilities": {"alwaysMatch": {
                    "browserName": "firefox",
                    "moz:firefoxOptions": {
                        "binary": FIREFOX,
                        "args": ["-headless", "--width=1100", "--height=900"],
                    }
                }}});
                Self::start_session(driver, &caps)
            }
        }
    }

    fn start_session(driver: &str, capabilities: &Value) -> Result<Browser> {
        let v = request(driver, "POST", "/session", Some(capabilities))?;
        let session = v["sessionId"].as_str().ok_or("no session id")?.to_owned();
        Ok(Browser {
            driver: driver.to_owned(),
            session,
        })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        request(
            &self.driver,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        )
    }

    pub fn goto(&self, url: &str) -> Result<()> {
        self.call("POST", "/url", Some(json!({ "url": url })))?;
        Ok(())
    }

    /// DevTools network emulation: every request waits `latency_ms` and transfers at the
    /// given rates, as on a slow mobile connection.
    pub fn emulate_network(&self, latency_ms: u64, down: u64, up: u64) -> Result<()> {
        let conditions = json!({"network_conditions": {
            "offline": false,
            "latency": latency_ms,
            "download_throughput": down,
            "upload_throughput": up,
        }});
        self.call("POST", "/chromium/network_conditions", Some(conditions))?;
        Ok(())
    }

    /// The browser's languages (`navigator.languages`, `Accept-Language`) become `tag` alone.
    pub fn emulate_language(&self, tag: &str) -> Result<()> {
        let agent = self.execute("return navigator.userAgent;", json!([]))?;
        self.call(
            "POST",
            "/goog/cdp/execute",
            Some(json!({
                "cmd": "Network.setUserAgentOverride",
                "params": { "userAgent": agent, "acceptLanguage": tag },
            })),
        )?;
        Ok(())
    }

    /// Requests whose URL matches `pattern` (`*` wildcards) are held by DevTools and never
    /// answered, as on a connection that stalls.
    pub fn stall(&self, pattern: &str) -> Result<()> {
        self.call(
            "POST",
            "/goog/cdp/execute",
            Some(json!({
                "cmd": "Fetch.enable",
                "params": { "patterns": [{ "urlPattern": pattern }] },
            })),
        )?;
        Ok(())
    }

    /// Lets the requests [`Browser::stall`] holds, and later ones, through again.
    pub fn unstall(&self) -> Result<()> {
        self.call(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": "Fetch.disable", "params": {} })),
        )?;
        Ok(())
    }

    pub fn reload(&self) -> Result<()> {
        self.call("POST", "/refresh", Some(json!({})))?;
        Ok(())
    }

    /// Finds `selector` in the page itself.
    pub fn find(&self, selector: &str) -> Result<Element> {
        let e = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": selector})),
        )?;
        Ok(Element(
            e[ELEMENT_KEY]
                .as_str()
                .ok_or_else(|| format!("no element matches {selector}"))?
                .to_owned(),
        ))
    }

    /// Finds `selector` inside the open shadow root of the element matching `host`, waiting up
    /// to ten seconds for it to render.
    pub fn in_shadow(&self, host: &str, selector: &str) -> Result<Element> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.try_in_shadow(host, selector) {
                Ok(e) => return Ok(e),
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("{host} >>> {selector}: {e}").into())
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    fn try_in_shadow(&self, host: &str, selector: &str) -> Result<Element> {
        let by = |s: &str| json!({"using": "css selector", "value": s});
        let h = self.call("POST", "/element", Some(by(host)))?;
        let h = h[ELEMENT_KEY]
            .as_str()
            .ok_or_else(|| format!("no host element: {h}"))?;
        let root = self.call("GET", &format!("/element/{h}/shadow"), None)?;
        let root = root[SHADOW_KEY].as_str().ok_or("no shadow root")?;
        let e = self.call(
            "POST",
            &format!("/shadow/{root}/element"),
            Some(by(selector)),
        )?;
        Ok(Element(
            e[ELEMENT_KEY].as_str().ok_or("no element")?.to_owned(),
        ))
    }

    pub fn type_text(&self, e: &Element, text: &str) -> Result<()> {
        self.call(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        )?;
        Ok(())
    }

    pub fn click(&self, e: &Element) -> Result<()> {
        self.call("POST", &format!("/element/{}/click", e.0), Some(json!({})))?;
        Ok(())
    }

    pub fn text(&self, e: &Element) -> Result<String> {
        let v = self.call("GET", &format!("/element/{}/text", e.0), None)?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    pub fn value(&self, e: &Element) -> Result<String> {
        let v = self.call("GET", &format!("/element/{}/property/value", e.0), None)?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Waits until the element's visible text contains `needle`.
    pub fn wait_text(&self, host: &str, selector: &str, needle: &str) -> Result<String> {
        // Generous: a first Send also waits for the sanitizer's module to arrive and compile.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self
                .in_shadow(host, selector)
                .and_then(|e| self.text(&e))
                .unwrap_or_default();
            if text.contains(needle) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                return Err(
                    format!("{selector} never showed {needle:?}; it shows {text:?}").into(),
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page and returns what
    /// it returns. A returned promise is awaited.
    pub fn execute(&self, script: &str, args: Value) -> Result<Value> {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Runs `script` asynchronously: it finishes by calling its last argument with the result.
    pub fn execute_async(&self, script: &str, args: Value) -> Result<Value> {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Presses keys on whatever has focus, like a person at the keyboard. Each item is
    /// pressed and released in turn; an item of several characters is typed out, and
    /// `"ctrl+b"` holds Control while pressing `b`.
    pub fn keys(&self, keys: &[&str]) -> Result<()> {
        let mut actions = Vec::new();
        for k in keys {
            if let Some(letter) = k.strip_prefix("ctrl+") {
                actions.push(json!({"type": "keyDown", "value": "\u{E009}"}));
                actions.push(json!({"type": "keyDown", "value": letter}));
                actions.push(json!({"type": "keyUp", "value": letter}));
                actions.push(json!({"type": "keyUp", "value": "\u{E009}"}));
            } else {
                for c in k.chars() {
                    actions.push(json!({"type": "keyDown", "value": c.to_string()}));
                    actions.push(json!({"type": "keyUp", "value": c.to_string()}));
                }
            }
        }
        self.call(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )?;
        Ok(())
    }

    /// The `id` or class of the element focused inside `host`'s shadow root.
    pub fn focused_in(&self, host: &str) -> Result<String> {
        let v = self.execute(
            "const a = document.querySelector(arguments[0]).shadowRoot.activeElement;
             return a ? (a.id || a.className) : '';",
            json!([host]),
        )?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// DevTools network emulation: offline, every request of the page fails and
    /// `navigator.onLine` is false; switching back fires the page's `online` event.
    pub fn set_offline(&self, offline: bool) -> Result<()> {
        let conditions = json!({
            "offline": offline,
            "latency": 0,
            "download_throughput": -1,
            "upload_throughput": -1,
        });
        self.call(
            "POST",
            "/chromium/network_conditions",
            Some(json!({ "network_conditions": conditions })),
        )?;
        Ok(())
    }

    /// Saves a PNG of the viewport.
    pub fn screenshot(&self, to: &Path) -> Result<()> {
        let v = self.call("GET", "/screenshot", None)?;
        let png = STANDARD.decode(v.as_str().ok_or("no screenshot")?)?;
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(to, png)?;
        Ok(())
    }

    pub fn close(self) -> Result<()> {
        self.call("DELETE", "", None)?;
        Ok(())
    }
}
