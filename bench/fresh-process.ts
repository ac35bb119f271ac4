import { spawnSync } from "node:child_process";

/**
 * Re-run the current command once per value of `option`, each in a fresh process, every other
 * argument unchanged; stops at the first failure and returns its exit status. A process loads one
 * tfjs backend, and TensorFlow fixes its thread pool when it loads, so settings that differ in
 * either need a process each.
 */
export function rerunPerValue(option: string, values: readonly (string | number)[]): number {
  const args = process.argv
    .slice(1)
    .filter((a, i, all) => a !== option && !a.startsWith(`${option}=`) && all[i - 1] !== option);
  for (const value of values) {
    const r = spawnSync(process.execPath, [...args, option, String(value)], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (r.status !== 0) return r.status ?? 1;
  }
  return 0;
}
