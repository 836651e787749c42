use super::*;
use crate::ticket::Contact;

fn ticket(id: &str, number: i64, updated: &str, latest: Option<&str>) -> Ticket {
    Ticket {
        ticket_id: id.into(),
        number,
        title: format!("Ticket {number}"),
        contact: Contact {
            email: "jordan@example.com".into(),
            name: None,
        },
        status: TicketStatus::New,
        created_on: "2026-11-01T00:00:00Z".into(),
        updated_on: updated.into(),
        latest_message_on: latest.map(Into::into),
        closed_on: None,
        foreign_id: None,
    }
}

fn ids(inbox: &Inbox) -> Vec<&str> {
    inbox
        .tickets()
        .iter()
        .map(|t| t.ticket_id.as_str())
        .collect()
}

fn event(id: &str, latest: Option<&str>) -> TicketEvent {
    TicketEvent {
        ticket_id: id.into(),
        number: 0,
        status: TicketStatus::InProgress,
        latest_message_on: latest.map(Into::into),
    }
}

#[test]
fn timestamps_read_as_the_same_instant_in_any_offset() {
    assert_eq!(instant("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(instant("2026-11-29T16:05:00Z"), Some(1_795_968_300_000));
    assert_eq!(
        instant("2026-11-29T18:05:00.5+02:00"),
        instant("2026-11-29T16:05:00.500Z")
    );
    assert_eq!(
        instant("2000-02-29T23:59:59.123456789-01:30"),
        Some(951_874_199_123)
    );
    for bad in [
        "",
        "2026-11-29",
        "2026-13-01T00:00:00Z",
        "2026-11-29T16:05:00",
        "2026-11-29T16:05:00.Z",
        "2026-11-29T16:05:00+0200",
        "x026-11-29T16:05:00Z",
    ] {
        assert_eq!(instant(bad), None, "{bad:?}");
    }
}

#[test]
fn pages_merge_newest_activity_first_and_follow_the_cursor() {
    let mut inbox = Inbox::default();
    assert!(!inbox.is_loaded());
    inbox.first_page(
        vec![
            ticket("a", 1, "2026-11-01T10:00:00Z", None),
            ticket("b", 2, "2026-11-01T09:00:00Z", Some("2026-11-02T00:00:00Z")),
        ],
        Some("c1".into()),
    );
    assert!(inbox.is_loaded());
    assert_eq!(ids(&inbox), ["b", "a"], "a message counts as activity");
    assert_eq!(inbox.cursor(), Some("c1"));

    inbox.next_page(vec![ticket("c", 3, "2026-10-01T00:00:00Z", None)], None);
    assert_eq!(ids(&inbox), ["b", "a", "c"]);
    assert_eq!(inbox.cursor(), None);

    // The first page read again: a changed ticket replaces its copy and moves up, a new
    // one joins, and the list stays complete.
    inbox.first_page(
        vec![
            ticket("d", 4, "2026-11-03T00:00:00Z", None),
            ticket("c", 3, "2026-11-02T12:00:00Z", None),
        ],
        Some("c9".into()),
    );
    assert_eq!(ids(&inbox), ["d", "c", "b", "a"]);
    assert_eq!(inbox.tickets().len(), 4, "no ticket twice");
    assert_eq!(inbox.cursor(), None);
}

#[test]
fn a_live_event_moves_its_ticket_to_the_top_or_asks_for_it() {
    let mut inbox = Inbox::default();
    inbox.first_page(
        vec![
            ticket("new", 2, "2026-11-02T00:00:00Z", None),
            ticket(
                "old",
                1,
                "2026-11-01T00:00:00Z",
                Some("2026-11-01T00:00:00Z"),
            ),
        ],
        None,
    );
    assert_eq!(
        inbox.apply(&event("old", Some("2026-11-03T00:00:00Z"))),
        Applied::Updated
    );
    assert_eq!(ids(&inbox), ["old", "new"]);
    let old = inbox.ticket("old").unwrap();
    assert_eq!(old.status, TicketStatus::InProgress);
    assert_eq!(
        old.latest_message_on.as_deref(),
        Some("2026-11-03T00:00:00Z")
    );

    // A status change without a message keeps the last message's time.
    inbox.apply(&event("new", None));
    assert_eq!(ids(&inbox), ["new", "old"]);
    assert_eq!(inbox.ticket("new").unwrap().latest_message_on, None);

    assert_eq!(inbox.apply(&event("elsewhere", None)), Applied::Unknown);
    inbox.upsert(ticket("elsewhere", 3, "2026-11-04T00:00:00Z", None));
    // A ticket merged in takes its place by its own times; the others keep theirs, so a
    // status change stays near the top until the ticket is read back with Moov's new
    // `updatedOn`.
    assert_eq!(ids(&inbox), ["elsewhere", "new", "old"]);
    inbox.upsert(ticket("new", 2, "2026-11-05T00:00:00Z", None));
    assert_eq!(ids(&inbox), ["new", "elsewhere", "old"]);
}

#[test]
fn a_reply_later_than_what_was_seen_is_unread_until_opened() {
    let mut seen = Seen::default();
    let mut t = ticket("a", 1, "2026-11-01T00:00:00Z", None);
    assert!(!seen.is_unread(&t), "never seen: not unread");
    assert!(seen.mark_seen(&t), "filed here");
    assert!(!seen.mark_seen(&t), "nothing new to save");
    t.latest_message_on = Some("2026-11-02T00:00:00Z".into());
    assert!(seen.is_unread(&t), "support replied");
    assert_eq!(seen.unread_count([&t]), 1);
    assert!(seen.mark_seen(&t), "opened");
    assert!(!seen.is_unread(&t));
    // The same instant written another way is not news.
    t.latest_message_on = Some("2026-11-02T01:00:00+01:00".into());
    assert!(!seen.is_unread(&t));
}

#[test]
fn a_new_browser_does_not_flag_old_history_and_records_survive_a_round_trip() {
    let history = [
        ticket("a", 1, "2026-11-01T00:00:00Z", Some("2026-11-01T00:00:00Z")),
        ticket("b", 2, "2026-11-01T00:00:00Z", None),
    ];
    let mut seen = Seen::default();
    assert!(seen.first_sight(&history));
    assert!(!seen.first_sight(&history), "seen once is enough");
    assert_eq!(seen.unread_count(&history), 0);

    let stored: Vec<(String, Option<i64>)> =
        seen.entries().map(|(k, v)| (k.to_owned(), v)).collect();
    let mut reloaded = Seen::from_entries(stored);
    assert_eq!(reloaded, seen);
    let mut replied = history[1].clone();
    replied.latest_message_on = Some("2026-11-05T00:00:00Z".into());
    assert!(
        !reloaded.first_sight([&replied]),
        "known: a reply is not a first sight"
    );
    assert!(reloaded.is_unread(&replied));
}

#[test]
fn the_oldest_records_go_first_beyond_the_limit() {
    let mut seen = Seen::default();
    for n in 0..=SEEN_LIMIT as i64 {
        let at = format!("2026-01-01T00:{:02}:{:02}Z", n / 60, n % 60);
        seen.mark_seen(&ticket(&format!("t{n}"), n, &at, Some(&at)));
    }
    assert_eq!(seen.entries().count(), SEEN_LIMIT);
    assert!(seen.entries().all(|(id, _)| id != "t0"));
    assert!(seen.entries().any(|(id, _)| id == "t1"));
}

#[test]
fn marks_from_another_widget_merge_and_the_later_one_wins() {
    let mut t = ticket("a", 1, "2026-11-01T00:00:00Z", Some("2026-11-01T00:00:00Z"));
    let other_ticket = ticket("b", 2, "2026-11-01T00:00:00Z", None);
    let (mut here, mut there) = (Seen::default(), Seen::default());
    here.mark_seen(&t);
    there.mark_seen(&t);
    t.latest_message_on = Some("2026-11-03T00:00:00Z".into());
    assert!(here.is_unread(&t) && there.is_unread(&t));

    there.mark_seen(&t);
    there.mark_seen(&other_ticket);
    assert!(
        here.merge(&there),
        "the reply read there, and a ticket met there"
    );
    assert!(!here.is_unread(&t));
    assert!(!here.merge(&there), "nothing new the second time");

    // An older mark never takes a newer one back.
    let stale = Seen::from_entries([("a".to_owned(), Some(0))]);
    assert!(!here.merge(&stale));
    assert!(!here.is_unread(&t));
}
