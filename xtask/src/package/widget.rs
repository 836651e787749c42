//! The package's files: the widget's release build under `assets/` (stable names, the
//! script-tag layout), the entry modules, the generated types and manifest, the README.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use moov_support::locale::Locale;

use super::{manifest, types};
use crate::assets::{files_under, is_widget_entry, minify_scripts, target_dir};
use crate::run::{cmd, step, Result};

/// The script-tag loader, copied into `assets/` for the served fallback.
const LOADER: &str = "moov-support.js";
/// Where the entry template names the snippet folder, which wasm-bindgen names by a hash.
const SNIPPETS: &str = "__SNIPPETS__";
/// Where the entry template hands over the static form's rules (see `stylesheet::shared`).
const RULES: &str = "__RULES__";
/// The worker's loader as trunk writes it: a top-level `await`, which Vite's default worker
/// format (a classic script) cannot hold.
const TRUNK_WORKER_LOADER: &str = "import init from './moov-support-sanitizer.js';await init();";
/// The same without top-level `await`: a failed start is rethrown outside the promise so the
/// worker reports an error and the page falls back to the main thread, as before.
const WORKER_LOADER: &str =
    "// The sanitizer's worker: starts the module, which then tells the page it is ready.\n\
import init from \"./moov-support-sanitizer.js\";\n\
init().catch((e) => setTimeout(() => {\n  throw e;\n}));\n";

/// Builds the widget and writes the package into `out` (emptied first).
pub(super) fn assemble(root: &Path, out: &Path, version: &str) -> Result<()> {
    let build = target_dir(root).join("npm-widget");
    if build.exists() {
        fs::remove_dir_all(&build)?;
    }
    step("widget for the npm package (trunk build --release, stable names)");
    cmd(Command::new("trunk")
        .current_dir(root)
        .args(["build", "--release", "--dist"])
        .arg(&build))?;

    if out.exists() {
        fs::remove_dir_all(out)?;
    }
    let assets = out.join("assets");
    fs::create_dir_all(&assets)?;
    let mut files = Vec::new();
    for entry in fs::read_dir(&build)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if is_widget_entry(&name) || name == LOADER {
            files_under(&build, Path::new(&name), &mut files)?;
        }
    }
    for file in &files {
        let to = assets.join(file);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::copy(build.join(file), &to)?;
    }
    let glue: Vec<PathBuf> = files
        .iter()
        .filter(|f| {
            let name = f.to_string_lossy();
            name.starts_with("moov-support-") && name.ends_with(".js") && !name.contains('/')
        })
        .map(|f| assets.join(f))
        .collect();
    for script in &glue {
        relative_wasm_default(script)?;
    }
    let worker = assets.join("moov-support-sanitizer_loader.js");
    let shim = fs::read_to_string(&worker)?;
    if shim.trim() != TRUNK_WORKER_LOADER {
        return Err(format!(
            "{} is not trunk's loader any more ({shim:?}); update TRUNK_WORKER_LOADER and WORKER_LOADER",
            worker.display()
        )
        .into());
    }
    fs::write(&worker, WORKER_LOADER)?;
    minify_scripts(&assets)?;
    // The snippets stay as written: their `/* webpackIgnore: true */ /* @vite-ignore */`
    // comments (which a minifier drops) keep bundlers from resolving the script-tag build's
    // own paths. They are a few KB, and the app's bundler minifies them anyway.
    for file in files.iter().filter(|f| f.starts_with("snippets")) {
        fs::copy(build.join(file), assets.join(file))?;
    }
    check_snippets(&assets)?;

    let snippets = snippet_folder(&assets)?;
    let template = fs::read_to_string(root.join("package/index.js"))?;
    check_languages(&template)?;
    let rules = crate::assets::shell_rules(&fs::read_to_string(root.join(LOADER))?)?;
    let entry = template
        .replace(SNIPPETS, &snippets)
        .replace(RULES, &serde_json::to_string(&rules)?);
    fs::write(out.join("index.js"), entry)?;
    for file in ["served.js", "served.d.ts", "README.md"] {
        fs::copy(root.join("package").join(file), out.join(file))?;
    }
    let license = root.join("LICENSE");
    if license.is_file() {
        fs::copy(&license, out.join("LICENSE"))?;
    } else {
        println!("notice: the repository has no LICENSE file; the package ships without one");
    }
    fs::write(out.join("index.d.ts"), types::index_d_ts(version))?;
    let manifest = serde_json::to_string_pretty(&manifest::custom_elements(version))?;
    fs::write(out.join("custom-elements.json"), manifest + "\n")?;
    let repository = cargo_field(root, "repository");
    let package = manifest::package_json(version, repository.as_deref());
    fs::write(
        out.join("package.json"),
        serde_json::to_string_pretty(&package)? + "\n",
    )?;
    Ok(())
}

/// wasm-bindgen's glue finds its wasm by default at `new URL('<name>_bg.wasm', import.meta.url)`;
/// webpack 5 reads a name without `./` as a package to resolve and fails the app's build.
fn relative_wasm_default(script: &Path) -> Result<()> {
    let text = fs::read_to_string(script)?;
    let stem = script
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let wasm = format!("{stem}_bg.wasm");
    let from = format!("new URL('{wasm}', import.meta.url)");
    if !text.contains(&from) {
        // The worker's loader and the script-tag loader have no wasm default of their own.
        return Ok(());
    }
    fs::write(
        script,
        text.replace(&from, &format!("new URL('./{wasm}', import.meta.url)")),
    )?;
    Ok(())
}

/// The snippets as bundlers must read them: `element.js` must not say
/// `new URL("../../../../", import.meta.url)` (bundlers would try to copy the package's parent
/// folder as a file), and each import of a script-tag path must tell bundlers to leave it.
fn check_snippets(assets: &Path) -> Result<()> {
    let mut files = Vec::new();
    files_under(assets, Path::new("snippets"), &mut files)?;
    for file in files {
        let text = fs::read_to_string(assets.join(&file))?;
        let name = file.display();
        if text.contains("../\", import.meta.url)") || text.contains("../\",import.meta.url)") {
            return Err(format!(
                "{name} names its folder as new URL(\"../…\", import.meta.url), which bundlers try to copy"
            )
            .into());
        }
        let imports = text.matches("import(").count();
        let ignored = text
            .matches("import(/* webpackIgnore: true */ /* @vite-ignore */")
            .count();
        if imports != ignored {
            return Err(format!(
                "{name}: {} of its {imports} import() calls lack `/* webpackIgnore: true */ /* @vite-ignore */`",
                imports - ignored
            )
            .into());
        }
    }
    Ok(())
}

/// The one folder under `assets/snippets/`.
fn snippet_folder(assets: &Path) -> Result<String> {
    let mut names: Vec<String> = fs::read_dir(assets.join("snippets"))?
        .map(|e| Ok(e?.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<_>>()?;
    match names.len() {
        1 => Ok(names.remove(0)),
        n => Err(format!("expected one folder in assets/snippets, found {n}: {names:?}").into()),
    }
}

/// The entry must name every language file, or a form in that language would stay English.
fn check_languages(template: &str) -> Result<()> {
    for file in Locale::ALL.iter().filter_map(|l| l.file()) {
        let line = format!(
            "\"locales/{file}.json\": new URL(\"./assets/locales/{file}.json\", import.meta.url),"
        );
        if !template.contains(&line) {
            return Err(format!(
                "package/index.js does not name locales/{file}.json: add `{line}`"
            )
            .into());
        }
    }
    Ok(())
}

/// A `key = "value"` field of the root crate's `[package]` table.
pub(super) fn cargo_field(root: &Path, key: &str) -> Option<String> {
    let manifest = fs::read_to_string(root.join("Cargo.toml")).ok()?;
    let package = manifest.split("\n[package]\n").nth(1)?;
    let table = package.split("\n[").next()?;
    table.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_template_names_every_language() {
        let root = crate::workspace_root();
        let template = fs::read_to_string(root.join("package/index.js")).unwrap();
        check_languages(&template).unwrap();
        assert!(template.contains(SNIPPETS));
        let e = check_languages("").unwrap_err().to_string();
        assert!(e.contains("locales/es.json"), "{e}");
    }

    #[test]
    fn the_version_is_the_root_crate_s() {
        let root = crate::workspace_root();
        let version = cargo_field(&root, "version").unwrap();
        assert!(version.split('.').count() == 3, "{version}");
        assert_eq!(cargo_field(&root, "name").as_deref(), Some("moov-support"));
    }
}
