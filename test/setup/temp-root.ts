import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readEnv } from "../../lib/util/env";

/**
 * Every temporary file of a test run (tests' temp dirs, the kernels and synthetic sets they write,
 * Chromium's and Python's scratch) goes under one folder made here, which the run removes at its end:
 * some tests write hundreds of MB (the other-source kernel ~530 MB), and a suite that leaves them
 * behind fills a disk after a few dozen runs. The forks inherit TMPDIR, so os.tmpdir() points here.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "lumbar-vitest-"));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    if (readEnv("LUMBAR_KEEP_TEST_TMP") !== "1") rmSync(root, { recursive: true, force: true });
  };
}
