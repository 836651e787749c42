//! Ticket ids as the proxy accepts them from the widget.
//!
//! Moov's schemas give `ticketID` no format, so any id Moov could return is accepted; only
//! what could not be one path segment of Moov's URL is refused, so a crafted id can never
//! reach another endpoint (`..`, `/`, `?`, `%2F`).

use std::fmt;

use thiserror::Error;

/// Longest id accepted; Moov's ids are UUIDs today, far shorter.
pub const MAX_LEN: usize = 128;

/// A ticket id that is safe to put in a URL path as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TicketId(String);

/// Why a ticket id is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the ticket ID must be 1 to {MAX_LEN} characters of A-Z, a-z, 0-9, `.`, `_`, `~` or `-` (not `.` or `..` alone)")]
pub struct InvalidTicketId;

impl TicketId {
    /// Unreserved URL characters only (RFC 3986), at most [`MAX_LEN`] of them.
    pub fn parse(raw: &str) -> Result<TicketId, InvalidTicketId> {
        let unreserved =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-');
        let ok = !raw.is_empty()
            && raw.len() <= MAX_LEN
            && raw.bytes().all(unreserved)
            && raw != "."
            && raw != "..";
        ok.then(|| TicketId(raw.to_owned())).ok_or(InvalidTicketId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opaque_ids_are_accepted_and_path_tricks_refused() {
        for good in [
            "5e1f6a3c-0b7d-4c39-9a8e-2f4d6b8c1a27",
            "t_123",
            "TCK.2026~a",
            "a",
            "...",
            &"x".repeat(MAX_LEN),
        ] {
            assert_eq!(TicketId::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "a%2Fb",
            "a b",
            "a?b",
            "a#b",
            "é",
            "a\n",
            &"x".repeat(MAX_LEN + 1),
        ] {
            assert_eq!(TicketId::parse(bad), Err(InvalidTicketId), "{bad:?}");
        }
    }
}
