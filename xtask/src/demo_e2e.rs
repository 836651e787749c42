//! The demo page end to end, as a user meets it: the trunk-built bundle served by the proxy,
//! the proxy talking to the sandbox, headless Chromium typing and clicking.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::run::{free_addr, step, Result, Service};
use crate::tools::{CHROMEDRIVER, CHROMIUM};
use crate::webdriver::Browser;

const HOST: &str = "moov-support-form";

/// One end-to-end check; returns an error describing what the user would have seen.
type Check = fn(&Browser, &str, &Path) -> Result<()>;

/// Runs every check against `base_url` and returns (passed, failed).
pub fn run(base_url: &str, shots: &Path) -> Result<(usize, usize)> {
    let driver_addr = free_addr()?;
    let port = driver_addr.rsplit(':').next().unwrap_or("9515").to_owned();
    let mut driver = Service::start(
        "chromedriver",
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null()),
    )?;
    driver.wait_listening(&driver_addr, Duration::from_secs(20))?;

    let checks: [(&str, Check); 2] = [
        (
            "a reload mid-typing restores the draft",
            reload_restores_draft,
        ),
        (
            "filling the form and pressing Send files a ticket",
            send_files_a_ticket,
        ),
    ];
    let (mut passed, mut failed) = (0, 0);
    for (i, (name, check)) in checks.into_iter().enumerate() {
        let profile = tempdir(i)?;
        let browser = Browser::open(&driver_addr, CHROMIUM, &profile)?;
        let result = check(&browser, base_url, shots);
        let _ = browser.close();
        let _ = std::fs::remove_dir_all(&profile);
        match result {
            Ok(()) => {
                passed += 1;
                println!("test demo e2e: {name} ... ok");
            }
            Err(e) => {
                failed += 1;
                println!("test demo e2e: {name} ... FAILED\n    {e}");
            }
        }
    }
    Ok((passed, failed))
}

fn tempdir(index: usize) -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("moov-support-e2e-{}-{index}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn reload_restores_draft(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    b.goto(base)?;
    let title = b.in_shadow(HOST, "#moov-title")?;
    b.type_text(&title, "Card declined at checkout")?;
    let body = b.in_shadow(HOST, "#moov-body")?;
    b.type_text(&body, "Half of my mess")?;
    b.reload()?;
    let title = b.in_shadow(HOST, "#moov-title")?;
    let restored = b.value(&title)?;
    if restored != "Card declined at checkout" {
        return Err(format!("subject after reload: {restored:?}").into());
    }
    let body = b.value(&b.in_shadow(HOST, "#moov-body")?)?;
    if body != "Half of my mess" {
        return Err(format!("message after reload: {body:?}").into());
    }
    b.wait_text(HOST, ".moov-notice", "Your unsent message was restored.")?;
    Ok(())
}

fn send_files_a_ticket(b: &Browser, base: &str, shots: &Path) -> Result<()> {
    b.goto(base)?;
    let title = b.in_shadow(HOST, "#moov-title")?;
    // Wait for the session token: it prefills the email.
    let email = b.in_shadow(HOST, "#moov-email")?;
    for _ in 0..50 {
        if !b.value(&email)?.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    b.screenshot(&shots.join("form-empty.png"))?;
    let send = b.in_shadow(HOST, "button.moov-send")?;
    b.click(&send)?;
    b.wait_text(HOST, "#moov-title-error", "Enter a subject.")?;
    b.screenshot(&shots.join("form-errors.png"))?;
    let title = b.in_shadow(HOST, "#moov-title").unwrap_or(title);
    b.type_text(&title, "Payout to my bank account is late")?;
    let body = b.in_shadow(HOST, "#moov-body")?;
    b.type_text(
        &body,
        "Hi! The payout from Monday has not arrived yet.\n\nCould you check <b>what happened</b>?",
    )?;
    let name = b.in_shadow(HOST, "#moov-name")?;
    b.type_text(&name, " ")?;
    b.screenshot(&shots.join("form-filled.png"))?;
    let send = b.in_shadow(HOST, "button.moov-send")?;
    b.click(&send)?;
    let text = b.wait_text(HOST, ".moov-success", "created")?;
    if !text.contains("Ticket #") || !text.contains("Status: new") {
        return Err(format!("confirmation reads {text:?}").into());
    }
    b.screenshot(&shots.join("form-sent.png"))?;
    step(&format!(
        "demo e2e confirmation: {}",
        text.replace('\n', " / ")
    ));
    Ok(())
}
