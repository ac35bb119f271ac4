import { readFileSync } from "node:fs";
import Papa from "papaparse";
import { writeFileAtomic } from "./atomic-write";
import { DataFormatError } from "./errors";

/** A parsed CSV: header plus rows keyed by header; `line` is the 1-based line in the file. */
export interface CsvTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: readonly { readonly line: number; readonly values: Readonly<Record<string, string>> }[];
}

/**
 * Read a CSV with papaparse (RFC 4180 quoting, BOM, CRLF). Checks that `required` columns exist;
 * a row with the wrong field count is a DataFormatError naming file and line.
 */
export function readCsv(file: string, required: readonly string[] = []): CsvTable {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new DataFormatError(file, null, `cannot read: ${(e as Error).message}`);
  }
  return parseCsv(text, file, required);
}

export function parseCsv(text: string, file: string, required: readonly string[] = []): CsvTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
  const fatal = parsed.errors.find((e) => e.type !== "FieldMismatch");
  if (fatal) throw new DataFormatError(file, (fatal.row ?? 0) + 1, fatal.message);
  const [header, ...body] = parsed.data;
  if (!header) throw new DataFormatError(file, 1, "empty file, expected a header line");
  const names = header.map((h) => h.trim());
  const missing = required.filter((r) => !names.includes(r));
  if (missing.length) throw new DataFormatError(file, 1, `missing column(s): ${missing.join(", ")}`);
  // skipEmptyLines drops blank lines, so map each record back to its physical line.
  const lineOf = lineNumbers(text);
  const rows = body.map((fields, i) => {
    const line = lineOf[i + 1] ?? i + 2;
    if (fields.length !== names.length) {
      throw new DataFormatError(file, line, `expected ${names.length} fields, found ${fields.length}`);
    }
    const values: Record<string, string> = {};
    names.forEach((n, j) => (values[n] = fields[j].trim()));
    return { line, values };
  });
  return { file, header: names, rows };
}

/** 1-based starting line of each non-blank record, counting newlines inside quoted fields. */
function lineNumbers(text: string): number[] {
  const out: number[] = [];
  let line = 1;
  let recordLine = 1;
  let blank = true;
  let inQuotes = false;
  for (let i = 0; i <= text.length; i++) {
    const ch = i < text.length ? text.charCodeAt(i) : 10;
    if (ch === 34) inQuotes = !inQuotes;
    if (ch === 10) {
      if (!inQuotes) {
        if (!blank) out.push(recordLine);
        blank = true;
        recordLine = line + 1;
      }
      line++;
    } else if (ch !== 13 && ch !== 32 && ch !== 9) {
      blank = false;
    }
  }
  return out;
}

/** Write a CSV atomically (temp file + rename), so a killed run never leaves half a file. */
export function writeCsvAtomic(
  file: string,
  header: readonly string[],
  rows: readonly (readonly unknown[])[],
): void {
  const text = Papa.unparse({ fields: [...header], data: rows.map((r) => [...r]) }, { newline: "\n" }) + "\n";
  writeFileAtomic(file, text);
}
