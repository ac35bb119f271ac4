import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { StudyEntry } from "../data/dataset";

/**
 * Bump when the record layout or what a build stores changes (lib/cache); the code that cuts crops
 * is also hashed (codeIdentity), so a change there rebuilds without a bump.
 */
export const CACHE_FORMAT_VERSION = 1;

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** A cache key: 24 hex digits of the SHA-256 of the parts' stable JSON (and the format version). */
export function cacheKey(parts: unknown): string {
  return createHash("sha256")
    .update(stableJson({ format: CACHE_FORMAT_VERSION, parts }))
    .digest("hex")
    .slice(0, 24);
}

/**
 * What a study's files are, as far as a cache can tell without reading them: every series and file
 * with its size and modification time (a file replaced, added or removed changes it).
 */
export function studyIdentity(entry: StudyEntry): unknown {
  return {
    studyId: entry.studyId,
    series: entry.series.map((s) => ({
      seriesId: s.seriesId,
      description: s.description,
      problems: s.problems,
      files: s.files.map((f) => {
        try {
          const st = statSync(f.path);
          return [f.path, st.size, st.mtimeMs];
        } catch {
          return [f.path, null];
        }
      }),
    })),
  };
}

/** Folders whose code decides what a crop or a localizer image holds (relative to lib/). */
const CODE_FOLDERS = ["cache", "crop", "dicom", "geometry", "study"];

const codeHashes = new Map<string, string>();

/**
 * A hash of the source of `folders` of lib/ (by default the modules that read DICOM and cut crops
 * and localizer images), so a cache built by other code is rebuilt; where the sources cannot be read (a bundle), only
 * CACHE_FORMAT_VERSION speaks for the code.
 */
export function codeIdentity(folders: readonly string[] = CODE_FOLDERS): string {
  const id = folders.join(",");
  const known = codeHashes.get(id);
  if (known !== undefined) return known;
  const lib = resolve(__dirname, "..");
  const hash = createHash("sha256");
  let codeHash: string;
  try {
    for (const folder of folders) {
      const dir = join(lib, folder);
      const files = readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => /\.(ts|js|wat)$/.test(f))
        .sort();
      for (const f of files) hash.update(`${folder}/${f}\0`).update(readFileSync(join(dir, f)));
    }
    codeHash = hash.digest("hex").slice(0, 16);
  } catch {
    codeHash = "unreadable";
  }
  codeHashes.set(id, codeHash);
  return codeHash;
}
