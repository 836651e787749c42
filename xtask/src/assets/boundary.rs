//! Short names across the JS–wasm boundary. wasm-bindgen names each function the glue gives
//! the wasm after its binding plus a 16-digit hash (`__wbg_setAttribute_0c8c7a5e0b1b4ab2`), and
//! the wasm's exports `__wasm_bindgen_func_elem_2048` and the like; both files carry every
//! name (about 235 in the widget), and the hashes are bytes no compressor can shrink. Here
//! they become `a`, `b`, … in the wasm and in the glue alike, as binaryen's
//! `--minify-imports-and-exports` does for Emscripten: that pass only renames Emscripten's own
//! modules, and a module rewritten by binaryen compresses worse than it was. The custom
//! sections (producers, target features), which no browser reads, are left out; every other
//! byte of the wasm is kept. The widget's wasm and glue are 4.9 KB of brotli lighter for it
//! (115,241 + 6,527 B before, 112,433 + 4,412 B after).

use std::fs;
use std::path::Path;

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{ExportSection, ImportSection, Module, RawSection};
use wasmparser::{Parser, Payload};

use crate::run::Result;

/// Shortens the names between every `<stem>_bg.wasm` in `dir` and its glue `<stem>.js`.
pub(crate) fn shorten(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(stem) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix("_bg.wasm"))
        else {
            continue;
        };
        let glue_path = dir.join(format!("{stem}.js"));
        if !glue_path.is_file() {
            continue;
        }
        let own_module = format!("./{stem}_bg.js");
        let (wasm, glue) = shorten_pair(
            &fs::read(&path)?,
            &fs::read_to_string(&glue_path)?,
            |module| module == own_module || module == "wbg",
        )
        .map_err(|e| format!("{}: {e}", glue_path.display()))?;
        fs::write(&path, wasm)?;
        fs::write(&glue_path, glue)?;
    }
    Ok(())
}

/// The wasm and its glue with short names:
/// - every import from a module `ours` accepts (the glue's own import object). The glue must
///   name each exactly once, as a key, or this fails naming it: a wasm-bindgen that writes its
///   glue differently must not ship a widget whose imports no longer resolve;
/// - every export the glue only ever reaches as `wasm.<name>`; any other is kept as it is.
fn shorten_pair(
    wasm: &[u8],
    glue: &str,
    ours: impl Fn(&str) -> bool,
) -> std::result::Result<(Vec<u8>, String), String> {
    let mut glue = glue.to_string();
    let mut out = Module::new();
    let mut imported = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| format!("the wasm does not parse: {e}"))?;
        match &payload {
            Payload::ImportSection(reader) => {
                let mut section = ImportSection::new();
                for import in reader.clone().into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    let ty = RoundtripReencoder
                        .entity_type(import.ty)
                        .map_err(|e| format!("the import `{}`: {e:?}", import.name))?;
                    if ours(import.module) {
                        let short = short_name(imported);
                        imported += 1;
                        rename_key(&mut glue, import.name, &short)?;
                        section.import(import.module, &short, ty);
                    } else {
                        section.import(import.module, import.name, ty);
                    }
                }
                out.section(&section);
            }
            Payload::ExportSection(reader) => {
                let exports = reader
                    .clone()
                    .into_iter()
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|e| e.to_string())?;
                let kept: Vec<&str> = exports
                    .iter()
                    .map(|e| e.name)
                    .filter(|name| !only_on_wasm(&glue, name))
                    .collect();
                let mut fresh = (0..)
                    .map(short_name)
                    .filter(|n| !kept.contains(&n.as_str()));
                let mut section = ExportSection::new();
                for export in &exports {
                    let kind = RoundtripReencoder
                        .export_kind(export.kind)
                        .map_err(|e| format!("the export `{}`: {e:?}", export.name))?;
                    if kept.contains(&export.name) {
                        section.export(export.name, kind, export.index);
                    } else {
                        let short = fresh.next().expect("an endless supply of names");
                        rename_on_wasm(&mut glue, export.name, &short);
                        section.export(&short, kind, export.index);
                    }
                }
                out.section(&section);
            }
            Payload::CustomSection(_) => {}
            _ => {
                if let Some((id, range)) = payload.as_section() {
                    out.section(&RawSection {
                        id,
                        data: &wasm[range],
                    });
                }
            }
        }
    }
    Ok((out.finish(), glue))
}

/// Renames the import object's key `old`, which must occur once in `glue`, as a key.
fn rename_key(glue: &mut String, old: &str, new: &str) -> std::result::Result<(), String> {
    let found: Vec<usize> = whole_word(glue, old).collect();
    let [at] = found[..] else {
        return Err(format!(
            "the wasm imports `{old}`, which the glue names {} times instead of once",
            found.len()
        ));
    };
    if !glue[at + old.len()..].trim_start().starts_with(':') {
        return Err(format!(
            "the wasm imports `{old}`, which the glue names but not as a key"
        ));
    }
    glue.replace_range(at..at + old.len(), new);
    Ok(())
}

/// Whether `glue` names `export`, and only as `wasm.<export>`.
fn only_on_wasm(glue: &str, export: &str) -> bool {
    let mut found = whole_word(glue, export).peekable();
    found.peek().is_some() && found.all(|at| glue[..at].ends_with("wasm."))
}

fn rename_on_wasm(glue: &mut String, old: &str, new: &str) {
    let found: Vec<usize> = whole_word(glue, old).collect();
    for at in found.into_iter().rev() {
        glue.replace_range(at..at + old.len(), new);
    }
}

/// Where `word` occurs in `text` with no identifier character on either side.
fn whole_word<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    text.match_indices(word)
        .map(|(at, _)| at)
        .filter(move |&at| {
            !text[..at].chars().next_back().is_some_and(ident)
                && !text[at + word.len()..].chars().next().is_some_and(ident)
        })
}

/// `a`…`z`, `A`…`Z`, then `aa`, `ab`, …: identifiers, and never `__proto__`.
fn short_name(mut n: usize) -> String {
    const LETTERS: &[u8; 52] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = Vec::new();
    loop {
        name.push(LETTERS[n % 52]);
        n /= 52;
        if n == 0 {
            break;
        }
        n -= 1;
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII letters")
}

#[cfg(test)]
mod tests;
