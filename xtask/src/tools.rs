//! Installs what the build and the tests need, once per machine, at the exact versions the
//! project was checked with. Each tool is checked first and skipped when already right.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::{cmd, output, step, Result};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const GECKODRIVER_VERSION: &str = "0.37.1";
pub const BINARYEN_VERSION: &str = "132";
/// Minifies the release build's JS (trunk's own minifier cannot parse wasm-bindgen's glue).
pub const ESBUILD_VERSION: &str = "0.28.2";
pub const AXE_VERSION: &str = "4.14.1";
/// DOMPurify, the sanitizer the widget's ammonia is measured against by `cargo xtask bench`.
pub const DOMPURIFY_VERSION: &str = "3.5.0";
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's firefox-esr, for the second browser run.
pub const FIREFOX: &str = "/usr/bin/firefox";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// What a command needs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Building the widget: the wasm target, trunk, wasm-bindgen, wasm-opt.
    Build,
    /// Also headless Chromium and its driver.
    Browsers,
}

/// Where machine-wide tool installs live (kept between checkouts, never in the repo).
pub fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cache"));
    base.join("moov-support")
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"))
}

fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cargo"))
        .join("bin")
}

fn npm_bin() -> PathBuf {
    cache_dir().join("npm/node_modules/.bin")
}

/// Puts cargo's and npm's tool folders first on PATH for every child process.
pub fn setup_path() {
    let mut paths = vec![npm_bin(), cargo_bin()];
    if let Some(p) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&p));
    }
    if let Ok(joined) = std::env::join_paths(paths) {
        std::env::set_var("PATH", joined);
    }
}

/// Installs whatever is missing for `need`.
pub fn ensure(root: &Path, need: Need) -> Result<()> {
    setup_path();
    ensure_wasm_target()?;
    ensure_wasm_bindgen(root)?;
    ensure_binaryen()?;
    ensure_esbuild()?;
    ensure_trunk()?;
    if need == Need::Browsers {
        ensure_chromium()?;
        ensure_axe()?;
        ensure_firefox()?;
        ensure_redis()?;
    }
    Ok(())
}

fn version_of(program: &str, arg: &str) -> Option<String> {
    let out = Command::new(program).arg(arg).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn ensure_wasm_target() -> Result<()> {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        step("wasm32-unknown-unknown target: present");
        return Ok(());
    }
    step("installing the wasm32-unknown-unknown target");
    cmd(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The wasm-bindgen version the lock file pins; the CLI must match it exactly.
fn locked_wasm_bindgen(root: &Path) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock does not pin wasm-bindgen".into())
}

fn ensure_wasm_bindgen(root: &Path) -> Result<()> {
    let want = locked_wasm_bindgen(root)?;
    let have = version_of("wasm-bindgen", "--version").unwrap_or_default();
    let runner = version_of("wasm-bindgen-test-runner", "--version").unwrap_or_default();
    if have.ends_with(&want) && runner.ends_with(&want) {
        step(&format!("wasm-bindgen-cli {want}: present"));
        return Ok(());
    }
    step(&format!(
        "installing wasm-bindgen-cli {want} (found {:?}; a few minutes)",
        if have.is_empty() { "none" } else { &have }
    ));
    // Not --locked: the CLI's own lock file names a crate version the registry may lack.
    cmd(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--force", "--version", &want]))
}

fn ensure_binaryen() -> Result<()> {
    let have = version_of(&npm_bin().join("wasm-opt").to_string_lossy(), "--version");
    if have
        .as_deref()
        .is_some_and(|v| v.contains(&format!("version {BINARYEN_VERSION}")))
    {
        step(&format!("binaryen {BINARYEN_VERSION} (wasm-opt): present"));
        return Ok(());
    }
    // Debian's binaryen 108 miscompiles the bundle; the npm build is current.
    step(&format!("installing binaryen {BINARYEN_VERSION} from npm"));
    npm_install(&format!("binaryen@{BINARYEN_VERSION}"))
}

/// esbuild's command, installed from npm into the machine cache.
pub fn esbuild() -> PathBuf {
    npm_bin().join("esbuild")
}

fn ensure_esbuild() -> Result<()> {
    if version_of(&esbuild().to_string_lossy(), "--version").as_deref() == Some(ESBUILD_VERSION) {
        step(&format!("esbuild {ESBUILD_VERSION}: present"));
        return Ok(());
    }
    step(&format!("installing esbuild {ESBUILD_VERSION} from npm"));
    npm_install(&format!("esbuild@{ESBUILD_VERSION}"))
}

/// Installs one npm package into the machine cache. The folder's package.json records every
/// package, so installing one never prunes another.
fn npm_install(spec: &str) -> Result<()> {
    let dir = cache_dir().join("npm");
    std::fs::create_dir_all(&dir)?;
    let manifest = dir.join("package.json");
    if !manifest.exists() {
        std::fs::write(&manifest, "{ \"private\": true }\n")?;
    }
    cmd(Command::new("npm").current_dir(&dir).args([
        "install",
        "--save",
        "--no-audit",
        "--no-fund",
        "--prefix",
        ".",
        spec,
    ]))
}

/// axe-core's browser build, injected into pages by the demo end-to-end run.
pub fn axe_script() -> PathBuf {
    cache_dir().join("npm/node_modules/axe-core/axe.min.js")
}

fn ensure_axe() -> Result<()> {
    let package = cache_dir().join("npm/node_modules/axe-core/package.json");
    let have = std::fs::read_to_string(&package).unwrap_or_default();
    if have.contains(&format!("\"version\": \"{AXE_VERSION}\"")) && axe_script().exists() {
        step(&format!("axe-core {AXE_VERSION}: present"));
        return Ok(());
    }
    step(&format!("installing axe-core {AXE_VERSION} from npm"));
    npm_install(&format!("axe-core@{AXE_VERSION}"))
}

/// DOMPurify's browser build.
pub fn dompurify_script() -> PathBuf {
    cache_dir().join("npm/node_modules/dompurify/dist/purify.min.js")
}

pub fn ensure_dompurify() -> Result<()> {
    let package = cache_dir().join("npm/node_modules/dompurify/package.json");
    let have = std::fs::read_to_string(&package).unwrap_or_default();
    if have.contains(&format!("\"version\": \"{DOMPURIFY_VERSION}\""))
        && dompurify_script().exists()
    {
        step(&format!("DOMPurify {DOMPURIFY_VERSION}: present"));
        return Ok(());
    }
    step(&format!(
        "installing DOMPurify {DOMPURIFY_VERSION} from npm"
    ));
    npm_install(&format!("dompurify@{DOMPURIFY_VERSION}"))
}

fn ensure_trunk() -> Result<()> {
    let have = version_of("trunk", "--version").unwrap_or_default();
    if have.ends_with(TRUNK_VERSION) {
        step(&format!("trunk {TRUNK_VERSION}: present"));
        return Ok(());
    }
    step(&format!(
        "installing trunk {TRUNK_VERSION} (compiles for about 12 minutes on 2 cores, once per machine)"
    ));
    cmd(Command::new("cargo").args([
        "install",
        "--locked",
        "--force",
        &format!("trunk@{TRUNK_VERSION}"),
    ]))
}

fn ensure_chromium() -> Result<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        step("chromium and chromedriver: present");
        return Ok(());
    }
    step("installing chromium and chromium-driver from Debian (a few minutes)");
    apt_install(&["chromium", "chromium-driver"])
}

/// geckodriver, installed by cargo.
pub fn geckodriver() -> PathBuf {
    cargo_bin().join("geckodriver")
}

/// Debian's firefox-esr and geckodriver from crates.io, for the second browser run.
fn ensure_firefox() -> Result<()> {
    if Path::new(FIREFOX).exists() {
        step("firefox: present");
    } else {
        step("installing firefox-esr from Debian (a few minutes)");
        apt_install(&["firefox-esr"])?;
    }
    let have = version_of(&geckodriver().to_string_lossy(), "--version").unwrap_or_default();
    if have.starts_with(&format!("geckodriver {GECKODRIVER_VERSION}")) {
        step(&format!("geckodriver {GECKODRIVER_VERSION}: present"));
        return Ok(());
    }
    step(&format!(
        "installing geckodriver {GECKODRIVER_VERSION} (compiles for a few minutes, once per machine)"
    ));
    cmd(Command::new("cargo").args([
        "install",
        "--force",
        "geckodriver",
        "--version",
        GECKODRIVER_VERSION,
    ]))
}

/// The proxy's shared-store tests start a throwaway `redis-server`.
fn ensure_redis() -> Result<()> {
    ensure_debian_tool("redis-server", &["redis-server"])
}

/// Where `program` is on PATH (or in the sbin folders a non-login shell may lack).
pub fn find_program(program: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/sbin", "/usr/bin", "/sbin"].map(PathBuf::from));
    dirs.into_iter()
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// Installs Debian `packages` unless `program` is already there.
pub fn ensure_debian_tool(program: &str, packages: &[&str]) -> Result<()> {
    if find_program(program).is_some() {
        step(&format!("{program}: present"));
        return Ok(());
    }
    step(&format!("installing {} from Debian", packages.join(", ")));
    apt_install(packages)
}

/// `apt-get update` then `apt-get install` of `packages`, through sudo when not root.
fn apt_install(packages: &[&str]) -> Result<()> {
    let root = output(Command::new("id").arg("-u")).is_ok_and(|u| u.trim() == "0");
    let apt = |args: &[&str]| {
        let mut c = if root {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd(&mut c)
    };
    apt(&["update", "-q"])?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend_from_slice(packages);
    apt(&args)
}
