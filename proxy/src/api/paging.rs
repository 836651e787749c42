//! The session's page of tickets: Moov's pages filtered by the visibility rule.
//!
//! Moov pages the whole account; the session may see only part of it. The proxy reads
//! Moov's pages ([`UPSTREAM_PAGE`] tickets each) until it has `count` visible tickets, Moov
//! has no more, or [`MAX_UPSTREAM_PAGES`] were read, and answers a cursor of its own that
//! says where to continue: Moov's cursor of the page it stopped in and how many of that
//! page's tickets were already gone through.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use futures_util::future::join_all;
use moov_support::Ticket;
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::error::ApiError;
use crate::moov::{Answer, Failure, ListQuery, NextPage, TicketPage};
use crate::session::Session;

/// Tickets asked of Moov per call: Moov's default page, so a few calls cover most accounts.
pub(super) const UPSTREAM_PAGE: u32 = 200;
/// Moov calls one list request may make; past it the answer has fewer items and a cursor.
pub(super) const MAX_UPSTREAM_PAGES: usize = 5;

/// Where a list continues: in Moov's page at `upstream` (the first page when `None`), after
/// its first `skip` tickets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Position {
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    upstream: Option<String>,
    #[serde(rename = "s", default)]
    skip: usize,
}

impl Position {
    /// The widget's `cursor`, as [`Position::cursor`] wrote it.
    pub(super) fn from_cursor(cursor: &str) -> Result<Position, ApiError> {
        B64.decode(cursor)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| {
                ApiError::BadRequest("cursor must be the nextPage cursor of a previous page".into())
            })
    }

    fn cursor(&self) -> String {
        B64.encode(serde_json::to_vec(self).expect("a position serializes"))
    }
}

/// Up to `count` tickets the session may see, from `start` on, and where to continue.
pub(super) async fn visible_page(
    state: &AppState,
    session: &Session,
    start: Position,
    count: usize,
    status: Option<String>,
) -> Result<Answer<TicketPage>, Failure> {
    let mut at = start;
    let mut items: Vec<Ticket> = Vec::new();
    let mut request_id = None;
    for _ in 0..MAX_UPSTREAM_PAGES {
        let query = ListQuery {
            cursor: at.upstream.clone(),
            count: Some(UPSTREAM_PAGE),
            status: status.clone(),
        };
        let page = state
            .0
            .moov
            .list_tickets(session.account_id, &query)
            .await?;
        request_id = page.request_id;
        let page_len = page.value.items.len();
        let after_page = page.value.next_page.map(|NextPage { cursor }| Position {
            upstream: Some(cursor),
            skip: 0,
        });
        let tickets: Vec<Ticket> = page.value.items.into_iter().skip(at.skip).collect();
        let seen = visible(state, session, &tickets).await?;
        for (i, (ticket, shown)) in tickets.into_iter().zip(seen).enumerate() {
            if !shown {
                continue;
            }
            items.push(ticket);
            if items.len() == count {
                let skip = at.skip + i + 1;
                // More of this page left: continue in it; otherwise where Moov would.
                let next = if skip < page_len {
                    Some(Position {
                        upstream: at.upstream,
                        skip,
                    })
                } else {
                    after_page
                };
                return Ok(done(items, next, request_id));
            }
        }
        match after_page {
            Some(next) => at = next,
            None => return Ok(done(items, None, request_id)),
        }
    }
    Ok(done(items, Some(at), request_id))
}

fn done(
    items: Vec<Ticket>,
    next: Option<Position>,
    request_id: Option<axum::http::HeaderValue>,
) -> Answer<TicketPage> {
    Answer {
        value: TicketPage {
            items,
            next_page: next.map(|p| NextPage { cursor: p.cursor() }),
        },
        request_id,
    }
}

/// The rule for each ticket, asked all at once: a session without email looks each up.
async fn visible(
    state: &AppState,
    session: &Session,
    tickets: &[Ticket],
) -> Result<Vec<bool>, Failure> {
    let visibility = &state.0.visibility;
    join_all(
        tickets
            .iter()
            .map(|t| visibility.sees(session, session.account_id, t)),
    )
    .await
    .into_iter()
    .map(|r| {
        r.map_err(|e| {
            tracing::error!(error = %e, "could not read who filed a ticket");
            Failure::from(ApiError::StoreUnavailable)
        })
    })
    .collect()
}
