/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The build goes into the Python package, so `tipchat serve` finds it wherever it is installed.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "../src/tipchat/static",
    emptyOutDir: true,
    assetsDir: "assets", // hashed names: served with a one-year immutable cache
    sourcemap: true,
  },
  server: {
    // `npm run dev` talks to a `tipchat serve` on :8000.
    proxy: {
      "/api": "http://127.0.0.1:8000",
      "/ws": { target: "ws://127.0.0.1:8000", ws: true },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["./src/test-setup.ts"],
  },
});
