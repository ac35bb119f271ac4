import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

/** sha256 of every file below root, keyed by its relative path: "same seed, same bytes". */
export function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(root, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(root);
  return out;
}

/** One sha256 over a hashTree, paths sorted (directory order differs between file systems). */
export function treeDigest(tree: Record<string, string>): string {
  const lines = Object.keys(tree)
    .sort()
    .map((k) => `${k} ${tree[k]}\n`)
    .join("");
  return createHash("sha256").update(lines).digest("hex");
}
