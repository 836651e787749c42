use super::*;

/// A module importing two functions from its glue and one from a snippet, exporting its
/// memory, a function the glue calls through `wasm.` and one it names otherwise too, with a
/// custom section.
fn module() -> Vec<u8> {
    let mut types = wasm_encoder::TypeSection::new();
    types.ty().function([], []);
    let mut imports = ImportSection::new();
    let f = wasm_encoder::EntityType::Function(0);
    imports.import("./w_bg.js", "__wbg_alert_0123456789abcdef", f);
    imports.import("./snippets/x/element.js", "define_element", f);
    imports.import("./w_bg.js", "__wbindgen_init_externref_table", f);
    let mut functions = wasm_encoder::FunctionSection::new();
    functions.function(0);
    let mut memories = wasm_encoder::MemorySection::new();
    memories.memory(wasm_encoder::MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut exports = ExportSection::new();
    exports.export("memory", wasm_encoder::ExportKind::Memory, 0);
    exports.export("__wbindgen_start", wasm_encoder::ExportKind::Func, 2);
    exports.export("main", wasm_encoder::ExportKind::Func, 2);
    let mut code = wasm_encoder::CodeSection::new();
    let mut body = wasm_encoder::Function::new([]);
    body.instructions().call(0).end();
    code.function(&body);
    let mut module = Module::new();
    module
        .section(&types)
        .section(&imports)
        .section(&functions)
        .section(&memories)
        .section(&exports)
        .section(&code)
        .section(&wasm_encoder::CustomSection {
            name: "producers".into(),
            data: b"rustc".into(),
        });
    module.finish()
}

const GLUE: &str =
    "let wasm;\nconst import0 = {\n  __wbg_alert_0123456789abcdef: function(a) {},\n  \
                    __wbindgen_init_externref_table: function() { this.__wbg_ptr = 0; },\n};\n\
                    function start() { wasm.__wbindgen_start(); return wasm.memory.buffer; }\n\
                    export function main() { return wasm.main(); }";

/// Each import's module and name, and each export's name, of `wasm`.
fn names(wasm: &[u8]) -> (Vec<(String, String)>, Vec<String>, usize) {
    let (mut imports, mut exports, mut custom) = (Vec::new(), Vec::new(), 0);
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.unwrap() {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.unwrap();
                    imports.push((import.module.to_string(), import.name.to_string()));
                }
            }
            Payload::ExportSection(reader) => {
                exports.extend(reader.into_iter().map(|e| e.unwrap().name.to_string()));
            }
            Payload::CustomSection(_) => custom += 1,
            _ => {}
        }
    }
    (imports, exports, custom)
}

#[test]
fn shortens_the_glues_imports_and_the_exports_it_only_calls() {
    let (wasm, glue) = shorten_pair(&module(), GLUE, |m| m == "./w_bg.js").unwrap();
    wasmparser::validate(&wasm).unwrap();
    let (imports, exports, custom) = names(&wasm);
    assert_eq!(
        imports,
        [
            ("./w_bg.js".into(), "a".into()),
            ("./snippets/x/element.js".into(), "define_element".into()),
            ("./w_bg.js".into(), "b".into()),
        ]
    );
    // The glue names `main` as its own function too: that export keeps its name.
    assert_eq!(exports, ["a", "b", "main"]);
    assert_eq!(custom, 0, "custom sections are left out");
    assert_eq!(
        glue,
        "let wasm;\nconst import0 = {\n  a: function(a) {},\n  \
         b: function() { this.__wbg_ptr = 0; },\n};\n\
         function start() { wasm.b(); return wasm.a.buffer; }\n\
         export function main() { return wasm.main(); }"
    );
}

#[test]
fn keeps_every_other_section_as_it_was() {
    let original = module();
    let (wasm, _) = shorten_pair(&original, GLUE, |m| m == "./w_bg.js").unwrap();
    let code = |wasm: &[u8]| {
        Parser::new(0)
            .parse_all(wasm)
            .find_map(|p| match p.unwrap() {
                Payload::CodeSectionStart { range, .. } => Some(wasm[range].to_vec()),
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(code(&wasm), code(&original));
}

#[test]
fn refuses_a_glue_that_does_not_name_an_import_once_as_a_key() {
    let ours = |m: &str| m == "./w_bg.js";
    let missing = GLUE.replace("__wbg_alert_0123456789abcdef: function(a) {},", "");
    let error = shorten_pair(&module(), &missing, ours).unwrap_err();
    assert!(
        error.contains("`__wbg_alert_0123456789abcdef`, which the glue names 0 times"),
        "{error}"
    );
    let twice = GLUE.replace("this.__wbg_ptr", "__wbg_alert_0123456789abcdef");
    let error = shorten_pair(&module(), &twice, ours).unwrap_err();
    assert!(error.contains("2 times"), "{error}");
    let not_key = GLUE.replace(
        "__wbindgen_init_externref_table: function() {",
        "x: function() { wasm.__wbindgen_init_externref_table();",
    );
    let error = shorten_pair(&module(), &not_key, ours).unwrap_err();
    assert!(error.contains("not as a key"), "{error}");
}

#[test]
fn short_names_are_distinct_identifiers() {
    let names: Vec<String> = (0..3000).map(short_name).collect();
    assert_eq!((names[0].as_str(), names[51].as_str()), ("a", "Z"));
    assert_eq!((names[52].as_str(), names[53].as_str()), ("aa", "ab"));
    let unique: std::collections::HashSet<_> = names.iter().collect();
    assert_eq!(unique.len(), names.len());
}
