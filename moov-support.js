// The one script a partner page includes:
//   <script type="module" src="https://partner.example/support/moov-support.js"></script>
// It loads the widget next to it, which registers <moov-support-form> and window.MoovSupport.
// A static file rather than an inline loader, so pages with `script-src 'self'` need no
// exception beyond 'wasm-unsafe-eval'.

// Marks on the page's performance timeline let a partner see what the widget costs their page:
// from here to "moov-support:ready" (one per form drawn).
performance.mark("moov-support:start");
// The wasm is most of the bytes: its download starts now, while the JS glue and the scripts
// it imports make their own round trips, instead of after them.
const wasm = fetch(new URL("./moov-support-widget_bg.wasm", import.meta.url));
// The modules the glue imports, fetched beside it rather than after it arrives. The release
// build lists them; they only define functions, so loading them early changes nothing else.
const GLUE_IMPORTS = [];
for (const path of GLUE_IMPORTS) import(new URL(path, import.meta.url).href).catch(() => {});
// English is built in; another language is a small file, requested now for the forms on
// this page that will speak it (their `locale`, else the browser's first supported language),
// so it is in the browser's cache when the widget asks for it.
const LANGUAGES = ["ar", "de", "es", "fr", "ja", "pt"];
const primary = (tag) => String(tag).trim().toLowerCase().split(/[-_]/)[0];
const spoken = new Set();
for (const form of document.querySelectorAll("moov-support-form")) {
  const language = [form.getAttribute("locale"), ...(navigator.languages || [navigator.language])]
    .filter(Boolean)
    .map(primary)
    .find((p) => p === "en" || LANGUAGES.includes(p));
  if (language && language !== "en") spoken.add(language);
}
for (const language of spoken) {
  fetch(new URL(`./locales/${language}.json`, import.meta.url)).catch(() => {});
}
const { default: init } = await import("./moov-support-widget.js");
await init({ module_or_path: wasm });
