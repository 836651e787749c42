// The `<moov-support-form>` class and `window.MoovSupport`. The form itself is Rust; this file
// only gives partners the DOM surface they expect from a web component.

// wasm-bindgen places this file at <assets>/snippets/<crate>/src/web/; the widget's other
// files sit in <assets>/. The release build bundles it into the widget's glue, in <assets>/
// itself. The base is a variable, not `import.meta.url` itself, so bundlers (which copy the
// target of every `new URL("…", import.meta.url)`) leave this folder alone.
const HERE = import.meta.url;
const BUNDLED = !new URL(HERE).pathname.endsWith("/src/web/element.js");
export const ASSETS = new URL(BUNDLED ? "./" : "../../../../", HERE);

// Where the widget's other files are when this file is not beside them: a bundler inlines it
// into the app's own chunks, so the npm package's entry names each file in a form the bundler
// follows and hands them over here before the widget starts, with the static form's rules:
//   rules:     the loader's `SHELL.css`
//   inbox:     { module: () => Promise<module>, wasm: URL }
//   sanitizer: { worker: () => Worker, module: () => Promise<module>, wasm: URL }
//   files:     { "locales/es.json": URL, … }
// Without it (the script-tag build) every file is found relative to ASSETS.
export let provided = null;

export function provide(found) {
  provided = found;
}

// One of the script-tag build's modules, beside the widget. The comments keep bundlers from
// resolving it: in a bundle the entry's `provide` names the module instead.
export function importBeside(name) {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ new URL(name, ASSETS).href);
}

function assetUrl(path) {
  const found = provided && provided.files && provided.files[path];
  if (provided && !found) throw new Error(`the npm package does not name ${path}`);
  return found ? String(found) : new URL(path, ASSETS).href;
}

// A form waits for its language's file before it is drawn; one that stalls must not keep
// the form off the page, so after this long the form is drawn in English.
const JSON_TIMEOUT_MS = 5000;

// One of the widget's JSON files (a language's strings), parsed; fetched once per page, so
// "Your requests" (a module of its own) reads the strings its form already has. A failure is
// not remembered: the next ask fetches again.
const fetched = new Map();

// The language files the script-tag loader asked for to draw its static form, by language:
// a promise of the parsed file, or of nothing when it could not have it within its 5 s. The
// first ask for one takes the loader's answer rather than asking the network again, a failure
// included (the static form is in English then, and so is the widget's); a later ask fetches.
let early = new Map();

export function fetchJson(path) {
  let answer = fetched.get(path);
  if (!answer) {
    answer = fetchOnce(path);
    fetched.set(path, answer);
    answer.catch(() => fetched.delete(path));
  }
  return answer;
}

async function fetchOnce(path) {
  const language = /^locales\/([\w-]+)\.json$/.exec(path);
  const asked = language && early.get(language[1]);
  if (asked) {
    early.delete(language[1]);
    const strings = await asked;
    if (strings) return strings;
    throw new Error("the loader could not fetch it");
  }
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`no answer in ${JSON_TIMEOUT_MS / 1000} s`)),
    JSON_TIMEOUT_MS,
  );
  try {
    const response = await fetch(assetUrl(path), { signal: controller.signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.json();
  } finally {
    clearTimeout(timer);
  }
}

// `table` is the widget's option table (`src/options_spec.rs`), one
// `[property, attribute, kind]` per option: kind is "boolean", "string", "number" or
// "function"; a function has no attribute and is a plain property.
function reflected(table) {
  return table.filter(([, attr]) => attr !== null);
}

function defineProperties(proto, table) {
  for (const [prop, attr, kind] of table) {
    if (attr === null) {
      // A function option is a plain value, but an accessor on the class all the same:
      // frameworks (React 19, Vue) set a custom element's property only when the element
      // has it, and would otherwise write the function into an attribute.
      const values = new WeakMap();
      Object.defineProperty(proto, prop, {
        configurable: true,
        enumerable: true,
        get() {
          return values.has(this) ? values.get(this) : null;
        },
        set(value) {
          values.set(this, value);
        },
      });
      continue;
    }
    const boolean = kind === "boolean";
    Object.defineProperty(proto, prop, {
      configurable: true,
      enumerable: true,
      get() {
        return boolean ? this.hasAttribute(attr) : this.getAttribute(attr);
      },
      set(value) {
        if (boolean) this.toggleAttribute(attr, Boolean(value));
        else if (value === null || value === undefined) this.removeAttribute(attr);
        else this.setAttribute(attr, String(value));
      },
    });
  }
}

// The stylesheet's rules the static form uses: the script-tag loader carries them, the npm
// package's entry provides them, and the widget's wasm leaves them out rather than carry them
// twice (`stylesheet::shared`).
let rules = null;

export function sharedRules() {
  return rules;
}

export function define_element(tag, table, connect, disconnect, changed) {
  const defined = customElements.get(tag);
  rules = (defined && defined[Symbol.for("moov-support.rules")]) || (provided && provided.rules) || null;
  // The script-tag loader defines the element itself, to draw the form before the wasm is
  // here; the widget then takes its instances over through this hook.
  const attach = defined && defined[Symbol.for("moov-support.attach")];
  if (attach) {
    // The language files it fetched for its static form, which the widget need not fetch.
    early = new Map(Object.entries(defined[Symbol.for("moov-support.strings")] || {}));
    attach.call(defined, { connect, disconnect, changed });
  } else if (defined) {
    return;
  } else {
    defineOwn(tag, table, connect, disconnect, changed);
  }

  const find = (element) =>
    element && element.localName === tag ? element : element && element.querySelector(tag);
  const api = Object.freeze({
    /** Renders a form in `element` (or configures it, when it is one) and returns the form. */
    mount(element, options = {}) {
      if (!(element instanceof Element)) throw new TypeError("MoovSupport.mount: not an element");
      let form = find(element);
      const fresh = !form;
      if (fresh) form = document.createElement(tag);
      for (const [key, value] of Object.entries(options)) {
        if (table.some(([prop]) => prop === key)) {
          form[key] = value;
        } else {
          throw new TypeError(`MoovSupport.mount: unknown option ${key}`);
        }
      }
      if (fresh) element.appendChild(form);
      return form;
    },
    /** Removes the form mounted in `element` (or `element` itself, when it is one). */
    unmount(element) {
      const form = find(element);
      if (form) form.remove();
    },
  });
  if (!("MoovSupport" in window)) {
    Object.defineProperty(window, "MoovSupport", { value: api, enumerable: true });
  }
}

// The element's own class, where no loader defined it (the npm package, a bundler).
function defineOwn(tag, table, connect, disconnect, changed) {
  class MoovSupportForm extends HTMLElement {
    static get observedAttributes() {
      return reflected(table).map(([, attr]) => attr);
    }
    connectedCallback() {
      // Properties set before the element was defined shadow the accessors; apply them.
      for (const [prop] of table) {
        if (Object.prototype.hasOwnProperty.call(this, prop)) {
          const value = this[prop];
          delete this[prop];
          this[prop] = value;
        }
      }
      connect(this);
    }
    disconnectedCallback() {
      disconnect(this);
    }
    attributeChangedCallback(name, before, after) {
      if (this.isConnected && before !== after) changed(this, name);
    }
  }
  defineProperties(MoovSupportForm.prototype, table);
  customElements.define(tag, MoovSupportForm);
}

// The loader's static form (`moov-support.js`): the form drawn from the same markup before the
// wasm arrived, which the user may already be typing into. The widget reads what it holds,
// draws its own form apart, then swaps the two in one step, carrying over the focus, the
// caret and the scroll, so the user sees no change and no keystroke falls between them.

// The static form's root in `host`'s shadow root, while it is there.
function staticRoot(host) {
  const root = host.shadowRoot && host.shadowRoot.querySelector(".moov-root[data-static]");
  return root && root.parentNode === host.shadowRoot ? root : null;
}

/** What the static form in `host` holds, for `Handoff::from_js`; `null` when it has none. */
export function takeShell(host) {
  const root = staticRoot(host);
  if (!root) return null;
  const field = (id) => root.querySelector(`#moov-${id}`);
  return {
    title: field("title").value,
    message: field("body").innerHTML,
    email: field("email").value,
    name: field("name").value,
    // The loader marks a form the user typed in (else its fields only show what is stored,
    // possibly for another user: the form reads the store itself), a form whose saved draft
    // it put back, and a Send pressed while the widget loaded (the form is busy until then).
    edited: root.hasAttribute("data-edited"),
    restored: root.hasAttribute("data-restored"),
    send: root.querySelector("form").getAttribute("aria-busy") === "true",
  };
}

// How an element of the form is found again in its copy: by id, else by its classes (the
// toolbar's buttons, Send, the dialog); elements of the message itself are neither.
function selectorOf(element) {
  if (element.id) return `#${element.id}`;
  return element.classList.length ? `.${[...element.classList].join(".")}` : null;
}

// The selection in a shadow root: Chromium keeps it there, Firefox in the document's.
function selectionIn(shadow) {
  return shadow.getSelection ? shadow.getSelection() : document.getSelection();
}

// A node's place under `top` as child indexes, and back: the message's HTML is the same in
// both forms, so the same path reaches the same text.
function pathOf(top, node) {
  const path = [];
  for (; node !== top; node = node.parentNode) {
    path.unshift(Array.prototype.indexOf.call(node.parentNode.childNodes, node));
  }
  return path;
}

function nodeAt(top, path) {
  return path.reduce((node, i) => node && node.childNodes[i], top);
}

/**
 * Puts `container` (the widget's form, drawn apart) where `host`'s static form is, and
 * carries over the focused field with its caret or selection, the scroll positions and an
 * open dialog. The widget's stylesheet, already adopted, stays as it is.
 */
export function finishShell(host, container) {
  const shadow = host.shadowRoot;
  const old = staticRoot(host);
  if (!old) {
    shadow.append(container);
    return;
  }
  const focused = old.contains(shadow.activeElement) ? shadow.activeElement : null;
  const focus = focused && selectorOf(focused);
  // An input's caret (email inputs have none to read: theirs ends after the text).
  const caret =
    focused && typeof focused.selectionStart === "number"
      ? [focused.selectionStart, focused.selectionEnd, focused.selectionDirection]
      : null;
  // The message's selection, anchor and focus, so a selection made backwards stays so.
  const body = old.querySelector("#moov-body");
  const selection = selectionIn(shadow);
  const inMessage =
    focused === body &&
    selection &&
    selection.anchorNode &&
    body.contains(selection.anchorNode) &&
    body.contains(selection.focusNode)
      ? [
          pathOf(body, selection.anchorNode),
          selection.anchorOffset,
          pathOf(body, selection.focusNode),
          selection.focusOffset,
        ]
      : null;
  const scrolled = [];
  for (const element of old.querySelectorAll("*")) {
    const selector = (element.scrollTop || element.scrollLeft) && selectorOf(element);
    if (selector) scrolled.push([selector, element.scrollTop, element.scrollLeft]);
  }
  const dialog = old.querySelector("dialog");
  const open = dialog && dialog.open;
  // The widget writes the same values into its inputs a moment later; written now, that
  // write changes nothing, and the caret set below stays where the user left it.
  for (const input of old.querySelectorAll("input[id]")) {
    const copy = container.querySelector(`#${input.id}`);
    if (copy) copy.value = input.value;
  }

  old.replaceWith(container);

  if (open) container.querySelector("dialog").showModal();
  const target = focus && container.querySelector(focus);
  if (target) {
    target.focus({ preventScroll: true });
    if (caret) target.setSelectionRange(...caret);
  }
  if (inMessage) {
    const message = container.querySelector("#moov-body");
    const [anchor, anchorOffset, focusPath, focusOffset] = inMessage;
    const now = selectionIn(shadow);
    try {
      const [anchorNode, focusNode] = [nodeAt(message, anchor), nodeAt(message, focusPath)];
      now.setBaseAndExtent(anchorNode, anchorOffset, focusNode, focusOffset);
    } catch {
      // The message was drawn differently after all: the caret goes after its text.
      now.selectAllChildren(message);
      now.collapseToEnd();
    }
  }
  // Last, once the dialog is open and focus moved (neither may scroll, but both can).
  for (const [selector, top, left] of scrolled) {
    const element = container.querySelector(selector);
    if (element) {
      element.scrollTop = top;
      element.scrollLeft = left;
    }
  }
}
