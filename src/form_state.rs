//! The support form's state with one owner: the draft (what the user typed and the
//! idempotency key it goes out under), the last send and where the form is in its life.
//! Every change is a named transition, so the key rules live in one place and a view, a
//! storage event or a send answer cannot leave the form half-updated.

use crate::draft::Draft;
use crate::sanitize;
use crate::ticket::{Contact, CreateTicket, Field, Ticket};

/// Where the form is in its life; `F` is why a send failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase<F> {
    Editing,
    Sending,
    /// The browser is offline, or the proxy could not be reached: the send waits for the
    /// browser to be back online and then goes out under the same idempotency key.
    Queued,
    /// Boxed: a ticket is large beside the other phases.
    Sent(Box<Ticket>),
    Failed(F),
}

/// What the last send carried and under which key. An edit that brings the form back to it
/// (a letter typed and deleted, a toolbar click that changes nothing) keeps that key: the
/// proxy may hold a ticket under it already, and a new key would file a second one.
#[derive(Debug, Clone, PartialEq)]
struct Attempt {
    title: String,
    /// The message as typed, and as cleaned for sending (the editor shows the latter once
    /// the user leaves it).
    messages: [String; 2],
    email: String,
    name: String,
    key: String,
}

impl Attempt {
    fn of(draft: &Draft) -> Self {
        Attempt {
            title: draft.title.trim().to_owned(),
            messages: [draft.message.clone(), draft.message.clone()],
            email: draft.email.trim().to_owned(),
            name: draft.name.trim().to_owned(),
            key: draft.idempotency_key.clone(),
        }
    }

    /// Whether the draft holds what was sent; spaces around a line do not count, as the
    /// rules trim them before sending.
    fn matches(&self, draft: &Draft) -> bool {
        draft.title.trim() == self.title
            && self.messages.contains(&draft.message)
            && draft.email.trim() == self.email
            && draft.name.trim() == self.name
    }
}

/// The form's draft, its last send and its phase.
#[derive(Debug, Clone, PartialEq)]
pub struct FormState<F> {
    draft: Draft,
    attempt: Option<Attempt>,
    phase: Phase<F>,
    /// The partner's contact details stay as they handed them over.
    lock_contact: bool,
}

impl<F> FormState<F> {
    /// A form showing `draft` (its message as editor HTML); `key` is used when the draft has
    /// none yet.
    pub fn new(mut draft: Draft, lock_contact: bool, key: impl FnOnce() -> String) -> Self {
        draft.message = message_html(draft.message);
        if draft.idempotency_key.is_empty() {
            draft.idempotency_key = key();
        }
        FormState {
            draft,
            attempt: None,
            phase: Phase::Editing,
            lock_contact,
        }
    }

    /// The draft as it is saved.
    pub fn draft(&self) -> &Draft {
        &self.draft
    }

    /// One field's value as the user typed it (the message is the editor's HTML).
    pub fn value(&self, field: Field) -> &str {
        match field {
            Field::Title => &self.draft.title,
            Field::Body => &self.draft.message,
            Field::Email => &self.draft.email,
            Field::Name => &self.draft.name,
        }
    }

    fn value_mut(&mut self, field: Field) -> &mut String {
        match field {
            Field::Title => &mut self.draft.title,
            Field::Body => &mut self.draft.message,
            Field::Email => &mut self.draft.email,
            Field::Name => &mut self.draft.name,
        }
    }

    /// The idempotency key the next send goes out under.
    pub fn key(&self) -> &str {
        &self.draft.idempotency_key
    }

    pub fn phase(&self) -> &Phase<F> {
        &self.phase
    }

    pub fn is_sending(&self) -> bool {
        matches!(self.phase, Phase::Sending)
    }

    pub fn is_queued(&self) -> bool {
        matches!(self.phase, Phase::Queued)
    }

    /// The user changed a field. The proxy may hold the last send under its key, and it
    /// refuses (409) a different ticket under the same key: an edited form is a new
    /// submission with a key of its own (`new_key`), and one edited back to what was sent is
    /// that send again. Editing a waiting or failed send takes it back, so nothing leaves
    /// that the user did not send.
    pub fn edit(&mut self, field: Field, value: String, new_key: impl FnOnce() -> String) {
        *self.value_mut(field) = value;
        match &self.attempt {
            Some(sent) if sent.matches(&self.draft) => {
                self.draft.idempotency_key = sent.key.clone();
            }
            sent => {
                let reuses_key = sent
                    .as_ref()
                    .is_some_and(|s| s.key == self.draft.idempotency_key);
                self.take_back();
                if reuses_key {
                    self.draft.idempotency_key = new_key();
                }
            }
        }
    }

    /// The editor's cleaned form of the message, which Send sends anyway: not an edit, so a
    /// queued or failed send keeps its key. False when nothing changed, and once the ticket
    /// was filed (the editor leaving then is the form making way for the confirmation).
    pub fn show_cleaned(&mut self, html: String) -> bool {
        if self.draft.message == html || matches!(self.phase, Phase::Sent(_)) {
            return false;
        }
        self.draft.message = html;
        true
    }

    /// Puts a saved draft in the form: a locked contact stays the partner's, an empty field
    /// keeps what the form has.
    pub fn restore(&mut self, saved: Draft) {
        self.draft.title = saved.title;
        self.draft.message = message_html(saved.message);
        if !self.lock_contact {
            if !saved.email.is_empty() {
                self.draft.email = saved.email;
            }
            if !saved.name.is_empty() {
                self.draft.name = saved.name;
            }
        }
        if !saved.idempotency_key.is_empty() {
            self.draft.idempotency_key = saved.idempotency_key;
        }
    }

    /// Another tab with this form saved `saved`: this one shows it, and a send waiting or
    /// failed here is taken back, as the other tab's text is now the message.
    pub fn follow(&mut self, saved: Draft) {
        self.restore(saved);
        self.take_back();
    }

    /// Fills the contact fields the user left empty.
    pub fn prefill(&mut self, email: &str, name: &str) {
        if self.draft.email.is_empty() {
            self.draft.email = email.to_owned();
        }
        if self.draft.name.is_empty() {
            self.draft.name = name.to_owned();
        }
    }

    /// Send was pressed: the ticket as typed, to go out under [`FormState::key`]. `None`
    /// while a send is on its way.
    pub fn submit(&mut self) -> Option<CreateTicket> {
        if self.is_sending() {
            return None;
        }
        self.attempt = Some(Attempt::of(&self.draft));
        self.phase = Phase::Sending;
        Some(CreateTicket {
            title: self.draft.title.clone(),
            body: self.draft.message.clone(),
            contact: Contact {
                email: self.draft.email.clone(),
                name: Some(self.draft.name.clone()),
            },
            ..Default::default()
        })
    }

    /// The message of the send on its way, as cleaned: editing back to it is that send again.
    pub fn cleaned(&mut self, body: &str) {
        if let Some(attempt) = &mut self.attempt {
            attempt.messages[1] = body.to_owned();
        }
    }

    /// The send waits for the browser to be online; false when it was waiting already.
    pub fn queue(&mut self) -> bool {
        if self.is_queued() {
            return false;
        }
        self.phase = Phase::Queued;
        true
    }

    /// The rules refused the ticket before it left: the user fixes the fields.
    pub fn refused(&mut self) {
        self.phase = Phase::Editing;
    }

    pub fn failed(&mut self, failure: F) {
        self.phase = Phase::Failed(failure);
    }

    /// The ticket was filed: the message and its key go, the contact stays for the success
    /// screen's "send another".
    pub fn sent(&mut self, ticket: Ticket, new_key: impl FnOnce() -> String) {
        self.attempt = None;
        self.draft.title.clear();
        self.draft.message.clear();
        self.draft.idempotency_key = new_key();
        self.phase = Phase::Sent(Box::new(ticket));
    }

    /// An empty form with the partner's contact details, as after "send another" or when
    /// another tab sent or started over.
    pub fn start_over(&mut self, email: &str, name: &str, new_key: impl FnOnce() -> String) {
        self.draft = Draft {
            email: email.to_owned(),
            name: name.to_owned(),
            idempotency_key: new_key(),
            ..Default::default()
        };
        self.attempt = None;
        self.phase = Phase::Editing;
    }

    /// The user stopped a queued send.
    pub fn cancel_queued(&mut self) {
        self.phase = Phase::Editing;
    }

    fn take_back(&mut self) {
        if matches!(self.phase, Phase::Failed(_) | Phase::Queued) {
            self.phase = Phase::Editing;
        }
    }
}

/// A saved message as editor HTML. Drafts from before the editor hold a text area's plain
/// text, with its line breaks and without tags. What the editor saves has no line breaks and
/// is HTML even without a tag (`tom &amp; jerry`, one line typed): it stays as it is.
pub fn message_html(saved: String) -> String {
    if saved.contains('<') || !saved.contains('\n') {
        saved
    } else {
        sanitize::text_to_html(&saved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::TicketStatus;

    type State = FormState<&'static str>;

    fn keys() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("k{n}")
        }
    }

    fn typed() -> State {
        let mut s = State::new(Draft::default(), false, || "k0".into());
        s.edit(Field::Title, "Payout".into(), || "unused".into());
        s.edit(Field::Body, "<p>Late</p>".into(), || "unused".into());
        s.edit(Field::Email, "a@b.co".into(), || "unused".into());
        s
    }

    fn ticket() -> Ticket {
        Ticket {
            ticket_id: "t".into(),
            number: 7,
            title: "Payout".into(),
            contact: Contact {
                email: "a@b.co".into(),
                name: None,
            },
            status: TicketStatus::New,
            created_on: String::new(),
            updated_on: String::new(),
            latest_message_on: None,
            closed_on: None,
            foreign_id: None,
        }
    }

    #[test]
    fn edits_before_any_send_keep_the_drafts_key() {
        let s = typed();
        assert_eq!(s.key(), "k0");
        assert_eq!(s.value(Field::Title), "Payout");
        assert_eq!(s.draft().message, "<p>Late</p>");
    }

    #[test]
    fn an_edit_back_to_the_last_send_keeps_its_key() {
        let mut s = typed();
        let mut key = keys();
        s.submit().unwrap();
        s.failed("timeout");
        s.edit(Field::Title, "Payouts".into(), &mut key);
        assert_eq!(
            s.key(),
            "k1",
            "a real edit after a failure is a new submission"
        );
        assert_eq!(
            s.phase(),
            &Phase::Editing,
            "the edit takes the failed send back"
        );
        s.edit(Field::Title, "Payout ".into(), &mut key);
        assert_eq!(s.key(), "k0", "back to what was sent: the same send again");
        s.edit(Field::Title, "Payoutz".into(), &mut key);
        assert_eq!(s.key(), "k2");
    }

    #[test]
    fn the_cleaned_message_is_the_same_send() {
        let mut s = typed();
        s.edit(Field::Body, "<p>Late <span>x</span></p>".into(), || {
            "n".into()
        });
        s.submit().unwrap();
        s.cleaned("<p>Late x</p>");
        s.failed("offline");
        assert!(s.show_cleaned("<p>Late x</p>".into()));
        assert_eq!(s.phase(), &Phase::Failed("offline"), "not an edit");
        s.edit(Field::Body, "<p>Late x</p>".into(), || "new".into());
        assert_eq!(s.key(), "k0");
        assert!(!s.show_cleaned("<p>Late x</p>".into()));
    }

    #[test]
    fn a_second_send_while_one_is_on_its_way_is_refused() {
        let mut s = typed();
        let ticket = s.submit().unwrap();
        assert_eq!(ticket.title, "Payout");
        assert_eq!(ticket.contact.email, "a@b.co");
        assert!(s.submit().is_none());
        s.refused();
        assert!(s.submit().is_some());
    }

    #[test]
    fn a_sent_form_clears_and_takes_a_new_key() {
        let mut s = typed();
        s.submit().unwrap();
        s.sent(ticket(), || "k1".into());
        assert!(matches!(s.phase(), Phase::Sent(t) if t.number == 7));
        assert_eq!(s.value(Field::Title), "");
        assert_eq!(s.value(Field::Body), "");
        assert_eq!(s.key(), "k1");
        assert!(
            !s.show_cleaned("<p>Late</p>".into()),
            "the editor making way for the confirmation brings nothing back"
        );
        assert_eq!(s.value(Field::Body), "");
        // Nothing of the sent message is "sent again" by an edit.
        s.start_over("p@b.co", "Pat", || "k2".into());
        s.edit(Field::Title, "Payout".into(), || "k3".into());
        assert_eq!(s.key(), "k2");
        assert_eq!(s.value(Field::Email), "p@b.co");
        assert_eq!(s.phase(), &Phase::Editing);
    }

    #[test]
    fn queueing_is_reported_once_and_an_edit_takes_it_back() {
        let mut s = typed();
        assert!(s.queue());
        assert!(!s.queue());
        s.edit(Field::Name, "Al".into(), || "n".into());
        assert_eq!(s.phase(), &Phase::Editing);
        assert_eq!(s.key(), "k0", "no send went out: the draft keeps its key");
        assert!(s.queue());
        s.cancel_queued();
        assert_eq!(s.phase(), &Phase::Editing);
    }

    #[test]
    fn a_line_the_editor_saved_comes_back_as_it_was() {
        let saved = |message: &str| Draft {
            message: message.into(),
            ..Draft::default()
        };
        for html in ["tom &amp; jerry", "one line", "<p>a</p>", ""] {
            let s = State::new(saved(html), false, || "k".into());
            assert_eq!(s.value(Field::Body), html);
        }
    }

    #[test]
    fn restoring_keeps_a_locked_contact_and_empty_fields_keep_the_forms() {
        let saved = Draft {
            title: "Old".into(),
            message: "plain\ntext".into(),
            email: "saved@b.co".into(),
            name: String::new(),
            idempotency_key: "saved-key".into(),
        };
        let mut locked = State::new(Draft::default(), true, || "k0".into());
        locked.prefill("partner@b.co", "Pat");
        locked.restore(saved.clone());
        assert_eq!(locked.value(Field::Email), "partner@b.co");
        assert_eq!(locked.value(Field::Body), "<p>plain<br>text</p>");
        assert_eq!(locked.key(), "saved-key");

        let mut open = State::new(Draft::default(), false, || "k0".into());
        open.prefill("partner@b.co", "Pat");
        open.restore(saved);
        assert_eq!(open.value(Field::Email), "saved@b.co");
        assert_eq!(open.value(Field::Name), "Pat");
    }

    #[test]
    fn following_another_tab_takes_back_a_failed_send() {
        let mut s = typed();
        s.submit().unwrap();
        s.failed("500");
        s.follow(Draft {
            title: "Other tab".into(),
            ..Default::default()
        });
        assert_eq!(s.phase(), &Phase::Editing);
        assert_eq!(s.value(Field::Title), "Other tab");
        assert_eq!(
            s.key(),
            "k0",
            "a saved draft without a key keeps the form's"
        );
    }

    #[test]
    fn prefill_fills_only_what_is_empty() {
        let mut s = typed();
        s.prefill("other@b.co", "Pat");
        assert_eq!(s.value(Field::Email), "a@b.co");
        assert_eq!(s.value(Field::Name), "Pat");
    }
}
