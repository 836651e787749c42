//! "Your requests": the user's tickets as the widget holds them, in one place with named
//! changes (a page arrived, a live event, a ticket read back), and which of them have a reply
//! the user has not read. No browser in here, so the rules are tested natively.
//!
//! Unread rule: a ticket is unread when its `latestMessageOn` is later than the
//! `latestMessageOn` the user last saw for it. What was seen is recorded when the user files
//! the ticket, when they open it, and when this browser sees the ticket for the first time,
//! so a new browser (or a cleared storage) does not flag a whole history as unread.

use crate::ticket::{Ticket, TicketStatus};

/// Milliseconds since the Unix epoch of an RFC 3339 timestamp (`2026-11-29T16:05:00.123Z`,
/// `…+02:00`); `None` when it is not one. Moov's timestamps are compared, never shown, here:
/// the browser's `Intl` writes them for people.
pub fn instant(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    let sep = |at: usize, c: &[u8]| b.get(at).is_some_and(|x| c.contains(x));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let mut at = 19;
    let mut millis = 0;
    if sep(at, b".") {
        let digits = b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        let first3 = num(at + 1, digits.min(3))?;
        millis = first3 * 10i64.pow(3 - digits.min(3) as u32);
        at += 1 + digits;
    }
    let offset_minutes = match b.get(at..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let minutes = num(at + 1, 2)? * 60 + num(at + 4, 2)?;
            if *sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm), proleptic Gregorian.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

/// When a ticket last changed: its last message or its last update, whichever is later.
fn activity(ticket: &Ticket) -> i64 {
    let updated = instant(&ticket.updated_on);
    let message = ticket.latest_message_on.as_deref().and_then(instant);
    updated.max(message).unwrap_or(i64::MIN)
}

/// Who wrote a message, as the proxy decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    User,
    Support,
}

/// One message of a request, oldest first in a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub from: Author,
    /// HTML, cleaned again by the widget's sanitizer before it is shown.
    pub body: String,
    pub sent_on: String,
}

/// What the live channel says about one ticket the user may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketEvent {
    pub ticket_id: String,
    pub number: i64,
    pub status: TicketStatus,
    pub latest_message_on: Option<String>,
}

/// How far the list has been read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paging {
    /// Nothing has arrived yet.
    NotLoaded,
    /// More tickets follow this cursor.
    More(String),
    /// Every ticket is in the list.
    End,
}

/// What [`Inbox::apply`] did with a live event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// A ticket in the list changed and moved to the top.
    Updated,
    /// The ticket is not in the list: read it, then [`Inbox::upsert`] it.
    Unknown,
}

/// The user's tickets, newest activity first, and where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbox {
    tickets: Vec<Ticket>,
    paging: Paging,
}

impl Default for Inbox {
    fn default() -> Self {
        Inbox {
            tickets: Vec::new(),
            paging: Paging::NotLoaded,
        }
    }
}

impl Inbox {
    pub fn tickets(&self) -> &[Ticket] {
        &self.tickets
    }

    pub fn ticket(&self, id: &str) -> Option<&Ticket> {
        self.tickets.iter().find(|t| t.ticket_id == id)
    }

    pub fn is_loaded(&self) -> bool {
        self.paging != Paging::NotLoaded
    }

    /// The cursor "Load more" continues from; `None` when every ticket is there.
    pub fn cursor(&self) -> Option<&str> {
        match &self.paging {
            Paging::More(cursor) => Some(cursor),
            _ => None,
        }
    }

    /// The first page, read again (on opening, on reconnecting, at a check for news): its
    /// tickets replace their older copies and new ones join. A cursor already followed
    /// further stays, since the pages after it were read.
    pub fn first_page(&mut self, items: Vec<Ticket>, next: Option<String>) {
        if self.paging == Paging::NotLoaded {
            self.paging = next.map_or(Paging::End, Paging::More);
        }
        self.merge(items);
    }

    /// The page "Load more" asked for.
    pub fn next_page(&mut self, items: Vec<Ticket>, next: Option<String>) {
        self.paging = next.map_or(Paging::End, Paging::More);
        self.merge(items);
    }

    /// A ticket read back (opened, closed, or named by an event): replaces its older copy or
    /// joins the list, in order.
    pub fn upsert(&mut self, ticket: Ticket) {
        self.merge(vec![ticket]);
    }

    /// Each ticket replaces its older copy and takes its place: newest activity first, then
    /// newest number. Placed one by one rather than sorted: a page is a few dozen tickets, and
    /// a sort's code would cost the widget's first module more than it saves.
    fn merge(&mut self, items: Vec<Ticket>) {
        for ticket in items {
            self.tickets.retain(|t| t.ticket_id != ticket.ticket_id);
            let key = (activity(&ticket), ticket.number);
            let at = self
                .tickets
                .iter()
                .position(|t| (activity(t), t.number) < key)
                .unwrap_or(self.tickets.len());
            self.tickets.insert(at, ticket);
        }
    }

    /// A live event: the ticket takes the event's status and last message and moves to the
    /// top, since something just happened to it.
    pub fn apply(&mut self, event: &TicketEvent) -> Applied {
        let Some(at) = self
            .tickets
            .iter()
            .position(|t| t.ticket_id == event.ticket_id)
        else {
            return Applied::Unknown;
        };
        let mut ticket = self.tickets.remove(at);
        ticket.status = event.status.clone();
        if event.latest_message_on.is_some() {
            ticket.latest_message_on = event.latest_message_on.clone();
        }
        self.tickets.insert(0, ticket);
        Applied::Updated
    }
}

/// What the user last saw of each ticket: its `latestMessageOn` then, in milliseconds
/// (`None`: it had no message yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    /// A list, not a map: a few hundred entries at most, and a map's code is bytes the
    /// widget's first module does not need.
    last: Vec<(String, Option<i64>)>,
}

/// How many tickets [`Seen`] remembers; the oldest records go first, so the storage of a
/// user with years of requests stays small.
pub const SEEN_LIMIT: usize = 500;

impl Seen {
    /// Rebuilds what was stored; `entries` are ticket id and last seen message time.
    /// Rebuilds what was stored; a ticket listed twice keeps its last entry.
    pub fn from_entries(entries: impl IntoIterator<Item = (String, Option<i64>)>) -> Self {
        let mut seen = Seen::default();
        for (id, at) in entries {
            seen.set(id, at);
        }
        seen
    }

    pub fn entries(&self) -> impl Iterator<Item = (&str, Option<i64>)> {
        self.last.iter().map(|(k, v)| (k.as_str(), *v))
    }

    fn get(&self, id: &str) -> Option<Option<i64>> {
        self.last.iter().find(|(k, _)| k == id).map(|(_, v)| *v)
    }

    /// Records `at` for `id`; what was there before.
    fn set(&mut self, id: String, at: Option<i64>) -> Option<Option<i64>> {
        match self.last.iter_mut().find(|(k, _)| *k == id) {
            Some((_, old)) => Some(std::mem::replace(old, at)),
            None => {
                self.last.push((id, at));
                None
            }
        }
    }

    /// Whether `ticket` has a message the user has not seen. A ticket this browser has not
    /// seen before is not unread; [`Seen::first_sight`] records it.
    pub fn is_unread(&self, ticket: &Ticket) -> bool {
        let latest = ticket.latest_message_on.as_deref().and_then(instant);
        match self.get(&ticket.ticket_id) {
            Some(seen) => latest > seen,
            None => false,
        }
    }

    /// Records the ticket as the user sees it now (filed it, opened it); whether that
    /// changed anything worth saving.
    pub fn mark_seen(&mut self, ticket: &Ticket) -> bool {
        let latest = ticket.latest_message_on.as_deref().and_then(instant);
        let old = self.set(ticket.ticket_id.clone(), latest);
        self.trim();
        old != Some(latest)
    }

    /// Records every ticket this browser had not seen, as read; whether any was new.
    pub fn first_sight<'a>(&mut self, tickets: impl IntoIterator<Item = &'a Ticket>) -> bool {
        let mut changed = false;
        for ticket in tickets {
            if self.get(&ticket.ticket_id).is_none() {
                changed |= self.mark_seen(ticket);
            }
        }
        changed
    }

    /// Takes in what another widget or tab of the same user has read: for each ticket the
    /// later mark wins, so a mark never moves back; whether anything changed.
    pub fn merge(&mut self, other: &Seen) -> bool {
        let mut changed = false;
        for (id, at) in other.entries() {
            if self.get(id).is_none_or(|mine| mine < at) {
                self.set(id.to_owned(), at);
                changed = true;
            }
        }
        self.trim();
        changed
    }

    /// How many of `tickets` are unread.
    pub fn unread_count<'a>(&self, tickets: impl IntoIterator<Item = &'a Ticket>) -> usize {
        tickets.into_iter().filter(|t| self.is_unread(t)).count()
    }

    fn trim(&mut self) {
        while self.last.len() > SEEN_LIMIT {
            let oldest = (0..self.last.len()).min_by_key(|&i| self.last[i].1);
            match oldest {
                Some(i) => self.last.swap_remove(i),
                None => break,
            };
        }
    }
}

/// The live connection as the user is told about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// Not started, or on its way for the first time: nothing to say yet.
    Connecting,
    Live,
    /// It dropped and is being tried again; what is shown stays.
    Reconnecting,
    /// The browser says it is offline; nothing is tried until it is back.
    Offline,
}

#[cfg(test)]
#[path = "inbox_state_tests.rs"]
mod tests;
