//! One ticket filed from each front-end example, served by the axum example with the Moov
//! sandbox: the form drawn by the partner's own build, the session token from the partner's own
//! route, and the ticket number back in the app's own state (`#filed-ticket`, outside the form).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::run::{free_addr, step, Result};
use crate::service::Service;
use crate::webdriver::{profile_dir, start_chromedriver, Browser, Element};
use crate::{cargo, http};

/// How a front end draws the form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Drawn {
    /// `<moov-support-form>`: the fields are in its shadow root.
    CustomElement,
    /// The Leptos component itself: the fields are in the page.
    Component,
}

/// A built front-end example.
pub struct Frontend {
    pub name: &'static str,
    pub dist: PathBuf,
    pub drawn: Drawn,
}

const HOST: &str = "moov-support-form";

/// Builds the axum example, then files one ticket from each front end; every front end is
/// tried, and the failures are reported together.
pub fn run(root: &Path, frontends: &[Frontend]) -> Result<()> {
    let server = build_server(root)?;
    let (_driver, driver_addr) = start_chromedriver()?;
    let mut failed = Vec::new();
    for frontend in frontends {
        match file_one(&server, &driver_addr, frontend) {
            Ok(number) => println!(
                "test examples e2e: {} files ticket #{number} and shows it in its own state ... ok",
                frontend.name
            ),
            Err(e) => {
                println!("test examples e2e: {} ... FAILED\n    {e}", frontend.name);
                failed.push(frontend.name);
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("examples that did not file a ticket: {}", failed.join(", ")).into())
    }
}

/// Builds the axum example (the partner's server every front end is served by); returns its
/// binary.
pub fn build_server(root: &Path) -> Result<PathBuf> {
    step("building the axum example");
    crate::run::cmd(cargo(root).args(["build", "-p", "example-axum"]))?;
    Ok(crate::assets::target_dir(root).join("debug/example-axum"))
}

/// Starts the axum example with the Moov sandbox, serving `dist` at `/`; returns it (stopped
/// when dropped) and its base URL.
pub fn serve(server: &Path, dist: &Path) -> Result<(Service, String)> {
    let addr = free_addr()?;
    let base = format!("http://{addr}");
    let mut command = Command::new(server);
    command
        .env("EXAMPLE_ADDR", &addr)
        .env("EXAMPLE_STATIC_DIR", dist)
        .env("EXAMPLE_SANDBOX", "1")
        .env("RUST_LOG", "warn");
    let mut app = Service::start("example-axum", &mut command)?;
    app.wait_healthy(&format!("{base}/api/hello"), Duration::from_secs(30))?;
    Ok((app, base))
}

/// Serves `frontend` from the axum example, files a ticket in Chromium and returns its number.
fn file_one(server: &Path, driver_addr: &str, frontend: &Frontend) -> Result<u64> {
    let (_app, base) = serve(server, &frontend.dist)?;
    let profile = profile_dir(&format!("example-{}", frontend.name))?;
    let browser = Browser::open(driver_addr, crate::tools::CHROMIUM, &profile)?;
    let filed = fill_and_send(&browser, &base, frontend);
    let _ = browser.close();
    let _ = std::fs::remove_dir_all(&profile);
    let (number, title) = filed?;
    in_the_sandbox(&base, number, &title)?;
    Ok(number)
}

/// Types a ticket into the example's form, sends it and reads the number the app shows.
fn fill_and_send(b: &Browser, base: &str, frontend: &Frontend) -> Result<(u64, String)> {
    b.goto(&format!("{base}/"))?;
    let field = |selector: &str| -> Result<Element> {
        match frontend.drawn {
            Drawn::CustomElement => b.in_shadow(HOST, selector),
            Drawn::Component => in_page(b, selector),
        }
    };
    // The partner's session token prefills the email with its user's address.
    let email = field("#moov-email")?;
    wait(
        "the session token to prefill the email",
        Duration::from_secs(15),
        || Ok(b.value(&email)? == "jordan@example.com"),
    )?;
    let title = format!("Payout late, filed from the {} example", frontend.name);
    b.type_text(&field("#moov-title")?, &title)?;
    b.type_text(
        &field("#moov-body")?,
        "The payout from Monday has not arrived yet.",
    )?;
    b.click(&field("button.moov-send")?)?;

    let mut shown = String::new();
    wait(
        "#filed-ticket in the app's own page",
        Duration::from_secs(20),
        || {
            shown = b
                .execute(
                    "const p = document.getElementById('filed-ticket');
                     return p ? p.textContent : '';",
                    serde_json::json!([]),
                )?
                .as_str()
                .unwrap_or_default()
                .to_owned();
            Ok(shown.contains('#'))
        },
    )?;
    let number = shown
        .split('#')
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|digits| digits.parse().ok())
        .ok_or_else(|| format!("#filed-ticket reads {shown:?}, without a ticket number"))?;
    Ok((number, title))
}

/// Checks that the sandbox holds ticket `number` with `title`: the number the app shows is the
/// one Moov gave.
fn in_the_sandbox(base: &str, number: u64, title: &str) -> Result<()> {
    let list = http::get_json(&format!("{base}/support/api/dev/tickets"), None)?;
    let items = list["items"].as_array().cloned().unwrap_or_default();
    let found = items
        .iter()
        .find(|t| t["number"].as_u64() == Some(number))
        .ok_or_else(|| format!("the sandbox has no ticket #{number}"))?;
    if found["title"] != title {
        return Err(format!(
            "ticket #{number} is titled {:?}, not {title:?}",
            found["title"]
        )
        .into());
    }
    Ok(())
}

/// Finds `selector` in the page, waiting up to ten seconds for it to render.
fn in_page(b: &Browser, selector: &str) -> Result<Element> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match b.find(selector) {
            Ok(e) => return Ok(e),
            Err(e) if Instant::now() > deadline => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Polls `ready` every 100 ms until it holds or `within` runs out.
fn wait(what: &str, within: Duration, mut ready: impl FnMut() -> Result<bool>) -> Result<()> {
    let deadline = Instant::now() + within;
    loop {
        if ready()? {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("waited {} s for {what}", within.as_secs()).into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
