// Test page only (handoff.html): the form's wasm is held until `window.moovReleaseWasm()`
// is called (never, if it is not), so a check can use the static form for as long as it
// likes and choose the moment the Rust form takes over. Runs before the loader: it wraps
// `window.fetch`, through which the loader (and the JS glue, when not handed the wasm)
// asks for `moov-support-widget_bg.wasm`. The bytes are fetched at once; only their delivery
// waits, so the handoff follows the release by the time the wasm takes to compile.
// Plain DOM and fetch: the same in Chromium and Firefox, no DevTools.
(() => {
  const realFetch = window.fetch.bind(window);
  let release;
  const released = new Promise((resolve) => (release = resolve));
  window.moovWasm = { requested: 0, releasedAt: null };
  window.moovReleaseWasm = () => {
    if (window.moovWasm.releasedAt === null) window.moovWasm.releasedAt = performance.now();
    release();
  };
  window.fetch = function (input, init) {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.includes("moov-support-widget_bg.wasm")) return realFetch(input, init);
    window.moovWasm.requested += 1;
    const response = realFetch(input, init);
    // Not left unhandled while held: the caller gets the same rejection after release.
    response.catch(() => {});
    return released.then(() => response);
  };

  // Every CSP violation, where a check can read it.
  document.addEventListener("securitypolicyviolation", (event) => {
    const item = document.createElement("li");
    item.textContent = `${event.violatedDirective} ${event.blockedURI}`;
    document.getElementById("violations")?.append(item);
  });

  // Sign in as demo.js does: a session from the proxy's dev route, handed to every form.
  realFetch("/api/dev/session")
    .then((response) => {
      if (!response.ok) throw new Error(`session: HTTP ${response.status}`);
      return response.json();
    })
    .then((session) => {
      for (const widget of document.querySelectorAll("moov-support-form")) {
        widget.sessionToken = session.token;
      }
    })
    .catch((error) => console.error(error));
})();
