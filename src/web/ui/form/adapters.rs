//! The send pipeline's inputs as the form provides them: the page's token and the token
//! provider behind it, and the sanitizer that tells the form's state what it cleaned.

use std::cell::RefCell;

use leptos::prelude::*;

use crate::form_state::FormState;
use crate::web::client::Failure;
use crate::web::sanitizer_worker::{self, SanitizerError};
use crate::web::send::{Sanitizer, SessionTokens};
use crate::web::token_provider::Tokens;

/// The page's token while the proxy accepts it, else the token provider's.
pub struct PageTokens {
    /// The token the page handed over; read again at every send.
    pub page: Signal<Option<String>>,
    /// The page's token once the proxy refused it: from then on the provider is asked
    /// instead. Kept by the form across sends.
    pub refused: StoredValue<Option<String>>,
    pub provider: Option<Tokens>,
    /// The page token this send went out with, if it did.
    pub sent_page_token: RefCell<Option<String>>,
}

impl SessionTokens for PageTokens {
    /// The provider is asked at every send the page has no token for, so a user who signed
    /// out and another who signed in never share one.
    async fn current(&self) -> Option<String> {
        let refused = self.refused.get_value();
        let page = self
            .page
            .get_untracked()
            .filter(|t| refused.as_ref() != Some(t));
        self.sent_page_token.replace(page.clone());
        match (page, &self.provider) {
            (Some(token), _) => Some(token),
            (None, Some(provider)) => provider.token().await,
            (None, None) => None,
        }
    }

    async fn renew(&self) -> Option<String> {
        let provider = self.provider.as_ref()?;
        let page = self.sent_page_token.borrow().clone();
        if page.is_some() && !self.refused.is_disposed() {
            self.refused.set_value(page);
        }
        provider.token().await
    }
}

/// The sanitizer, noting the cleaned message in the form's last send, so editing the
/// message back to it is that send again.
pub struct NotingSanitizer {
    pub state: RwSignal<FormState<Failure>>,
}

impl Sanitizer for NotingSanitizer {
    async fn clean(&self, html: &str) -> Result<String, SanitizerError> {
        let body = sanitizer_worker::clean(html).await?;
        self.state.try_update_untracked(|s| s.cleaned(&body));
        Ok(body)
    }
}
