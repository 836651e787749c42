//! Every string the widget shows, in one place per language.

/// The visible text of the form.
#[derive(Debug)]
pub struct Strings {
    pub subject: &'static str,
    pub message: &'static str,
    pub message_hint: &'static str,
    pub email: &'static str,
    pub name: &'static str,
    pub send: &'static str,
    pub sending: &'static str,
    pub created: &'static str,
    pub status: &'static str,
    pub another: &'static str,
    pub reference: &'static str,
    pub fix_fields: &'static str,
    pub draft_restored: &'static str,
}

pub const EN: Strings = Strings {
    subject: "Subject",
    message: "Message",
    message_hint: "Describe what happened and what you expected. Blank lines start new paragraphs.",
    email: "Your email",
    name: "Your name (optional)",
    send: "Send",
    sending: "Sending…",
    created: "Ticket #{number} created",
    status: "Status: {status}",
    another: "Write another message",
    reference: "Reference: {id}",
    fix_fields: "Some fields need attention.",
    draft_restored: "Your unsent message was restored.",
};

/// The strings for a BCP 47 locale tag; English until other languages are added.
pub fn strings(_locale: Option<&str>) -> &'static Strings {
    &EN
}
