// A partner's page bundled by webpack 5 with its defaults (no webpack.config.js): the import
// registers <moov-support-form>, and webpack copies the widget's wasm, worker and language
// files into dist/ because the package names them with `new URL("./…", import.meta.url)`.
import { ready } from "moov-support-widget";

const main = document.querySelector("main");

/** The session token the app's own backend signs for its signed-in user. */
async function fetchSession() {
  const answer = await fetch("/session");
  if (!answer.ok) throw new Error(`/session answered ${answer.status}`);
  return answer.json();
}

async function start() {
  const [, session] = await Promise.all([ready, fetchSession()]);
  const form = document.createElement("moov-support-form");
  form.endpoint = "/support/api/support/tickets";
  form.sessionToken = session.token;
  // The app keeps the filed ticket's number in its own page, outside the widget.
  form.addEventListener("moov-support:submitted", (event) => {
    let filed = document.getElementById("filed-ticket");
    if (!filed) {
      filed = document.createElement("p");
      filed.id = "filed-ticket";
      main.insertBefore(filed, form);
    }
    filed.textContent = `Ticket #${event.detail.number} filed`;
  });
  main.append(form);
}

start().catch((error) => {
  const failed = document.createElement("p");
  failed.setAttribute("role", "alert");
  failed.textContent = `Could not sign in: ${error}`;
  main.append(failed);
});
