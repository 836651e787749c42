// A support agent's page for the demo: lists the demo account's tickets from the sandbox and
// answers them through the proxy's dev routes (sandbox mode only). The sandbox then sends
// Moov-signed webhooks to the proxy, which tells the user's widget at once.
const list = document.getElementById("tickets");
const listStatus = document.getElementById("list-status");
const title = document.getElementById("ticket-title");
const meta = document.getElementById("ticket-meta");
const messages = document.getElementById("messages");
const form = document.getElementById("reply-form");
const body = document.getElementById("reply-body");
const status = document.getElementById("reply-status");
const send = document.getElementById("send");
const sendStatus = document.getElementById("send-status");

const STATUS_WORDS = { new: "New", "in-progress": "In progress", "on-hold": "On hold", closed: "Closed" };
// New tickets and replies show up without a reload.
const REFRESH_MS = 3000;

let tickets = [];
let selected = null;

function word(s) {
  return STATUS_WORDS[s] ?? s;
}

function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

// Message bodies are HTML written by users: shown as text, never parsed into this page.
function plainText(html) {
  return new DOMParser().parseFromString(html, "text/html").body.textContent ?? "";
}

function renderList() {
  list.replaceChildren(
    ...tickets.map((t) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.setAttribute("aria-current", String(t.ticketID === selected));
      const line = document.createElement("span");
      line.className = "ticket-line";
      line.textContent = `#${t.number} ${t.title}`;
      const sub = document.createElement("span");
      sub.className = "ticket-sub";
      sub.textContent = `${word(t.status)} · ${t.contact?.email ?? ""} · ${t.messages.length} ${t.messages.length === 1 ? "message" : "messages"}`;
      button.append(line, sub);
      button.addEventListener("click", () => {
        selected = t.ticketID;
        sendStatus.textContent = "";
        render();
        body.focus();
      });
      item.append(button);
      return item;
    }),
  );
  listStatus.textContent = tickets.length
    ? `${tickets.length} ${tickets.length === 1 ? "ticket" : "tickets"}, latest activity first.`
    : "No tickets yet: file one from the dashboard's form.";
}

function renderTicket() {
  const ticket = tickets.find((t) => t.ticketID === selected);
  form.hidden = !ticket;
  if (!ticket) {
    title.textContent = "Pick a ticket";
    meta.textContent = "";
    messages.replaceChildren();
    return;
  }
  title.textContent = `#${ticket.number} ${ticket.title}`;
  const closed = ticket.closedOn ? ` · closed ${when(ticket.closedOn)}` : "";
  meta.textContent = `${word(ticket.status)} · from ${ticket.contact?.email ?? "?"} · opened ${when(ticket.createdOn)}${closed}`;
  messages.replaceChildren(
    ...ticket.messages.map((m, i) => {
      const item = document.createElement("li");
      const fromUser = i === 0 || m.author === ticket.contact?.email;
      item.className = fromUser ? "from-user" : "from-support";
      const head = document.createElement("div");
      head.className = "message-head";
      head.textContent = `${m.author} · ${when(m.sentOn)}`;
      const text = document.createElement("p");
      text.className = "message-body";
      text.textContent = plainText(m.body);
      item.append(head, text);
      return item;
    }),
  );
}

function render() {
  renderList();
  renderTicket();
}

async function load() {
  try {
    const response = await fetch("/api/dev/tickets", { cache: "no-store" });
    if (response.status === 404) {
      listStatus.textContent = "The agent page needs the proxy in sandbox mode: run cargo xtask dev.";
      return false;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    tickets = (await response.json()).items;
    render();
    return true;
  } catch (error) {
    listStatus.textContent = `Could not load tickets (${error.message}).`;
    return true;
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!selected) return;
  send.disabled = true;
  sendStatus.className = "";
  sendStatus.textContent = "Sending…";
  const request = { body: body.value };
  if (status.value) request.status = status.value;
  try {
    const response = await fetch(`/api/dev/tickets/${encodeURIComponent(selected)}/reply`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      sendStatus.textContent = `Sent. The ticket is now ${word(answer.status)}.`;
      await load();
    } else {
      const reasons = answer.error ?? Object.values(answer).join("; ");
      sendStatus.className = "agent-error";
      sendStatus.textContent = `Not sent (HTTP ${response.status}): ${reasons}`;
    }
  } catch (error) {
    sendStatus.className = "agent-error";
    sendStatus.textContent = `Not sent: ${error.message}`;
  } finally {
    send.disabled = false;
  }
});

document.getElementById("refresh").addEventListener("click", load);

if (await load()) {
  setInterval(() => {
    // Leave the page alone while the agent is choosing from it.
    if (!document.hidden && !list.contains(document.activeElement)) load();
  }, REFRESH_MS);
}
