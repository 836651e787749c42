//! The release build partners get, laid out for caching, and what it weighs.
//!
//! [`release`] runs `trunk build --release` into `<target>/widget-release/` and leaves:
//!
//! ```text
//! widget-release/
//!   moov-support.js              the loader partners include; its name never changes, so
//!                                it is served `no-cache` and imports from the folder below
//!   index.html, csp.html, …      the demo dashboard (not part of the widget)
//!   v/<hash>/                    the widget proper, content-addressed: <hash> is the first
//!     moov-support-widget.js     12 hex digits of a SHA-256 over every file in the folder,
//!     moov-support-widget_bg.wasm  so a new build gets a new folder and each folder can be
//!     moov-support-sanitizer*    cached for a year (`immutable`)
//!     moov-support-inbox*
//!     locales/*.json
//! ```
//!
//! The widget's glue carries wasm-bindgen's snippets (`element.js` and the rest), bundled in
//! (see `bundle`). Every text or wasm file gets a `.br` (brotli, quality 11) and a `.gz`
//! (gzip, level 9) beside it when that is smaller, which the proxy's static route serves to
//! clients that accept them.

mod precompress;
pub(crate) use precompress::brotli;
mod boundary;
mod bundle;
mod release;
mod sizes;

pub(crate) use release::{files_under, is_widget_entry, minify_scripts, release, target_dir};
pub(crate) use sizes::{budget_check, print_table, sizes, totals};

/// The loader partners include by name; everything else of the widget moves under `v/<hash>/`.
const LOADER: &str = "moov-support.js";
/// What precedes the static form's JSON in the loader's source.
const SHELL: &str = "const SHELL = ";

/// The static form's JSON in `loader`, the loader's source (a minified loader has none): the
/// rest of the line after `const SHELL = `, without its `;`.
pub(crate) fn shell_json(loader: &str) -> Option<&str> {
    let start = loader.find(SHELL)? + SHELL.len();
    let line = loader[start..].lines().next()?.trim_end();
    Some(line.strip_suffix(';').unwrap_or(line))
}

/// The stylesheet's rules the loader's static form carries (`SHELL.css`), which the widget's
/// wasm leaves out and takes from the loader or the npm package's entry.
pub(crate) fn shell_rules(loader: &str) -> crate::run::Result<String> {
    let json = shell_json(loader).ok_or("moov-support.js has no `const SHELL = `")?;
    let shell: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("SHELL is not JSON: {e}"))?;
    Ok(shell["css"]
        .as_str()
        .ok_or("SHELL.css is not a string")?
        .to_owned())
}
/// Beside the loader: the `Link` header value that preloads this build (see README).
const LINKS: &str = "moov-support.links";
/// What the proxy may serve precompressed.
const COMPRESSIBLE: &[&str] = &["js", "wasm", "css", "html", "svg", "json"];
/// Brotli bytes a page loads before the form is interactive (JS + wasm + CSS): where the
/// widget must get to. Reported with the gap at every run.
pub(crate) const FIRST_INTERACTIVE_TARGET: u64 = 60_000;
/// Brotli bytes of the whole widget, the on-demand sanitizer and inbox included: where it
/// must get to.
pub(crate) const TOTAL_TARGET: u64 = 200_000;
/// What the test run enforces today: the measured weight plus at most 2 %, so no change makes
/// the widget heavier unnoticed. Lower these as the widget shrinks toward the targets.
///
/// "Your requests" raised both (measured 123,382 B first-interactive, 430,433 B total): the
/// form now carries the way to the inbox (its loader, the launcher's unread badge, the reply
/// and unread events, about 9 KB), while the inbox itself is a module of its own (about
/// 100 KB with its glue, its own copy of Leptos included) loaded only when needed.
///
/// The form before the wasm raised them again (measured 130,739 B first-interactive, 438,892 B
/// total): the loader now carries the static form (markup, its share of the stylesheet, the
/// English strings, the code that makes it live: +3.5 KB) and `element.js` the handoff
/// (+1 KB). What a page needs before the user can type fell from those 130 KB to the loader's
/// 4.5 KB, which has a budget of its own.
///
/// Shorter names between the wasm and its glue lowered them (measured 126,191 B
/// first-interactive, 429,932 B total); then the glue bundled with its scripts, binaryen's
/// `flatten` and `rereloop`, and the wasm without the loader's style rules (measured 123,597 B
/// first-interactive, 423,080 B total).
pub(crate) const FIRST_INTERACTIVE_BUDGET: u64 = 126_100;
/// The loader with the static form in it (markup, stylesheet, English strings and the code
/// that makes its fields live): what a page needs before the user can type.
pub(crate) const STATIC_FORM_BUDGET: u64 = 5_000;
pub(crate) const TOTAL_BUDGET: u64 = 431_600;

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::PathBuf;

    use super::precompress::{precompress, sibling};
    use super::release::arrange;
    use super::sizes::{over_budget, totals, AssetSize, When};
    use super::*;

    /// A fresh folder shaped like trunk's output for the widget and the demo.
    fn fake_build(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("moov-support-assets-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let snippets = dir.join("snippets/moov-support-0123/src/web");
        fs::create_dir_all(&snippets).unwrap();
        let text = "export function f() { return 1; }\n".repeat(50);
        for (file, content) in [
            (
                "moov-support.js",
                "fetch(new URL(`./locales/${language}.json`, import.meta.url));\n\
                 import init from \"./moov-support-widget.js\";\n\
                 await init({ module_or_path: new URL(\"./moov-support-widget_bg.wasm\", import.meta.url) });\n",
            ),
            ("moov-support-widget.js", text.as_str()),
            ("moov-support-widget_bg.wasm", text.as_str()),
            ("moov-support-sanitizer.js", text.as_str()),
            ("moov-support-sanitizer_bg.wasm", text.as_str()),
            ("moov-support-sanitizer_loader.js", "x"),
            ("moov-support-inbox.js", text.as_str()),
            ("moov-support-inbox_bg.wasm", text.as_str()),
            ("index.html", text.as_str()),
            ("demo.js", text.as_str()),
        ] {
            fs::write(dir.join(file), content).unwrap();
        }
        fs::write(snippets.join("element.js"), &text).unwrap();
        fs::write(snippets.join("sanitizer.js"), &text).unwrap();
        fs::create_dir_all(dir.join("locales")).unwrap();
        fs::write(
            dir.join("locales/es.json"),
            "{\"subject\": \"Asunto\"}\n".repeat(40),
        )
        .unwrap();
        fs::write(
            dir.join("locales/ja.json"),
            "{\"subject\": \"件名\"}\n".repeat(90),
        )
        .unwrap();
        dir
    }

    #[test]
    fn arrange_moves_the_widget_under_its_hash_and_rewrites_the_loader() {
        let dir = fake_build("arrange");
        let hash = arrange(&dir).unwrap();
        assert_eq!(hash.len(), 12);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
        let folder = dir.join("v").join(&hash);
        for moved in [
            "moov-support-widget.js",
            "moov-support-widget_bg.wasm",
            "moov-support-sanitizer_loader.js",
            "snippets/moov-support-0123/src/web/sanitizer.js",
            "locales/es.json",
        ] {
            assert!(folder.join(moved).is_file(), "{moved}");
            assert!(!dir.join(moved).exists(), "{moved}");
        }
        for kept in ["moov-support.js", "index.html", "demo.js"] {
            assert!(dir.join(kept).is_file(), "{kept}");
        }
        let loader = fs::read_to_string(dir.join(LOADER)).unwrap();
        assert!(loader.contains(&format!("\"./v/{hash}/moov-support-widget.js\"")));
        assert!(loader.contains(&format!("\"./v/{hash}/moov-support-widget_bg.wasm\"")));
        assert!(loader.contains(&format!("`./v/{hash}/locales/${{language}}.json`")));
        assert_eq!(
            fs::read_to_string(dir.join(LINKS)).unwrap(),
            format!(
                "</v/{hash}/moov-support-widget_bg.wasm>; rel=preload; as=fetch; crossorigin\n"
            )
        );

        // The same files give the same folder; a changed file gives another.
        let again = fake_build("arrange-again");
        assert_eq!(arrange(&again).unwrap(), hash);
        let changed = fake_build("arrange-changed");
        fs::write(changed.join("moov-support-widget_bg.wasm"), "other").unwrap();
        assert_ne!(arrange(&changed).unwrap(), hash);
        for d in [dir, again, changed] {
            let _ = fs::remove_dir_all(d);
        }
    }

    #[test]
    fn sizes_come_from_the_precompressed_files_and_split_first_from_later() {
        let dir = fake_build("sizes");
        let hash = arrange(&dir).unwrap();
        precompress(&dir).unwrap();
        let wasm = dir.join(format!("v/{hash}/moov-support-widget_bg.wasm"));
        assert!(sibling(&wasm, "br").is_file());
        assert!(sibling(&wasm, "gz").is_file());
        // A one-byte file does not get a larger "compressed" copy.
        let tiny = dir.join(format!("v/{hash}/moov-support-sanitizer_loader.js"));
        assert!(!sibling(&tiny, "br").exists());

        let sizes = sizes(&dir).unwrap();
        let names: Vec<&str> = sizes.iter().map(|a| a.name.as_str()).collect();
        assert!(!names
            .iter()
            .any(|n| n.ends_with(".br") || n.ends_with(".gz")));
        assert!(!names.contains(&"index.html") && !names.contains(&"demo.js"));
        let first: Vec<&str> = sizes
            .iter()
            .filter(|a| a.when == When::First)
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(first.len(), 5, "{first:?}");
        // "Your requests" loads on demand, like the sanitizer.
        for inbox in ["moov-support-inbox.js", "moov-support-inbox_bg.wasm"] {
            let a = sizes.iter().find(|a| a.name.ends_with(inbox)).unwrap();
            assert_eq!(a.when, When::Later, "{inbox}");
        }
        let languages: Vec<&AssetSize> =
            sizes.iter().filter(|a| a.when == When::Language).collect();
        assert_eq!(languages.len(), 2, "{languages:?}");
        assert!(first.contains(&"moov-support.js"));
        assert!(first.contains(
            &format!("v/{hash}/snippets/moov-support-0123/src/web/sanitizer.js").as_str()
        ));
        let w = sizes
            .iter()
            .find(|a| a.name.ends_with("moov-support-widget_bg.wasm"))
            .unwrap();
        assert_eq!(w.brotli, fs::metadata(sibling(&wasm, "br")).unwrap().len());
        assert_eq!(w.gzip, fs::metadata(sibling(&wasm, "gz")).unwrap().len());
        assert!(w.brotli < w.raw && w.gzip < w.raw);

        let (first, all) = totals(&sizes);
        assert!(first.brotli < all.brotli);
        // One language at most: the heaviest.
        let heaviest = languages.iter().map(|a| a.brotli).max().unwrap();
        let without = sizes
            .iter()
            .filter(|a| a.when == When::First)
            .map(|a| a.brotli)
            .sum::<u64>();
        assert_eq!(first.brotli, without + heaviest);
        let later = sizes
            .iter()
            .filter(|a| a.when == When::Later)
            .map(|a| a.brotli)
            .sum::<u64>();
        assert_eq!(all.brotli, first.brotli + later);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_budget_names_the_bytes_over() {
        let (first, all) = (FIRST_INTERACTIVE_BUDGET, TOTAL_BUDGET);
        assert!(over_budget(STATIC_FORM_BUDGET, first, all).is_ok());
        let e = over_budget(STATIC_FORM_BUDGET + 2, first, all)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!("2 B over its {STATIC_FORM_BUDGET} B budget")),
            "{e}"
        );
        let e = over_budget(0, first + 1, all).unwrap_err().to_string();
        assert!(e.contains(&format!("1 B over its {first} B budget")), "{e}");
        let e = over_budget(0, 10, all + 50_000).unwrap_err().to_string();
        assert!(
            e.contains(&format!("50000 B over its {all} B budget")),
            "{e}"
        );
        assert!(!e.contains("first-interactive"), "{e}");
    }
}
