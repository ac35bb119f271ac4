import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { grayscalePng } from "../../lib/util/png";

const gray = (png: PNG, x: number, y: number) => [
  ...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3),
];

describe("grayscalePng (lib/util/png)", () => {
  it("maps the window linearly to 0..255 and clips outside it", () => {
    const png = PNG.sync.read(
      grayscalePng([0, 100, 200, 300, -50, 400], 3, 2, { window: { center: 150, width: 300 } }),
    );
    expect([png.width, png.height]).toEqual([3, 2]);
    expect([0, 1, 2].map((x) => gray(png, x, 0)[0])).toEqual([0, 85, 170]);
    expect([0, 1, 2].map((x) => gray(png, x, 1)[0])).toEqual([255, 0, 255]);
    expect(gray(png, 1, 0)).toEqual([85, 85, 85]);
  });

  it("zooms by pixel replication and draws a marker centred on the point", () => {
    const pixels = new Array(20 * 20).fill(10);
    const png = PNG.sync.read(
      grayscalePng(pixels, 20, 20, {
        zoom: 2,
        window: { center: 0, width: 100 },
        markers: [{ x: 10, y: 5, color: [0, 255, 0], radius: 4 }],
      }),
    );
    expect([png.width, png.height]).toEqual([40, 40]);
    // Centre of source pixel (10, 5) at zoom 2 is output (20.5, 10.5): the centre dot covers it.
    expect(gray(png, 20, 10)).toEqual([0, 255, 0]);
    // The ring passes 4 px to the right; far pixels keep the image's gray (10 -> 153).
    expect(gray(png, 24, 10)).toEqual([0, 255, 0]);
    expect(gray(png, 0, 0)).toEqual([153, 153, 153]);
  });

  it("rejects a pixel count that does not match the size", () => {
    expect(() => grayscalePng([1, 2, 3], 2, 2)).toThrow(RangeError);
  });
});
