//! One script for the widget's JS in the script-tag build. wasm-bindgen leaves the glue
//! importing its snippets (`element.js`, `sanitizer.js`, `inbox_loader.js`) as files of their
//! own: four downloads before the form can start, each compressed alone. Bundled into the glue
//! with esbuild they are one file and 0.5 KB of brotli fewer (7,418 B in four files, 6,905 B in
//! one), all of it before the form is ready. The other glues ("Your requests") import the
//! snippets' shared state (the fetched language files, the sanitizer) from that same file, so
//! the page still has one of each.
//!
//! The npm package keeps the files apart: the app's bundler does this there, and its entry
//! hands the snippets what it names before the widget starts.

use std::fs;
use std::path::Path;
use std::process::Command;

use super::release::{files_under, slash_path};
use crate::run::{cmd, step, Result};

/// The glue the loader imports, which takes in the snippets.
const GLUE: &str = "moov-support-widget.js";
const SNIPPETS: &str = "snippets";

/// Bundles the snippets into the widget's glue in `dir` (a trunk release build, its scripts
/// minified), points the other glues at it and removes the snippets folder.
pub(crate) fn bundle(dir: &Path) -> Result<()> {
    let mut files = Vec::new();
    files_under(dir, Path::new(SNIPPETS), &mut files)?;
    let snippets: Vec<String> = files
        .iter()
        .map(|f| slash_path(f))
        .filter(|f| f.ends_with(".js"))
        .collect();
    if snippets.is_empty() {
        return Err(format!("{} has no snippets to bundle", dir.display()).into());
    }
    // The other glues, read once: what they import from the snippets, the bundle exports.
    let mut others = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.starts_with("moov-support-") && name.ends_with(".js") && name != GLUE {
            let text = fs::read_to_string(dir.join(&name))?;
            others.push((name, text));
        }
    }
    let shared: Vec<&String> = snippets
        .iter()
        .filter(|snippet| {
            let named = specifiers(snippet);
            others
                .iter()
                .any(|(_, text)| named.iter().any(|s| text.contains(s.as_str())))
        })
        .collect();

    let entry = dir.join("bundle-entry.mjs");
    let mut source = format!("export {{ default, initSync }} from \"./{GLUE}\";\n");
    for snippet in &shared {
        source.push_str(&format!("export * from \"./{snippet}\";\n"));
    }
    fs::write(&entry, source)?;
    let bundled = dir.join("bundle-out.mjs");
    step(&format!(
        "bundling {GLUE} with its {} snippets (esbuild)",
        snippets.len()
    ));
    let built = cmd(Command::new(crate::tools::esbuild())
        .arg(&entry)
        .args([
            "--bundle",
            "--minify",
            "--format=esm",
            "--log-level=warning",
        ])
        .arg(format!("--outfile={}", bundled.display())));
    fs::remove_file(&entry)?;
    built?;
    fs::rename(&bundled, dir.join(GLUE))?;

    for (name, mut text) in others {
        for snippet in &shared {
            for specifier in specifiers(snippet) {
                let quote = &specifier[..1];
                text = text.replace(&specifier, &format!("{quote}./{GLUE}{quote}"));
            }
        }
        if text.contains(&format!("./{SNIPPETS}/")) {
            return Err(format!("{name} still names a snippet after bundling").into());
        }
        fs::write(dir.join(&name), text)?;
    }
    fs::remove_dir_all(dir.join(SNIPPETS))?;
    Ok(())
}

/// How a script names `snippet` in an import, in either quote.
fn specifiers(snippet: &str) -> [String; 2] {
    [format!("\"./{snippet}\""), format!("'./{snippet}'")]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_glue_takes_in_its_snippets_and_the_inbox_imports_them_from_it() {
        let dir = std::env::temp_dir().join(format!("moov-bundle-{}", std::process::id()));
        let web = dir.join("snippets/moov-support-0123/src/web");
        fs::create_dir_all(&web).unwrap();
        fs::write(
            web.join("element.js"),
            "export let shared = 0;\nexport function bump() { return ++shared; }\n",
        )
        .unwrap();
        fs::write(
            web.join("inbox_loader.js"),
            "import { bump } from \"./element.js\";\nexport function load() { return bump(); }\n",
        )
        .unwrap();
        fs::write(
            dir.join(GLUE),
            "import { bump } from './snippets/moov-support-0123/src/web/element.js';\n\
             import { load } from './snippets/moov-support-0123/src/web/inbox_loader.js';\n\
             function initSync() { return bump() + load(); }\n\
             async function __wbg_init() { return initSync(); }\n\
             export { initSync, __wbg_init as default };\n",
        )
        .unwrap();
        fs::write(
            dir.join("moov-support-inbox.js"),
            "import{bump as b}from\"./snippets/moov-support-0123/src/web/element.js\";export const x=()=>b();\n",
        )
        .unwrap();
        crate::tools::setup_path();
        bundle(&dir).unwrap();

        assert!(!dir.join("snippets").exists());
        let glue = fs::read_to_string(dir.join(GLUE)).unwrap();
        assert!(!glue.contains("snippets"), "{glue}");
        // The glue's own exports, and what the inbox takes from the snippets.
        assert!(
            glue.contains(" as default") && glue.contains("initSync"),
            "{glue}"
        );
        assert!(glue.contains("bump"), "{glue}");
        assert!(
            !glue.contains("as load"),
            "only what another glue imports: {glue}"
        );
        let inbox = fs::read_to_string(dir.join("moov-support-inbox.js")).unwrap();
        assert_eq!(
            inbox,
            "import{bump as b}from\"./moov-support-widget.js\";export const x=()=>b();\n"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
