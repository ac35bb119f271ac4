/**
 * Wall and CPU seconds per named stage, summed over calls. CPU is process.cpuUsage (user + system)
 * of the whole process: worker threads' CPU counts in the stage that ran them, so CPU seconds above
 * wall seconds mean parallel work.
 */
export interface StageClock {
  readonly timings: Record<string, number>;
  readonly cpuSeconds: Record<string, number>;
  /** Per stage, when it last ended: the process's resident set and its peak so far, MB. */
  readonly memoryMb: Record<string, { rss: number; peakRss: number }>;
  clock<T>(name: string, f: () => Promise<T> | T): Promise<T>;
}

export function stageClock(): StageClock {
  const timings: Record<string, number> = {};
  const cpuSeconds: Record<string, number> = {};
  const memoryMb: Record<string, { rss: number; peakRss: number }> = {};
  const clock = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    try {
      return await f();
    } finally {
      const c = process.cpuUsage(c0);
      timings[name] = (timings[name] ?? 0) + (performance.now() - t0) / 1000;
      cpuSeconds[name] = (cpuSeconds[name] ?? 0) + (c.user + c.system) / 1e6;
      memoryMb[name] = { rss: Math.round(process.memoryUsage.rss() / 1048576), peakRss: peakRssMb() };
    }
  };
  return { timings, cpuSeconds, memoryMb, clock };
}

/** The process's peak resident set so far, MB (maxRSS is in KiB). */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
