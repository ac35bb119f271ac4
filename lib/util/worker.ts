import { join } from "node:path";
import { Worker } from "node:worker_threads";

/**
 * Start a worker thread on module `name` (no extension) of folder `dir`: the compiled `name.js` when
 * running from dist/, or `name.ts` through tsx when running the TypeScript sources (tsx, vitest),
 * since a worker does not inherit the parent's module loader. `callerFile` is the caller's __filename.
 */
export function startModuleWorker(
  callerFile: string,
  dir: string,
  name: string,
  workerData: unknown,
): Worker {
  if (callerFile.endsWith(".ts")) {
    const code =
      `require(${JSON.stringify(require.resolve("tsx/cjs"))});\n` +
      `require(${JSON.stringify(join(dir, `${name}.ts`))});\n`;
    return new Worker(code, { eval: true, workerData });
  }
  return new Worker(join(dir, `${name}.js`), { workerData });
}
