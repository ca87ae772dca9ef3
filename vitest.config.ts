import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: {
    alias: {
      "@shared": path.resolve(import.meta.dirname, "shared"),
      "@server": path.resolve(import.meta.dirname, "server"),
    },
  },
  test: {
    include: ["server/**/*.test.ts", "shared/**/*.test.ts", "agent/**/*.test.ts", "client/**/*.test.ts", "e2e/**/*.test.ts"],
    globalSetup: ["server/test/global-setup.ts"],
    setupFiles: ["server/test/isolated-database.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real processes; two cores are plenty busy with two files at once.
    maxWorkers: 2,
  },
});
