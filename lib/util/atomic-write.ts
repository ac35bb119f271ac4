import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";

/**
 * Write `data` to `file` atomically: a temp file in the same folder, then rename, so a reader (or a
 * resumed run after a kill) sees the old file or the new one, never half of one. The temp name has
 * a random part: worker threads share the process id. `durable` also fsyncs the temp file before the
 * rename, so the new file survives a crash of the machine too (a cache build's description).
 */
export function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  opts: { durable?: boolean } = {},
): void {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    if (opts.durable) {
      const fd = openSync(tmp, "w");
      try {
        writeFileSync(fd, data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } else writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
