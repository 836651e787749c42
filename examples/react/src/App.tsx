import { useEffect, useRef, useState } from "react";
// Registers <moov-support-form>; its types come along (JSX included).
import { ready, type MoovSupportFormElement, type MoovSupportTicket } from "moov-support-widget";

// A page may ask for a language with ?locale=es; otherwise the browser's languages decide.
const locale = new URLSearchParams(location.search).get("locale") ?? undefined;

/** The session token the app's own backend signs for its signed-in user. */
async function fetchSession(): Promise<{ token: string }> {
  const answer = await fetch("/session");
  if (!answer.ok) throw new Error(`/session answered ${answer.status}`);
  return answer.json() as Promise<{ token: string }>;
}

export function App() {
  const [token, setToken] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [filed, setFiled] = useState<number | null>(null);
  const form = useRef<MoovSupportFormElement>(null);

  // The app's own backend signs the session token for its signed-in user. The form is drawn
  // once the element is defined, so React sets its properties rather than attributes.
  useEffect(() => {
    Promise.all([ready, fetchSession()])
      .then(([, session]) => setToken(session.token))
      .catch((e: unknown) => setFailed(String(e)));
  }, []);

  // The widget reports a filed ticket with an event; the app keeps its number in its own state.
  useEffect(() => {
    const element = form.current;
    if (!element) return;
    const onSubmitted = (event: CustomEvent<MoovSupportTicket>) => setFiled(event.detail.number);
    element.addEventListener("moov-support:submitted", onSubmitted);
    return () => element.removeEventListener("moov-support:submitted", onSubmitted);
  }, [token]);

  return (
    <main>
      <h1>Acme Payouts · Help</h1>
      {filed !== null && <p id="filed-ticket">Ticket #{filed} filed</p>}
      {failed && <p role="alert">Could not sign in: {failed}</p>}
      {token && (
        <moov-support-form
          ref={form}
          endpoint="/support/api/support/tickets"
          sessionToken={token}
          locale={locale}
          timeoutMs={15000}
        />
      )}
    </main>
  );
}
