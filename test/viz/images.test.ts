import { describe, expect, it } from "vitest";
import { PNG } from "pngjs";
import { downsample, imageGridFigure, tileDataUri } from "../../lib/viz/images";
import { planeIntersectionSegment } from "../../lib/viz/study-images";
import type { ImagePlane } from "../../lib/geometry/plane";

describe("image tiles", () => {
  it("downsample keeps every factor-th pixel", () => {
    const px = Float32Array.from({ length: 16 }, (_, i) => i); // 4x4, value = index
    const d = downsample(px, 4, 4, 2);
    expect([d.width, d.height]).toEqual([2, 2]);
    expect(Array.from(d.pixels)).toEqual([0, 2, 8, 10]);
  });

  it("a large tile is embedded at most maxPx wide and mapped back to native pixels", () => {
    const w = 600;
    const h = 300;
    const px = new Float32Array(w * h).map((_, i) => i % w);
    const { uri, factor } = tileDataUri({ pixels: px, width: w, height: h }, 256);
    expect(factor).toBe(3);
    const png = PNG.sync.read(Buffer.from(uri.slice("data:image/png;base64,".length), "base64"));
    expect([png.width, png.height]).toEqual([200, 100]);
    const fig = imageGridFigure(
      [{ pixels: px, width: w, height: h, points: [{ x: 450, y: 10, label: "p" }] }],
      { title: "t" },
    );
    // Pixel k of the small image covers native pixels [3k, 3k+2], so the image spans the native
    // pixels' edges -0.5 .. 599.5 (and 299.5 down the reversed y axis).
    const [image] = fig.layout.images as Record<string, unknown>[];
    expect(image).toMatchObject({ xref: "x", yref: "y", x: -0.5, y: -0.5, sizex: 600, sizey: 300 });
    expect(image).toMatchObject({ xanchor: "left", yanchor: "top", sizing: "stretch", layer: "below" });
    expect(fig.layout.xaxis).toMatchObject({ range: [-0.5, 599.5] });
    expect(fig.layout.yaxis).toMatchObject({ range: [299.5, -0.5], scaleanchor: "x" });
    expect(fig.data[0]).toMatchObject({ x: [450], y: [10], text: ["p"] });
  });

  it("tiles go row-major into a grid with one subplot each", () => {
    const tile = { pixels: new Float32Array(4), width: 2, height: 2, title: "a", points: [{ x: 0, y: 0 }] };
    const fig = imageGridFigure([tile, tile, tile], { title: "grid", columns: 2 });
    expect(fig.data.map((t) => t.xaxis)).toEqual(["x", "x2", "x3"]);
    expect((fig.layout.images as { xref: string }[]).map((i) => i.xref)).toEqual(["x", "x2", "x3"]);
    const d = (k: string) => (fig.layout[k] as { domain: number[] }).domain;
    expect(d("xaxis3")).toEqual(d("xaxis")); // third tile: first column of the second row
    expect(d("yaxis3")[1]).toBeLessThan(d("yaxis")[0]);
    expect((fig.layout.annotations as unknown[]).length).toBe(3);
  });
});

describe("where an axial plane cuts a sagittal image", () => {
  // Sagittal image: columns go posterior (+y LPS), rows go inferior (-z); 1 mm pixels, origin at 0.
  const sagittal: ImagePlane = {
    position: [0, 0, 0],
    rowDir: [0, 1, 0],
    colDir: [0, 0, -1],
    normal: [-1, 0, 0],
    rowSpacing: 1,
    colSpacing: 1,
    rows: 100,
    columns: 100,
  };
  const axialAt = (normal: [number, number, number]): ImagePlane => ({
    ...sagittal,
    position: [0, 0, -30],
    rowDir: [1, 0, 0],
    colDir: [0, 1, 0],
    normal,
  });

  it("a horizontal axial plane 30 mm below the origin is the row y = 30", () => {
    expect(planeIntersectionSegment(sagittal, axialAt([0, 0, 1]))).toEqual({ x: [0, 99], y: [30, 30] });
  });

  it("a tilted plane gives a sloped segment (hand-computed)", () => {
    // distance(x, y) = 0.6 x + 0.8 (30 - y) = 0 -> y = 30 + 0.75 x: (0, 30) and (99, 104.25).
    const s = planeIntersectionSegment(sagittal, axialAt([0, 0.6, 0.8]))!;
    expect(s.x).toEqual([0, 99]);
    expect(s.y[0]).toBeCloseTo(30, 9);
    expect(s.y[1]).toBeCloseTo(104.25, 9);
  });

  it("parallel planes do not intersect", () => {
    expect(planeIntersectionSegment(sagittal, { ...sagittal, position: [5, 0, 0] })).toBeNull();
  });
});
