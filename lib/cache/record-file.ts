import { randomBytes } from "node:crypto";
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { LumbarError } from "../util/errors";
import { crc32 } from "./crc32";

/**
 * A record file: fixed-size records behind a fixed-size header, so record i sits at a known offset
 * and a reader takes one with a single `readSync`, never the whole file.
 *
 *   bytes 0-7      magic "LUMBREC1"
 *   bytes 8-11     header JSON length (uint32 LE)
 *   bytes 12-4095  header JSON (RecordFileHeader), then zeros
 *   4096 + i * (recordBytes + 4)   record i: recordBytes of payload, then its CRC-32 (uint32 LE)
 *
 * The file size must be exactly HEADER_BYTES + count * (recordBytes + 4): a truncated or padded file
 * is refused on open, a changed record on read (its CRC).
 */
export const RECORD_MAGIC = "LUMBREC1";
export const HEADER_BYTES = 4096;
const CRC_BYTES = 4;

export interface RecordFileHeader {
  /** What the records are, e.g. "crop-u8" or "localizer-f32". */
  readonly kind: string;
  /** The cache key of the build that wrote the file (see lib/cache/key.ts). */
  readonly key: string;
  /** Payload bytes per record (without its CRC). */
  readonly recordBytes: number;
  readonly count: number;
  /** Kind-specific geometry, e.g. { depth: 5, size: 36 }. */
  readonly shape: Readonly<Record<string, number>>;
}

/** A cache file that cannot be used as it is: wrong magic, header, key, length or a record's checksum. */
export class CacheFileError extends LumbarError {
  readonly name = "CacheFileError";
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly record?: number,
  ) {
    super(`cache file ${file}${record !== undefined ? ` record ${record}` : ""}: ${problem}`);
  }
}

/**
 * Writes records one at a time to a temp file beside `file`; `commit` writes the header, fsyncs and
 * renames, so `file` is either absent, the previous file, or complete. `abort` removes the temp file.
 */
export class RecordFileWriter {
  private readonly tmp: string;
  private fd: number | null;
  private count = 0;

  constructor(
    readonly file: string,
    readonly kind: string,
    readonly key: string,
    readonly recordBytes: number,
    readonly shape: Readonly<Record<string, number>>,
  ) {
    // A random part: worker threads and concurrent unit processes may build the same file.
    this.tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    this.fd = openSync(this.tmp, "w");
  }

  /** Append one record; returns its index. */
  append(payload: Uint8Array): number {
    if (this.fd === null) throw new Error(`record file ${this.file} is already closed`);
    if (payload.byteLength !== this.recordBytes)
      throw new RangeError(`record of ${payload.byteLength} bytes, ${this.file} holds ${this.recordBytes}`);
    const at = HEADER_BYTES + this.count * (this.recordBytes + CRC_BYTES);
    writeAll(this.fd, payload, at);
    const crc = Buffer.alloc(CRC_BYTES);
    crc.writeUInt32LE(crc32(payload));
    writeAll(this.fd, crc, at + this.recordBytes);
    return this.count++;
  }

  get records(): number {
    return this.count;
  }

  commit(): RecordFileHeader {
    if (this.fd === null) throw new Error(`record file ${this.file} is already closed`);
    const header: RecordFileHeader = {
      kind: this.kind,
      key: this.key,
      recordBytes: this.recordBytes,
      count: this.count,
      shape: this.shape,
    };
    try {
      writeAll(this.fd, encodeHeader(header), 0);
      fsyncSync(this.fd);
    } catch (e) {
      this.abort();
      throw e;
    }
    closeSync(this.fd);
    this.fd = null;
    renameSync(this.tmp, this.file);
    return header;
  }

  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.tmp, { force: true });
  }
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.byteLength) done += writeSync(fd, data, done, data.byteLength - done, position + done);
}

function encodeHeader(header: RecordFileHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  if (12 + json.length > HEADER_BYTES) throw new RangeError(`record file header over ${HEADER_BYTES} bytes`);
  const out = Buffer.alloc(HEADER_BYTES);
  out.write(RECORD_MAGIC, 0, "latin1");
  out.writeUInt32LE(json.length, 8);
  json.copy(out, 12);
  return out;
}

/**
 * A record file opened for reading. The header, the expected kind and key and the file's length are
 * checked on open; each record's CRC the first time this reader reads it (records do not change
 * under an open descriptor: a rebuild renames a new file over the name).
 */
export class RecordFileReader {
  private fd: number | null;
  private readonly verified: Uint8Array;
  private readonly crc = Buffer.alloc(CRC_BYTES);

  private constructor(
    readonly file: string,
    readonly header: RecordFileHeader,
    fd: number,
  ) {
    this.fd = fd;
    this.verified = new Uint8Array(header.count);
  }

  /** Open `file`; a missing file throws the fs error (ENOENT), anything unusable a CacheFileError. */
  static open(file: string, expect: { kind: string; key: string }): RecordFileReader {
    const fd = openSync(file, "r");
    try {
      const header = readHeader(fd, file);
      if (header.kind !== expect.kind)
        throw new CacheFileError(file, `holds ${header.kind}, not ${expect.kind}`);
      if (header.key !== expect.key)
        throw new CacheFileError(file, `was built for key ${header.key}, not ${expect.key}`);
      const size = fstatSync(fd).size;
      const want = HEADER_BYTES + header.count * (header.recordBytes + CRC_BYTES);
      if (size !== want)
        throw new CacheFileError(file, `is ${size} bytes, its header says ${want} (${header.count} records)`);
      return new RecordFileReader(file, header, fd);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  get count(): number {
    return this.header.count;
  }

  /** Record `index`'s payload into `out` (a new array by default); a CRC mismatch is a CacheFileError. */
  read(index: number, out = new Uint8Array(this.header.recordBytes)): Uint8Array {
    if (this.fd === null) throw new Error(`record file ${this.file} is closed`);
    if (!Number.isInteger(index) || index < 0 || index >= this.header.count)
      throw new CacheFileError(this.file, `no record ${index} (${this.header.count} records)`, index);
    const n = this.header.recordBytes;
    const at = HEADER_BYTES + index * (n + CRC_BYTES);
    if (readFull(this.fd, out, at) !== n)
      throw new CacheFileError(this.file, "ends inside the record", index);
    if (!this.verified[index]) {
      if (readFull(this.fd, this.crc, at + n) !== CRC_BYTES)
        throw new CacheFileError(this.file, "ends inside the record", index);
      if (this.crc.readUInt32LE(0) !== crc32(out))
        throw new CacheFileError(this.file, "checksum mismatch", index);
      this.verified[index] = 1;
    }
    return out;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function readFull(fd: number, out: Uint8Array, position: number): number {
  let done = 0;
  while (done < out.byteLength) {
    const n = readSync(fd, out, done, out.byteLength - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

function readHeader(fd: number, file: string): RecordFileHeader {
  const head = Buffer.alloc(HEADER_BYTES);
  if (readFull(fd, head, 0) !== HEADER_BYTES) throw new CacheFileError(file, "shorter than its header");
  if (head.toString("latin1", 0, 8) !== RECORD_MAGIC) throw new CacheFileError(file, "is not a record file");
  const length = head.readUInt32LE(8);
  if (length > HEADER_BYTES - 12) throw new CacheFileError(file, "header length out of range");
  let header: RecordFileHeader;
  try {
    header = JSON.parse(head.toString("utf8", 12, 12 + length)) as RecordFileHeader;
  } catch {
    throw new CacheFileError(file, "header is not JSON");
  }
  const ok =
    typeof header.kind === "string" &&
    typeof header.key === "string" &&
    Number.isInteger(header.recordBytes) &&
    header.recordBytes > 0 &&
    Number.isInteger(header.count) &&
    header.count >= 0;
  if (!ok) throw new CacheFileError(file, "header fields missing or invalid");
  return header;
}
