/**
 * Loads the widget from a folder the app serves (a copy of the package's `assets/` folder),
 * for bundlers that do not copy the files named by `new URL("./…", import.meta.url)`.
 * Settles when `<moov-support-form>` is defined; harmless when it already is.
 *
 * Importing the package's main entry as well is not needed: its types (the element, its
 * events, the React and Vue typings) come with `import type {} from "moov-support-widget"`.
 */
export declare function load(folderUrl: string | URL): Promise<void>;
