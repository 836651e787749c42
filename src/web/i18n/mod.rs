//! Every string the widget shows, and how a locale is chosen.
//!
//! English is built in. Every other language is a JSON file in `locales/` (named by its
//! primary language subtag), served beside the widget and fetched only by the pages that
//! speak it, so each language added costs nothing to the others. With the `inline-locales`
//! feature the files are linked in instead.
//!
//! Placeholders in braces (`{number}`, `{max}`, …) are filled by the form. Messages the server
//! wrote (a 422's field messages, a 400's reason) are shown as sent.
//!
//! Our own on purpose: a few dozen strings looked up by key need no message-format engine, and
//! a library such as `fluent` would put its parser and plural data into the first module every
//! page downloads, where each kilobyte delays the form.

mod en;
mod load;
pub mod plural;
mod read;
pub use read::Keyed;
pub mod time;

pub use crate::locale::Locale;
pub use load::{load, parse, LocaleError};
pub use plural::Plural;

use crate::rules::Problem;
use crate::ticket::{Field, TicketStatus};
use crate::web::client::{SubmitError, DEFAULT_RETRY_SECONDS};

impl Locale {
    /// The partner's `locale` when it is supported, else the browser's first supported
    /// language, else English.
    pub fn choose(requested: Option<&str>) -> Locale {
        requested
            .and_then(Locale::from_tag)
            .or_else(browser_locale)
            .unwrap_or(Locale::En)
    }

    /// This language's strings once [`load`] has them (English is always there); English
    /// until then, or when they could not be loaded.
    pub fn strings(self) -> &'static Strings {
        load::loaded(self).unwrap_or(&en::STRINGS)
    }

    /// The language [`Locale::strings`] is written in: this one, or English while its file
    /// has not arrived or after it could not be used. A form's `lang` and `dir` follow it, so
    /// English text is never laid out right to left or read aloud as Arabic.
    pub fn spoken(self) -> Locale {
        if load::has_own(self) {
            self
        } else {
            Locale::En
        }
    }

    /// Whether [`Locale::strings`] answers for good, without a [`load`] first.
    pub fn is_ready(self) -> bool {
        load::loaded(self).is_some()
    }
}

fn browser_locale() -> Option<Locale> {
    let navigator = web_sys::window()?.navigator();
    navigator
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .chain(navigator.language())
        .find_map(|l| Locale::from_tag(&l))
}

read::texts! {
/// The visible text of the form in one language.
#[derive(Debug)]
pub struct Strings {
    pub subject: &'static str,
    pub message: &'static str,
    pub message_hint: &'static str,
    pub email: &'static str,
    pub name: &'static str,
    pub send: &'static str,
    pub sending: &'static str,
    /// `{number}`: the ticket number.
    pub created: &'static str,
    /// `{status}`: one of the `status_*` words.
    pub status: &'static str,
    pub status_new: &'static str,
    pub status_in_progress: &'static str,
    pub status_on_hold: &'static str,
    pub status_closed: &'static str,
    pub another: &'static str,
    /// `{id}`: the request id.
    pub reference: &'static str,
    pub fix_fields: &'static str,
    pub draft_restored: &'static str,
    /// Shown while a send waits for the browser to come back online.
    pub queued: &'static str,
    /// The loader's static form, when the form itself never arrived.
    pub load_failed: &'static str,
    /// Takes a waiting send back to editing.
    pub cancel_queued: &'static str,
    pub launcher: &'static str,
    pub close: &'static str,
    /// The message editor's toolbar.
    pub formatting: &'static str,
    pub bold: &'static str,
    pub italic: &'static str,
    pub bulleted_list: &'static str,
    pub numbered_list: &'static str,
    pub link: &'static str,
    pub code: &'static str,
    pub link_prompt: &'static str,
    pub problems: ProblemStrings,
    pub errors: ErrorStrings,
    pub inbox: InboxStrings,
}

/// The user's requests and their conversations.
#[derive(Debug)]
pub struct InboxStrings {
    pub your_requests: &'static str,
    pub view_requests: &'static str,
    pub new_request: &'static str,
    pub empty: &'static str,
    pub load_more: &'static str,
    pub loading: &'static str,
    pub status_new: &'static str,
    pub status_in_progress: &'static str,
    pub status_on_hold: &'static str,
    pub status_closed: &'static str,
    /// `{number}`: the ticket number.
    pub request_title: &'static str,
    /// `{when}`: a relative time such as "5 minutes ago".
    pub last_activity: &'static str,
    pub from_you: &'static str,
    pub from_support: &'static str,
    pub close: &'static str,
    pub close_confirm: &'static str,
    pub close_yes: &'static str,
    pub close_no: &'static str,
    pub closing: &'static str,
    /// `{date}`: the closing date.
    pub closed_on: &'static str,
    pub close_failed: &'static str,
    /// Marks a request with a reply the user has not read.
    pub unread: &'static str,
    /// Read out by screen readers; `{number}`: the ticket number.
    pub reply_announcement: &'static str,
    pub offline: &'static str,
    pub reconnecting: &'static str,
    pub load_failed: &'static str,
    pub retry: &'static str,
    pub back: &'static str,
    pub not_found: &'static str,
    /// The launcher's badge, read out; `{count}`: how many requests have unread replies.
    pub unread_count: Plural,
}

/// What is wrong with one field ([`Problem`]).
#[derive(Debug)]
pub struct ProblemStrings {
    pub title_required: &'static str,
    pub body_required: &'static str,
    pub email_required: &'static str,
    pub required: &'static str,
    /// `{max}`: the limit in characters.
    pub too_long: &'static str,
    pub control_characters: &'static str,
    pub invalid_email: &'static str,
    pub no_visible_text: &'static str,
    pub body_too_large: &'static str,
}

/// Why a send failed ([`SubmitError`]).
#[derive(Debug)]
pub struct ErrorStrings {
    pub invalid: &'static str,
    /// `{reason}`: the server's words.
    pub bad_request: &'static str,
    pub session_expired: &'static str,
    pub forbidden: &'static str,
    pub not_found: &'static str,
    /// `{reason}`: the server's words.
    pub conflict: &'static str,
    pub too_large: &'static str,
    /// `{seconds}`: how long to wait.
    pub rate_limited: Plural,
    pub server_error: &'static str,
    pub bad_gateway: &'static str,
    pub gateway_timeout: &'static str,
    pub network: &'static str,
    pub timeout: &'static str,
    /// `{status}`: the HTTP status.
    pub unexpected: &'static str,
}
}

impl Strings {
    /// The message under `field` for `problem`.
    pub fn problem(&self, problem: &Problem, field: Field) -> String {
        let p = &self.problems;
        match (problem, field) {
            (Problem::Required, Field::Title) => p.title_required.into(),
            (Problem::Required, Field::Body) => p.body_required.into(),
            (Problem::Required, Field::Email) => p.email_required.into(),
            (Problem::Required, Field::Name) => p.required.into(),
            (Problem::TooLong { max }, _) => p.too_long.replace("{max}", &max.to_string()),
            (Problem::ControlCharacters, _) => p.control_characters.into(),
            (Problem::InvalidEmail, _) => p.invalid_email.into(),
            (Problem::NoVisibleText, _) => p.no_visible_text.into(),
            (Problem::BodyTooLarge, _) => p.body_too_large.into(),
        }
    }

    /// The banner text for a failed send, counted in `locale`: the language these strings
    /// are written in ([`Locale::spoken`]).
    pub fn submit_error(&self, locale: Locale, error: &SubmitError) -> String {
        let e = &self.errors;
        match error {
            SubmitError::Invalid(_) => e.invalid.into(),
            SubmitError::BadRequest(reason) => e.bad_request.replace("{reason}", reason),
            SubmitError::SessionExpired => e.session_expired.into(),
            SubmitError::Forbidden => e.forbidden.into(),
            SubmitError::NotFound => e.not_found.into(),
            SubmitError::Conflict(reason) => e.conflict.replace("{reason}", reason),
            SubmitError::TooLarge => e.too_large.into(),
            SubmitError::RateLimited(seconds) => {
                let seconds = seconds.unwrap_or(DEFAULT_RETRY_SECONDS);
                e.rate_limited.format(locale, seconds.into(), "{seconds}")
            }
            SubmitError::ServerError => e.server_error.into(),
            SubmitError::BadGateway => e.bad_gateway.into(),
            SubmitError::GatewayTimeout => e.gateway_timeout.into(),
            SubmitError::Network => e.network.into(),
            SubmitError::Timeout => e.timeout.into(),
            SubmitError::Unexpected(status) => {
                e.unexpected.replace("{status}", &status.to_string())
            }
        }
    }

    /// A ticket status in words; an unknown one as the server sent it.
    pub fn ticket_status<'a>(&self, status: &'a TicketStatus) -> &'a str
    where
        'static: 'a,
    {
        match status {
            TicketStatus::New => self.status_new,
            TicketStatus::InProgress => self.status_in_progress,
            TicketStatus::OnHold => self.status_on_hold,
            TicketStatus::Closed => self.status_closed,
            TicketStatus::Unknown(s) => s,
        }
    }
}

/// The strings for a BCP 47 locale tag (or the browser's language when `None`).
pub fn strings(locale: Option<&str>) -> &'static Strings {
    Locale::choose(locale).strings()
}
