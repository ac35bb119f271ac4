import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");

/** The code block under "## Layout" in README.md. */
function layoutBlock(): string[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Layout"));
  return section
    .slice(section.indexOf("```") + 3, section.indexOf("```", section.indexOf("```") + 3))
    .split("\n");
}

describe("README layout", () => {
  it("lists every lib/ folder, and only folders that exist", () => {
    const listed = layoutBlock()
      .map((l) => /^ {2}([a-z-]+)\/ /.exec(l)?.[1])
      .filter((x): x is string => !!x)
      .sort();
    const actual = readdirSync(join(ROOT, "lib"), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect(listed).toEqual(actual);
  });

  it("names top-level entries that exist", () => {
    const entries = layoutBlock()
      .map((l) => /^([.\w/-]+?)\/?\s/.exec(l)?.[1])
      .filter((x): x is string => !!x && !x.includes(","));
    expect(entries.length).toBeGreaterThan(8);
    expect(entries.filter((e) => !existsSync(join(ROOT, e)))).toEqual([]);
  });
});
