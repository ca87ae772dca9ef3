// The React client: `npm run build` writes dist/client (served by the API when SERVE_CLIENT is
// on); `npm run dev` runs this dev server with HMR, proxying the API on PADDOCK_API_URL.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import path from "node:path";

const api = process.env.PADDOCK_API_URL ?? "http://localhost:3000";

export default defineConfig({
  root: "client",
  plugins: [react()],
  resolve: {
    alias: { "@shared": path.resolve(import.meta.dirname, "shared") },
  },
  build: {
    outDir: "../dist/client",
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    port: Number(process.env.VITE_PORT ?? 5173),
    strictPort: false,
    proxy: {
      "/trpc": { target: api, changeOrigin: false },
      "/api": { target: api, changeOrigin: false },
      "/socket.io": { target: api, ws: true, changeOrigin: false },
    },
  },
  preview: { port: 4173 },
});
