// moov-support-widget/served: for bundlers that do not copy the files named by
// `new URL("./…", import.meta.url)`. The app serves the package's `assets/` folder itself
// (copied from node_modules/moov-support-widget/assets/) and loads the widget from there,
// exactly as the script tag would.

/**
 * Loads the widget from the folder at `folderUrl` (absolute, or relative to the page) and
 * settles when `<moov-support-form>` is defined. Harmless when it already is.
 */
export function load(folderUrl) {
  if (customElements.get("moov-support-form")) return Promise.resolve();
  const folder = new URL(String(folderUrl).replace(/\/?$/, "/"), document.baseURI);
  const loader = new URL("moov-support.js", folder).href;
  return import(/* webpackIgnore: true */ /* @vite-ignore */ loader).then(() =>
    customElements.whenDefined("moov-support-form").then(() => undefined),
  );
}
