//! Where the form gets a session token when the page handed none over, or when the one it
//! has was refused: a Rust closure or type the embedding code supplies (the custom element
//! adapts the page's `getSessionToken`, see [`crate::web::host_token`]).

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// A token on its way; `None` when there is none to give.
pub type TokenFuture = Pin<Box<dyn Future<Output = Option<String>>>>;

/// Gives a session token for the signed-in user, asked at every send the page has no token
/// for and once more after the proxy refused one.
pub trait TokenProvider {
    /// A token for the signed-in user, or `None` when nobody is signed in.
    fn token(&self) -> TokenFuture;

    /// Whether asking can answer at all; a provider that cannot is never asked who is signed
    /// in before the form shows a draft.
    fn is_available(&self) -> bool {
        true
    }
}

impl<F, Fut> TokenProvider for F
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<String>> + 'static,
{
    fn token(&self) -> TokenFuture {
        Box::pin(self())
    }
}

/// A token provider as the form holds it: shared, cheap to clone.
#[derive(Clone)]
pub struct Tokens(Rc<dyn TokenProvider>);

impl Tokens {
    /// Wraps a provider, usually an `async` closure: `Tokens::new(|| async { Some(token) })`.
    pub fn new(provider: impl TokenProvider + 'static) -> Self {
        Tokens(Rc::new(provider))
    }

    /// Whether the provider can answer at all (see [`TokenProvider::is_available`]).
    pub fn is_available(&self) -> bool {
        self.0.is_available()
    }

    /// Asks the provider; an empty answer counts as none.
    pub async fn token(&self) -> Option<String> {
        self.0.token().await.filter(|t| !t.is_empty())
    }
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens")
    }
}

impl<P: TokenProvider + 'static> From<P> for Tokens {
    fn from(provider: P) -> Self {
        Tokens::new(provider)
    }
}
