//! "Close request" and its confirmation, inline: the question takes focus's place, "Keep it
//! open" is focused first (the safe answer), and focus lands on what follows either answer.

use leptos::html;
use leptos::prelude::*;

use crate::web::i18n::Strings;
use crate::web::inbox::model::Closing;
use crate::web::inbox::Model;

use super::focus_later;

#[component]
pub(super) fn CloseRequest(
    model: Model,
    t: &'static Strings,
    root: NodeRef<html::Section>,
) -> impl IntoView {
    let i = &t.inbox;
    let ask = move |_| {
        model.closing.set(Closing::Confirming);
        focus_later(root, ".moov-close-no");
    };
    let keep = move || {
        model.closing.set(Closing::Idle);
        focus_later(root, ".moov-close-request");
    };
    let confirm = move |_| {
        model.close_request();
        focus_later(root, "#moov-request-title");
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.stop_propagation();
            ev.prevent_default();
            keep();
        }
    };
    view! {
        <div class="moov-close-area">
            {move || match model.closing.get() {
                Closing::Confirming => view! {
                    <div
                        class="moov-close-confirm"
                        role="group"
                        aria-labelledby="moov-close-question"
                        on:keydown=on_keydown
                    >
                        <p id="moov-close-question">{i.close_confirm}</p>
                        <button type="button" class="moov-close-yes" on:click=confirm>
                            {i.close_yes}
                        </button>
                        <button type="button" class="moov-close-no" on:click=move |_| keep()>
                            {i.close_no}
                        </button>
                    </div>
                }
                .into_any(),
                Closing::Closing => {
                    view! { <p class="moov-closing" role="status">{i.closing}</p> }.into_any()
                }
                state => view! {
                    {(state == Closing::Failed)
                        .then(|| view! { <p class="moov-error" role="alert">{i.close_failed}</p> })}
                    <button type="button" class="moov-close-request" on:click=ask>
                        {i.close}
                    </button>
                }
                .into_any(),
            }}
        </div>
    }
}
