//! A partner's Leptos dashboard with Moov's support form as a component: the app fetches its
//! user's session token, renders [`SupportForm`] and keeps the filed ticket's number in its
//! own state.

mod session;

use leptos::prelude::*;
use moov_support::{Failure, Options, SupportForm, Ticket};

pub use session::{fetch_token, SessionError};

/// The proxy's ticket URL: examples/axum nests the proxy's routes under `/support`.
pub const TICKETS_ENDPOINT: &str = "/support/api/support/tickets";

/// The dashboard's help page.
#[component]
pub fn App() -> impl IntoView {
    let session = LocalResource::new(fetch_token);
    let filed = RwSignal::new(None::<i64>);
    view! {
        <header class="topbar">"Acme Payouts"</header>
        <main>
            <h1>"Contact support"</h1>
            {move || match session.get() {
                None => view! { <p class="status">"Signing in…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="status" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(token)) => view! { <Support token filed /> }.into_any(),
            }}
            // The app's own state, outside the form: what the callback handed over.
            <Show when=move || filed.get().is_some()>
                <p id="filed-ticket">"Ticket #" {move || filed.get()} " filed"</p>
            </Show>
        </main>
    }
}

/// The form for the signed-in user, reporting each filed ticket into `filed`.
#[component]
fn Support(
    /// The token the page started with; it also prefills the user's email and name.
    token: String,
    /// Where the app keeps the last filed ticket's number.
    filed: RwSignal<Option<i64>>,
) -> impl IntoView {
    let options = Options::new(TICKETS_ENDPOINT).session_token(token);
    // Asked again when the proxy refused an expired token.
    let renew = || async { fetch_token().await.ok() };
    view! {
        <SupportForm
            options=options
            token_provider=renew
            on_submitted=UnsyncCallback::new(move |ticket: Ticket| filed.set(Some(ticket.number)))
            on_error=UnsyncCallback::new(|failure: Failure| {
                leptos::logging::warn!("support ticket not sent: {}", failure.error);
            })
        />
    }
}
