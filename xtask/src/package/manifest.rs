//! `custom-elements.json` (the Custom Elements Manifest, schema 2.1) and `package.json`,
//! written from the same tables as the types.

use moov_support::embed_events::EVENTS;
use moov_support::options_spec::{EmbedOption, OPTIONS};
use serde::Serialize;
use serde_json::{json, Value};

use super::types::{attribute_type, property_type, TAG};

/// The manifest tools (IDEs, Storybook, linters) read to know the element.
pub(crate) fn custom_elements(version: &str) -> Value {
    let members: Vec<Value> = OPTIONS
        .iter()
        .map(|o| {
            let mut member = json!({
                "kind": "field",
                "name": o.property(),
                "type": { "text": property_type(o) },
                "description": o.doc(),
            });
            if let Some(a) = o.attribute() {
                member["attribute"] = json!(a);
                member["reflects"] = json!(true);
            }
            if let (Some(d), false) = (o.default(), matches!(o, EmbedOption::Flag(_))) {
                member["default"] = json!(default_literal(o, &d));
            }
            member
        })
        .collect();
    let attributes: Vec<Value> = OPTIONS
        .iter()
        .filter_map(|o| {
            let a = o.attribute()?;
            Some(json!({
                "name": a,
                "fieldName": o.property(),
                "type": { "text": attribute_type(o) },
                "description": o.doc(),
            }))
        })
        .collect();
    let events: Vec<Value> = EVENTS
        .iter()
        .map(|e| {
            json!({
                "name": e.dom_name(),
                "type": { "text": format!("CustomEvent<{}>", e.detail().type_name()) },
                "description": e.doc(),
            })
        })
        .collect();
    json!({
        "schemaVersion": "2.1.0",
        "readme": "README.md",
        "modules": [{
            "kind": "javascript-module",
            "path": "index.js",
            "declarations": [{
                "kind": "class",
                "customElement": true,
                "name": "MoovSupportFormElement",
                "tagName": TAG,
                "description": format!("Moov's \"Contact support\" form (moov-support-widget {version})."),
                "superclass": { "name": "HTMLElement" },
                "members": members,
                "attributes": attributes,
                "events": events,
            }],
            "exports": [
                { "kind": "custom-element-definition", "name": TAG,
                  "declaration": { "name": "MoovSupportFormElement", "module": "index.js" } },
                { "kind": "js", "name": "ready",
                  "declaration": { "name": "ready", "module": "index.js" } },
            ],
        }],
    })
}

fn default_literal(o: &EmbedOption, default: &str) -> String {
    match o {
        EmbedOption::Number(_) => default.to_owned(),
        _ => format!("\"{default}\""),
    }
}

/// The package's `package.json`, its keys in the order npm users expect to read them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PackageJson {
    name: &'static str,
    version: String,
    description: &'static str,
    license: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    repository: Option<Repository>,
    #[serde(rename = "type")]
    kind: &'static str,
    main: &'static str,
    types: &'static str,
    exports: Exports,
    files: [&'static str; 6],
    /// Importing the entry registers the element, and the widget's own modules define it and
    /// `window.MoovSupport` when they run: a bundler must keep them even when nothing is
    /// imported by name.
    side_effects: [&'static str; 3],
    custom_elements: &'static str,
    keywords: [&'static str; 6],
}

#[derive(Serialize)]
struct Repository {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

#[derive(Serialize)]
struct Exports {
    #[serde(rename = ".")]
    main: Entry,
    #[serde(rename = "./served")]
    served: Entry,
    #[serde(rename = "./custom-elements.json")]
    manifest: &'static str,
    #[serde(rename = "./package.json")]
    package: &'static str,
}

/// One entry point: `types` before `default`, since conditions are matched in order.
#[derive(Serialize)]
struct Entry {
    types: &'static str,
    default: &'static str,
}

/// The package's `package.json`; `repository` is the root crate's, when it names one.
pub(crate) fn package_json(version: &str, repository: Option<&str>) -> PackageJson {
    PackageJson {
        name: super::NAME,
        version: version.to_owned(),
        description: "Moov's \"Contact support\" form as a custom element, <moov-support-form>, \
                      with TypeScript types for React and Vue.",
        license: "Apache-2.0",
        repository: repository.map(|url| Repository {
            kind: "git",
            url: url.to_owned(),
        }),
        kind: "module",
        main: "./index.js",
        types: "./index.d.ts",
        exports: Exports {
            main: Entry {
                types: "./index.d.ts",
                default: "./index.js",
            },
            served: Entry {
                types: "./served.d.ts",
                default: "./served.js",
            },
            manifest: "./custom-elements.json",
            package: "./package.json",
        },
        files: [
            "index.js",
            "index.d.ts",
            "served.js",
            "served.d.ts",
            "custom-elements.json",
            "assets/",
        ],
        side_effects: ["./index.js", "./assets/*.js", "./assets/snippets/**/*.js"],
        custom_elements: "custom-elements.json",
        keywords: [
            "moov",
            "support",
            "web-component",
            "custom-element",
            "react",
            "vue",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_s_license_is_the_crates_one() {
        let workspace = include_str!("../../../Cargo.toml");
        let declared = workspace
            .split("[workspace.package]")
            .nth(1)
            .and_then(|s| s.lines().find(|l| l.starts_with("license = ")))
            .expect("the workspace declares a license");
        let npm = package_json("0.0.0", None).license;
        assert_eq!(declared, format!("license = \"{npm}\""));
    }

    #[test]
    fn the_manifest_lists_every_option_attribute_and_event() {
        let m = custom_elements("0.0.0");
        let class = &m["modules"][0]["declarations"][0];
        assert_eq!(class["tagName"], TAG);
        let names = |key: &str| -> Vec<String> {
            class[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["name"].as_str().unwrap().to_owned())
                .collect()
        };
        let properties: Vec<&str> = OPTIONS.iter().map(|o| o.property()).collect();
        assert_eq!(names("members"), properties);
        let attributes: Vec<&str> = OPTIONS.iter().filter_map(|o| o.attribute()).collect();
        assert_eq!(names("attributes"), attributes);
        let events: Vec<String> = EVENTS.iter().map(|e| e.dom_name()).collect();
        assert_eq!(names("events"), events);
    }

    #[test]
    fn each_entry_names_its_types_first() {
        let text = serde_json::to_string(&package_json("1.2.3", Some("u"))).unwrap();
        assert!(text.starts_with("{\"name\":\"moov-support-widget\",\"version\":\"1.2.3\""));
        assert!(text.contains("\".\":{\"types\":\"./index.d.ts\",\"default\":\"./index.js\"}"));
        assert!(
            text.contains("\"./served\":{\"types\":\"./served.d.ts\",\"default\":\"./served.js\"}")
        );
        assert!(text.contains("\"repository\":{\"type\":\"git\",\"url\":\"u\"}"));
    }

    #[test]
    fn every_exported_file_is_packed() {
        let p = serde_json::to_value(package_json("0.0.0", None)).unwrap();
        let files: Vec<&str> = p["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        for (_, target) in p["exports"].as_object().unwrap() {
            let paths: Vec<&str> = match target {
                Value::String(s) => vec![s],
                Value::Object(o) => o.values().map(|v| v.as_str().unwrap()).collect(),
                _ => unreachable!(),
            };
            for path in paths {
                let path = path.trim_start_matches("./");
                assert!(
                    path == "package.json" || files.contains(&path),
                    "{path} is exported but not packed"
                );
            }
        }
    }
}
