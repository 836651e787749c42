// Loads "Your requests" (moov-support-inbox.js and its wasm) when a form needs it, once per
// page; a failed download is tried again at the next need rather than remembered.

// The inbox sits next to the widget's other files, or where the npm package's entry says.
import { ASSETS, importBeside, provided } from "./element.js";

let loading = null;

// A download that stalls must not keep "Your requests" waiting for ever: after this long it
// counts as failed, and the next try starts over.
const LOAD_TIMEOUT_MS = 15000;

export function load() {
  if (!loading) {
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer in ${LOAD_TIMEOUT_MS / 1000} s`)),
        LOAD_TIMEOUT_MS,
      );
    });
    const module = (async () => {
      const found = provided && provided.inbox;
      const module = await (found ? found.module() : importBeside("moov-support-inbox.js"));
      await module.default({
        module_or_path: found ? found.wasm : new URL("moov-support-inbox_bg.wasm", ASSETS),
      });
      return module.mount;
    })();
    module.catch(() => {});
    loading = Promise.race([module, late]).finally(() => clearTimeout(timer));
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
