import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import {
  DEFAULT_CONFIG,
  INTENSITY_RANDOMIZATION,
  type LocalizerConfig,
  type SidePointConfig,
} from "../../lib/config";
import type { LocalizerSample, SidePointSample } from "../../lib/study";
import { localizerBatches, warpSample } from "../../lib/train/localizer";
import { sidePointBatches } from "../../lib/train/side-points";
import { storedWindowPx } from "../../lib/study/side-points";
import { Rng } from "../../lib/util/rng";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("warpSample: the localizer's shift, zoom and rotation move image and points together", () => {
  it("maps a point as hand-computed for 90 degrees, zoom 2, shift (4, 0)", () => {
    // c = 8. Source (12.5, 8.5): (x - c + sx) / zoom = (4.25, 0.25); R(-90deg) turns it to (0.25, -4.25).
    const view = { zoom: 2, rotateRad: Math.PI / 2, sx: 4, sy: 0, gain: 1 };
    const [[u, v]] = warpSample(new Float32Array(256), [[12.5, 8.5]], 16, view, new Float32Array(256), 0);
    expect(u).toBeCloseTo(8.25, 12);
    expect(v).toBeCloseTo(3.75, 12);
  });

  it("the identity view copies the image; the gain scales it", () => {
    const rng = new Rng(3);
    const img = Float32Array.from({ length: 64 }, () => rng.next());
    const out = new Float32Array(64);
    const pts = warpSample(img, [[2, 5]], 8, { zoom: 1, rotateRad: 0, sx: 0, sy: 0, gain: 1.5 }, out, 0);
    expect(pts).toEqual([[2, 5]]);
    img.forEach((v, i) => expect(out[i]).toBeCloseTo(1.5 * v, 6));
  });

  it("a blob's centroid lands on its mapped point under rotation + zoom + shift", () => {
    const px = 128;
    const [bx, by] = [40.5, 70.3];
    const img = new Float32Array(px * px);
    for (let y = 0; y < px; y++)
      for (let x = 0; x < px; x++)
        img[y * px + x] = Math.exp(-((x + 0.5 - bx) ** 2 + (y + 0.5 - by) ** 2) / (2 * 3 * 3));
    const out = new Float32Array(px * px);
    const view = { zoom: 1.2, rotateRad: (12 * Math.PI) / 180, sx: 5, sy: -3, gain: 1 };
    const [[u, v]] = warpSample(img, [[bx, by]], px, view, out, 0);
    let m = 0;
    let mx = 0;
    let my = 0;
    out.forEach((w, i) => {
      m += w;
      mx += w * ((i % px) + 0.5);
      my += w * (Math.floor(i / px) + 0.5);
    });
    expect(mx / m).toBeCloseTo(u, 1);
    expect(my / m).toBeCloseTo(v, 1);
  });
});

/** Every batch's input bytes. */
function inputBytes(batches: Iterable<{ readonly inputs: readonly tf.Tensor[] }>): number[][] {
  return [...batches].map((b) => Array.from(b.inputs[0].dataSync()));
}

describe("stage 1 batches are a function of the unit's rng", () => {
  const px = 32;
  const loc: LocalizerConfig = { ...DEFAULT_CONFIG.localizer, inputPx: px, filters: [8, 16], batchSize: 4 };
  const rng = new Rng(1);
  const samples: LocalizerSample[] = Array.from({ length: 6 }, (_, i) => ({
    studyId: i,
    image: Float32Array.from({ length: px * px }, () => rng.next()),
    points: [
      [10, 8],
      [12, 12],
      [14, 16],
      [15, 20],
      [16, 24],
    ],
    mmPerPx: [1, 1],
  }));
  const locBatches = (seed: number, cfg = loc) =>
    inputBytes(localizerBatches(samples, cfg, new Rng(seed), (s) => s as LocalizerSample[]));

  it("localizer: same seed same bytes, another seed or randomization off other bytes", () => {
    expect(loc.randomize).toEqual(INTENSITY_RANDOMIZATION);
    expect(locBatches(7)).toEqual(locBatches(7));
    expect(locBatches(7)).not.toEqual(locBatches(8));
    expect(locBatches(7, { ...loc, randomize: null })).not.toEqual(locBatches(7));
  });

  it("side points: same seed same bytes, another seed or randomization off other bytes", () => {
    const cfg: SidePointConfig = {
      ...DEFAULT_CONFIG.sidePoints,
      inputPx: 16,
      sizeMm: 48,
      filters: [4, 8],
      batchSize: 4,
    };
    const size = storedWindowPx(cfg);
    const side: SidePointSample[] = Array.from({ length: 6 }, (_, i) => ({
      studyId: i,
      family: "foraminal",
      crop: {
        data: Float32Array.from({ length: 3 * size * size }, () => rng.next()),
        depth: 3,
        size,
        mmPerPx: 3,
      },
      amplitudes: [0.5, 1, 0.5],
    }));
    const run = (seed: number, c = cfg) => inputBytes(sidePointBatches(side, c, new Rng(seed)));
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    expect(run(7, { ...cfg, randomize: null })).not.toEqual(run(7));
  });
});
