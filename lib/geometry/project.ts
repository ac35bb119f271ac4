import { insideImage, lpsToPixel, type ImagePlane } from "./plane";
import type { Vec3 } from "./vec";

/** What projection needs of a stack: its slice planes in order. */
export interface StackGeometry {
  readonly planes: readonly ImagePlane[];
}

export interface StackProjection {
  /** Index of the nearest slice in the stack. */
  slice: number;
  /** Column/row of the point's foot on that slice (fractional pixels). */
  x: number;
  y: number;
  /** Signed distance (mm) from that slice's plane along the stack normal. */
  distanceMm: number;
  /** The foot lies on the image. */
  inside: boolean;
}

/** Nearest slice of a stack to an LPS point, with in-plane coordinates there. */
export function projectToStack(stack: StackGeometry, point: Vec3): StackProjection {
  if (stack.planes.length === 0) throw new RangeError("projectToStack: empty stack");
  let best = 0;
  let bestFoot = lpsToPixel(stack.planes[0], point);
  for (let i = 1; i < stack.planes.length; i++) {
    const foot = lpsToPixel(stack.planes[i], point);
    if (Math.abs(foot.distanceMm) < Math.abs(bestFoot.distanceMm)) {
      best = i;
      bestFoot = foot;
    }
  }
  return { slice: best, ...bestFoot, inside: insideImage(stack.planes[best], bestFoot.x, bestFoot.y) };
}

/**
 * Project into several stacks and pick the best: a foot inside the image first, then the
 * smallest |distance|. Returns the stack index with the projection, or undefined for no stacks.
 */
export function projectToStacks(
  stacks: readonly StackGeometry[],
  point: Vec3,
): (StackProjection & { stack: number }) | undefined {
  let best: (StackProjection & { stack: number }) | undefined;
  stacks.forEach((s, stack) => {
    if (s.planes.length === 0) return;
    const p = { ...projectToStack(s, point), stack };
    if (!best || better(p, best)) best = p;
  });
  return best;
}

function better(a: StackProjection, b: StackProjection): boolean {
  if (a.inside !== b.inside) return a.inside;
  return Math.abs(a.distanceMm) < Math.abs(b.distanceMm);
}
