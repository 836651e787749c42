//! What the widget adds to a partner's app built with Vite: the React example's first load
//! (every file the browser fetched until the form is drawn, brotli), against the same app
//! without the widget, beside the script-tag page's first-interactive bytes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::run::{cmd, step, Result};
use crate::webdriver::{profile_dir, start_chromedriver, Browser};

/// The React example's app without the widget: the same page, React and all, minus the form.
const BARE_APP: &str = r#"export function App() {
  return (
    <main>
      <h1>Acme Payouts · Help</h1>
    </main>
  );
}
"#;

/// One measured first load.
pub struct FirstLoad {
    pub files: Vec<(String, u64)>,
}

impl FirstLoad {
    /// Brotli bytes of every file fetched.
    pub fn brotli(&self) -> u64 {
        self.files.iter().map(|(_, b)| b).sum()
    }
}

/// Builds the package, the React example and its widget-less twin, loads each in headless
/// Chromium through the axum example, and prints what the widget adds next to `script_tag`
/// (the script-tag page's first-interactive brotli bytes). Returns the lines printed.
pub fn react(root: &Path, script_tag: u64) -> Result<String> {
    crate::package::build(root)?;
    let with_widget = crate::package::example(root, "react")?;
    let bare = bare_react(root)?;
    let server = super::e2e::build_server(root)?;
    let (_driver, driver_addr) = start_chromedriver()?;
    let loaded = measure(&server, &driver_addr, &with_widget, true)?;
    let without = measure(&server, &driver_addr, &bare, false)?;
    let added = loaded.brotli().saturating_sub(without.brotli());
    let mut lines = String::from(
        "React example (Vite production build), first load until the form is drawn, brotli:\n",
    );
    for (name, bytes) in &loaded.files {
        lines.push_str(&format!("  {name:<48} {bytes:>9} B\n"));
    }
    lines.push_str(&format!(
        "  with the widget {} B, the same app without it {} B: the widget adds {added} B; \
         the script-tag page's first-interactive is {script_tag} B ({:.3}x)\n",
        loaded.brotli(),
        without.brotli(),
        added as f64 / script_tag as f64
    ));
    Ok(lines)
}

/// The React example's app without the widget, built by the example's own Vite, in a folder
/// of its own beside the target directory's other builds.
fn bare_react(root: &Path) -> Result<PathBuf> {
    let example = root.join("examples/react");
    let dir = crate::assets::target_dir(root).join("bench/react-without-widget");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src"))?;
    for file in [
        "index.html",
        "vite.config.ts",
        "package.json",
        "src/main.tsx",
    ] {
        std::fs::copy(example.join(file), dir.join(file))?;
    }
    std::fs::write(dir.join("src/App.tsx"), BARE_APP)?;
    let modules = dir.join("node_modules");
    #[cfg(unix)]
    std::os::unix::fs::symlink(example.join("node_modules"), &modules)?;
    step("the React example without the widget: vite build");
    cmd(Command::new(example.join("node_modules/.bin/vite"))
        .current_dir(&dir)
        .args(["build", "--logLevel", "warn"]))?;
    Ok(dir.join("dist"))
}

/// Loads `dist` through the axum example and lists the files the page fetched until it was
/// drawn (the form's subject field, or the heading without the widget), with their brotli
/// sizes.
fn measure(server: &Path, driver_addr: &str, dist: &Path, widget: bool) -> Result<FirstLoad> {
    let (_app, base) = super::e2e::serve(server, dist)?;
    let profile = profile_dir("first-load")?;
    let browser = Browser::open(driver_addr, crate::tools::CHROMIUM, &profile)?;
    let fetched = load(&browser, &base, widget);
    let _ = browser.close();
    let _ = std::fs::remove_dir_all(&profile);
    let mut files = Vec::new();
    for url in fetched? {
        let Some(path) = url.strip_prefix(&base) else {
            continue;
        };
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let path = if path == "/" { "/index.html" } else { path };
        let file = dist.join(path.trim_start_matches('/'));
        // The app's API answers (the session) are not part of its build.
        if !file.is_file() {
            continue;
        }
        let bytes = std::fs::read(&file)?;
        files.push((path.to_owned(), crate::assets::brotli(&bytes)?.len() as u64));
    }
    files.sort();
    files.dedup();
    Ok(FirstLoad { files })
}

fn load(b: &Browser, base: &str, widget: bool) -> Result<Vec<String>> {
    b.goto(&format!("{base}/"))?;
    let drawn = if widget {
        "const f = document.querySelector('moov-support-form');
         return Boolean(f && f.shadowRoot && f.shadowRoot.querySelector('#moov-title'));"
    } else {
        "return Boolean(document.querySelector('h1'));"
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while b.execute(drawn, json!([]))? != json!(true) {
        if Instant::now() > deadline {
            return Err("the page was not drawn within 20 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut fetched = vec![format!("{base}/")];
    fetched.extend(crate::demo_e2e::fetched(b)?);
    Ok(fetched)
}
