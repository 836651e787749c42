//! The Leptos example (`examples/leptos`): a partner's Leptos app built by its own trunk
//! configuration, as a partner would build it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::{cmd, step, Result};

/// Builds the example with `trunk build` in its own folder (its Trunk.toml, its index.html)
/// and returns the folder trunk wrote, `examples/leptos/dist`.
pub fn build(root: &Path) -> Result<PathBuf> {
    let dir = root.join("examples/leptos");
    step("building the Leptos example (trunk build in examples/leptos)");
    cmd(Command::new("trunk").current_dir(&dir).arg("build"))?;
    let dist = dir.join("dist");
    if !dist.join("index.html").is_file() {
        return Err(format!(
            "trunk build in {} succeeded but wrote no {}",
            dir.display(),
            dist.join("index.html").display()
        )
        .into());
    }
    Ok(dist)
}
