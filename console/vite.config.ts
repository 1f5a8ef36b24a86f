import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run build` writes dist/, which server/server.mjs serves; unit tests run under Vitest in Node.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: true },
  test: { include: ["tests/unit/**/*.test.ts"], environment: "node" },
});
