//! Moov API versions (`x-moov-version`).
//!
//! Moov assumes `v2024.01.00` when the header is absent, and support tickets only exist from
//! `v2025.07.00` on, so the proxy always sends an explicit version and refuses, at start-up,
//! one that cannot file tickets. The sandbox (`moov-support-sandbox`) gates its ticket routes
//! with the same type.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// One `vYYYY.QQ.BB` version. Ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MoovVersion {
    pub year: u16,
    /// The first month of the quarter: 1, 4, 7 or 10.
    pub quarter_month: u8,
    pub build: u8,
}

impl MoovVersion {
    /// What Moov assumes when a request carries no `x-moov-version`.
    pub const IMPLICIT: MoovVersion = MoovVersion::new(2024, 1, 0);
    /// The first version with support tickets.
    pub const FIRST_WITH_TICKETS: MoovVersion = MoovVersion::new(2025, 7, 0);
    /// What the proxy sends unless configured otherwise.
    pub const DEFAULT: MoovVersion = MoovVersion::FIRST_WITH_TICKETS;

    pub const fn new(year: u16, quarter_month: u8, build: u8) -> Self {
        MoovVersion {
            year,
            quarter_month,
            build,
        }
    }

    pub fn supports_tickets(self) -> bool {
        self >= Self::FIRST_WITH_TICKETS
    }
}

impl fmt::Display for MoovVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "v{:04}.{:02}.{:02}",
            self.year, self.quarter_month, self.build
        )
    }
}

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VersionError {
    #[error("`{0}` is not a Moov API version: use the form vYYYY.QQ.BB, e.g. v2025.07.00")]
    Format(String),
    #[error("`{0}` names no quarter: QQ must be 01, 04, 07 or 10")]
    Quarter(String),
    #[error("`{0}` has no support tickets: use v2025.07.00 or later")]
    TooOld(String),
    #[error("`{0}` was never published by Moov: use v2025.07.00 or v2026.01.00")]
    NeverPublished(String),
}

impl FromStr for MoovVersion {
    type Err = VersionError;

    /// Parses the wire form only: `latest` is refused, Moov deprecated it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let format_err = || VersionError::Format(s.to_owned());
        let rest = s.strip_prefix('v').ok_or_else(format_err)?;
        let mut parts = rest.split('.');
        let (Some(y), Some(q), Some(b), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(format_err());
        };
        let digits = |p: &str, len: usize| p.len() == len && p.bytes().all(|c| c.is_ascii_digit());
        if !(digits(y, 4) && digits(q, 2) && digits(b, 2)) {
            return Err(format_err());
        }
        let version = MoovVersion {
            year: y.parse().map_err(|_| format_err())?,
            quarter_month: q.parse().map_err(|_| format_err())?,
            build: b.parse().map_err(|_| format_err())?,
        };
        if !matches!(version.quarter_month, 1 | 4 | 7 | 10) {
            return Err(VersionError::Quarter(s.to_owned()));
        }
        Ok(version)
    }
}

/// Parses a version the proxy is asked to send and checks it can file tickets.
pub fn parse_for_tickets(s: &str) -> Result<MoovVersion, VersionError> {
    let v: MoovVersion = s.trim().parse()?;
    if !v.supports_tickets() {
        return Err(VersionError::TooOld(s.to_owned()));
    }
    if v == MoovVersion::new(2025, 10, 0) {
        return Err(VersionError::NeverPublished(s.to_owned()));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders_published_versions() {
        let published = [
            "v2024.01.00",
            "v2025.01.00",
            "v2025.04.00",
            "v2025.07.00",
            "v2026.01.00",
            "v2026.04.00",
            "v2026.07.00",
            "v2026.10.00",
        ];
        let parsed: Vec<MoovVersion> = published.iter().map(|s| s.parse().unwrap()).collect();
        for (s, v) in published.iter().zip(&parsed) {
            assert_eq!(&v.to_string(), s);
        }
        assert!(parsed.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(parsed[0], MoovVersion::IMPLICIT);
        assert!(MoovVersion::new(2025, 7, 1) > MoovVersion::FIRST_WITH_TICKETS);
    }

    #[test]
    fn refuses_malformed_versions() {
        for bad in [
            "",
            "latest",
            "2025.07.00",
            "v2025.7.00",
            "v2025.07.0",
            "v2025.07",
            "v2025.07.00.1",
            "v25.07.00",
            "v2025-07-00",
            "v2025.07.0a",
            "v+025.07.00",
            "V2025.07.00",
        ] {
            assert_eq!(
                bad.parse::<MoovVersion>(),
                Err(VersionError::Format(bad.into())),
                "{bad}"
            );
        }
        for bad in ["v2025.02.00", "v2025.00.00", "v2025.12.00"] {
            assert_eq!(
                bad.parse::<MoovVersion>(),
                Err(VersionError::Quarter(bad.into()))
            );
        }
    }

    #[test]
    fn only_ticket_versions_are_sent() {
        assert_eq!(
            parse_for_tickets("v2025.07.00"),
            Ok(MoovVersion::new(2025, 7, 0))
        );
        assert_eq!(
            parse_for_tickets(" v2026.04.03 "),
            Ok(MoovVersion::new(2026, 4, 3))
        );
        for old in ["v2024.01.00", "v2025.04.00", "v2025.04.99"] {
            assert_eq!(
                parse_for_tickets(old),
                Err(VersionError::TooOld(old.into()))
            );
        }
        assert!(matches!(
            parse_for_tickets("v2025.10.00"),
            Err(VersionError::NeverPublished(_))
        ));
        let msg = parse_for_tickets("v2025.04.00").unwrap_err().to_string();
        assert!(msg.contains("v2025.07.00"), "{msg}");
    }
}
