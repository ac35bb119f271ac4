import * as fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeDicom, initCodecs, isDicomError, storedStats } from "../../lib/dicom";
import { Rng } from "../../lib/util/rng";
import { corpusPath, HAVE_CORPUS } from "./corpus";

/** One real file per transfer syntax family (plus multi-frame and deflated). */
const SEEDS = [
  "dcm_qa_ts/In/1.dcm",
  "dcm_qa_ts/In/2.dcm",
  "dcm_qa_ts/In/3.dcm",
  "dcm_qa_ts/In/4.dcm",
  "dcm_qa_ts/In/5.dcm",
  "dcm_qa_ts/In/7.dcm",
  "dcm_qa_ts/In/9.dcm",
  "pydicom-test-files/MR_small_jp2klossless.dcm",
  "pydicom-test-files/image_dfl.dcm",
  "pydicom-test-files/no_meta.dcm",
  "pydicom-data/emri_small_RLE.dcm",
  "pydicom-data/emri_small_jpeg_ls_lossless.dcm",
  "pylibjpeg-data/JPEGBaseline/JPEGBaseline_1s_1f_u_08_08.dcm",
];
const MUTATIONS_PER_FILE = Number(process.env.FUZZ_N ?? 24);

type Outcome = "decoded" | `error:${string}`;

function mutate(bytes: Uint8Array, rng: Rng): Uint8Array {
  const b = bytes.slice();
  switch (rng.int(0, 3)) {
    case 0: // truncate anywhere
      return b.subarray(0, rng.int(0, b.length - 1));
    case 1: // flip a few bytes
      for (let k = rng.int(1, 8); k > 0; k--) b[rng.int(0, b.length - 1)] ^= 1 << rng.int(0, 7);
      return b;
    case 2: {
      // a huge length somewhere (lengths past the end)
      const at = rng.int(0, b.length - 4);
      b.set([0xff, 0xff, 0xff, 0x7f], at);
      return b;
    }
    default: {
      // flip bytes inside the header region where tags and lengths live
      for (let k = rng.int(1, 4); k > 0; k--) b[rng.int(0, Math.min(b.length - 1, 1500))] = rng.int(0, 255);
      return b;
    }
  }
}

/** Decode fully; return "decoded" or the typed error's code; rethrow anything untyped. */
function outcome(bytes: Uint8Array, file: string): Outcome {
  try {
    const img = decodeDicom(bytes, file);
    const s = storedStats(img);
    expect(Number.isFinite(s.sum)).toBe(true);
    return "decoded";
  } catch (e) {
    if (isDicomError(e)) {
      expect(e.file).toBe(file);
      return `error:${e.code}`;
    }
    throw e;
  }
}

describe.skipIf(!HAVE_CORPUS)(
  "fuzz: truncations and byte flips of real files give a decode or a DicomError",
  () => {
    beforeAll(() => initCodecs());
    it.each(SEEDS.map((p, i) => [p, i] as const))("%s", (p, i) => {
      const original = new Uint8Array(fs.readFileSync(corpusPath(p)));
      const rng = new Rng(1000 + i);
      const seen = new Map<Outcome, number>();
      for (let m = 0; m < MUTATIONS_PER_FILE; m++) {
        const o = outcome(mutate(original, rng), `${p}#${m}`);
        seen.set(o, (seen.get(o) ?? 0) + 1);
      }
      if (process.env.FUZZ_N) console.log(p, Object.fromEntries(seen));
      // The fuzzer reached failures, not only harmless pixel flips.
      expect([...seen.keys()].some((k) => k.startsWith("error:"))).toBe(true);
      // A codec that choked on garbage still decodes the intact file afterwards.
      if (!p.includes("no_meta")) expect(outcome(original, p)).toBe("decoded");
    });

    it("no_meta.dcm (starts mid-element; DCMTK and pydicom reject it too) is a typed error", () => {
      expect(
        outcome(new Uint8Array(fs.readFileSync(corpusPath("pydicom-test-files/no_meta.dcm"))), "no_meta"),
      ).toBe("error:NOT_DICOM");
    });

    it("an empty file and random bytes are NOT_DICOM", () => {
      expect(outcome(new Uint8Array(0), "empty")).toBe("error:NOT_DICOM");
      const rng = new Rng(5);
      const junk = Uint8Array.from({ length: 4096 }, () => rng.int(0, 255));
      junk[0] = 0x01; // odd group: not a bare data set either
      expect(outcome(junk, "junk")).toBe("error:NOT_DICOM");
    });
  },
);
