import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** Append-only JSONL log: one JSON object per line, flushed on every write (safe to tail or kill). */
export class JsonlLog {
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
  }
  write(record: Record<string, unknown>): void {
    appendFileSync(this.file, JSON.stringify({ time: new Date().toISOString(), ...record }) + "\n");
  }
}
