//! `cargo xtask test`: every check, in order, with a summary of what passed and how long
//! each took.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::run::{cmd, free_addr, step, Result};
use crate::tools::{self, Need};
use crate::webdriver::Engine;
use crate::{assets, build_proxy, cargo, examples, package, run_e2e, start_proxy};

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

pub fn test(root: &Path) -> Result<()> {
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
        cmd(cargo(root)
            .args([
                "clippy",
                "-p",
                "moov-support",
                "-p",
                "example-leptos",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                // The widget's own bundles need `csr` and `loader-rules`, as its trunk build
                // turns them on.
                "--features",
                "moov-support/csr,moov-support/loader-rules",
                "--",
                "-D",
                "warnings",
            ])
            // The XSS test embeds the corpus, or an empty file where it is absent.
            .env("MOOV_SUPPORT_XSS_CORPUS", xss_corpus(root)))
    });
    check(
        "native tests: ticket core, proxy, sandbox over real HTTP",
        // The widget's browser-only half is tested in browsers below; natively only its core
        // matters. The proxy keeps its default features: its tests run it in sandbox mode.
        &mut || {
            cmd(cargo(root).args(["test", "-p", "moov-support", "--no-default-features"]))?;
            // The loader's static form against the Leptos view, rendered natively.
            cmd(cargo(root).args(["test", "-p", "moov-support", "--test", "shell"]))?;
            cmd(cargo(root).args(["test", "--workspace", "--exclude", "moov-support"]))
        },
    );
    check("documentation (cargo doc, warnings denied)", &mut || {
        // The library crates' public API, as docs.rs would build it: the widget's for the
        // browser (where its component lives), the proxy's for a server.
        cmd(cargo(root)
            .args([
                "doc",
                "--no-deps",
                "-p",
                "moov-support",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("RUSTDOCFLAGS", "-D warnings"))?;
        cmd(cargo(root)
            .args(["doc", "--no-deps", "-p", "moov-support-proxy"])
            .env("RUSTDOCFLAGS", "-D warnings"))
    });
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
        "npm package: build, types, the React and Vue examples, a webpack 5 page",
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
            frontends.push(examples::e2e::Frontend {
                name: "webpack",
                dist: package::webpack(root)?,
                drawn: examples::e2e::Drawn::CustomElement,
            });
            Ok(())
        },
    );
    check(
        "the examples end to end: a ticket from React, Vue, webpack and Leptos through the axum example",
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
