import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write";
import { CACHE_FORMAT_VERSION } from "./key";
import { CacheFileError } from "./record-file";
import { CROP_KIND, LOCALIZER_KIND, SampleStore, SampleWriter } from "./samples";

/**
 * A cache build's description, `{dir}/{stage}.json`: its key, its record files and what the stage
 * keeps besides pixels (`meta`, JSON; non-finite numbers and -0 survive, see encodeMeta). Written
 * last, after the record files are complete, so its presence means the build is.
 */
interface BuildFile<M> {
  readonly format: number;
  readonly stage: string;
  readonly key: string;
  readonly files: readonly string[];
  readonly meta: M;
}

export interface CachedBuild<M> {
  readonly meta: M;
  /** True when an earlier build with the same key was found whole and used (nothing recomputed). */
  readonly reused: boolean;
  /** Why an existing build was not used (absent, other key, a bad file), when it was not. */
  readonly rebuilt?: string;
  /** The record files of the build (names in `dir`). */
  readonly files: readonly string[];
}

/**
 * Reuse `dir`'s build of `stage` when it was made with `key` and every record file is whole (header,
 * key, length and every record's CRC checked); otherwise run `build`, which writes its samples through
 * the SampleWriter, commit the files, write `{stage}.json`, and remove the stage's files of other keys.
 * A build that throws leaves no file behind (temp files are removed) and the error propagates.
 */
export async function cachedBuild<M>(opts: {
  dir: string;
  stage: string;
  key: string;
  build: (writer: SampleWriter) => Promise<M>;
}): Promise<CachedBuild<M>> {
  const { dir, stage, key } = opts;
  mkdirSync(dir, { recursive: true });
  const found = readBuild<M>(dir, stage, key);
  if (found.ok) return { meta: found.build.meta, reused: true, files: found.build.files };
  const writer = new SampleWriter(dir, stage, key);
  let meta: M;
  try {
    meta = await opts.build(writer);
  } catch (e) {
    writer.abort();
    throw e;
  }
  const files = writer.commit();
  const description: BuildFile<M> = { format: CACHE_FORMAT_VERSION, stage, key, files, meta };
  writeFileAtomic(join(dir, `${stage}.json`), encodeMeta(description), { durable: true });
  for (const f of readdirSync(dir))
    if (f.startsWith(`${stage}-`) && f.endsWith(".rec") && !files.includes(f))
      rmSync(join(dir, f), { force: true });
  return { meta, reused: false, rebuilt: found.why, files };
}

/** The build of `stage` in `dir` if it has `key` and its files check out, else why not. */
function readBuild<M>(
  dir: string,
  stage: string,
  key: string,
): { ok: true; build: BuildFile<M> } | { ok: false; why: string } {
  const file = join(dir, `${stage}.json`);
  if (!existsSync(file)) return { ok: false, why: "no cache yet" };
  let build: BuildFile<M>;
  try {
    build = decodeMeta(readFileSync(file, "utf8")) as BuildFile<M>;
  } catch (e) {
    return { ok: false, why: `${file} does not parse (${(e as Error).message})` };
  }
  if (build.format !== CACHE_FORMAT_VERSION)
    return { ok: false, why: `format ${build.format}, not ${CACHE_FORMAT_VERSION}` };
  if (build.stage !== stage || build.key !== key)
    return { ok: false, why: `key changed (${build.key} -> ${key})` };
  const store = new SampleStore(dir);
  try {
    for (const f of build.files)
      store.verify(f, f.includes(`-${LOCALIZER_KIND}-`) ? LOCALIZER_KIND : CROP_KIND);
  } catch (e) {
    if (e instanceof CacheFileError || (e as NodeJS.ErrnoException).code === "ENOENT")
      return { ok: false, why: (e as Error).message };
    throw e;
  } finally {
    store.close();
  }
  return { ok: true, build };
}

/** JSON that keeps NaN, ±Infinity and -0 (plain JSON turns them into null and 0). */
export function encodeMeta(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))
      ? { $num: Object.is(v, -0) ? "-0" : String(v) }
      : v,
  );
}

export function decodeMeta(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === "$num") return Number((v as { $num: string }).$num);
    }
    return v;
  });
}
