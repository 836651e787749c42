import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// `npm run dev` forwards the session and the proxy's routes to the partner's server
// (examples/axum, `cargo run -p example-axum` with EXAMPLE_SANDBOX=1).
const server = "http://127.0.0.1:8090";

export default defineConfig({
  plugins: [
    // <moov-support-form> is a custom element, not a Vue component.
    vue({ template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith("moov-support-") } } }),
  ],
  server: { proxy: { "/session": server, "/support": server } },
});
