import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export function tempDir(prefix = "lumbar-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Write `files` (relative path -> content) under a fresh temp dir; returns the dir. */
export function writeTree(files: Record<string, string>): string {
  const root = tempDir();
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}
