//! The session token the inbox reads with: the page's while the proxy accepts it, else the
//! token provider's, the same order the form sends in. The provider's token is kept until
//! the proxy refuses it: the list, the live channel and the checks for news would otherwise
//! ask the page for a token every few seconds.

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
    /// The provider's last token.
    kept: Rc<RefCell<Option<String>>>,
}

impl InboxTokens {
    pub fn new(page: Signal<Option<String>>, provider: Option<Tokens>) -> Self {
        InboxTokens {
            page,
            provider,
            refused: Rc::default(),
            kept: Rc::default(),
        }
    }

    /// Whether the page handed a token over: only then does the inbox start on its own
    /// (the provider is asked when the user opens "Your requests").
    pub fn has_page_token(&self) -> bool {
        self.page().is_some()
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
            (None, Some(provider)) => {
                if let Some(kept) = self.kept.borrow().clone() {
                    return Some(kept);
                }
                let token = provider.token().await;
                self.kept.borrow_mut().clone_from(&token);
                token
            }
            (None, None) => None,
        }
    }

    async fn renew(&self) -> Option<String> {
        let page = self.page();
        if page.is_some() {
            *self.refused.borrow_mut() = page;
        }
        let token = self.provider.as_ref()?.token().await;
        self.kept.borrow_mut().clone_from(&token);
        token
    }
}
