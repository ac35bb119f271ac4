import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(__dirname, "..");
const meta = JSON.parse(readFileSync(resolve(root, "kernel-metadata.json"), "utf8"));

describe("kernel-metadata.json (kaggle kernels push)", () => {
  it("has the fields the Kaggle CLI requires, offline, on the competition", () => {
    expect(meta.id).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
    expect(meta.title.length).toBeGreaterThanOrEqual(5);
    expect(["python", "r", "rmarkdown"]).toContain(meta.language);
    expect(["script", "notebook"]).toContain(meta.kernel_type);
    expect(typeof meta.is_private).toBe("boolean");
    expect(typeof meta.enable_gpu).toBe("boolean");
    expect(meta.enable_internet).toBe(false);
    expect(meta.competition_sources).toEqual(["rsna-2024-lumbar-spine-degenerative-classification"]);
  });

  it("points at a launcher that exists and runs the TypeScript kernel from the attached bundle", () => {
    const launcher = resolve(root, meta.code_file);
    expect(existsSync(launcher)).toBe(true);
    const text = readFileSync(launcher, "utf8");
    expect(text).toContain('"kernel", "--data"');
    const bundle = meta.dataset_sources[0].split("/")[1];
    expect(text).toContain(`/kaggle/input/${bundle}`);
  });
});
