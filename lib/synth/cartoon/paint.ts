import { CONDITION_INFO } from "../../data/schema";
import type { Rng } from "../../util/rng";
import type { NoiseSource } from "../../util/noise";
import { projectToPixel, type SlicePlan } from "../plan";
import { dot, sub, type Vec3 } from "../vec";
import type { CartoonAnatomy } from "./anatomy";
import { coverage, ellipse, mix } from "./shapes";
import { SIGN } from "./signs";
import { FORAMEN_RADII, arcCentre, tangentAt } from "./spine";
import type { Overlay } from "./study";
import type { CartoonStyle, Intensities } from "./styles";

/** Background blotches vary over this many mm. */
const BLOTCH_CELL_MM = 22;

/**
 * Paint one slice: the anatomy sampled at every pixel centre (soft tissue blotched), the slice's
 * own signs on top, then a linear bias field and noise. Relative signal, row-major.
 */
export function paintSlice(
  anatomy: CartoonAnatomy,
  plan: SlicePlan,
  t: Intensities,
  overlays: readonly Overlay[],
  style: CartoonStyle,
  rng: Rng,
  noise: NoiseSource,
): Float32Array {
  const { rows, cols } = plan;
  const img = new Float32Array(rows * cols);
  const blotch = new Blotches(rng, rows * plan.spacing[0], cols * plan.spacing[1], style.noise.blotch);
  const q0 = sub(plan.position, arcCentre(anatomy.sp));
  const dj = plan.rowDir.map((v) => v * plan.spacing[1]);
  const di = plan.colDir.map((v) => v * plan.spacing[0]);
  const sc = new Float64Array(3);
  for (let i = 0; i < rows; i++) {
    let qx = q0[0] + i * di[0];
    let qy = q0[1] + i * di[1];
    let qz = q0[2] + i * di[2];
    const yMm = i * plan.spacing[0];
    for (let j = 0; j < cols; j++, qx += dj[0], qy += dj[1], qz += dj[2]) {
      anatomy.coordsFromCentre(qx, qy, qz, sc);
      const soft = t.soft * blotch.at(yMm, j * plan.spacing[1]);
      img[i * cols + j] = anatomy.valueAt(sc[0], sc[1], sc[2], t, soft);
    }
  }
  for (const o of overlays) drawSign(img, plan, anatomy, o, style, t);
  addBiasAndNoise(img, plan, style, rng, noise);
  return img;
}

/**
 * A sign around the overlay's centre projected into the slice, in mm. Foraminal: the foramen's
 * ellipse (its long axis along the spine) filled with stenosis, with fat left in a concentric
 * ellipse scaled by the grade. Subarticular: a circle or square of the sign's tissue.
 */
function drawSign(
  img: Float32Array,
  plan: SlicePlan,
  anatomy: CartoonAnatomy,
  o: Overlay,
  style: CartoonStyle,
  t: Intensities,
): void {
  const c = projectToPixel(plan, o.centre);
  const foramen = CONDITION_INFO[o.condition].family === "foraminal";
  // The spine's direction in the image (column, row): the foramen's long axis.
  const along = inPlane(plan, tangentAt(anatomy.sp, anatomy.spineCoords(o.centre)[2]));
  const size = foramen ? FORAMEN_RADII.s : SIGN.recessSize[o.grade];
  const fat = SIGN.foramenFatLeft[o.grade];
  const [sy, sx] = plan.spacing;
  const reach = size + 1;
  const i0 = Math.max(0, Math.floor(c.y - reach / sy));
  const i1 = Math.min(plan.rows - 1, Math.ceil(c.y + reach / sy));
  const j0 = Math.max(0, Math.floor(c.x - reach / sx));
  const j1 = Math.min(plan.cols - 1, Math.ceil(c.x + reach / sx));
  for (let i = i0; i <= i1; i++) {
    for (let j = j0; j <= j1; j++) {
      const dx = (j - c.x) * sx;
      const dy = (i - c.y) * sy;
      const k = i * plan.cols + j;
      if (foramen) {
        const ds = dx * along[0] + dy * along[1];
        const da = -dx * along[1] + dy * along[0];
        const outer = ellipse(da, ds, FORAMEN_RADII.a, FORAMEN_RADII.s);
        img[k] = mix(img[k], t.stenosis, coverage(outer));
        img[k] = mix(
          img[k],
          t.foramenFat,
          coverage(ellipse(da, ds, fat * FORAMEN_RADII.a, fat * FORAMEN_RADII.s)),
        );
      } else {
        const d =
          style.subarticularShape === "circle"
            ? Math.hypot(dx, dy) - size
            : Math.max(Math.abs(dx), Math.abs(dy)) - size;
        img[k] = mix(img[k], t.sign, coverage(d));
      }
    }
  }
}

/** A direction's unit projection into the image, as (column, row) components. */
function inPlane(plan: SlicePlan, v: Vec3): [number, number] {
  const x = dot(v, plan.rowDir);
  const y = dot(v, plan.colDir);
  const n = Math.hypot(x, y);
  return [x / n, y / n];
}

function addBiasAndNoise(
  img: Float32Array,
  plan: SlicePlan,
  style: CartoonStyle,
  rng: Rng,
  noise: NoiseSource,
) {
  const { rows, cols } = plan;
  const angle = rng.uniform(0, 2 * Math.PI);
  const gx = (style.noise.bias * Math.cos(angle)) / cols;
  const gy = (style.noise.bias * Math.sin(angle)) / rows;
  const { additive, multiplicative } = style.noise;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      const bias = 1 + gx * (j - cols / 2) + gy * (i - rows / 2);
      const v = img[k] * bias * (1 + multiplicative * noise.next()) + additive * noise.next();
      img[k] = v > 0 ? v : 0;
    }
  }
}

/** A coarse random grid, bilinearly interpolated: slow blotches over the soft tissue (mean 1). */
class Blotches {
  private readonly grid: Float32Array;
  private readonly gc: number;
  constructor(
    rng: Rng,
    heightMm: number,
    widthMm: number,
    private readonly amount: number,
  ) {
    const gr = Math.ceil(heightMm / BLOTCH_CELL_MM) + 2;
    this.gc = Math.ceil(widthMm / BLOTCH_CELL_MM) + 2;
    this.grid = Float32Array.from({ length: gr * this.gc }, () => rng.uniform(-1, 1));
  }
  at(yMm: number, xMm: number): number {
    const fy = yMm / BLOTCH_CELL_MM;
    const fx = xMm / BLOTCH_CELL_MM;
    const r = Math.floor(fy);
    const c = Math.floor(fx);
    const ty = fy - r;
    const tx = fx - c;
    const g = this.grid;
    const o = r * this.gc + c;
    const top = g[o] + (g[o + 1] - g[o]) * tx;
    const bottom = g[o + this.gc] + (g[o + this.gc + 1] - g[o + this.gc]) * tx;
    return 1 + this.amount * (top + (bottom - top) * ty);
  }
}
