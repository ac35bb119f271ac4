import * as fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { initCodecs, readDicom } from "../../lib/dicom";
import { corpusPath, HAVE_CORPUS } from "./corpus";

/** NEAR of the first JPEG-LS scan header (FFDA: Ls, Ns, Ns x (Ci, Tmi), NEAR, ...). */
function jpegLsNear(bytes: Uint8Array): number {
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xda) return bytes[i + 5 + 2 * bytes[i + 4]];
  }
  throw new Error("no SOS marker");
}

async function diff(kind: string, n: number) {
  const ref = (await readDicom(corpusPath(`wg04_mr/REF/MR${n}_UNC`))).storedFrame(0);
  const got = (await readDicom(corpusPath(`wg04_mr/${kind}/MR${n}_${kind}`))).storedFrame(0);
  let max = 0;
  let sum = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ref[i] - got[i]);
    max = Math.max(max, d);
    sum += d;
    lo = Math.min(lo, ref[i]);
    hi = Math.max(hi, ref[i]);
  }
  return { max, mae: sum / ref.length, range: hi - lo, length: got.length, refLength: ref.length };
}

describe.skipIf(!HAVE_CORPUS)("lossy WG04 images against their uncompressed originals", () => {
  beforeAll(() => initCodecs());
  it.each([1, 2, 3, 4])("JPEG-LS near-lossless MR%i: every pixel within NEAR of the original", async (n) => {
    const near = jpegLsNear(new Uint8Array(fs.readFileSync(corpusPath(`wg04_mr/JLSN/MR${n}_JLSN`))));
    const d = await diff("JLSN", n);
    expect(d.length).toBe(d.refLength);
    expect(near).toBeGreaterThan(0);
    expect(d.max).toBeLessThanOrEqual(near);
  });
  it.each([1, 2, 3, 4])(
    "JPEG 2000 irreversible MR%i: mean absolute error under 2%% of the range",
    async (n) => {
      const d = await diff("J2KI", n);
      expect(d.length).toBe(d.refLength);
      expect(d.mae).toBeLessThan(0.02 * d.range);
    },
  );
  it.each([1, 2, 3, 4])(
    "12-bit JPEG extended MR%i: mean absolute error under 2 percent of the range",
    async (n) => {
      const d = await diff("JPLY", n);
      expect(d.length).toBe(d.refLength);
      expect(d.mae).toBeLessThan(0.02 * d.range);
    },
  );
});
