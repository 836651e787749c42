//! `SupportForm` mounted by a Leptos app through the crate's public names only: the
//! configuration built with [`Options`]' setters, a Rust token provider and Rust callbacks,
//! and no `moov-support:*` DOM events.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use moov_support::{Failure, Options, SupportForm, Ticket};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

use crate::support::{document, endpoint, session, wait_for};

fn field(container: &HtmlElement, id: &str) -> web_sys::Element {
    container
        .query_selector(&format!("#moov-{id}"))
        .unwrap()
        .unwrap_or_else(|| panic!("no #moov-{id}"))
}

fn type_in(container: &HtmlElement, id: &str, value: &str) {
    let el = field(container, id);
    match el.dyn_ref::<HtmlInputElement>() {
        Some(input) => input.set_value(value),
        None => el.set_inner_html(&moov_support::sanitize::text_to_html(value)),
    }
    el.dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn a_leptos_app_gets_its_ticket_through_rust_callbacks_and_its_token_from_rust() {
    let token = session("component-user").await;
    let asked = Rc::new(Cell::new(0u32));
    let submitted = Rc::new(RefCell::new(Vec::<Ticket>::new()));
    let errors = Rc::new(RefCell::new(Vec::<Failure>::new()));

    // Any `moov-support:*` event reaching the document would mean the form spoke DOM.
    let dom_events = Rc::new(Cell::new(0u32));
    let counter = {
        let dom_events = dom_events.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| dom_events.set(dom_events.get() + 1))
    };
    for name in ["ready", "submitted", "error", "queued", "draft-restored"] {
        document()
            .add_event_listener_with_callback(
                &format!("moov-support:{name}"),
                counter.as_ref().unchecked_ref(),
            )
            .unwrap();
    }

    // The configuration as a Leptos app builds it, without a token up front.
    let options = Options::new(endpoint()).locale("en").instance("component");

    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let handle = {
        let (asked, submitted, errors) = (asked.clone(), submitted.clone(), errors.clone());
        leptos::mount::mount_to(container.clone(), move || {
            let provider = {
                let (asked, token) = (asked.clone(), token.clone());
                move || {
                    asked.set(asked.get() + 1);
                    let token = token.clone();
                    async move { Some(token) }
                }
            };
            let submitted = submitted.clone();
            let errors = errors.clone();
            view! {
                <SupportForm
                    options=options.clone()
                    token_provider=provider
                    on_submitted=UnsyncCallback::new(move |t: Ticket| submitted.borrow_mut().push(t))
                    on_error=UnsyncCallback::new(move |f: Failure| errors.borrow_mut().push(f))
                />
            }
        })
    };
    wait_for("the form", || {
        container.query_selector("#moov-title").unwrap().is_some()
    })
    .await;

    type_in(&container, "title", "Payout missing");
    type_in(
        &container,
        "body",
        "My payout from Monday\nhas not arrived.",
    );
    type_in(&container, "email", "jordan@example.com");
    container
        .query_selector("button.moov-send")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    wait_for("the submitted callback", || !submitted.borrow().is_empty()).await;

    let tickets = submitted.borrow();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0].title, "Payout missing");
    assert!(errors.borrow().is_empty(), "{:?}", errors.borrow());
    // Asked once to know whose draft this is (at the first edit), once for the send.
    assert_eq!(asked.get(), 2);
    assert_eq!(dom_events.get(), 0, "the form dispatched DOM events");
    assert!(container
        .text_content()
        .unwrap_or_default()
        .contains(&tickets[0].number.to_string()));

    for name in ["ready", "submitted", "error", "queued", "draft-restored"] {
        document()
            .remove_event_listener_with_callback(
                &format!("moov-support:{name}"),
                counter.as_ref().unchecked_ref(),
            )
            .unwrap();
    }
    drop(handle);
    container.remove();
}

/// A computed style property of `element`.
fn style_of(element: &web_sys::Element, property: &str) -> String {
    web_sys::window()
        .unwrap()
        .get_computed_style(element)
        .unwrap()
        .unwrap()
        .get_property_value(property)
        .unwrap()
}

#[wasm_bindgen_test]
async fn a_leptos_app_gets_the_forms_look_scoped_to_the_form_and_themed_by_its_variables() {
    // The page's own field, outside the form: the widget's rules must not reach it.
    let page_input: HtmlElement = document().create_element("input").unwrap().unchecked_into();
    document()
        .body()
        .unwrap()
        .append_child(&page_input)
        .unwrap();
    let before = style_of(&page_input, "padding-left");

    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    // The partner's theme, through the same variables as the element's.
    container
        .set_attribute("style", "--moov-radius-small: 9px")
        .unwrap();
    document().body().unwrap().append_child(&container).unwrap();
    let options = Options::new(endpoint()).locale("en").instance("styled");
    let handle = leptos::mount::mount_to(container.clone(), move || {
        view! { <SupportForm options=options.clone() /> }
    });
    wait_for("the form", || {
        container.query_selector("#moov-title").unwrap().is_some()
    })
    .await;
    let title = field(&container, "title");
    wait_for("the form's own stylesheet", || {
        style_of(&title, "padding-left") == "10px"
    })
    .await;
    assert_eq!(style_of(&title, "border-top-left-radius"), "9px");
    // The form's root is the element's card: its own padding and background.
    let root = container.query_selector(".moov-support").unwrap().unwrap();
    assert_eq!(style_of(&root, "padding-top"), "20px");
    assert_eq!(style_of(&root, "background-color"), "rgb(255, 255, 255)");
    let send = container
        .query_selector("button.moov-send")
        .unwrap()
        .unwrap();
    assert_eq!(style_of(&send, "font-weight"), "600");
    assert_eq!(
        style_of(&page_input, "padding-left"),
        before,
        "the form's rules reached a field outside it"
    );

    drop(handle);
    container.remove();
    page_input.remove();
}
