//! `cargo xtask fuzz`: cargo-fuzz targets.

use std::path::Path;

use crate::run::Result;

pub fn run(_root: &Path, _args: &[String]) -> Result<()> {
    Err("not built yet".into())
}
