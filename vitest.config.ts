import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Browser tests poll the screen; a loaded CI machine may take more than the default second to re-render.
    expect: { poll: { timeout: 10_000 } },
    reporters: ["default"],
  },
});
