// The one script a partner page includes:
//   <script type="module" src="https://partner.example/support/moov-support.js"></script>
// It defines <moov-support-form> and draws the form at once from the markup below, so the user
// can start typing while the widget next to it (most of the bytes) downloads; the widget then
// takes the form over where the user left it and registers window.MoovSupport. A static file
// rather than an inline loader, so pages with `script-src 'self'` need no exception beyond
// 'wasm-unsafe-eval'; the form brings no inline script or style either.

// Marks on the page's performance timeline let a partner see what the widget costs their page:
// from here to "moov-support:ready" (one per form drawn).
performance.mark("moov-support:start");

// <static form: written by `cargo xtask shell` from the Leptos view, style/widget.css and src/options_spec.rs; do not edit>
const SHELL = {"css":":host{--_primary:var(--moov-color-primary,#0b5fff);--_on-primary:var(--moov-color-on-primary,#ffffff);--_background:var(--moov-color-background,#ffffff);--_text:var(--moov-color-high-contrast,#111827);--_muted:var(--moov-color-medium-contrast,#4b5563);--_border:var(--moov-color-border,#6b7280);--_danger:var(--moov-color-danger,#b42318);--_success:var(--moov-color-success,#067647);--_radius-s:var(--moov-radius-small,6px);--_radius-l:var(--moov-radius-large,12px);--_font:var(--moov-font-family,system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif);all:initial;display:block;contain:content}.moov-root{display:block;color:var(--_text);font-family:var(--_font);font-size:16px;font-style:normal;font-weight:400;line-height:1.5;letter-spacing:normal;text-align:start;text-transform:none;visibility:visible}:host([hidden]){display:none}*,*::before,*::after{box-sizing:border-box}.moov-support{background:var(--_background);color:var(--_text);border-radius:var(--_radius-l);padding:20px}.moov-form{display:grid;gap:14px;margin:0}.moov-field{display:grid;gap:4px}label{font-weight:600;font-size:0.95em}.moov-hint{margin:0;color:var(--_muted);font-size:0.85em}input,textarea{font:inherit;color:var(--_text);background:var(--_background);border:1px solid var(--_border);border-radius:var(--_radius-s);padding:8px 10px;width:100%}textarea{resize:vertical;min-height:8em}input:focus-visible,textarea:focus-visible,button:focus-visible{outline:3px solid var(--_primary);outline-offset:2px}[aria-invalid=\"true\"]{border-color:var(--_danger);border-width:2px}.moov-error{margin:0;color:var(--_danger);font-size:0.9em;font-weight:600}.moov-error[hidden]{display:none}.moov-notice{margin:0;min-height:0;font-size:0.9em;color:var(--_muted)}.moov-notice:empty{display:none}.moov-actions{display:flex;justify-content:flex-end;gap:8px}button{font:inherit;font-weight:600;cursor:pointer;border:0;border-radius:var(--_radius-s);padding:10px 18px;background:var(--_primary);color:var(--_on-primary)}button:disabled{opacity:0.6;cursor:progress}.moov-label{font-weight:600;font-size:0.95em}.moov-editor{border:1px solid var(--_border);border-radius:var(--_radius-s);background:var(--_background)}.moov-editor:focus-within{outline:3px solid var(--_primary);outline-offset:2px}.moov-editor:has([aria-invalid=\"true\"]){border-color:var(--_danger);border-width:2px}.moov-toolbar{display:flex;flex-wrap:wrap;gap:4px;padding:4px;border-bottom:1px solid var(--_border)}.moov-tool{min-width:2.25em;padding:4px 8px;font-weight:600;background:transparent;color:var(--_text);border:1px solid transparent}.moov-tool:hover{border-color:var(--_border)}.moov-tool-italic{font-style:italic}.moov-tool-code{font-family:ui-monospace,monospace;font-size:0.85em}.moov-editor-area{min-height:8em;padding:8px 10px;outline:none;overflow-wrap:anywhere}.moov-editor-area p{margin:0 0 0.5em}.moov-editor-area ul,.moov-editor-area ol{margin:0 0 0.5em;padding-inline-start:1.5em}.moov-editor-area code{font-family:ui-monospace,monospace;font-size:0.9em;background:color-mix(in srgb,var(--_text) 10%,transparent);border-radius:3px;padding:0 3px}.moov-editor-area a{color:var(--_primary)}:host([launcher]){contain:none}.moov-launcher{position:fixed;inset-block-end:24px;inset-inline-end:24px;z-index:2147483000;box-shadow:0 4px 14px rgba(0,0,0,0.25);border-radius:999px;padding:12px 20px}.moov-dialog{width:min(600px,calc(100vw - 32px));max-height:calc(100vh - 32px);padding:0;border:0;border-radius:var(--_radius-l);background:var(--_background);color:var(--_text);overflow:auto}.moov-dialog::backdrop{background:rgba(0,0,0,0.5)}.moov-dialog-header{display:flex;justify-content:space-between;align-items:center;padding:16px 20px 0}.moov-dialog-title{margin:0;font-size:1.2em}.moov-close{background:transparent;color:var(--_text);font-size:1.4em;line-height:1;padding:4px 10px}[hidden]{display:none !important}.moov-your-requests,.moov-view-requests,.moov-new-request,.moov-back,.moov-load-more,.moov-retry,.moov-close-no{background:var(--_background);color:var(--_primary);border:1px solid var(--_border)}.moov-actions .moov-your-requests{margin-inline-end:auto}.moov-inbox-host{display:contents}","en":{"bold":"Bold","bulleted_list":"Bulleted list","close":"Close","code":"Code","draft_restored":"Your unsent message was restored.","email":"Your email","formatting":"Formatting","inbox.your_requests":"Your requests","italic":"Italic","launcher":"Contact support","link":"Link","load_failed":"The form could not load. What you typed is kept here: check your connection and reload the page to send it.","message":"Message","message_hint":"Describe what happened and what you expected.","name":"Your name (optional)","numbered_list":"Numbered list","send":"Send","sending":"Sending…","subject":"Subject"},"form":"<div dir=\"{{dir}}\" lang=\"{{lang}}\" class=\"moov-support\"><div class=\"moov-form-screen\"><form novalidate class=\"moov-form\"><div class=\"moov-field\"><label for=\"moov-title\">{{subject}}</label><input id=\"moov-title\" name=\"title\" type=\"text\" autocomplete=\"off\" required><p id=\"moov-title-error\" hidden class=\"moov-error\"></p></div><div class=\"moov-field\"><span id=\"moov-body-label\" class=\"moov-label\">{{message}}</span><p id=\"moov-body-hint\" class=\"moov-hint\">{{message_hint}}</p><div class=\"moov-editor\"><div role=\"toolbar\" aria-label=\"{{formatting}}\" aria-controls=\"moov-body\" class=\"moov-toolbar\"><button type=\"button\" aria-label=\"{{bold}}\" title=\"{{bold}}\" tabindex=\"0\" class=\"moov-tool moov-tool-bold\">B</button><button type=\"button\" aria-label=\"{{italic}}\" title=\"{{italic}}\" tabindex=\"-1\" class=\"moov-tool moov-tool-italic\">I</button><button type=\"button\" aria-label=\"{{bulleted_list}}\" title=\"{{bulleted_list}}\" tabindex=\"-1\" class=\"moov-tool moov-tool-ul\">•</button><button type=\"button\" aria-label=\"{{numbered_list}}\" title=\"{{numbered_list}}\" tabindex=\"-1\" class=\"moov-tool moov-tool-ol\">#</button><button type=\"button\" aria-label=\"{{link}}\" title=\"{{link}}\" tabindex=\"-1\" class=\"moov-tool moov-tool-link\">{{link}}</button><button type=\"button\" aria-label=\"{{code}}\" title=\"{{code}}\" tabindex=\"-1\" class=\"moov-tool moov-tool-code\">&lt;/&gt;</button></div><div id=\"moov-body\" contenteditable=\"true\" role=\"textbox\" aria-multiline=\"true\" aria-required=\"true\" aria-labelledby=\"moov-body-label\" aria-describedby=\"moov-body-hint\" class=\"moov-editor-area\"></div></div><p id=\"moov-body-error\" hidden class=\"moov-error\"></p></div><div class=\"moov-field\"><label for=\"moov-email\">{{email}}</label><input id=\"moov-email\" name=\"email\" type=\"email\" autocomplete=\"email\" required><p id=\"moov-email-error\" hidden class=\"moov-error\"></p></div><div class=\"moov-field\"><label for=\"moov-name\">{{name}}</label><input id=\"moov-name\" name=\"name\" type=\"text\" autocomplete=\"name\"><p id=\"moov-name-error\" hidden class=\"moov-error\"></p></div><p role=\"status\" aria-live=\"polite\" class=\"moov-notice\"></p><div class=\"moov-actions\"><button type=\"button\" class=\"moov-your-requests\">{{inbox.your_requests}}</button><button type=\"submit\" class=\"moov-send\">{{send}}</button></div></form></div><div class=\"moov-inbox-host\"></div></div>","launcher":"<button type=\"button\" aria-haspopup=\"dialog\" class=\"moov-launcher\">{{launcher}}</button><dialog aria-labelledby=\"moov-dialog-title\" class=\"moov-dialog\"><div class=\"moov-dialog-header\"><h2 id=\"moov-dialog-title\" class=\"moov-dialog-title\">{{launcher}}</h2><button type=\"button\" aria-label=\"{{close}}\" class=\"moov-close\">×</button></div>{{form}}</dialog>","options":[["endpoint","endpoint","string"],["sessionToken","session-token","string"],["getSessionToken",null,"function"],["contactEmail","contact-email","string"],["contactName","contact-name","string"],["lockContact","lock-contact","boolean"],["locale","locale","string"],["launcher","launcher","boolean"],["timeoutMs","timeout-ms","number"],["view","view","string"]]};
// </static form>
// The wasm is most of the bytes: its download starts now, while the JS glue and the scripts
// it imports make their own round trips, instead of after them.
const wasm = fetch(new URL("./moov-support-widget_bg.wasm", import.meta.url));

const TAG = "moov-support-form";
// English is built in; another language is a small file, asked for as soon as a form on
// the page will speak it (its `locale`, else the browser's first supported language), as
// `Locale::choose` picks it.
const LANGUAGES = ["ar", "de", "es", "fr", "ja", "pt"];
const primary = (tag) => String(tag).trim().toLowerCase().split(/[-_]/)[0];
const languageOf = (host) =>
  [host.getAttribute("locale"), ...navigator.languages]
    .filter(Boolean)
    .map(primary)
    .find((p) => p === "en" || LANGUAGES.includes(p)) || "en";
// Each language's strings, fetched once for every form and for the widget, which takes them
// from the element's class (`fetchJson`); nothing (English) when the file cannot be had
// within 5 s, as the widget decides.
const fetched = {};
const stringsOf = (language) =>
  (fetched[language] ??= Promise.race([
    fetch(new URL(`./locales/${language}.json`, import.meta.url)).then((r) => r.ok && r.json()),
    new Promise((done) => setTimeout(done, 5000)),
  ]).catch(() => {}));

const escape = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const text = (value) => (typeof value == "string" ? value : "");
// An attribute as the widget reads options: an empty one counts as absent.
const option = (host, name) => host.getAttribute(name) || "";

// The unverified claims of the page's session token (a JWT), when it names a user.
function claimsOf(token) {
  try {
    // (No token, or not a JWT, reads as none: the split or the decoding throws.)
    const bytes = atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0))),
    );
    if (typeof claims.sub == "string") return claims;
  } catch {}
}

// Where the widget keeps this form's draft (`DraftStore`): per endpoint, user and form. None
// while only the page's `getSessionToken` can say who is signed in: one user's words must
// never be shown to the next on a shared computer.
function draftKey(host, token = option(host, "session-token")) {
  const claims = claimsOf(token);
  if (!claims && typeof host.getSessionToken == "function") return;
  const endpoint = option(host, "endpoint") || "/api/support/tickets";
  const instance = host.id ? "#" + host.id : "";
  return `moov-support:draft:v1:${endpoint}:${claims ? claims.sub : "anonymous"}${instance}`;
}

function loadDraft(key) {
  if (!key) return;
  try {
    return JSON.parse(localStorage.getItem(key)) || undefined;
  } catch {}
}

// The WHATWG valid email (`rules::is_valid_email`): only such an address locks the contact.
const EMAIL =
  /^[\w.!#$%&'*+/=?^`{|}~-]+@[a-z\d]([a-z\d-]{0,61}[a-z\d])?(\.[a-z\d]([a-z\d-]{0,61}[a-z\d])?)*$/i;
// A draft's fields and where the form holds them: the message is the editor's HTML.
const FIELDS = {
  title: "#moov-title",
  message: "#moov-body",
  email: "#moov-email",
  name: "#moov-name",
};
const held = (key) => (key == "message" ? "innerHTML" : "value");
const valuesOf = (root) =>
  Object.fromEntries(
    Object.entries(FIELDS).map(([key, selector]) => [key, root.querySelector(selector)[held(key)]]),
  );
const COMMANDS = {
  bold: "bold",
  italic: "italic",
  ul: "insertUnorderedList",
  ol: "insertOrderedList",
};

let sheet;
let shown = false;
let hooks; // the widget's, once it has taken the element over
let failed = false;
const connected = new Set();
// For each host showing a static form: how to fill it again for another user, and what to
// do when the widget cannot load.
const shells = new Map();

// Draws the static form in `host`'s shadow root, in its language once that file is here.
async function draw(host) {
  const language = languageOf(host);
  // English draws at once, without a turn of the event loop.
  const strings = language != "en" && (await stringsOf(language));
  // Meanwhile the widget took over, or the form was asked for in another language.
  if (hooks || languageOf(host) != language) return;
  const t = (key) => {
    const said = key.split(".").reduce((o, k) => o?.[k], strings);
    return typeof said == "string" ? said : SHELL.en[key] ?? "";
  };
  const words = {
    dir: strings && language == "ar" ? "rtl" : "ltr",
    lang: strings ? (language == "pt" ? "pt-BR" : language) : "en",
  };
  const markup = host.hasAttribute("launcher")
    ? SHELL.launcher.replace("{{form}}", () => SHELL.form)
    : SHELL.form;
  const root = document.createElement("div");
  root.className = "moov-root";
  root.dataset.static = "";
  root.innerHTML = markup.replace(/{{([\w.]+)}}/g, (_, key) => words[key] ?? escape(t(key)));
  const $ = (selector) => root.querySelector(selector);
  const [title, body, email, name, form, notice, send, dialog, launcher] = [
    "#moov-title",
    "#moov-body",
    "#moov-email",
    "#moov-name",
    "form",
    ".moov-notice",
    ".moov-send",
    "dialog",
    ".moov-launcher",
  ].map($);
  const say = (key) => (notice.textContent = t(key));
  // The widget cannot load: this form says so and drops a Send that waits for it.
  // While a Send waits, nothing can change what it will send, as in the widget's form.
  const hold = (held) => {
    if (held) form.setAttribute("aria-busy", "true");
    else form.removeAttribute("aria-busy");
    send.textContent = t(held ? "sending" : "send");
    body.contentEditable = !held;
    for (const field of [title, email, name]) field.readOnly = held || (field != title && locked);
  };
  const fail = () => {
    say("load_failed");
    hold(false);
  };
  // In place, so a field the user is in keeps its focus when the page's session token
  // arrives. Untouched, the form shows what is stored for whoever is signed in now, and says
  // so, as a reload would; once the user typed, what they typed stays.
  let locked = false;
  const fill = (anotherUser) => {
    // Another user signed in: what was typed and sent here was theirs, not this user's.
    if (anotherUser) {
      delete root.dataset.edited;
      hold(false);
    }
    if (!("edited" in root.dataset)) {
      const saved = loadDraft(draftKey(host)) || {};
      const restored = Object.keys(FIELDS).some((key) => text(saved[key]).trim());
      for (const key in FIELDS) $(FIELDS[key])[held(key)] = text(saved[key]);
      root.toggleAttribute("data-restored", restored);
      say(restored ? "draft_restored" : "");
    }
    // Contact details the partner knows fill what is empty; locked, they replace it.
    const claims = claimsOf(option(host, "session-token"));
    const known = [
      option(host, "contact-email") || text(claims?.email),
      option(host, "contact-name") || text(claims?.name),
    ];
    const trimmed = known[0].trim();
    locked = host.hasAttribute("lock-contact") && [...trimmed].length <= 254 && EMAIL.test(trimmed);
    [email, name].forEach((field, i) => {
      if (locked || !field.value) field.value = known[i];
      field.readOnly = locked;
    });
    if (failed) fail();
  };
  fill();

  // Every change is saved at once, as the widget saves it; from the first, the widget takes
  // the fields' values rather than the store's (see `takeShell`).
  const save = () => {
    root.dataset.edited = "";
    const key = draftKey(host);
    if (!key) return;
    try {
      localStorage.setItem(key, JSON.stringify({
        ...valuesOf(root),
        idempotency_key: text(loadDraft(key)?.idempotency_key) || crypto.randomUUID(),
      }));
    } catch {} // full or disabled storage: the words stay in the fields and go to the widget
  };
  // Until the widget pastes through its sanitizer, whatever enters the message is plain text.
  const insertText = (event) => {
    const data = event.clipboardData || event.dataTransfer;
    if (!data || !body.contains(event.target)) return;
    event.preventDefault();
    body.focus();
    if (!data.files?.length) document.execCommand("insertText", false, data.getData("text/plain"));
  };
  const on = {
    input: save,
    paste: insertText,
    drop: insertText,
    // Send is remembered and the widget sends once it has the form, with its own checks.
    submit(event) {
      event.preventDefault();
      if (failed) return say("load_failed");
      hold(true);
    },
    // The toolbar keeps the editor's selection.
    mousedown(event) {
      if (event.target.closest(".moov-tool")) event.preventDefault();
    },
    click(event) {
      const button = event.target.closest("button");
      const command =
        button?.matches(".moov-tool") && COMMANDS[button.className.split("moov-tool-")[1]];
      if (command) {
        body.focus();
        document.execCommand(command);
      } else if (button && button == launcher) {
        dialog.showModal();
        $("input:not([readonly]),[contenteditable]").focus();
      } else if (button?.matches(".moov-close")) dialog.close();
    },
    // However the dialog closed (Escape included), the button that opened it has focus.
    close: () => launcher.focus(),
  };
  for (const type in on) root.addEventListener(type, on[type], type == "close");

  // One sheet for every form on the page, the same text the widget adopts.
  if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(SHELL.css);
  const shadow = host.shadowRoot || host.attachShadow({ mode: "open" });
  shadow.adoptedStyleSheets = [sheet];
  // Enter starts a paragraph, as in the widget's editor.
  document.execCommand("defaultParagraphSeparator", false, "p");
  shadow.replaceChildren(root);
  // The first form on the page can be typed into from here.
  if (!shown) {
    shown = true;
    performance.mark("moov-support:static");
  }
  shells.set(host, { fill, fail, save });
}

// The element, with the options of `src/options_spec.rs` as properties and attributes, as
// the widget's own class (`element.js`) has them.
class MoovSupportForm extends HTMLElement {
  static observedAttributes = SHELL.options.map(([, attribute]) => attribute).filter(Boolean);
  static [Symbol.for("moov-support.strings")] = fetched;
  // The stylesheet's rules for this form, which the widget's wasm leaves out.
  static [Symbol.for("moov-support.rules")] = SHELL.css;

  // The widget takes over: every form on the page now, in the order they connected (document
  // order on a parsed page), and every later change. Its form replaces each static one with
  // what the user typed (`takeShell`).
  static [Symbol.for("moov-support.attach")](widget) {
    if (hooks) return;
    hooks = widget;
    clearTimeout(timer);
    for (const host of connected) hooks.connect(host);
  }

  connectedCallback() {
    // Properties set before the element was defined shadow the accessors; apply them.
    for (const [property] of SHELL.options) {
      if (Object.hasOwn(this, property)) {
        const value = this[property];
        delete this[property];
        this[property] = value;
      }
    }
    connected.add(this);
    if (hooks) hooks.connect(this);
    // "Your requests" first is the widget's to draw.
    else if (!this.shadowRoot && this.getAttribute("view") != "requests") draw(this);
  }

  disconnectedCallback() {
    connected.delete(this);
    hooks?.disconnect(this);
  }

  attributeChangedCallback(name, before, after) {
    // (While the element upgrades, its attributes are reported before it connects.)
    if (!connected.has(this) || before === after) return;
    if (hooks) return hooks.changed(this, name);
    // Another language or shape draws the form again, until the user types: then it waits for
    // the widget, so what they type stays where they type it. A new token for the same user
    // changes nothing; any other option is filled in where the user is.
    if (name == "locale" || name == "launcher") {
      if (!this.shadowRoot?.querySelector("[data-edited],[aria-busy]")) draw(this);
    } else if (name != "session-token") {
      shells.get(this)?.fill();
    } else {
      // Signed in (from no one): what was typed moves to that user's draft. One user to another
      // gets that user's own draft, as the widget does.
      const [was, now] = [claimsOf(before)?.sub, claimsOf(after)?.sub];
      const shell = shells.get(this);
      if (was === now || !shell) return;
      shell.fill(was && now);
      if (!was && this.shadowRoot.querySelector("[data-edited]")) {
        shell.save();
        const left = draftKey(this, before || "");
        try {
          if (left) localStorage.removeItem(left);
        } catch {}
      }
    }
  }
}
for (const [property, attribute, kind] of SHELL.options) {
  // A function option is a plain value kept by an accessor: frameworks (React 19, Vue) set a
  // custom element's property only when the element has it.
  const values = new WeakMap();
  Object.defineProperty(MoovSupportForm.prototype, property, {
    configurable: true,
    enumerable: true,
    get() {
      if (!attribute) return values.get(this) ?? null;
      return kind == "boolean" ? this.hasAttribute(attribute) : this.getAttribute(attribute);
    },
    set(value) {
      if (!attribute) values.set(this, value);
      else if (kind == "boolean") this.toggleAttribute(attribute, Boolean(value));
      else if (value == null) this.removeAttribute(attribute);
      else this.setAttribute(attribute, String(value));
    },
  });
}

// The widget did not come (offline, blocked, a network that stalls): the forms say so, keep
// what was typed, and a Send waiting for it is dropped rather than left spinning.
const fail = () => {
  failed = true;
  for (const shell of shells.values()) shell.fail();
};
const timer = setTimeout(fail, 10000);
customElements.get(TAG) || customElements.define(TAG, MoovSupportForm);

try {
  const { default: init } = await import("./moov-support-widget.js");
  await init({ module_or_path: wasm });
} catch (error) {
  fail();
  throw error;
}
