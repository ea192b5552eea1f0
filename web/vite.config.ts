import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

/** The workstation: built into web/dist, which the API server serves (with a fallback to index.html). */
export default defineConfig({
  root,
  base: "/",
  // Vite's own transformer compiles JSX with React's automatic runtime; no framework plugin is needed.
  oxc: { jsx: { runtime: "automatic", importSource: "react" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // React, Mantine and TanStack Query make one vendor-sized entry; the workstation is an intranet app.
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      // Mantine marks its modules "use client" for server-rendering frameworks; a browser bundle has no use for it.
      onLog(level, log, handler) {
        if (log.code === "MODULE_LEVEL_DIRECTIVE") return;
        handler(level, log);
      },
    },
  },
  server: {
    port: 5173,
    // During development the API runs separately (npm run dev); same-origin cookies work through the proxy.
    proxy: { "/api": "http://localhost:3000" },
  },
});
