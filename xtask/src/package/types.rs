//! `index.d.ts`: the package's TypeScript types, written from the options table
//! (`moov_support::options_spec::OPTIONS`) and the events table
//! (`moov_support::embed_events::EVENTS`), so the types cannot disagree with the element.

use std::fmt::Write as _;

use moov_support::embed_events::{Detail, EmbedEvent, JsType, EVENTS};
use moov_support::locale::Locale;
use moov_support::options_spec::{EmbedOption, OPTIONS};

pub(crate) use moov_support::options_spec::TAG;

/// The values `view` accepts (`src/web/options.rs` reads `requests`; anything else is the form).
const VIEWS: [&str; 2] = ["form", "requests"];

/// What a `getSessionToken` callback may answer (`src/web/host_token.rs`).
const TOKEN_CALLBACK: &str =
    "() => string | null | undefined | PromiseLike<string | null | undefined>";

/// The TypeScript type a property is set with.
pub(crate) fn property_type(option: &EmbedOption) -> String {
    match (option.property(), option) {
        ("view", _) => quoted_union(&VIEWS),
        ("locale", _) => "MoovSupportLocale | (string & {})".into(),
        (_, EmbedOption::Flag(_)) => "boolean".into(),
        (_, EmbedOption::Text(_)) => "string".into(),
        (_, EmbedOption::Number(_)) => "number".into(),
        (_, EmbedOption::Callback(_)) => TOKEN_CALLBACK.into(),
    }
}

/// The TypeScript type of an attribute's value in markup (JSX, Vue templates).
pub(crate) fn attribute_type(option: &EmbedOption) -> String {
    match option {
        EmbedOption::Flag(_) => "boolean | \"\"".into(),
        EmbedOption::Number(_) => "number | `${number}`".into(),
        _ => property_type(option),
    }
}

fn quoted_union(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// A doc comment, indented by `indent`.
fn doc(out: &mut String, indent: &str, text: &str) {
    let text = text.replace("*/", "*\\/");
    let _ = writeln!(out, "{indent}/** {text} */");
}

fn js_type(ty: JsType) -> &'static str {
    match ty {
        JsType::String => "string",
        JsType::Number => "number",
        JsType::NumberOrNull => "number | null",
        JsType::StringOrNull => "string | null",
        JsType::TicketStatus => "MoovSupportTicketStatus",
        JsType::Contact => "MoovSupportContact",
    }
}

fn detail_interfaces(out: &mut String) {
    let mut seen: Vec<Detail> = Vec::new();
    for event in EVENTS {
        let detail = event.detail();
        if detail == Detail::Nothing || seen.contains(&detail) {
            continue;
        }
        seen.push(detail);
        doc(out, "", &format!("The `detail` of `{}`.", event.dom_name()));
        let _ = writeln!(out, "export interface {} {{", detail.type_name());
        for f in detail.fields() {
            let mark = if f.optional { "?" } else { "" };
            let _ = writeln!(out, "  readonly {}{mark}: {};", f.name, js_type(f.ty));
        }
        out.push_str("}\n\n");
    }
}

fn event_type(event: &EmbedEvent) -> String {
    format!("CustomEvent<{}>", event.detail().type_name())
}

/// The lines of an interface body that maps each event's DOM name to its event type.
fn event_map_entries(indent: &str) -> String {
    let mut out = String::new();
    for event in EVENTS {
        doc(&mut out, indent, event.doc());
        let _ = writeln!(
            out,
            "{indent}\"{}\": {};",
            event.dom_name(),
            event_type(&event)
        );
    }
    out
}

/// The whole `index.d.ts`.
pub(crate) fn index_d_ts(version: &str) -> String {
    let mut out = format!(
        "// moov-support-widget {version}: types for <{TAG}>, window.MoovSupport and the\n\
         // moov-support:* events. Written by `cargo xtask package` from the widget's option and\n\
         // event tables; do not edit.\n\n"
    );
    let locales: Vec<&str> = Locale::ALL.iter().map(|l| l.tag()).collect();
    out.push_str(
        "/** A language the widget speaks; another tag falls back to the browser's languages. */\n",
    );
    let _ = writeln!(
        out,
        "export type MoovSupportLocale = {};\n",
        quoted_union(&locales)
    );
    out.push_str(
        "/** A ticket's place in Moov's queue; Moov may add states, kept as their name. */\n\
         export type MoovSupportTicketStatus = \"new\" | \"in-progress\" | \"on-hold\" | \"closed\" | (string & {});\n\n\
         /** Who Moov support answers. */\n\
         export interface MoovSupportContact {\n  readonly email: string;\n  readonly name?: string;\n}\n\n",
    );
    detail_interfaces(&mut out);

    out.push_str(
        "/** Every option: the element's properties and the keys of `MoovSupport.mount`. */\n",
    );
    out.push_str("export interface MoovSupportOptions {\n");
    for o in OPTIONS {
        doc(&mut out, "  ", &option_doc(&o));
        let _ = writeln!(out, "  {}?: {};", o.property(), property_type(&o));
    }
    out.push_str("}\n\n");

    out.push_str(
        "/** The options in markup: each attribute (kebab-case) and its value. */\n\
         export interface MoovSupportAttributes {\n",
    );
    for o in OPTIONS {
        if let Some(attribute) = o.attribute() {
            doc(&mut out, "  ", &option_doc(&o));
            let _ = writeln!(out, "  \"{attribute}\"?: {};", attribute_type(&o));
        }
    }
    out.push_str("}\n\n");

    out.push_str(
        "/** Each `moov-support:*` event the element dispatches (bubbling, composed). */\n",
    );
    out.push_str("export interface MoovSupportEventMap {\n");
    out.push_str(&event_map_entries("  "));
    out.push_str("}\n\n");

    element_interface(&mut out);
    api_and_globals(&mut out);
    frameworks(&mut out);
    out
}

fn option_doc(o: &EmbedOption) -> String {
    match o.default() {
        Some(default) if o.kind() != "boolean" => format!("{} (default `{default}`)", o.doc()),
        _ => o.doc().to_owned(),
    }
}

fn element_interface(out: &mut String) {
    let _ = writeln!(
        out,
        "/** `<{TAG}>`. A property with an attribute reflects to it, so reading gives the attribute's text. */"
    );
    out.push_str("export interface MoovSupportFormElement extends HTMLElement {\n");
    for o in OPTIONS {
        doc(out, "  ", &option_doc(&o));
        let p = o.property();
        match o {
            EmbedOption::Flag(_) => {
                let _ = writeln!(out, "  {p}: boolean;");
            }
            EmbedOption::Callback(_) => {
                let _ = writeln!(out, "  {p}: ({}) | null | undefined;", property_type(&o));
            }
            _ => {
                let _ = writeln!(out, "  get {p}(): string | null;");
                let _ = writeln!(
                    out,
                    "  set {p}(value: {} | null | undefined);",
                    property_type(&o)
                );
            }
        }
    }
    out.push_str(
        "  addEventListener<K extends keyof MoovSupportEventMap>(type: K, listener: (this: MoovSupportFormElement, event: MoovSupportEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;\n\
         \x20 addEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: MoovSupportFormElement, event: HTMLElementEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;\n\
         \x20 addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;\n\
         \x20 removeEventListener<K extends keyof MoovSupportEventMap>(type: K, listener: (this: MoovSupportFormElement, event: MoovSupportEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;\n\
         \x20 removeEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: MoovSupportFormElement, event: HTMLElementEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;\n\
         \x20 removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;\n\
         }\n\n",
    );
}

fn api_and_globals(out: &mut String) {
    out.push_str(
        "/** `window.MoovSupport`. */\n\
         export interface MoovSupportApi {\n\
         \x20 /** Renders a form in `element` (or configures it, when it is one) and returns the form; an unknown option throws. */\n\
         \x20 mount(element: Element, options?: MoovSupportOptions): MoovSupportFormElement;\n\
         \x20 /** Removes the form mounted in `element` (or `element` itself, when it is one). */\n\
         \x20 unmount(element: Element): void;\n\
         }\n\n\
         /** Settles when `<moov-support-form>` is defined (at once when the page already had it). */\n\
         export declare const ready: Promise<void>;\n\n\
         declare global {\n\
         \x20 interface Window {\n\
         \x20   readonly MoovSupport: MoovSupportApi;\n\
         \x20 }\n\
         \x20 var MoovSupport: MoovSupportApi;\n\
         \x20 interface HTMLElementTagNameMap {\n",
    );
    let _ = writeln!(out, "    \"{TAG}\": MoovSupportFormElement;");
    out.push_str("  }\n  interface HTMLElementEventMap {\n");
    out.push_str(&event_map_entries("    "));
    out.push_str("  }\n}\n\n");
}

/// The props of an event listener in Vue's template syntax: `@moov-support:submitted`
/// becomes the prop `onMoovSupport:submitted`.
fn vue_listener(event: &EmbedEvent) -> String {
    format!("\"onMoovSupport:{}\"", event.name())
}

fn frameworks(out: &mut String) {
    // The framework types are named inside each framework's own module block. An app without
    // React (or without Vue) that turns `skipLibCheck` off sees that block's missing names;
    // the package README says so. Vue's `DefineComponent` is a re-export, which an
    // augmentation only reaches through `import("vue")`.
    out.push_str(
        "// React 19 sets a custom element's known properties (camelCase) and passes the rest\n\
         // as attributes.\n\
         declare module \"react\" {\n\
         \x20 namespace JSX {\n\
         \x20   interface IntrinsicElements {\n",
    );
    let _ = writeln!(
        out,
        "      \"{TAG}\": MoovSupportOptions &\n\
         \x20       Omit<HTMLAttributes<MoovSupportFormElement>, keyof MoovSupportOptions> &\n\
         \x20       RefAttributes<MoovSupportFormElement>;"
    );
    out.push_str("    }\n  }\n}\n\n");

    out.push_str(
        "/** In Vue templates: the options as props (Vue sets the element's properties), the events as `@moov-support:<name>`. */\n\
         export type MoovSupportVueProps = MoovSupportOptions & {\n",
    );
    for event in EVENTS {
        let _ = writeln!(
            out,
            "  {}?: (event: {}) => void;",
            vue_listener(&event),
            event_type(&event)
        );
    }
    out.push_str(
        "};\n\n\
         declare module \"vue\" {\n\
         \x20 interface GlobalComponents {\n",
    );
    let _ = writeln!(
        out,
        "    \"{TAG}\": import(\"vue\").DefineComponent<MoovSupportVueProps>;"
    );
    out.push_str("  }\n}\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use moov_support::options_spec::VIEW;

    #[test]
    fn the_ticket_status_and_contact_types_are_what_the_ticket_serializes() {
        use moov_support::{Contact, TicketStatus};
        let types = index_d_ts("0.0.0");
        let status = types
            .lines()
            .find(|l| l.starts_with("export type MoovSupportTicketStatus"))
            .expect("a status type");
        for known in [
            TicketStatus::New,
            TicketStatus::InProgress,
            TicketStatus::OnHold,
            TicketStatus::Closed,
        ] {
            let name = serde_json::to_string(&known).unwrap();
            assert!(status.contains(&name), "{status} lacks {name}");
        }
        let contact = serde_json::to_value(Contact {
            email: "a@example.com".into(),
            name: Some("A".into()),
        })
        .unwrap();
        let interface = &types[types.find("export interface MoovSupportContact").unwrap()..];
        let interface = &interface[..interface.find('}').unwrap()];
        for key in contact.as_object().unwrap().keys() {
            assert!(
                interface.contains(&format!(" {key}")),
                "{interface} lacks {key}"
            );
        }
        // An absent name is left out of the ticket, so the type says it may be absent.
        assert!(interface.contains("name?:"), "{interface}");
    }

    #[test]
    fn every_option_and_event_is_typed() {
        let types = index_d_ts("0.0.0");
        for o in OPTIONS {
            assert!(
                types.contains(&format!("  {}?: {};", o.property(), property_type(&o))),
                "{}",
                o.property()
            );
            if let Some(a) = o.attribute() {
                assert!(types.contains(&format!("  \"{a}\"?: ")), "{a}");
            }
        }
        for e in EVENTS {
            let entry = format!("\"{}\": {};", e.dom_name(), event_type(&e));
            // In the package's own map and in HTMLElementEventMap.
            assert_eq!(types.matches(&entry).count(), 2, "{entry}");
            assert!(types.contains(&vue_listener(&e)), "{}", e.name());
        }
        assert!(types.contains("readonly foreignID?: string;"));
        assert!(types.contains("readonly requestId: string | null;"));
    }

    #[test]
    fn view_s_default_is_one_of_its_values() {
        let default = VIEW.default.expect("view has a default");
        assert!(VIEWS.contains(&default));
    }
}
