//! `cargo xtask package`: the npm package `moov-support-widget`, and the React and Vue
//! examples built against it.
//!
//! [`build`] writes `<target>/package/npm/` and packs it (`npm pack`) into
//! `<target>/package/moov-support-widget-<version>.tgz`:
//!
//! ```text
//! package.json, README.md        name, exports ("." "./served" …), sideEffects, files
//! index.js                       the entry: names every file below for bundlers, inits the wasm
//! index.d.ts                     types, from the option and event tables (see `types`)
//! custom-elements.json           the Custom Elements Manifest, from the same tables
//! served.js, served.d.ts         `load(folderUrl)`, for bundlers that do not copy files
//! assets/                        the script-tag build with stable names (minified): the folder
//!                                an app copies and serves for `served`
//! ```
//!
//! [`example`] installs that tarball into `examples/<name>`, type-checks the app, checks that
//! its wrong-prop fixture fails to type-check on that prop, and runs `vite build`.

mod examples;
mod manifest;
mod types;
mod widget;

use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) use examples::{example, webpack};

use crate::assets::target_dir;
use crate::run::{cmd, step, Result};

/// The package's name on npm.
pub(crate) const NAME: &str = "moov-support-widget";

/// The package's version: the root crate's.
pub(crate) fn version(root: &Path) -> Result<String> {
    widget::cargo_field(root, "version")
        .ok_or_else(|| "Cargo.toml's [package] has no version".into())
}

/// Where [`build`] writes the tarball.
pub(crate) fn tarball(root: &Path) -> Result<PathBuf> {
    Ok(target_dir(root)
        .join("package")
        .join(format!("{NAME}-{}.tgz", version(root)?)))
}

/// Builds the package and packs it; returns the tarball.
pub fn build(root: &Path) -> Result<PathBuf> {
    crate::tools::setup_path();
    let version = version(root)?;
    let dir = target_dir(root).join("package");
    let folder = dir.join("npm");
    widget::assemble(root, &folder, &version)?;
    let tgz = tarball(root)?;
    if tgz.exists() {
        std::fs::remove_file(&tgz)?;
    }
    step("packing (npm pack)");
    cmd(Command::new("npm")
        .current_dir(&folder)
        .args(["pack", "--silent", "--pack-destination"])
        .arg(&dir))?;
    if !tgz.is_file() {
        return Err(format!("npm pack did not write {}", tgz.display()).into());
    }
    Ok(tgz)
}

/// `cargo xtask package`: builds the package and prints where it is and what it weighs; with
/// `examples`, then builds the examples against it.
pub(crate) fn run(root: &Path, examples: bool) -> Result<()> {
    crate::tools::ensure(root, crate::tools::Need::Build)?;
    let tgz = build(root)?;
    let packed = std::fs::metadata(&tgz)?.len();
    let mut files = Vec::new();
    let folder = target_dir(root).join("package/npm");
    crate::assets::files_under(&folder, Path::new(""), &mut files)?;
    let unpacked: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(folder.join(f)).ok())
        .map(|m| m.len())
        .sum();
    println!("{}", tgz.display());
    println!(
        "{packed} bytes packed, {unpacked} bytes unpacked in {} files",
        files.len()
    );
    if examples {
        for name in ["react", "vue"] {
            let dist = example(root, name)?;
            step(&format!("examples/{name} built into {}", dist.display()));
        }
        let dist = webpack(root)?;
        step(&format!("examples/webpack built into {}", dist.display()));
    }
    Ok(())
}
