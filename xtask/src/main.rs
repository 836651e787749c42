//! Project commands: `cargo xtask dev` runs the demo, `cargo xtask test` runs every test.
//! Both install what the machine is missing first.

mod assets;
mod bench;
mod bench_browser;
mod demo_e2e;
mod examples;
mod fuzz;
mod http;
mod package;
mod run;
mod service;
mod soak;
mod test_run;
mod tools;
mod webdriver;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use run::{cmd, free_addr, step, Result};
use service::Service;
use tools::Need;
use webdriver::Engine;

const USAGE: &str = "\
usage: cargo xtask <command>

  dev [--release]   serve the demo dashboard on http://127.0.0.1:8080 with the widget,
                    the token proxy and the Moov sandbox (installs missing tools first)
  test              install missing tools, then run every check and test
  e2e [--release] [--firefox] [TEXT]
                    build the demo (or the release build) and run only its end-to-end
                    checks in headless Chromium (or Firefox), or only those whose name
                    contains TEXT
  package [--examples]
                    the npm package: target/package/moov-support-widget-<version>.tgz
                    (release widget with stable names, types, manifest; npm pack); with
                    --examples also installs it into examples/react and examples/vue,
                    type-checks them (and their wrong-prop fixtures) and builds them, and
                    builds examples/webpack with webpack's defaults
  setup             only install missing tools (wasm target, trunk, wasm-bindgen-cli,
                    binaryen, chromium + chromedriver, redis-server)
  bench             the widget's release assets (raw/gzip/brotli sizes), its start-up in
                    headless Chromium (slow mobile network and unthrottled), ammonia vs
                    DOMPurify on the same inputs, the main thread during a 64 KiB paste;
                    then ticket creation on loopback with wrk: the Moov sandbox directly,
                    through the token proxy, and through nginx (installs nginx and wrk if
                    missing); prints requests/s, p50, p99 and ratios
  bench widget      only the widget's part of `bench` (sizes and browser timings)
  fuzz [SECONDS]    run every cargo-fuzz target for SECONDS each (default 60) on nightly
                    (installs cargo-fuzz if missing); prints executions and findings
  shell             writes the loader's static form (moov-support.js) from the Leptos view,
                    the stylesheet and the options table
  soak [MINUTES]    mixed traffic against the proxy and the sandbox for MINUTES (default 10);
                    prints RSS at start and end, crashes, 5xx, lost and duplicated tickets
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev(&root, args.iter().any(|a| a == "--release")),
        Some("test") => test_run::test(&root),
        Some("e2e") => e2e(
            &root,
            args.iter().any(|a| a == "--release"),
            if args.iter().any(|a| a == "--firefox") {
                Engine::Firefox
            } else {
                Engine::Chromium
            },
            args[1..]
                .iter()
                .find(|a| !a.starts_with("--"))
                .map(String::as_str),
        ),
        Some("setup") => tools::ensure(&root, Need::Browsers),
        Some("shell") => write_shell(&root),
        Some("package") => package::run(&root, args.iter().any(|a| a == "--examples")),
        Some("bench") => bench::run(
            &root,
            &bench::Load::default(),
            args.get(1).is_some_and(|a| a == "widget"),
        ),
        Some("fuzz") => fuzz::run(&root, &args[1..]),
        Some("soak") => soak::run(&root, &args[1..]),
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

fn cargo(root: &Path) -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root);
    c
}

fn proxy_binary(root: &Path, release: bool) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    target
        .join(if release { "release" } else { "debug" })
        .join("moov-support-proxy")
}

fn build_proxy(root: &Path, release: bool) -> Result<PathBuf> {
    step("building the token proxy");
    let mut c = cargo(root);
    c.args(["build", "-p", "moov-support-proxy"]);
    if release {
        c.arg("--release");
    }
    cmd(&mut c)?;
    Ok(proxy_binary(root, release))
}

/// Starts the proxy in sandbox mode (`serve --sandbox`) and waits for it.
fn start_proxy(
    binary: &Path,
    addr: &str,
    allowed_origins: &str,
    static_dir: Option<&Path>,
) -> Result<Service> {
    let mut c = Command::new(binary);
    c.args(["serve", "--sandbox"])
        .env("PROXY_ADDR", addr)
        .env("ALLOWED_ORIGINS", allowed_origins)
        // Every browser of a run (both engines' tests, the inbox's polls and streams) comes
        // from one loopback address: a per-IP limit would only measure the test's own pace.
        .env("IP_RATE_LIMIT_PER_MINUTE", "0")
        .env_remove("MOOV_BASE_URL")
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
        );
    if let Some(dir) = static_dir {
        c.env("STATIC_DIR", dir);
    }
    let mut proxy = Service::start("moov-support-proxy", &mut c)?;
    proxy.wait_healthy(&format!("http://{addr}/healthz"), Duration::from_secs(30))?;
    Ok(proxy)
}

fn dev(root: &Path, release: bool) -> Result<()> {
    tools::ensure(root, Need::Build)?;
    if release {
        // What partners deploy: the hashed, precompressed build, served by the proxy itself
        // with its real cache and CSP headers on the same origin as the API.
        let dir = assets::release(root)?;
        let binary = build_proxy(root, true)?;
        let mut proxy = start_proxy(
            &binary,
            "127.0.0.1:8080",
            "http://127.0.0.1:8080,http://localhost:8080",
            Some(&dir),
        )?;
        step("release demo dashboard, proxy and Moov sandbox on http://127.0.0.1:8080");
        step("Ctrl-C stops everything");
        return proxy.wait();
    }
    let binary = build_proxy(root, false)?;
    let _proxy = start_proxy(
        &binary,
        "127.0.0.1:3000",
        "http://127.0.0.1:8080,http://localhost:8080",
        None,
    )?;
    step("proxy + Moov sandbox on http://127.0.0.1:3000");
    step("demo dashboard on http://127.0.0.1:8080 (Ctrl-C stops everything)");
    let mut trunk = Command::new("trunk");
    trunk.current_dir(root).arg("serve");
    Service::start("trunk serve", &mut trunk)?.wait()
}

fn e2e(root: &Path, release: bool, engine: Engine, only: Option<&str>) -> Result<()> {
    tools::ensure(root, Need::Browsers)?;
    let dir = if release {
        assets::release(root)?
    } else {
        cmd(Command::new("trunk").current_dir(root).arg("build"))?;
        root.join("dist")
    };
    let addr = free_addr()?;
    let binary = build_proxy(root, false)?;
    let _proxy = start_proxy(&binary, &addr, "http://127.0.0.1", Some(&dir))?;
    run_e2e(root, &addr, only, engine)
}

fn run_e2e(root: &Path, proxy_addr: &str, only: Option<&str>, engine: Engine) -> Result<()> {
    let shots = match engine {
        Engine::Chromium => root.join("target/e2e"),
        Engine::Firefox => root.join("target/e2e/firefox"),
    };
    let url = format!("http://{proxy_addr}/");
    let (passed, failed) = demo_e2e::run(&url, &shots, only, engine)?;
    println!("demo e2e: {passed} passed, {failed} failed");
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} end-to-end checks failed").into())
    }
}

/// Renders the form's view to HTML and writes it, with the stylesheet and the options,
/// into the loader (the test that compares them does the writing when asked).
fn write_shell(root: &Path) -> Result<()> {
    cmd(cargo(root).args([
        "test",
        "-p",
        "moov-support",
        "--test",
        "shell",
        "--",
        "--ignored",
        "--exact",
        "write_the_loader",
    ]))
}
