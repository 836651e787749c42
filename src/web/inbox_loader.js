// Loads "Your requests" (moov-support-inbox.js and its wasm) when a form needs it, once per
// page; a failed download is tried again at the next need rather than remembered.

// The inbox sits next to the widget's other files.
import { ASSETS } from "./element.js";

let loading = null;

export function load() {
  if (!loading) {
    loading = (async () => {
      const module = await import(new URL("moov-support-inbox.js", ASSETS).href);
      await module.default({ module_or_path: new URL("moov-support-inbox_bg.wasm", ASSETS) });
      return module.mount;
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

// Runs `f` when the browser has nothing better to do (soon, where it cannot tell).
export function whenIdle(f) {
  if (typeof requestIdleCallback === "function") {
    requestIdleCallback(() => f(), { timeout: 3000 });
  } else {
    setTimeout(() => f(), 200);
  }
}
