import * as fs from "node:fs";
import * as path from "node:path";
import { DICOM_CORPUS, haveShared } from "../helpers/shared";

/** ../shared/dicom-corpus beside the repository (never copied into it). */
export const CORPUS = DICOM_CORPUS;
export const HAVE_CORPUS = haveShared(path.join(CORPUS, "manifest.tsv"), "the DICOM corpus tests");

export type ManifestRow = Record<string, string>;

/** manifest.tsv rows keyed by column name. */
export function readManifest(): ManifestRow[] {
  const [head, ...lines] = fs.readFileSync(path.join(CORPUS, "manifest.tsv"), "utf8").trimEnd().split("\n");
  const cols = head.split("\t");
  return lines.map((l) => {
    const cells = l.split("\t");
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? ""]));
  });
}

export function corpusPath(rel: string): string {
  return path.join(CORPUS, rel);
}

/** A backslash-separated DICOM multi-value as numbers ("" -> null). */
export function nums(s: string): number[] | null {
  return s === "" || s === "None" ? null : s.split("\\").map(Number);
}

export const LOSSY_SYNTAXES = new Set([
  "1.2.840.10008.1.2.4.50",
  "1.2.840.10008.1.2.4.51",
  "1.2.840.10008.1.2.4.81",
  "1.2.840.10008.1.2.4.91",
]);
