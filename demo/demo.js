// The partner side of the embed: fetch a session token for the signed-in user from the
// dashboard's backend and hand it to the widget. In sandbox mode the proxy mints one.
// Pages of the demo differ: the Help page has the inline form and an event log, the others
// only the floating button, so every element below is optional.
const form = document.getElementById("support");
const log = document.getElementById("event-log");

for (const name of ["ready", "submitted", "error", "draft-restored"]) {
  if (!form || !log) break;
  form.addEventListener(`moov-support:${name}`, (event) => {
    const item = document.createElement("li");
    item.textContent = `${name} ${event.detail ? JSON.stringify(event.detail) : ""}`;
    log.prepend(item);
  });
}

// The widget follows the page's --moov-* variables; the toggle swaps the whole set.
const toggle = document.getElementById("theme-toggle");
toggle?.addEventListener("click", () => {
  const dark = document.documentElement.dataset.theme !== "dark";
  document.documentElement.dataset.theme = dark ? "dark" : "light";
  toggle.setAttribute("aria-pressed", String(dark));
});

document.getElementById("locale-select")?.addEventListener("change", (event) => {
  for (const widget of document.querySelectorAll("moov-support-form")) {
    widget.locale = event.target.value || null;
  }
});

async function signIn() {
  const response = await fetch("/api/dev/session");
  if (!response.ok) throw new Error(`session: HTTP ${response.status}`);
  const session = await response.json();
  for (const widget of document.querySelectorAll("moov-support-form")) {
    widget.sessionToken = session.token;
  }
  document.getElementById("demo-user").textContent = "Jordan Lee";
}

signIn().catch((error) => {
  document.getElementById("demo-user").textContent = `Not signed in (${error.message})`;
});
