// The `<moov-support-form>` class and `window.MoovSupport`. The form itself is Rust; this file
// only gives partners the DOM surface they expect from a web component.

// wasm-bindgen places this file at <assets>/snippets/<crate>/src/web/; the widget's other
// files sit in <assets>/. The base is a variable, not `import.meta.url` itself, so bundlers
// (which copy the target of every `new URL("…", import.meta.url)`) leave this folder alone.
const HERE = import.meta.url;
export const ASSETS = new URL("../../../../", HERE);

// Where the widget's other files are when this file is not beside them: a bundler inlines it
// into the app's own chunks, so the npm package's entry names each file in a form the bundler
// follows and hands them over here before the widget starts:
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

export function define_element(tag, table, connect, disconnect, changed) {
  if (customElements.get(tag)) return;
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
