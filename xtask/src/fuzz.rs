//! `cargo xtask fuzz [SECONDS] [TARGET…]`: runs every cargo-fuzz target in `fuzz/` for SECONDS
//! each (default 60) and prints what libFuzzer reports: executions, speed, corpus, crashes.
//!
//! The targets need nightly (libFuzzer's instrumentation); cargo-fuzz is installed when it is
//! missing. Corpora grow in `fuzz/corpus/<target>` and crashes land in
//! `fuzz/artifacts/<target>`, both outside version control; the DOMPurify payloads in
//! `../shared/corpus/` seed them when that folder is present.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::run::{cmd, output, step, Result};

/// Every target in `fuzz/fuzz_targets`, in the order they run.
const TARGETS: [&str; 3] = ["sanitize", "rules", "proxy_decode"];

const DEFAULT_SECONDS: u64 = 60;

/// What one run of one target did, read from libFuzzer's output.
#[derive(Debug, Default)]
struct Stats {
    target: String,
    seconds: f64,
    executions: u64,
    exec_per_sec: u64,
    corpus: u64,
    seeds: u64,
    coverage: u64,
    crashes: usize,
}

pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let seconds = match args.first() {
        Some(s) => s
            .parse::<u64>()
            .ok()
            .filter(|s| *s > 0)
            .ok_or_else(|| format!("SECONDS must be a positive number, not {s:?}"))?,
        None => DEFAULT_SECONDS,
    };
    let targets: Vec<&str> = if args.len() > 1 {
        let chosen: Vec<&str> = args[1..].iter().map(String::as_str).collect();
        if let Some(unknown) = chosen.iter().find(|t| !TARGETS.contains(t)) {
            return Err(format!("no fuzz target {unknown}; the targets: {TARGETS:?}").into());
        }
        chosen
    } else {
        TARGETS.to_vec()
    };
    let fuzz = root.join("fuzz");

    step("checking the nightly toolchain");
    let nightly = output(Command::new("rustc").args(["+nightly", "--version"]))
        .map_err(|e| format!("{e}; install it with `rustup toolchain install nightly`"))?;
    println!("{}", nightly.trim());
    ensure_cargo_fuzz()?;
    seed(root, &fuzz)?;

    step("building the fuzz targets");
    cmd(cargo_fuzz(&fuzz).args(["build", "--release"]))?;

    let mut all = Vec::new();
    for target in targets {
        all.push(fuzz_one(&fuzz, target, seconds)?);
    }
    print_table(&all);
    let crashes: usize = all.iter().map(|s| s.crashes).sum();
    if crashes > 0 {
        return Err(format!("{crashes} crashing input(s) in fuzz/artifacts/").into());
    }
    Ok(())
}

/// `cargo +nightly fuzz` in `fuzz/`. Its builds stay in `fuzz/target` whatever target dir the
/// caller set: instrumented artifacts are never shared with the workspace's, and rebuilding
/// them elsewhere costs half an hour on two cores.
fn cargo_fuzz(fuzz: &Path) -> Command {
    let mut c = Command::new("cargo");
    c.args(["+nightly", "fuzz"])
        .current_dir(fuzz)
        .env_remove("CARGO_TARGET_DIR");
    c
}

fn ensure_cargo_fuzz() -> Result<()> {
    if let Ok(version) = output(Command::new("cargo").args(["+nightly", "fuzz", "--version"])) {
        println!("{} present", version.trim());
        return Ok(());
    }
    step("installing cargo-fuzz (a few minutes, once)");
    cmd(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))
}

/// Starting inputs: each DOMPurify payload as HTML for `sanitize` and as a ticket body for
/// `proxy_decode`, plus a few hand-written tickets. `rules` reads structured input and
/// starts from nothing.
fn seed(root: &Path, fuzz: &Path) -> Result<()> {
    let dir = |t: &str| -> Result<PathBuf> {
        let d = fuzz.join("corpus").join(t);
        fs::create_dir_all(&d)?;
        Ok(d)
    };
    let sanitize = dir("sanitize")?;
    let decode = dir("proxy_decode")?;
    dir("rules")?;
    let ticket = |body: &str| {
        serde_json::json!({
            "title": "Payout missing",
            "body": body,
            "contact": {"email": "jordan@example.com", "name": "Jordan Lee"}
        })
        .to_string()
    };
    let built_in = [
        ticket("<p>My payout from <strong>Friday</strong> has not arrived.</p>"),
        r#"{"title":"","body":"<p>&nbsp;</p>","contact":{"email":"nope"}}"#.to_owned(),
        r#"{"title":"t","body":"b","contact":{"email":"a@b","name":null},"author":"x","foreignID":"y"}"#
            .to_owned(),
    ];
    for (n, t) in built_in.iter().enumerate() {
        fs::write(decode.join(format!("seed-ticket-{n}")), t)?;
    }

    let corpus = root.join("../shared/corpus/xss-dompurify.jsonl");
    let Ok(text) = fs::read_to_string(&corpus) else {
        println!(
            "notice: {} is absent; fuzzing starts from the built-in seeds only",
            corpus.display()
        );
        return Ok(());
    };
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line)?;
        let (Some(id), Some(payload)) = (case["id"].as_str(), case["payload"].as_str()) else {
            continue;
        };
        fs::write(sanitize.join(format!("seed-{id}")), payload)?;
        fs::write(decode.join(format!("seed-{id}")), ticket(payload))?;
        n += 1;
    }
    println!("seeded {n} payloads from {}", corpus.display());
    Ok(())
}

fn fuzz_one(fuzz: &Path, target: &str, seconds: u64) -> Result<Stats> {
    let artifacts = fuzz.join("artifacts").join(target);
    fs::create_dir_all(&artifacts)?;
    let before = findings(&artifacts)?;
    let log_path = artifacts.join("last-run.log");
    step(&format!(
        "fuzzing {target} for {seconds} s (libFuzzer log: {})",
        log_path.display()
    ));
    let log = fs::File::create(&log_path)?;
    let mut c = cargo_fuzz(fuzz);
    // Built as shipped: optimized, without debug assertions (ASan stays on). A dependency's
    // debug assertion (idna_adapter 1.0.0's "no uppercase ASCII") fires on hosts that mix
    // uppercase ASCII and Unicode, which the release widget and proxy never check.
    c.args(["run", "--release", target])
        .arg(fuzz.join("corpus").join(target))
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg("-print_final_stats=1")
        // An input that takes seconds is a finding too (a quadratic sanitizer path).
        .arg("-timeout=10");
    let dict = fuzz.join("dict").join(format!("{target}.dict"));
    if dict.exists() {
        c.arg(format!("-dict={}", dict.display()));
    }
    let started = Instant::now();
    let status = c.stdout(Stdio::null()).stderr(log).status()?;
    let elapsed = started.elapsed().as_secs_f64();
    let text = fs::read_to_string(&log_path)?;
    let mut stats = parse(target, &text);
    if stats.seconds == 0.0 {
        // Stopped by a crash before libFuzzer's summary: the whole run, build included.
        stats.seconds = elapsed;
    }
    let new: Vec<String> = findings(&artifacts)?
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    stats.crashes = new.len();
    if !status.success() && new.is_empty() {
        return Err(format!(
            "fuzzing {target} failed ({status}); see {}",
            log_path.display()
        )
        .into());
    }
    for f in &new {
        println!("finding: {}", artifacts.join(f).display());
    }
    println!(
        "{target}: {} executions, {} exec/s, corpus {}, crashes {}",
        stats.executions, stats.exec_per_sec, stats.corpus, stats.crashes
    );
    Ok(stats)
}

/// The crash, leak, timeout and out-of-memory inputs libFuzzer has saved for one target.
fn findings(dir: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if ["crash-", "leak-", "timeout-", "oom-", "slow-unit-"]
            .iter()
            .any(|p| name.starts_with(p))
        {
            found.push(name);
        }
    }
    Ok(found)
}

/// Reads libFuzzer's final `stat::` lines and its last status line (`#N … cov: C … corp: K/…`).
fn parse(target: &str, log: &str) -> Stats {
    let mut stats = Stats {
        target: target.to_owned(),
        ..Stats::default()
    };
    let number = |s: &str| s.trim().parse::<u64>().unwrap_or(0);
    let after = |line: &str, key: &str| -> Option<u64> {
        let rest = &line[line.find(key)? + key.len()..];
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    for line in log.lines() {
        if let Some(v) = line.strip_prefix("stat::number_of_executed_units:") {
            stats.executions = number(v);
        } else if let Some(v) = line.strip_prefix("stat::average_exec_per_sec:") {
            stats.exec_per_sec = number(v);
        } else if let Some(status) = line.strip_prefix('#') {
            if let Some(n) = status.split_whitespace().next() {
                stats.executions = stats.executions.max(number(n));
            }
            if let Some(c) = after(line, "corp:") {
                stats.corpus = c;
            }
            if let Some(c) = after(line, "cov:") {
                stats.coverage = c;
            }
        } else if let Some(s) = after(line, "runs in") {
            // "Done N runs in S second(s)": the time spent fuzzing, without the build.
            stats.seconds = s as f64;
        } else if let Some(n) = after(line, "seed corpus: files:") {
            stats.seeds = n;
        }
    }
    stats
}

fn print_table(all: &[Stats]) {
    println!();
    println!("| target | seconds | executions | exec/s | seeds | corpus | coverage | crashes |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for s in all {
        println!(
            "| {} | {:.0} | {} | {} | {} | {} | {} | {} |",
            s.target,
            s.seconds,
            s.executions,
            s.exec_per_sec,
            s.seeds,
            s.corpus,
            s.coverage,
            s.crashes
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzer_output() {
        let log = "INFO: seed corpus: files: 226 min: 1b max: 9000b total: 1Mb rss: 40Mb\n\
                   #2048\tpulse  cov: 900 ft: 1500 corp: 200/30Kb exec/s: 1024 rss: 80Mb\n\
                   #51234\tDONE   cov: 1234 ft: 5678 corp: 321/45Kb lim: 4096 exec/s: 853 rss: 120Mb\n\
                   Done 51234 runs in 61 second(s)\n\
                   stat::number_of_executed_units: 51234\n\
                   stat::average_exec_per_sec:     839\n\
                   stat::new_units_added:          95\n";
        let s = parse("sanitize", log);
        assert_eq!(
            (
                s.executions,
                s.exec_per_sec,
                s.corpus,
                s.coverage,
                s.seeds,
                s.seconds
            ),
            (51234, 839, 321, 1234, 226, 61.0)
        );
    }
}
