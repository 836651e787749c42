//! The inbox as the views see it: the list, the open request, the live channel's state and
//! what the user has read, each a signal; and what happens when news arrives.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::inbox_state::{Applied, Connection, Inbox, Message, Seen, TicketEvent};
use crate::ticket::Ticket;
use crate::web::send::SessionTokens;
use crate::web::wire;

use super::api::{Api, ApiError};
use super::hooks::Hooks;
use super::live::{Live, News};
use super::seen_store::{SeenStore, Watch};
use super::{Reply, Report};

/// Whether something is being read, and whether the last read failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    Idle,
    Loading,
    Failed,
}

/// The open request's conversation.
#[derive(Debug, Clone, PartialEq)]
pub enum Thread {
    Loading,
    Loaded(Vec<Message>),
    Failed(ApiError),
}

/// Where closing the open request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    Idle,
    Confirming,
    Closing,
    Failed,
}

/// The inbox: Copy, so every view and handler holds the same one.
#[derive(Clone, Copy)]
pub struct Model {
    pub inbox: RwSignal<Inbox>,
    pub seen: RwSignal<Seen>,
    /// The first page (and every refresh while nothing is shown yet).
    pub load: RwSignal<Load>,
    /// "Load more".
    pub more: RwSignal<Load>,
    pub connection: RwSignal<Connection>,
    /// The request shown, by id; `None` shows the list.
    pub open: RwSignal<Option<String>>,
    pub thread: RwSignal<Thread>,
    pub closing: RwSignal<Closing>,
    /// Read out by screen readers when a reply arrives in the open request.
    pub announcement: RwSignal<Option<i64>>,
    api: StoredValue<Rc<Api<Hooks>>, LocalStorage>,
    store: StoredValue<Option<SeenStore>>,
    /// Marks saved by the page's other widgets and the user's other tabs.
    watch: StoredValue<Option<Watch>, LocalStorage>,
    live: StoredValue<Option<Live>, LocalStorage>,
    report: StoredValue<Report, LocalStorage>,
}

impl Model {
    pub fn new(api: Api<Hooks>, report: Report) -> Self {
        let model = Model {
            inbox: RwSignal::new(Inbox::default()),
            seen: RwSignal::new(Seen::default()),
            load: RwSignal::new(Load::Idle),
            more: RwSignal::new(Load::Idle),
            connection: RwSignal::new(Connection::Connecting),
            open: RwSignal::new(None),
            thread: RwSignal::new(Thread::Loading),
            closing: RwSignal::new(Closing::Idle),
            announcement: RwSignal::new(None),
            api: StoredValue::new_local(Rc::new(api)),
            store: StoredValue::new(None),
            watch: StoredValue::new_local(None),
            live: StoredValue::new_local(None),
            report: StoredValue::new_local(report),
        };
        // The partner hears of every change of the count, once the list was read.
        let unread = Memo::new(move |_| {
            let loaded = model.inbox.with(Inbox::is_loaded);
            loaded.then(|| {
                model
                    .seen
                    .with(|s| model.inbox.with(|i| s.unread_count(i.tickets())))
            })
        });
        Effect::new(move |_| {
            if let Some(count) = unread.get() {
                model.report.with_value(|r| r.unread(count));
            }
        });
        model
    }

    pub(super) fn api(&self) -> Rc<Api<Hooks>> {
        self.api.get_value()
    }

    pub fn is_started(&self) -> bool {
        self.live.with_value(Option::is_some)
    }

    /// Learns whose marks to read, reads the list and opens the live channel; once.
    pub fn start(self) {
        if self.is_started() {
            return;
        }
        let api = self.api();
        let tokens = api.tokens.clone();
        let url = api.events_url();
        let live = Live::start(url, tokens, move |news| self.news(news));
        self.live.set_value(Some(live));
        self.load.set(Load::Loading);
        spawn_local(async move {
            let token = api.tokens.current().await;
            let user = token.as_deref().and_then(wire::session_claims);
            let user = user.as_ref().map_or("anonymous", |c| c.sub.as_str());
            let store = SeenStore::new(&api.tickets, user);
            // Marks made before the store was known (a ticket just filed) win.
            let stored = store.load();
            let Some(earlier) = self.seen.try_get_untracked() else {
                return;
            };
            let merged = stored.entries().chain(earlier.entries());
            self.seen.set(Seen::from_entries(
                merged
                    .map(|(id, at)| (id.to_owned(), at))
                    .collect::<Vec<_>>(),
            ));
            self.watch
                .set_value(Some(store.watch(move || self.take_in_saved())));
            self.store.set_value(Some(store));
            self.refresh();
        });
    }

    /// Saves the marks, after taking in what was saved elsewhere meanwhile, so no widget
    /// writes over another's.
    fn save_seen(&self) {
        self.take_in_saved();
        // Saving tells the page's widgets, this one included: no signal may be borrowed then.
        let store = self.store.try_get_value().flatten();
        if let (Some(store), Some(seen)) = (store, self.seen.try_get_untracked()) {
            store.save(&seen);
        }
    }

    fn take_in_saved(self) {
        if let Some(saved) = self
            .store
            .try_with_value(|s| s.as_ref().map(SeenStore::load))
        {
            let saved = saved.unwrap_or_default();
            let changed = self.seen.try_update_untracked(|s| s.merge(&saved));
            if changed == Some(true) {
                self.seen.notify();
            }
        }
    }

    /// Reads the first page again; what is shown stays if that fails.
    pub fn refresh(self) {
        let api = self.api();
        spawn_local(async move {
            let answer = api.list(None).await;
            if self.inbox.is_disposed() {
                return;
            }
            match answer {
                Ok((items, next)) => {
                    let before = self.open_latest();
                    self.inbox.update(|i| i.first_page(items, next));
                    self.first_sight();
                    self.load.set(Load::Idle);
                    self.follow_open(before);
                }
                Err(_) if self.inbox.with_untracked(Inbox::is_loaded) => {}
                Err(_) => self.load.set(Load::Failed),
            }
        });
    }

    /// "Load more".
    pub fn load_more(self) {
        let Some(cursor) = self.inbox.with_untracked(|i| i.cursor().map(str::to_owned)) else {
            return;
        };
        self.more.set(Load::Loading);
        let api = self.api();
        spawn_local(async move {
            let answer = api.list(Some(&cursor)).await;
            if self.inbox.is_disposed() {
                return;
            }
            match answer {
                Ok((items, next)) => {
                    self.inbox.update(|i| i.next_page(items, next));
                    self.first_sight();
                    self.more.set(Load::Idle);
                }
                Err(_) => self.more.set(Load::Failed),
            }
        });
    }

    fn first_sight(&self) {
        let mut changed = false;
        self.inbox.with_untracked(|i| {
            self.seen.update(|s| changed = s.first_sight(i.tickets()));
        });
        if changed {
            self.save_seen();
        }
    }

    /// Marks `ticket` as read as it is now.
    pub fn mark_seen(&self, ticket: &Ticket) {
        let mut changed = false;
        self.seen.update(|s| changed = s.mark_seen(ticket));
        if changed {
            self.save_seen();
        }
    }

    /// A ticket the form just filed: in the list, and read.
    pub fn filed(self, ticket: Ticket) {
        self.mark_seen(&ticket);
        if self.inbox.with_untracked(Inbox::is_loaded) {
            self.inbox.update(|i| i.upsert(ticket));
        }
    }

    /// The open request's last message time, to tell when a check brought news for it.
    fn open_latest(&self) -> Option<Option<String>> {
        let id = self.open.get_untracked()?;
        self.inbox
            .with_untracked(|i| i.ticket(&id).map(|t| t.latest_message_on.clone()))
    }

    /// After the list changed: a new message in the open request is shown and announced.
    fn follow_open(&self, before: Option<Option<String>>) {
        let after = self.open_latest();
        if let (Some(before), Some(after)) = (before, after) {
            if before != after {
                self.reload_thread(true);
            }
        }
    }

    fn news(self, news: News) {
        if self.inbox.is_disposed() {
            return;
        }
        match news {
            News::Connection(c) => self.connection.set(c),
            News::Ready | News::Poll => {
                self.refresh();
                if matches!(news, News::Ready) && self.open.get_untracked().is_some() {
                    self.reload_thread(false);
                }
            }
            News::Ticket(event) => self.ticket_event(event),
        }
    }

    fn ticket_event(self, event: TicketEvent) {
        let before = self.inbox.with_untracked(|i| {
            i.ticket(&event.ticket_id)
                .map(|t| t.latest_message_on.clone())
        });
        let applied = self.inbox.try_update(|i| i.apply(&event));
        let is_open = self.open.get_untracked().as_deref() == Some(&event.ticket_id);
        let new_message =
            event.latest_message_on.is_some() && before.as_ref() != Some(&event.latest_message_on);
        if new_message && applied == Some(Applied::Updated) {
            self.report.with_value(|r| {
                r.reply(Reply {
                    ticket_id: event.ticket_id.clone(),
                    number: event.number,
                })
            });
        }
        // Any change to the open request is read at once: Moov's times may be whole seconds,
        // so a reply in the same second as the last one is told by the messages themselves.
        if is_open {
            self.reload_thread(true);
        }
        // Read back for what the event leaves out (the title of a new ticket, Moov's
        // `updatedOn`).
        let api = self.api();
        spawn_local(async move {
            if let Ok(ticket) = api.get(&event.ticket_id).await {
                if self.inbox.is_disposed() {
                    return;
                }
                self.inbox.update(|i| i.upsert(ticket));
                self.first_sight();
            }
        });
    }
}
