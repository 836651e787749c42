// Loads the sanitizer (moov-support-sanitizer.js and its wasm, most of the widget's bytes)
// only when a form is about to need it, and runs it in a module Web Worker so cleaning a long
// paste never blocks typing. Where a worker cannot start (the widget served from another
// origin than the page, or a CSP without a worker source), the same module runs on the main
// thread instead.

// The sanitizer sits next to the widget's other files, or where the npm package's entry says.
import { ASSETS, importBeside, provided } from "./element.js";

let backend = null;

function inWorker() {
  return new Promise((resolve, reject) => {
    const found = provided && provided.sanitizer;
    const worker = found
      ? found.worker()
      : new Worker(new URL("moov-support-sanitizer_loader.js", ASSETS), {
          type: "module",
          name: "moov-support-sanitizer",
        });
    const pending = new Map();
    let next = 0;
    let ready = false;
    const fail = (reason) => {
      worker.terminate();
      for (const p of pending.values()) p.reject(reason);
      pending.clear();
      if (!ready) reject(reason);
      backend = null;
    };
    worker.onmessage = ({ data }) => {
      if (data && data.ready) {
        ready = true;
        resolve({
          clean: (html) =>
            new Promise((ok, ko) => {
              const id = next++;
              pending.set(id, { resolve: ok, reject: ko });
              worker.postMessage({ id, html });
            }),
        });
        return;
      }
      const p = pending.get(data.id);
      if (p) {
        pending.delete(data.id);
        p.resolve(data.html);
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      fail(new Error(e.message || "the sanitizer worker failed to start"));
    };
  });
}

async function onMainThread() {
  const found = provided && provided.sanitizer;
  const module = await (found ? found.module() : importBeside("moov-support-sanitizer.js"));
  await module.default({
    module_or_path: found ? found.wasm : new URL("moov-support-sanitizer_bg.wasm", ASSETS),
  });
  return { clean: async (html) => module.clean(html) };
}

function start() {
  let attempt;
  try {
    attempt = inWorker();
  } catch (e) {
    attempt = Promise.reject(e);
  }
  return attempt.catch(() => onMainThread());
}

export function warm() {
  if (!backend) {
    backend = start();
    // A failed download is tried again at the next use rather than remembered.
    backend.catch(() => {
      backend = null;
    });
  }
}

// The last answers, by what was asked and by what was answered: a message is cleaned when
// the user leaves the editor, and Send asks for that same text again (or for the answer,
// which is its own answer: the policy is applied until nothing changes). Either way it needs
// no second trip to the worker. A request already on its way is shared, not repeated.
const RECENT = 8;
const recent = new Map();
const inFlight = new Map();

function remember(html, clean) {
  for (const key of [html, clean]) {
    recent.delete(key);
    recent.set(key, clean);
  }
  while (recent.size > RECENT) recent.delete(recent.keys().next().value);
}

// A sanitizer that never answers (its download stalled) must not leave Send waiting for
// ever: after this long the send fails as a network error would, the draft stays, and the
// next use starts the sanitizer over.
const ANSWER_TIMEOUT_MS = 15000;

function withinTimeout(promise, asked) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => {
      if (backend === asked) backend = null;
      reject(new Error(`the sanitizer did not answer in ${ANSWER_TIMEOUT_MS / 1000} s`));
    }, ANSWER_TIMEOUT_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export async function clean(html) {
  if (recent.has(html)) return recent.get(html);
  let answer = inFlight.get(html);
  if (!answer) {
    warm();
    answer = withinTimeout(
      backend.then((b) => b.clean(html)),
      backend,
    );
    inFlight.set(html, answer);
    answer.then(
      (clean) => remember(html, clean),
      () => {},
    ).finally(() => inFlight.delete(html));
  }
  return answer;
}
