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
mod tools;
mod webdriver;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

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
                    type-checks them (and their wrong-prop fixtures) and builds them
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
  soak [MINUTES]    mixed traffic against the proxy and the sandbox for MINUTES (default 10);
                    prints RSS at start and end, crashes, 5xx, lost and duplicated tickets
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev(&root, args.iter().any(|a| a == "--release")),
        Some("test") => test(&root),
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

/// The wasm browser tests, run by wasm-bindgen-test-runner in the browser whose driver
/// variable is given, against the proxy at `proxy_addr`.
fn browser_tests(
    root: &Path,
    runner_addr: &str,
    proxy_addr: &str,
    driver: (&str, std::ffi::OsString),
) -> Command {
    let mut c = cargo(root);
    c.args([
        "test",
        "-p",
        "moov-support",
        "--target",
        "wasm32-unknown-unknown",
        // One bundle: the test page has no sanitizer module or language files next to it.
        // `csr`: the tests mount forms with Leptos' client-side rendering, as the widget does.
        "--features",
        "csr,inline-sanitizer,inline-locales,inline-inbox",
        "--test",
        "browser",
        "--test",
        "xss",
    ])
    .env("MOOV_SUPPORT_XSS_CORPUS", xss_corpus(root))
    .env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    )
    .env(driver.0, driver.1)
    .env("WASM_BINDGEN_TEST_ADDRESS", runner_addr)
    .env("WASM_BINDGEN_TEST_TIMEOUT", "240")
    .env("MOOV_SUPPORT_TEST_PROXY", format!("http://{proxy_addr}"));
    c
}

/// The XSS corpus the `xss` browser test embeds (`../shared/corpus/` beside the workspace).
///
/// When it is absent the test still needs a file to embed, so it gets an empty one and runs
/// its built-in payloads only; the corpus is never copied into the repository.
fn xss_corpus(root: &Path) -> PathBuf {
    let corpus = root.join("../shared/corpus/xss-dompurify.jsonl");
    if let Ok(found) = corpus.canonicalize() {
        return found;
    }
    println!(
        "notice: XSS corpus {} is absent; the xss browser test runs its built-in payloads only",
        corpus.display()
    );
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let empty = target.join("xss-corpus-absent.jsonl");
    if let Err(e) = std::fs::create_dir_all(&target).and_then(|()| std::fs::write(&empty, "")) {
        println!("notice: could not write {}: {e}", empty.display());
    }
    empty
}

/// One named check of the test run.
struct Outcome {
    name: &'static str,
    ok: bool,
    seconds: f64,
}

fn test(root: &Path) -> Result<()> {
    let started = Instant::now();
    tools::ensure(root, Need::Browsers)?;
    let mut outcomes = Vec::new();
    let mut check = |name: &'static str, f: &mut dyn FnMut() -> Result<()>| {
        step(name);
        let t = Instant::now();
        let result = f();
        if let Err(e) = &result {
            println!("FAILED: {name}: {e}");
        }
        outcomes.push(Outcome {
            name,
            ok: result.is_ok(),
            seconds: t.elapsed().as_secs_f64(),
        });
        result.is_ok()
    };

    check("formatting (cargo fmt --check)", &mut || {
        cmd(cargo(root).args(["fmt", "--all", "--", "--check"]))
    });
    check("lints, native (cargo clippy)", &mut || {
        cmd(cargo(root).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    });
    check("lints, wasm (cargo clippy --target wasm32)", &mut || {
        cmd(cargo(root).args([
            "clippy",
            "-p",
            "moov-support",
            "-p",
            "example-leptos",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            // The widget's own bundles need `csr`, as its trunk build turns it on.
            "--features",
            "moov-support/csr",
            "--",
            "-D",
            "warnings",
        ]))
    });
    check(
        "native tests: ticket core, proxy, sandbox over real HTTP",
        // The widget's browser-only half is tested in browsers below; natively only its core
        // matters. The proxy keeps its default features: its tests run it in sandbox mode.
        &mut || {
            cmd(cargo(root).args(["test", "-p", "moov-support", "--no-default-features"]))?;
            cmd(cargo(root).args(["test", "--workspace", "--exclude", "moov-support"]))
        },
    );
    check("the crates package (cargo package --list)", &mut || {
        for crate_name in ["moov-support", "moov-support-proxy", "moov-support-sandbox"] {
            // The file lists go nowhere; a refusal is on standard error.
            cmd(cargo(root)
                .args(["package", "--list", "--allow-dirty", "-p", crate_name])
                .stdout(std::process::Stdio::null()))?;
        }
        Ok(())
    });
    let mut release = None;
    // Named from the budget itself, so the two never disagree.
    let size_check: &'static str = Box::leak(
        format!(
            "size budget: first-interactive ≤ {} KB brotli, all ≤ {} KB (targets {} KB, {} KB)",
            assets::FIRST_INTERACTIVE_BUDGET / 1000,
            assets::TOTAL_BUDGET / 1000,
            assets::FIRST_INTERACTIVE_TARGET / 1000,
            assets::TOTAL_TARGET / 1000,
        )
        .into_boxed_str(),
    );
    check(size_check, &mut || {
        let dir = assets::release(root)?;
        release = Some(dir.clone());
        assets::budget_check(&dir)
    });
    let mut frontends = Vec::new();
    check(
        "npm package: build, types, the React and Vue examples",
        &mut || {
            package::build(root)?;
            for name in ["react", "vue"] {
                let dist = package::example(root, name)?;
                frontends.push(examples::e2e::Frontend {
                    name,
                    dist,
                    drawn: examples::e2e::Drawn::CustomElement,
                });
            }
            Ok(())
        },
    );
    check(
        "the examples end to end: a ticket from React, Vue and Leptos through the axum example",
        &mut || {
            let mut all = std::mem::take(&mut frontends);
            all.push(examples::e2e::Frontend {
                name: "leptos",
                dist: examples::leptos::build(root)?,
                drawn: examples::e2e::Drawn::Component,
            });
            examples::e2e::run(root, &all)
        },
    );
    let built = check("widget bundle (trunk build)", &mut || {
        cmd(Command::new("trunk").current_dir(root).arg("build"))
    });

    let proxy_addr = free_addr()?;
    let runner_addr = free_addr()?;
    let proxy = build_proxy(root, false).and_then(|binary| {
        start_proxy(
            &binary,
            &proxy_addr,
            &format!("http://{runner_addr}"),
            Some(&root.join("dist")),
        )
    });
    match proxy {
        Ok(_proxy) => {
            check(
                "browser tests: the widget in headless Chromium",
                &mut || {
                    cmd(&mut browser_tests(
                        root,
                        &runner_addr,
                        &proxy_addr,
                        ("CHROMEDRIVER", tools::CHROMEDRIVER.into()),
                    ))
                },
            );
            check("browser tests: the widget in headless Firefox", &mut || {
                // wasm-bindgen-test-runner picks Firefox when GECKODRIVER is set.
                let mut c = browser_tests(
                    root,
                    &runner_addr,
                    &proxy_addr,
                    ("GECKODRIVER", tools::geckodriver().into()),
                );
                cmd(c.env_remove("CHROMEDRIVER"))
            });
            if built {
                check("demo page end to end in headless Chromium", &mut || {
                    run_e2e(root, &proxy_addr, None, Engine::Chromium)
                });
            }
            if let Some(dir) = &release {
                // Minified, hashed, precompressed and preloaded: what partners deploy.
                for (engine, name) in [
                    (
                        Engine::Chromium,
                        "the release build end to end in headless Chromium",
                    ),
                    (
                        Engine::Firefox,
                        "the release build end to end in headless Firefox",
                    ),
                ] {
                    check(name, &mut || {
                        let addr = free_addr()?;
                        let binary = build_proxy(root, false)?;
                        let _proxy = start_proxy(&binary, &addr, "http://127.0.0.1", Some(dir))?;
                        run_e2e(root, &addr, None, engine)
                    });
                }
            }
        }
        Err(e) => {
            check("start the proxy for browser tests", &mut || {
                Err(e.to_string().into())
            });
        }
    }

    println!();
    println!("Summary ({:.0} s):", started.elapsed().as_secs_f64());
    for o in &outcomes {
        println!(
            "  {} {:<60} {:>6.1} s",
            if o.ok { "ok  " } else { "FAIL" },
            o.name,
            o.seconds
        );
    }
    let failed = outcomes.iter().filter(|o| !o.ok).count();
    println!(
        "checks: {} passed, {failed} failed",
        outcomes.len() - failed
    );
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} check(s) failed").into())
    }
}
