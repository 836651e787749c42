//! Headless Chromium or Firefox driven the way a person uses a page: type with the keyboard,
//! click, reload, read text, take screenshots. The protocol is fantoccini's; this module
//! only makes it synchronous (one tokio runtime for the whole process) and adds what the
//! checks need beyond standard WebDriver: elements inside shadow roots found by CSS, and
//! Chromium's network emulation and DevTools commands, which are Chromium's alone.

use std::future::Future;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use tokio::runtime::Runtime;

use crate::run::{free_addr, Result};

/// The key under which WebDriver hands an element to a script's caller (W3C WebDriver §12).
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
use crate::service::Service;
use crate::tools::{self, CHROMEDRIVER, CHROMIUM, FIREFOX};

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

/// Runs one of fantoccini's futures to its end. A single-threaded runtime is enough: the
/// checks wait for each answer before the next step, and the session's own task runs
/// whenever a call is waited for.
fn block_on<F: Future>(future: F) -> F::Output {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime for the WebDriver client")
        })
        .block_on(future)
}

/// A command outside the W3C standard, on the current session: `path` below
/// `/session/{id}/`, its body JSON.
#[derive(Debug)]
struct VendorCommand {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for VendorCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> std::result::Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// One browser session.
pub struct Browser {
    client: Client,
}

/// An element, possibly inside a shadow root.
#[derive(Clone)]
pub struct Element(fantoccini::elements::Element);

/// One window of a session: two pages of one site open side by side, each running.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window(fantoccini::wd::WindowHandle);

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
        Self::start_session(
            driver,
            json!({
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium, "args": args}
            }),
        )
    }

    /// Opens headless `engine` with a fresh profile through the driver at `driver`
    /// (geckodriver makes Firefox's profile itself).
    pub fn open_engine(driver: &str, engine: Engine, profile: &Path) -> Result<Browser> {
        match engine {
            Engine::Chromium => Self::open(driver, CHROMIUM, profile),
            Engine::Firefox => Self::start_session(
                driver,
                json!({
                    "browserName": "firefox",
                    "moz:firefoxOptions": {
                        "binary": FIREFOX,
                        "args": ["-headless", "--width=1100", "--height=900"],
                    }
                }),
            ),
        }
    }

    fn start_session(driver: &str, capabilities: Value) -> Result<Browser> {
        let capabilities: Capabilities = match capabilities {
            Value::Object(map) => map,
            _ => unreachable!("capabilities are written as an object above"),
        };
        let client = block_on(
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities)
                .connect(&format!("http://{driver}")),
        )?;
        Ok(Browser { client })
    }

    fn vendor(&self, path: &'static str, body: Value) -> Result<Value> {
        Ok(block_on(
            self.client.issue_cmd(VendorCommand { path, body }),
        )?)
    }

    /// A Chrome DevTools Protocol command, through chromedriver.
    fn devtools(&self, cmd: &str, params: Value) -> Result<Value> {
        self.vendor("goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
    }

    pub fn goto(&self, url: &str) -> Result<()> {
        Ok(block_on(self.client.goto(url))?)
    }

    /// DevTools network emulation: every request waits `latency_ms` and transfers at the
    /// given rates, as on a slow mobile connection.
    pub fn emulate_network(&self, latency_ms: u64, down: u64, up: u64) -> Result<()> {
        self.vendor(
            "chromium/network_conditions",
            json!({"network_conditions": {
                "offline": false,
                "latency": latency_ms,
                "download_throughput": down,
                "upload_throughput": up,
            }}),
        )?;
        Ok(())
    }

    /// The browser's languages (`navigator.languages`, `Accept-Language`) become `tag` alone.
    pub fn emulate_language(&self, tag: &str) -> Result<()> {
        let agent = self.execute("return navigator.userAgent;", json!([]))?;
        self.devtools(
            "Network.setUserAgentOverride",
            json!({ "userAgent": agent, "acceptLanguage": tag }),
        )?;
        Ok(())
    }

    /// Requests whose URL matches `pattern` (`*` wildcards) are held by DevTools and never
    /// answered, as on a connection that stalls.
    pub fn stall(&self, pattern: &str) -> Result<()> {
        self.devtools(
            "Fetch.enable",
            json!({ "patterns": [{ "urlPattern": pattern }] }),
        )?;
        Ok(())
    }

    /// Lets the requests [`Browser::stall`] holds, and later ones, through again.
    pub fn unstall(&self) -> Result<()> {
        self.devtools("Fetch.disable", json!({}))?;
        Ok(())
    }

    pub fn reload(&self) -> Result<()> {
        Ok(block_on(self.client.refresh())?)
    }

    /// Finds `selector` in the page itself.
    pub fn find(&self, selector: &str) -> Result<Element> {
        let e = block_on(self.client.find(Locator::Css(selector)))
            .map_err(|e| format!("no element matches {selector}: {e}"))?;
        Ok(Element(e))
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
        let found = block_on(async {
            let root = self
                .client
                .find(Locator::Css(host))
                .await?
                .shadow_root()
                .await?;
            root.find(Locator::Css(selector)).await
        })?;
        Ok(Element(found))
    }

    /// Finds, inside `host`'s shadow root, the first element matching `selector` whose text
    /// contains `needle`, waiting up to ten seconds for it: a control found by what its user
    /// reads rather than by its markup.
    pub fn in_shadow_with_text(&self, host: &str, selector: &str, needle: &str) -> Result<Element> {
        self.with_text(Some(host), selector, needle)
    }

    /// [`Browser::in_shadow_with_text`] in the page itself.
    pub fn find_with_text(&self, selector: &str, needle: &str) -> Result<Element> {
        self.with_text(None, selector, needle)
    }

    fn with_text(&self, host: Option<&str>, selector: &str, needle: &str) -> Result<Element> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = self.execute(
                "const [host, selector, needle] = arguments;
                 const scope = host ? document.querySelector(host)?.shadowRoot : document;
                 if (!scope) return null;
                 return [...scope.querySelectorAll(selector)]
                   .find((e) => e.textContent.includes(needle)) || null;",
                json!([host, selector, needle]),
            )?;
            if let Some(id) = found.get(ELEMENT_KEY).and_then(Value::as_str) {
                return Ok(Element(fantoccini::elements::Element::from_element_id(
                    self.client.clone(),
                    id.to_owned().into(),
                )));
            }
            if Instant::now() > deadline {
                let place = host.map_or(String::new(), |h| format!("{h} >>> "));
                return Err(format!("{place}{selector} containing {needle:?}: none").into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The window the session is in now.
    pub fn window(&self) -> Result<Window> {
        Ok(Window(block_on(self.client.window())?))
    }

    /// Opens a new window (not a tab, so both pages stay visible and run at full speed) and
    /// switches to it.
    pub fn open_window(&self) -> Result<Window> {
        let created = block_on(self.client.new_window(false))?;
        let window = Window(created.handle);
        self.switch_to(&window)?;
        Ok(window)
    }

    pub fn switch_to(&self, window: &Window) -> Result<()> {
        Ok(block_on(self.client.switch_to_window(window.0.clone()))?)
    }

    pub fn type_text(&self, e: &Element, text: &str) -> Result<()> {
        Ok(block_on(e.0.send_keys(text))?)
    }

    pub fn click(&self, e: &Element) -> Result<()> {
        Ok(block_on(e.0.click())?)
    }

    pub fn text(&self, e: &Element) -> Result<String> {
        Ok(block_on(e.0.text())?)
    }

    pub fn value(&self, e: &Element) -> Result<String> {
        Ok(block_on(e.0.prop("value"))?.unwrap_or_default())
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

    /// Runs `script` (a function body; `arguments` holds `args`, a JSON array) in the page
    /// and returns what it returns. A returned promise is awaited.
    pub fn execute(&self, script: &str, args: Value) -> Result<Value> {
        Ok(block_on(self.client.execute(script, arguments(args)))?)
    }

    /// Runs `script` asynchronously: it finishes by calling its last argument with the result.
    pub fn execute_async(&self, script: &str, args: Value) -> Result<Value> {
        Ok(block_on(
            self.client.execute_async(script, arguments(args)),
        )?)
    }

    /// Presses keys on whatever has focus, like a person at the keyboard. Each item is
    /// pressed and released in turn; an item of several characters is typed out, and
    /// `"ctrl+b"` holds Control while pressing `b` (`"shift+…"` holds Shift).
    pub fn keys(&self, keys: &[&str]) -> Result<()> {
        let mut actions = KeyActions::new("keyboard".into());
        let press = |actions: KeyActions, value: char| {
            actions
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value })
        };
        for k in keys {
            let held = [("ctrl+", Key::Control), ("shift+", Key::Shift)]
                .into_iter()
                .find_map(|(prefix, key)| {
                    k.strip_prefix(prefix).map(|rest| (char::from(key), rest))
                });
            if let Some((modifier, rest)) = held {
                actions = actions.then(KeyAction::Down { value: modifier });
                for c in rest.chars() {
                    actions = press(actions, c);
                }
                actions = actions.then(KeyAction::Up { value: modifier });
            } else {
                for c in k.chars() {
                    actions = press(actions, c);
                }
            }
        }
        Ok(block_on(self.client.perform_actions(actions))?)
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
        self.vendor(
            "chromium/network_conditions",
            json!({ "network_conditions": {
                "offline": offline,
                "latency": 0,
                "download_throughput": -1,
                "upload_throughput": -1,
            }}),
        )?;
        Ok(())
    }

    /// Saves a PNG of the viewport.
    pub fn screenshot(&self, to: &Path) -> Result<()> {
        let png = block_on(self.client.screenshot())?;
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(to, png)?;
        Ok(())
    }

    pub fn close(self) -> Result<()> {
        Ok(block_on(self.client.close())?)
    }
}

/// A script's arguments: the items of a JSON array (anything else is one argument).
fn arguments(args: Value) -> Vec<Value> {
    match args {
        Value::Array(items) => items,
        other => vec![other],
    }
}
