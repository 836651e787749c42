//! The embedding surface a partner uses: attributes, properties, the `getSessionToken`
//! callback and `window.MoovSupport`.

use moov_support::options_spec::{self as spec, EmbedOption, Flag, Number, Text, OPTIONS};
use moov_support::web::client;
use moov_support::web::embed;
use moov_support::Options;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::support::*;

/// `window.MoovSupport`, as a partner's script sees it.
fn moov_support() -> JsValue {
    js_sys::Reflect::get(&web_sys::window().unwrap(), &"MoovSupport".into()).unwrap()
}

fn call(target: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(target, &method.into())?.unchecked_into();
    f.apply(target, &args.iter().copied().collect::<js_sys::Array>())
}

#[wasm_bindgen_test]
async fn a_locked_contact_the_rules_refuse_stays_editable() {
    let token = session("locked").await;
    let locked = |email: &'static str| {
        let token = token.clone();
        async move {
            Widget::mount_with(&[
                ("endpoint", &endpoint()),
                ("session-token", &token),
                ("contact-email", email),
                ("lock-contact", ""),
            ])
            .await
        }
    };
    let w = locked("jordan@example.com").await;
    assert!(is_read_only(&w, "email"));
    w.remove();
    // A field the user could not correct would keep Send from ever working.
    let w = locked("jordan at example").await;
    assert!(!is_read_only(&w, "email"));
    assert!(!is_read_only(&w, "name"));
    w.remove();
}

#[wasm_bindgen_test]
async fn without_a_page_token_the_callback_is_asked_at_every_send() {
    clear_faults().await;
    let w = Widget::mount_with(&[("endpoint", &endpoint()), ("id", "per-send")]).await;
    let (callback, calls) = token_callback(session("per-send").await);
    js_sys::Reflect::set(&w.host, &"getSessionToken".into(), &callback).unwrap();
    for sent in 1..=2 {
        w.fill_valid();
        w.press_send();
        w.wait_text("confirmation", "created").await;
        // A user who signed out between two messages must not send the second one.
        assert_eq!(*calls.borrow(), sent);
        w.el("button.moov-again")
            .unchecked_into::<HtmlElement>()
            .click();
        wait_for("the form again", || w.query("#moov-title").is_some()).await;
    }
    w.remove();
}

#[wasm_bindgen_test]
async fn the_js_api_mounts_a_configured_form_and_unmounts_it() {
    embed::register();
    let api = moov_support();
    let keys = js_sys::Object::keys(api.unchecked_ref::<js_sys::Object>());
    assert_eq!(
        keys.iter()
            .map(|k| k.as_string().unwrap())
            .collect::<Vec<_>>(),
        ["mount", "unmount"]
    );
    assert!(js_sys::Object::is_frozen(
        api.unchecked_ref::<js_sys::Object>()
    ));

    // No draft saved for this endpoint by anyone: nobody's draft to restore.
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let prefix = format!("moov-support:draft:v1:{}:", endpoint());
    let saved: Vec<String> = (0..storage.length().unwrap())
        .filter_map(|i| storage.key(i).unwrap())
        .filter(|k| k.starts_with(&prefix))
        .collect();
    for key in saved {
        storage.remove_item(&key).unwrap();
    }
    let container = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&container).unwrap();
    let (callback, calls) = token_callback(session("js-api").await);
    let options = object(&[
        ("endpoint", endpoint().into()),
        ("contactEmail", "partner-known@example.com".into()),
        ("contactName", "Sam Partner".into()),
        ("lockContact", true.into()),
        ("getSessionToken", callback),
    ]);
    let host: HtmlElement = call(&api, "mount", &[&container, &options])
        .unwrap()
        .unchecked_into();
    assert_eq!(host.local_name(), embed::TAG);
    assert_eq!(host.parent_element().unwrap(), container);
    // camelCase properties reflect to kebab-case attributes.
    assert_eq!(
        host.get_attribute("contact-email").as_deref(),
        Some("partner-known@example.com")
    );
    assert!(host.has_attribute("lock-contact"));
    let w = Widget::listen(host);
    w.wait_text("the form", "Send").await;
    sleep(50).await;
    assert_eq!(w.value("email"), "partner-known@example.com");
    assert_eq!(w.value("name"), "Sam Partner");
    assert!(is_read_only(&w, "email") && is_read_only(&w, "name"));
    assert!(!is_read_only(&w, "title"));

    // No token was given, and nothing saved to restore: a page that only shows the form
    // costs the partner no call. The first edit asks whose draft it is; the send asks again.
    clear_faults().await;
    assert_eq!(*calls.borrow(), 0);
    w.type_in("title", "Mounted from script");
    sleep(50).await;
    assert_eq!(*calls.borrow(), 1);
    w.type_in("body", "Hello");
    w.press_send();
    w.wait_text("confirmation", "created").await;
    assert_eq!(*calls.borrow(), 2);

    call(&api, "unmount", &[&container]).unwrap();
    assert!(container.query_selector(embed::TAG).unwrap().is_none());
    assert!(call(
        &api,
        "mount",
        &[&container, &object(&[("colour", "red".into())])]
    )
    .is_err());
    container.remove();
}

/// How many forms have been drawn on this page so far (`moov-support:ready` marks).
fn forms_drawn() -> u32 {
    web_sys::window()
        .unwrap()
        .performance()
        .unwrap()
        .get_entries_by_name("moov-support:ready")
        .length()
}

#[wasm_bindgen_test]
async fn markup_with_many_attributes_draws_its_form_once_and_an_attribute_change_redraws_it() {
    embed::register();
    let container = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&container).unwrap();
    let before = forms_drawn();
    // Parsed markup upgrades the element with every attribute already set, which reports
    // each as a change before the element connects.
    container.set_inner_html(&format!(
        r#"<{} endpoint="{}" locale="es" contact-email="a@example.com" contact-name="A" timeout-ms="9000"></{0}>"#,
        embed::TAG,
        endpoint()
    ));
    let host: HtmlElement = container
        .query_selector(embed::TAG)
        .unwrap()
        .unwrap()
        .unchecked_into();
    let w = Widget::listen(host.clone());
    w.wait_text("the form", "Enviar").await;
    assert_eq!(forms_drawn() - before, 1, "one form for one element");
    host.set_attribute("locale", "fr").unwrap();
    w.wait_text("the form in French", "Envoyer").await;
    assert_eq!(
        forms_drawn() - before,
        2,
        "a changed attribute draws it again"
    );
    container.remove();
}

#[wasm_bindgen_test]
async fn a_refused_token_is_renewed_once_through_the_callback() {
    clear_faults().await;
    let w = Widget::mount_with(&[
        ("endpoint", &endpoint()),
        ("session-token", "expired.token.value"),
        ("id", "renewal"),
    ])
    .await;
    let (callback, calls) = token_callback(session("renewal").await);
    js_sys::Reflect::set(&w.host, &"getSessionToken".into(), &callback).unwrap();
    w.fill_valid();
    w.press_send();
    w.wait_text("confirmation", "created").await;
    assert_eq!(*calls.borrow(), 1);
    assert!(w.saw("error").is_none());
    w.remove();

    // Without a callback the same refusal is reported.
    let plain = Widget::mount_with(&[
        ("endpoint", &endpoint()),
        ("session-token", "expired.token.value"),
        ("id", "no-renewal"),
    ])
    .await;
    plain.fill_valid();
    plain.press_send();
    plain
        .wait_text("session expired", "Your session has expired")
        .await;
    assert_eq!(plain.saw("error").unwrap()["status"], 401);
    plain.remove();
}

/// The element class `customElements` holds for the widget's tag.
fn element_class() -> JsValue {
    let registry =
        js_sys::Reflect::get(&web_sys::window().unwrap(), &"customElements".into()).unwrap();
    call(&registry, "get", &[&embed::TAG.into()]).unwrap()
}

#[wasm_bindgen_test]
fn every_option_in_the_table_is_a_property_of_the_element_that_reflects_to_its_attribute() {
    embed::register();
    let class = element_class();
    let observed: Vec<String> =
        js_sys::Array::from(&js_sys::Reflect::get(&class, &"observedAttributes".into()).unwrap())
            .iter()
            .map(|a| a.as_string().unwrap())
            .collect();
    let attributes: Vec<&str> = OPTIONS.iter().filter_map(|o| o.attribute()).collect();
    assert_eq!(observed, attributes, "observed attributes");
    // The element has an accessor for each option, and no other: React 19 and Vue set a
    // custom element's property only when the element has it.
    let prototype = js_sys::Reflect::get(&class, &"prototype".into()).unwrap();
    let accessors: Vec<String> = js_sys::Object::keys(prototype.unchecked_ref::<js_sys::Object>())
        .iter()
        .map(|k| k.as_string().unwrap())
        .collect();
    let properties: Vec<&str> = OPTIONS.iter().map(|o| o.property()).collect();
    assert_eq!(accessors, properties, "the element's properties");

    let host: HtmlElement = document()
        .create_element(embed::TAG)
        .unwrap()
        .unchecked_into();
    let get = |prop: &str| js_sys::Reflect::get(&host, &prop.into()).unwrap();
    let set = |prop: &str, value: JsValue| {
        js_sys::Reflect::set(&host, &prop.into(), &value).unwrap();
    };
    for option in OPTIONS {
        let prop = option.property();
        match option {
            EmbedOption::Flag(Flag { attribute, .. }) => {
                assert_eq!(get(prop), JsValue::FALSE, "{prop} unset");
                set(prop, JsValue::TRUE);
                assert!(host.has_attribute(attribute), "{prop} = true");
                set(prop, JsValue::FALSE);
                assert!(!host.has_attribute(attribute), "{prop} = false");
                host.set_attribute(attribute, "").unwrap();
                assert_eq!(get(prop), JsValue::TRUE, "{attribute} set");
            }
            EmbedOption::Text(Text { attribute, .. })
            | EmbedOption::Number(Number { attribute, .. }) => {
                assert_eq!(get(prop), JsValue::NULL, "{prop} unset");
                set(prop, JsValue::from_f64(1234.0));
                assert_eq!(
                    host.get_attribute(attribute).as_deref(),
                    Some("1234"),
                    "{prop}"
                );
                host.set_attribute(attribute, "4321").unwrap();
                assert_eq!(
                    get(prop).as_string().as_deref(),
                    Some("4321"),
                    "{attribute}"
                );
                set(prop, JsValue::NULL);
                assert!(!host.has_attribute(attribute), "{prop} = null");
            }
            EmbedOption::Callback(_) => {
                // A function is held as given, and no attribute appears.
                assert_eq!(get(prop), JsValue::NULL, "{prop} unset");
                let before = host.get_attribute_names().length();
                let callback: JsValue = js_sys::Function::new_no_args("return 'token'").into();
                set(prop, callback.clone());
                assert_eq!(get(prop), callback, "{prop}");
                assert_eq!(
                    host.get_attribute_names().length(),
                    before,
                    "{prop} has no attribute"
                );
                set(prop, JsValue::NULL);
                assert_eq!(get(prop), JsValue::NULL, "{prop} = null");
            }
        }
    }

    // Properties set through the table are what the form is configured with.
    let values: Vec<(&str, JsValue)> = OPTIONS
        .iter()
        .map(|o| {
            let value = match o {
                EmbedOption::Flag(_) => JsValue::TRUE,
                EmbedOption::Number(_) => JsValue::from_f64(1234.0),
                EmbedOption::Text(_) => format!("{}-value", o.property()).into(),
                EmbedOption::Callback(_) => js_sys::Function::new_no_args("").into(),
            };
            (o.property(), value)
        })
        .collect();
    let container = document().create_element("div").unwrap();
    let configured: HtmlElement = call(&moov_support(), "mount", &[&container, &object(&values)])
        .unwrap()
        .unchecked_into();
    assert_eq!(
        Options::read(&configured),
        Options::new("endpoint-value")
            .session_token("sessionToken-value")
            .contact_email("contactEmail-value")
            .contact_name("contactName-value")
            .lock_contact(true)
            .locale("locale-value")
            .launcher(true)
            .timeout_ms(1234)
    );
    let (property, callback) = values
        .iter()
        .find(|(p, _)| *p == spec::GET_SESSION_TOKEN.property)
        .unwrap();
    assert_eq!(
        &js_sys::Reflect::get(&configured, &(*property).into()).unwrap(),
        callback,
        "mount sets the callback"
    );
    // Unset, each option has its documented default.
    let plain: HtmlElement = document()
        .create_element(embed::TAG)
        .unwrap()
        .unchecked_into();
    let defaults = Options::read(&plain);
    let documented = Options::new(spec::ENDPOINT.default.unwrap())
        .timeout_ms(spec::TIMEOUT_MS.default)
        .lock_contact(false)
        .launcher(false)
        .requests_first(false);
    assert_eq!(defaults, documented);
    assert_eq!(
        Options::default(),
        documented,
        "a Rust app gets the same defaults"
    );
    assert_eq!(spec::TIMEOUT_MS.default, client::DEFAULT_TIMEOUT_MS);
}
