import { toBody } from "./anatomy";
import type { Phantom } from "./phantom";
import type { SeriesAppearance } from "./appearance";
import type { SlicePlan } from "./plan";
import { Tissue } from "./tissue";
import { addRicianNoise, ValueNoise, type NoiseSource } from "../util/noise";
import { gaussianBlur } from "../util/blur";
import { mulMatT } from "./vec";

/**
 * Sample the phantom on one slice as `look` says: tissue signal with texture, receive-coil shading
 * and any bias field, gamma, a point-spread blur, then Rician noise. Returns relative signal (CSF
 * on T2 about 1), row-major.
 */
export function renderSlice(
  ph: Phantom,
  plan: SlicePlan,
  look: SeriesAppearance,
  noise: NoiseSource,
): Float32Array {
  const { rows, cols } = plan;
  const { lut, texture: amp, bias, gamma } = look;
  const an = ph.an;
  const img = new Float32Array(rows * cols);
  const b0 = toBody(an, plan.position);
  const dj = mulMatT(an.rotation, plan.rowDir).map((v) => v * plan.spacing[1]);
  const di = mulMatT(an.rotation, plan.colDir).map((v) => v * plan.spacing[0]);
  const tex = new ValueNoise(an.textureSeed);
  const coilRef = an.skin.posterior;

  // The spine-frame mapping, texture and coil shading vary slowly: evaluate them on a coarse node
  // grid (every G pixels) and interpolate bilinearly; only the tissue lookup runs per pixel.
  const G = 4;
  const nr = Math.ceil((rows - 1) / G) + 1;
  const nc = Math.ceil((cols - 1) / G) + 1;
  // x, a, s, texture, shading, and the marrow's own factor where the anatomy varies it.
  const marrow = ph.hasMarrowTexture;
  const K = marrow ? 6 : 5;
  const node = new Float64Array(nr * nc * K);
  const sc = new Float64Array(3);
  for (let r = 0; r < nr; r++) {
    for (let c = 0; c < nc; c++) {
      const i = r * G;
      const j = c * G;
      const body: [number, number, number] = [
        b0[0] + i * di[0] + j * dj[0],
        b0[1] + i * di[1] + j * dj[1],
        b0[2] + i * di[2] + j * dj[2],
      ];
      ph.spineCoords(body[0], body[1], body[2], sc);
      const o = (r * nc + c) * K;
      node[o] = sc[0];
      node[o + 1] = sc[1];
      node[o + 2] = sc[2];
      node[o + 3] = tex.at(sc[0] * 0.16, sc[1] * 0.16, sc[2] * 0.16) - 0.5;
      // Posterior receive coil: signal falls with distance from the back.
      node[o + 4] =
        (0.45 + 0.95 * Math.exp(-(coilRef - sc[1]) / an.coilFalloff)) * (1 + (an.biasSlope * sc[2]) / 100);
      if (bias) node[o + 4] *= bias.at(body);
      if (marrow) node[o + 5] = ph.marrowFactor(sc[0], sc[1], sc[2]);
    }
  }
  // Interpolate the node grid down to the current row once, then along the row per pixel.
  const rowv = new Float64Array(nc * K);
  for (let i = 0; i < rows; i++) {
    const r = Math.min(nr - 2, Math.floor(i / G));
    const fy = (i - r * G) / G;
    const o0 = r * nc * K;
    const o1 = o0 + nc * K;
    for (let q = 0; q < nc * K; q++) rowv[q] = node[o0 + q] + fy * (node[o1 + q] - node[o0 + q]);
    const out = i * cols;
    for (let j = 0; j < cols; j++) {
      const c = Math.min(nc - 2, Math.floor(j / G));
      const fx = (j - c * G) / G;
      const o = c * K;
      const x = rowv[o] + fx * (rowv[o + K] - rowv[o]);
      const a = rowv[o + 1] + fx * (rowv[o + K + 1] - rowv[o + 1]);
      const sArc = rowv[o + 2] + fx * (rowv[o + K + 2] - rowv[o + 2]);
      const t = ph.tissue(x, a, sArc);
      let val = lut[t];
      if (val === 0) continue;
      const am = amp[t];
      if (am > 0) val *= 1 + am * (rowv[o + 3] + fx * (rowv[o + K + 3] - rowv[o + 3]));
      if (marrow && t === Tissue.Marrow) val *= rowv[o + 5] + fx * (rowv[o + K + 5] - rowv[o + 5]);
      img[out + j] = val * (rowv[o + 4] + fx * (rowv[o + K + 4] - rowv[o + 4]));
    }
  }
  if (gamma !== 1) for (let k = 0; k < img.length; k++) img[k] = img[k] ** gamma;
  if (look.blurMm) {
    gaussianBlur(img, rows, cols, look.blurMm[0] / plan.spacing[0], look.blurMm[1] / plan.spacing[1]);
  } else blur121(img, rows, cols);
  addRicianNoise(img, look.noiseSigma, noise);
  return img;
}

/** Separable [1 2 1]/4 blur in place: a mild point-spread so edges look acquired, not drawn. */
function blur121(img: Float32Array, rows: number, cols: number): void {
  const tmp = new Float32Array(Math.max(rows, cols));
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) tmp[j] = img[o + j];
    for (let j = 1; j < cols - 1; j++) img[o + j] = 0.25 * tmp[j - 1] + 0.5 * tmp[j] + 0.25 * tmp[j + 1];
  }
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) tmp[i] = img[i * cols + j];
    for (let i = 1; i < rows - 1; i++)
      img[i * cols + j] = 0.25 * tmp[i - 1] + 0.5 * tmp[i] + 0.25 * tmp[i + 1];
  }
}
