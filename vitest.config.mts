import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // tfjs-wasm and DICOM decoding are CPU heavy; 2 cores on our machines.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // One temp folder per run, removed at its end (LUMBAR_KEEP_TEST_TMP=1 keeps it to look into).
    globalSetup: ["test/setup/temp-root.ts"],
  },
});
