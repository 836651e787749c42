//! `cargo xtask soak`: the soak test.

use std::path::Path;

use crate::run::Result;

pub fn run(_root: &Path, _args: &[String]) -> Result<()> {
    Err("not built yet".into())
}
