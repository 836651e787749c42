// moov-support-widget: importing this module registers <moov-support-form> and
// window.MoovSupport. `ready` settles when the element is defined.
//
// Every other file of the widget is named below as `new URL("./…", import.meta.url)`,
// `import("./…")` or `new Worker(new URL("./…", import.meta.url))`: the forms Vite and
// webpack 5 follow to copy (and hash) a package's files into the app's own build. The widget
// then asks for them by those names instead of looking beside its own scripts, which a
// bundler has moved into the app's chunks.
import init from "./assets/moov-support-widget.js";
import { provide } from "./assets/snippets/__SNIPPETS__/src/web/element.js";

provide({
  // The stylesheet's rules that the script-tag loader carries for its static form: the wasm
  // leaves them out and takes them from here.
  rules: __RULES__,
  inbox: {
    module: () => import("./assets/moov-support-inbox.js"),
    wasm: new URL("./assets/moov-support-inbox_bg.wasm", import.meta.url),
  },
  sanitizer: {
    worker: () =>
      new Worker(new URL("./assets/moov-support-sanitizer_loader.js", import.meta.url), {
        type: "module",
        name: "moov-support-sanitizer",
      }),
    module: () => import("./assets/moov-support-sanitizer.js"),
    wasm: new URL("./assets/moov-support-sanitizer_bg.wasm", import.meta.url),
  },
  // One line per language file in locales/ (English is built in).
  files: {
    "locales/ar.json": new URL("./assets/locales/ar.json", import.meta.url),
    "locales/de.json": new URL("./assets/locales/de.json", import.meta.url),
    "locales/es.json": new URL("./assets/locales/es.json", import.meta.url),
    "locales/fr.json": new URL("./assets/locales/fr.json", import.meta.url),
    "locales/ja.json": new URL("./assets/locales/ja.json", import.meta.url),
    "locales/pt.json": new URL("./assets/locales/pt.json", import.meta.url),
  },
});

// No top-level await, so importing the package never holds up the app's own modules. A page
// that already has the element (the script tag, or another copy of this package) keeps it.
function start() {
  performance.mark("moov-support:start");
  return init({
    module_or_path: new URL("./assets/moov-support-widget_bg.wasm", import.meta.url),
  }).then(() => undefined);
}

export const ready = customElements.get("moov-support-form") ? Promise.resolve() : start();
// An app that never awaits `ready` still hears, once, why the form could not start.
ready.catch((error) => console.error("moov-support-widget: the form could not start:", error));
