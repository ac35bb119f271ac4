import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  DicomError,
  initCodecs,
  readDicom,
  readDicomHeader,
  storedStats,
  type StoredArray,
} from "../../lib/dicom";
import { corpusPath, HAVE_CORPUS, LOSSY_SYNTAXES, nums, readManifest } from "./corpus";

const rows = HAVE_CORPUS ? readManifest() : [];
const NEGATIVE = (r: Record<string, string>) => /negative/i.test(r.note);
const AMBIGUOUS = (r: Record<string, string>) => /AMBIGUOUS/.test(r.note);
/** 12-bit JPEG extended (process 4), decoded by dcmjs-codecs' IJG 12-bit (lib/dicom/codecs/jpegExtended). */
const TWELVE_BIT_DCT = (r: Record<string, string>) =>
  r.transfer_syntax_uid === "1.2.840.10008.1.2.4.51" && Number(r.bits_stored) > 8;

function sha256Le(frames: StoredArray[]): string {
  const h = createHash("sha256");
  for (const a of frames) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest("hex");
}

describe.skipIf(!HAVE_CORPUS)("decode equals the pydicom/GDCM/DCMTK reference on the real corpus", () => {
  beforeAll(() => initCodecs());

  const lossless = rows.filter(
    (r) => !NEGATIVE(r) && !AMBIGUOUS(r) && !LOSSY_SYNTAXES.has(r.transfer_syntax_uid),
  );
  async function expectExact(r: Record<string, string>) {
    const img = await readDicom(corpusPath(r.path));
    const h = img.header;
    expect(h.transferSyntaxUid).toBe(r.transfer_syntax_uid);
    expect([h.rows, h.columns, h.frames]).toEqual([+r.rows, +r.cols, +r.frames]);
    expect([h.bitsAllocated, h.bitsStored, h.pixelRepresentation]).toEqual([
      +r.bits_allocated,
      +r.bits_stored,
      +r.pixel_representation,
    ]);
    expect(h.photometric).toBe(r.photometric);
    const s = storedStats(img);
    expect([s.min, s.max, s.sum]).toEqual([+r.min, +r.max, +r.sum]);
    const frames = Array.from({ length: img.frames }, (_, f) => img.storedFrame(f));
    expect(sha256Le(frames)).toBe(r.sha256_decoded_le);
    const f0 = frames[0];
    const spp = h.samplesPerPixel;
    expect(Array.from(f0.subarray(0, spp))).toEqual(r.px_f0_r0_c0.split("/").map(Number));
    if (spp === 1) expect(f0[(h.rows >> 1) * h.columns + (h.columns >> 1)]).toBe(+r.px_f0_center);
  }
  it.each(lossless.map((r) => [r.path, r] as const))("lossless %s: bit-exact", (_p, r) => expectExact(r));

  // Lossy, but GDCM (the manifest's reference) and dcmjs-codecs both run the IJG 12-bit integer
  // DCT, so the decoded pixels agree exactly; the tolerance test below covers them too.
  it.each(rows.filter(TWELVE_BIT_DCT).map((r) => [r.path, r] as const))(
    "12-bit JPEG extended %s: bit-exact with the GDCM reference decode",
    (_p, r) => expectExact(r),
  );

  const lossy = rows.filter((r) => LOSSY_SYNTAXES.has(r.transfer_syntax_uid));
  it.each(lossy.map((r) => [r.path, r] as const))("lossy %s: statistics within tolerance", async (_p, r) => {
    const img = await readDicom(corpusPath(r.path));
    const s = storedStats(img);
    const n = +r.rows * +r.cols * +r.frames * +r.samples_per_pixel;
    const range = +r.max - +r.min || 1;
    // Different decoders of one lossy stream agree to within rounding; the mean within 0.5%.
    expect(Math.abs(s.sum / n - +r.sum / n)).toBeLessThanOrEqual(0.005 * range);
    expect(Math.abs(s.min - +r.min)).toBeLessThanOrEqual(0.02 * range);
    expect(Math.abs(s.max - +r.max)).toBeLessThanOrEqual(0.02 * range);
  });

  it.each(rows.filter(NEGATIVE).map((r) => [r.path] as const))(
    "negative %s: typed TRUNCATED error",
    async (p) => {
      const e = await (async () => {
        try {
          (await readDicom(corpusPath(p))).storedFrame(0);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(DicomError);
      expect((e as DicomError).code).toBe("TRUNCATED");
      expect((e as DicomError).file).toBe(corpusPath(p));
    },
  );
});

describe.skipIf(!HAVE_CORPUS)("typed header equals the manifest", () => {
  const withGeometry = rows.filter((r) => r.image_position_patient !== "" && !NEGATIVE(r));
  it.each(withGeometry.map((r) => [r.path, r] as const))("%s", async (_p, r) => {
    const h = (await readDicom(corpusPath(r.path))).header;
    expect(h.imagePositionPatient).toEqual(nums(r.image_position_patient));
    expect(h.imageOrientationPatient).toEqual(nums(r.image_orientation_patient));
    expect(h.pixelSpacing).toEqual(nums(r.pixel_spacing));
    expect(h.instanceNumber).toBe(r.instance_number === "" ? null : +r.instance_number);
    expect(h.frameOfReferenceUid).toBe(r.frame_of_reference_uid);
    expect(h.seriesInstanceUid).toBe(r.series_instance_uid);
    expect(h.seriesDescription).toBe(r.series_description);
    if (r.rescale_slope !== "" && r.rescale_slope !== "None") {
      expect(h.rescaleSlope).toBeCloseTo(+r.rescale_slope, 9);
      expect(h.rescaleIntercept).toBeCloseTo(+r.rescale_intercept, 9);
    } else {
      expect([h.rescaleSlope, h.rescaleIntercept]).toEqual([1, 0]);
    }
  });
});

describe.skipIf(!HAVE_CORPUS)("readDicomHeader (64 KiB probe, header only) equals the full parse", () => {
  beforeAll(() => initCodecs());
  const positives = rows.filter((r) => !NEGATIVE(r));
  it("on every positive corpus file", async () => {
    for (const r of positives) {
      const full = (await readDicom(corpusPath(r.path))).header;
      expect(readDicomHeader(corpusPath(r.path)), r.path).toEqual(full);
    }
  });
});
