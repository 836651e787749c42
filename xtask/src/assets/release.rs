//! The release build: trunk's output minified and arranged under `v/<hash>/` beside the loader.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::precompress::precompress;
use super::{LINKS, LOADER};
use crate::run::{cmd, step, Result};

/// Builds the release widget and demo, arranges them as the module docs describe and
/// precompresses them; returns the folder to serve.
pub(crate) fn release(root: &Path) -> Result<PathBuf> {
    crate::tools::setup_path();
    let out = target_dir(root).join("widget-release");
    if out.exists() {
        // Stale hashed folders and compressed siblings would otherwise be served and counted.
        fs::remove_dir_all(&out)?;
    }
    step("release widget (trunk build --release)");
    cmd(Command::new("trunk")
        .current_dir(root)
        .args(["build", "--release", "--dist"])
        .arg(&out))?;
    minify_scripts(&out)?;
    super::bundle::bundle(&out)?;
    let hash = arrange(&out)?;
    // Last, once its paths point into `v/<hash>/`: the loader carries the static form.
    minify(&out.join(LOADER))?;
    precompress(&out)?;
    step(&format!(
        "release widget in {} (widget files under v/{hash}/)",
        out.display()
    ));
    Ok(out)
}

pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Minifies the widget's JS in place with esbuild: the JS glue and the scripts it imports,
/// after the names between each glue and its wasm are shortened. The loader waits for
/// [`arrange`], which rewrites its paths.
pub(crate) fn minify_scripts(dir: &Path) -> Result<()> {
    step("shortening the names between each glue and its wasm");
    super::boundary::shorten(dir)?;
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if is_widget_entry(&name) {
            files_under(dir, Path::new(&name), &mut files)?;
        }
    }
    let scripts: Vec<PathBuf> = files
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "js"))
        .map(|f| dir.join(f))
        .collect();
    step(&format!("minifying {} scripts (esbuild)", scripts.len()));
    for script in scripts {
        minify(&script)?;
    }
    Ok(())
}

/// Minifies one ES module in place.
fn minify(script: &Path) -> Result<()> {
    cmd(Command::new(crate::tools::esbuild())
        .arg(script)
        .args([
            "--minify",
            "--format=esm",
            "--log-level=warning",
            "--allow-overwrite",
        ])
        .arg(format!("--outfile={}", script.display())))
}

/// Whether a top-level entry of a trunk build belongs to the widget (not the loader or demo).
pub(crate) fn is_widget_entry(name: &str) -> bool {
    name == "snippets" || name == "locales" || (name.starts_with("moov-support-") && name != LOADER)
}

/// Moves the widget's files into `v/<hash>/` and points the loader there; returns the hash.
pub(super) fn arrange(dir: &Path) -> Result<String> {
    let mut entries: Vec<String> = fs::read_dir(dir)?
        .map(|e| Ok(e?.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<_>>()?;
    entries.retain(|name| is_widget_entry(name));
    entries.sort();
    if entries.is_empty() {
        return Err(format!("no widget files in {}", dir.display()).into());
    }

    let mut files = Vec::new();
    for name in &entries {
        files_under(dir, Path::new(name), &mut files)?;
    }
    files.sort();
    let mut digest = Sha256::new();
    for file in &files {
        let bytes = fs::read(dir.join(file))?;
        digest.update(slash_path(file).as_bytes());
        digest.update([0]);
        digest.update((bytes.len() as u64).to_le_bytes());
        digest.update(&bytes);
    }
    let hash: String = digest.finalize()[..6]
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });

    let folder = dir.join("v").join(&hash);
    fs::create_dir_all(&folder)?;
    for name in &entries {
        fs::rename(dir.join(name), folder.join(name))?;
    }

    let loader_path = dir.join(LOADER);
    let mut loader =
        fs::read_to_string(&loader_path).map_err(|e| format!("{}: {e}", loader_path.display()))?;
    for name in &entries {
        // A whole name: a file ends at the closing quote, a folder at its slash.
        let is_dir = folder.join(name).is_dir();
        for quote in ['"', '\'', '`'] {
            let end = if is_dir { '/' } else { quote };
            loader = loader.replace(
                &format!("{quote}./{name}{end}"),
                &format!("{quote}./v/{hash}/{name}{end}"),
            );
        }
    }
    if !loader.contains(&format!("./v/{hash}/moov-support-widget.js")) {
        return Err(format!("{LOADER} does not import ./moov-support-widget.js").into());
    }
    // What a page embedding this build can send as its `Link` header (the proxy does for
    // the pages it serves), so the wasm starts downloading with the page. Not its JS glue:
    // the loader, which draws the form, would share the first round trips with it, and the
    // loader asks for the glue in time for the wasm anyway.
    fs::write(
        dir.join(LINKS),
        format!("</v/{hash}/moov-support-widget_bg.wasm>; rel=preload; as=fetch; crossorigin\n"),
    )?;
    fs::write(&loader_path, loader)?;
    Ok(hash)
}

/// Every file below `dir/rel`, as paths relative to `dir`.
pub(crate) fn files_under(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let path = dir.join(rel);
    if path.is_dir() {
        for entry in fs::read_dir(&path)? {
            files_under(dir, &rel.join(entry?.file_name()), out)?;
        }
    } else {
        out.push(rel.to_path_buf());
    }
    Ok(())
}

pub(super) fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
