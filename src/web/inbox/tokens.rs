//! The session token the inbox reads with: the page's while the proxy accepts it, else the
//! token provider's, the same order the form sends in.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;

use crate::web::send::SessionTokens;
use crate::web::token_provider::Tokens;

/// Cheap to clone: the list, the request view and the live channel share one.
#[derive(Clone)]
pub struct InboxTokens {
    /// The page's token; read again at every call.
    pub page: Signal<Option<String>>,
    pub provider: Option<Tokens>,
    /// The page's token once the proxy refused it.
    refused: Rc<RefCell<Option<String>>>,
}

impl InboxTokens {
    pub fn new(page: Signal<Option<String>>, provider: Option<Tokens>) -> Self {
        InboxTokens {
            page,
            provider,
            refused: Rc::default(),
        }
    }

    fn page(&self) -> Option<String> {
        let page = self.page.try_get_untracked().flatten();
        page.filter(|t| self.refused.borrow().as_ref() != Some(t))
    }
}

impl SessionTokens for InboxTokens {
    async fn current(&self) -> Option<String> {
        match (self.page(), &self.provider) {
            (Some(token), _) => Some(token),
            (None, Some(provider)) => provider.token().await,
            (None, None) => None,
        }
    }

    async fn renew(&self) -> Option<String> {
        let page = self.page();
        if page.is_some() {
            *self.refused.borrow_mut() = page;
        }
        self.provider.as_ref()?.token().await
    }
}
