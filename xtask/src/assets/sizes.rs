//! What the widget weighs: each file's raw, gzip and brotli bytes, their sums, and the budget.

use std::fs;
use std::path::Path;

use super::precompress::{brotli, compressible, gzip, sibling};
use super::release::{files_under, is_widget_entry, slash_path};
use super::{
    FIRST_INTERACTIVE_BUDGET, FIRST_INTERACTIVE_TARGET, LOADER, STATIC_FORM_BUDGET, TOTAL_BUDGET,
    TOTAL_TARGET,
};
use crate::run::Result;

/// One widget file and the bytes a browser downloads for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AssetSize {
    /// Path relative to the served folder, with `/`.
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
    pub when: When,
}

/// When a page needs a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum When {
    /// Before the form is interactive.
    First,
    /// Before the form is interactive, for a form in that language only (English is built
    /// in): the first bytes count the heaviest one.
    Language,
    /// On demand (the sanitizer, "Your requests").
    Later,
}

/// Sums of several assets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

impl Totals {
    fn add(mut self, a: &AssetSize) -> Totals {
        self.raw += a.raw;
        self.gzip += a.gzip;
        self.brotli += a.brotli;
        self
    }
}

/// Whether a file (relative to a built folder) is part of the widget rather than the demo.
/// Works for the release layout and for a plain trunk `dist/`.
fn is_widget_file(rel: &Path) -> bool {
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    let first = parts.next().unwrap_or_default();
    let last = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    !last.ends_with(".br")
        && !last.ends_with(".gz")
        && (first == "v" || first == LOADER || is_widget_entry(&first))
}

/// The widget's files in `dir` (a release build or a plain `dist/`) and their raw, gzip and
/// brotli sizes: the precompressed siblings' when present (what is served), otherwise
/// compressed here. First-interactive files first.
pub(crate) fn sizes(dir: &Path) -> Result<Vec<AssetSize>> {
    let mut files = Vec::new();
    files_under(dir, Path::new(""), &mut files)?;
    let mut sizes = Vec::new();
    for file in files.into_iter().filter(|f| is_widget_file(f)) {
        let path = dir.join(&file);
        let bytes = fs::read(&path)?;
        let raw = bytes.len() as u64;
        let encoded = |suffix: &str, compress: fn(&[u8]) -> Result<Vec<u8>>| -> Result<u64> {
            match fs::metadata(sibling(&path, suffix)) {
                Ok(meta) => Ok(meta.len()),
                Err(_) if compressible(&file) => Ok(raw.min(compress(&bytes)?.len() as u64)),
                Err(_) => Ok(raw),
            }
        };
        let name = slash_path(&file);
        // The sanitizer and "Your requests" load on demand, after the form is interactive.
        let when = if file.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            n.starts_with("moov-support-sanitizer") || n.starts_with("moov-support-inbox")
        }) {
            When::Later
        } else if name.contains("locales/") {
            When::Language
        } else {
            When::First
        };
        sizes.push(AssetSize {
            name,
            raw,
            gzip: encoded("gz", gzip)?,
            brotli: encoded("br", brotli)?,
            when,
        });
    }
    sizes.sort_by(|a, b| (a.when, &a.name).cmp(&(b.when, &b.name)));
    Ok(sizes)
}

/// What one page can load before its form is interactive, and in all: a page fetches one
/// language at most, so both count the heaviest language file and no other.
pub(crate) fn totals(sizes: &[AssetSize]) -> (Totals, Totals) {
    let heaviest_language = sizes
        .iter()
        .filter(|a| a.when == When::Language)
        .max_by_key(|a| a.brotli);
    let first = sizes
        .iter()
        .filter(|a| a.when == When::First)
        .chain(heaviest_language)
        .fold(Totals::default(), Totals::add);
    let all = sizes
        .iter()
        .filter(|a| a.when == When::Later)
        .fold(first, Totals::add);
    (first, all)
}

/// Prints each asset's raw, gzip and brotli bytes, then both sums.
pub(crate) fn print_table(sizes: &[AssetSize]) {
    let width = sizes
        .iter()
        .map(|a| a.name.len())
        .chain([36])
        .max()
        .unwrap_or(36);
    println!(
        "{:<width$}  {:>5}  {:>9}  {:>9}  {:>9}",
        "asset", "when", "raw", "gzip", "brotli"
    );
    for a in sizes {
        let when = match a.when {
            When::First => "first",
            When::Language => "lang",
            When::Later => "later",
        };
        println!(
            "{:<width$}  {when:>5}  {:>9}  {:>9}  {:>9}",
            a.name, a.raw, a.gzip, a.brotli
        );
    }
    let (first, all) = totals(sizes);
    for (label, t) in [
        (
            "first-interactive (JS + wasm + CSS + heaviest language)",
            first,
        ),
        (
            "total (with the sanitizer, the inbox and the heaviest language)",
            all,
        ),
    ] {
        println!(
            "{label:<width$}  {:>5}  {:>9}  {:>9}  {:>9}",
            "", t.raw, t.gzip, t.brotli
        );
    }
}

/// Fails, naming the bytes over, when the widget in `dir` is heavier than its budgets:
/// a size is deterministic, so it can gate a test run where a load time could not.
pub(crate) fn budget_check(dir: &Path) -> Result<()> {
    let sizes = sizes(dir)?;
    print_table(&sizes);
    let (first, all) = totals(&sizes);
    println!(
        "first-interactive: {} B brotli (budget {FIRST_INTERACTIVE_BUDGET} B, target \
         {FIRST_INTERACTIVE_TARGET} B: {} B to go); total: {} B brotli (budget {TOTAL_BUDGET} B, \
         target {TOTAL_TARGET} B: {} B to go)",
        first.brotli,
        first.brotli.saturating_sub(FIRST_INTERACTIVE_TARGET),
        all.brotli,
        all.brotli.saturating_sub(TOTAL_TARGET)
    );
    let loader = sizes
        .iter()
        .find(|a| a.name == LOADER)
        .ok_or_else(|| format!("no {LOADER} in {}", dir.display()))?
        .brotli;
    println!(
        "the form before the wasm (the loader, with the static form): {loader} B brotli \
         (budget {STATIC_FORM_BUDGET} B)"
    );
    over_budget(loader, first.brotli, all.brotli)
}

pub(super) fn over_budget(loader: u64, first: u64, all: u64) -> Result<()> {
    let mut over = Vec::new();
    if loader > STATIC_FORM_BUDGET {
        over.push(format!(
            "the loader with its static form is {loader} B brotli, {} B over its \
             {STATIC_FORM_BUDGET} B budget",
            loader - STATIC_FORM_BUDGET
        ));
    }
    if first > FIRST_INTERACTIVE_BUDGET {
        over.push(format!(
            "first-interactive is {first} B brotli, {} B over its {FIRST_INTERACTIVE_BUDGET} B budget",
            first - FIRST_INTERACTIVE_BUDGET
        ));
    }
    if all > TOTAL_BUDGET {
        over.push(format!(
            "the whole widget is {all} B brotli, {} B over its {TOTAL_BUDGET} B budget",
            all - TOTAL_BUDGET
        ));
    }
    if over.is_empty() {
        Ok(())
    } else {
        Err(over.join("; ").into())
    }
}
