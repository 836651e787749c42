//! Who sees which ticket: one rule for the list, a ticket, its messages, closing it and the
//! live events.
//!
//! A session sees a ticket of its own account when the ticket's contact email is the
//! session's `email` claim (trimmed, without case); with `"support_scope": "account"` it sees
//! every ticket of the account; without an email it sees the tickets it filed through this
//! proxy, which the proxy records in the shared store when it files them. A ticket outside the
//! rule is answered exactly like one that does not exist.

use std::sync::Arc;
use std::time::Duration;

use moov_support::Ticket;
use uuid::Uuid;

use crate::session::{Session, SupportScope};
use crate::store::{Store, StoreError};

/// How long the proxy remembers who filed a ticket: longer than a support conversation
/// usually lasts, so an email-less user keeps seeing their requests for a year and more.
pub const FILED_TTL: Duration = Duration::from_secs(400 * 24 * 60 * 60);

/// The rule, with the store that remembers who filed what.
#[derive(Clone)]
pub struct Visibility {
    store: Arc<dyn Store>,
}

/// The store key naming the user who filed `ticket` on `account`.
pub fn filed_key(account: Uuid, ticket: &str) -> String {
    format!("moov-support:filed:{account}:{ticket}")
}

/// Two addresses name the same mailbox for this rule: trimmed, without case.
pub fn same_email(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    !a.is_empty() && a.to_lowercase() == b.to_lowercase()
}

impl Visibility {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Visibility { store }
    }

    /// Remembers that the session's user filed `ticket`.
    pub async fn record_filed(&self, session: &Session, ticket: &str) -> Result<(), StoreError> {
        self.store
            .set(
                &filed_key(session.account_id, ticket),
                &session.user_id,
                FILED_TTL,
            )
            .await
    }

    /// Whether `session` may see `ticket`, which Moov returned for `account`.
    pub async fn sees(
        &self,
        session: &Session,
        account: Uuid,
        ticket: &Ticket,
    ) -> Result<bool, StoreError> {
        if account != session.account_id {
            return Ok(false);
        }
        if session.scope == SupportScope::Account {
            return Ok(true);
        }
        if let Some(email) = &session.email {
            return Ok(same_email(email, &ticket.contact.email));
        }
        let filer = self
            .store
            .get(&filed_key(account, &ticket.ticket_id))
            .await?;
        Ok(filer.as_deref() == Some(session.user_id.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use moov_support::{Contact, TicketStatus};

    fn ticket(id: &str, email: &str) -> Ticket {
        Ticket {
            ticket_id: id.into(),
            number: 1,
            title: "t".into(),
            contact: Contact {
                email: email.into(),
                name: None,
            },
            status: TicketStatus::New,
            created_on: "2026-01-01T00:00:00Z".into(),
            updated_on: "2026-01-01T00:00:00Z".into(),
            latest_message_on: None,
            closed_on: None,
            foreign_id: None,
        }
    }

    fn session(user: &str, email: Option<&str>, scope: SupportScope) -> Session {
        Session {
            user_id: user.into(),
            account_id: Uuid::from_u128(1),
            email: email.map(str::to_owned),
            name: None,
            scope,
            expires_at: None,
        }
    }

    #[tokio::test]
    async fn the_rule() {
        let v = Visibility::new(Arc::new(MemoryStore::default()));
        let account = Uuid::from_u128(1);
        let other = Uuid::from_u128(2);
        let ann = session("ann", Some(" Ann@Example.com "), SupportScope::Own);
        let admin = session("admin", None, SupportScope::Account);
        let anon = session("anon", None, SupportScope::Own);
        let hers = ticket("t-1", "ann@example.COM");
        let bobs = ticket("t-2", "bob@example.com");
        assert!(v.sees(&ann, account, &hers).await.unwrap());
        assert!(!v.sees(&ann, account, &bobs).await.unwrap());
        assert!(!v.sees(&ann, other, &hers).await.unwrap());
        assert!(v.sees(&admin, account, &bobs).await.unwrap());
        assert!(!v.sees(&admin, other, &bobs).await.unwrap());
        assert!(!v.sees(&anon, account, &bobs).await.unwrap());
        v.record_filed(&anon, "t-2").await.unwrap();
        assert!(v.sees(&anon, account, &bobs).await.unwrap());
        assert!(!v.sees(&anon, account, &hers).await.unwrap());
        let someone_else = session("eve", None, SupportScope::Own);
        assert!(!v.sees(&someone_else, account, &bobs).await.unwrap());
        assert!(!same_email("", ""));
    }
}
