import { describe, expect, it } from "vitest";
import { formatCell, tableHtml, tableText } from "../../lib/viz/table";

describe("tables", () => {
  it("escapes HTML and formats numbers, nulls and NaN", () => {
    const html = tableHtml(
      ["a<b", "v"],
      [
        ["x&y", 0.12345],
        [null, Number.NaN],
      ],
      { digits: 2 },
    );
    expect(html).toContain("<th style=");
    expect(html).toContain("a&lt;b");
    expect(html).toContain("x&amp;y");
    expect(html).toContain(">0.12<");
    expect(html.match(/>–</g)).toHaveLength(2);
  });
  it("aligns number columns right and text columns left", () => {
    const html = tableHtml(
      ["name", "n"],
      [
        ["a", 1],
        ["b", null],
      ],
    );
    expect(html).toContain('text-align:left">name</th>');
    expect(html).toContain('text-align:right">n</th>');
    expect(html).toContain('text-align:left">a</td>');
    expect(html).toContain('text-align:right">1</td>');
  });
  it("cuts long tables with a count of the rest", () => {
    const rows = Array.from({ length: 12 }, (_, i) => [i]);
    expect(tableHtml(["i"], rows, { maxRows: 10 })).toContain("… 2 more rows");
  });
  it("plain text is right-aligned columns", () => {
    expect(
      tableText(
        ["name", "n"],
        [
          ["ab", 1],
          ["c", 10],
        ],
      ),
    ).toBe("name   n\n  ab   1\n   c  10");
  });
  it("integers print without decimals", () => {
    expect(formatCell(3)).toBe("3");
    expect(formatCell(3.5, 1)).toBe("3.5");
  });
});
