// The one script a partner page includes:
//   <script type="module" src="https://partner.example/support/moov-support.js"></script>
// It loads the widget next to it, which registers <moov-support-form> and window.MoovSupport.
// A static file rather than an inline loader, so pages with `script-src 'self'` need no
// exception beyond 'wasm-unsafe-eval'.
import init from "./moov-support-widget.js";

// Marks on the page's performance timeline let a partner see what the widget costs their page:
// from here to "moov-support:ready" (one per form drawn).
performance.mark("moov-support:start");
await init({ module_or_path: new URL("./moov-support-widget_bg.wasm", import.meta.url) });
