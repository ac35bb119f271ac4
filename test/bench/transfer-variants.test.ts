import { describe, expect, it } from "vitest";
import { parseVariants } from "../../bench/transfer-variants";
import { resolveConfig } from "../../lib/config";
import { UsageError } from "../../lib/util/errors";

describe("bench transfer's variants: partial config patches on the profile", () => {
  it("without a variant the profile is unchanged", () => {
    const v = parseVariants([]);
    expect(v.label).toBe("none");
    expect(resolveConfig("quick", v.overrides)).toEqual(resolveConfig("quick"));
  });

  it("patches merge in order and leave every other field as the profile has it", () => {
    const v = parseVariants(["augment=off", "epochs=12", "shiftFrac=0.05"]);
    expect(v.label).toBe("augment=off,epochs=12,shiftFrac=0.05");
    const quick = resolveConfig("quick");
    const patched = resolveConfig("quick", v.overrides);
    expect(patched.localizer).toEqual({
      ...quick.localizer,
      zoom: [1, 1],
      rotateDeg: 0,
      shiftFrac: 0.05,
      epochs: 12,
    });
    expect(patched.classifier).toEqual(quick.classifier);
    expect(resolveConfig("smoke", v.overrides).localizer.inputPx).toBe(32);
  });

  it("augment=on is the profile's augmentation", () => {
    expect(resolveConfig("quick", parseVariants(["augment=on"]).overrides)).toEqual(resolveConfig("quick"));
  });

  it("randomize=off switches the intensity randomization off; init names the start", () => {
    const quick = resolveConfig("quick");
    expect(quick.localizer.randomize).not.toBeNull();
    expect(resolveConfig("quick", parseVariants(["randomize=off"]).overrides).localizer).toEqual({
      ...quick.localizer,
      randomize: null,
    });
    expect(resolveConfig("quick", parseVariants(["randomize=on"]).overrides)).toEqual(quick);
    expect(resolveConfig("quick", parseVariants(["init=synthetic"]).overrides).localizer.init).toBe(
      "synthetic",
    );
    expect(resolveConfig("quick", parseVariants(["init=scratch"]).overrides).localizer.init).toBeNull();
  });

  it("randomizeP=p draws every randomization part with probability p, values as the default's", () => {
    const r = resolveConfig("quick", parseVariants(["randomizeP=0.8"]).overrides).localizer.randomize!;
    const quick = resolveConfig("quick").localizer.randomize!;
    for (const part of ["remap", "invert", "gamma", "bias", "blur", "noise"] as const)
      expect(r[part].p).toBe(0.8);
    expect(r.gamma.range).toEqual(quick.gamma.range);
    expect(r.remap.controlPoints).toBe(quick.remap.controlPoints);
  });

  it("epochs=n: the localizer trains n epochs from a random init and from init weights alike", () => {
    const loc = resolveConfig("quick", parseVariants(["epochs=6"]).overrides).localizer;
    expect([loc.epochs, loc.fineTuneEpochs]).toEqual([6, 6]);
  });

  it("an unknown name, a spec without a value or a bad value is a UsageError naming it", () => {
    expect(() => parseVariants(["dropout=0.1"])).toThrow(UsageError);
    expect(() => parseVariants(["dropout=0.1"])).toThrow(
      /NAME one of shiftFrac\|augment\|randomize\|randomizeP\|init\|epochs/,
    );
    expect(() => parseVariants(["augment"])).toThrow(UsageError);
    expect(() => parseVariants(["augment=maybe"])).toThrow(/expected on\|off, got "maybe"/);
    expect(() => parseVariants(["shiftFrac=1.5"])).toThrow(/0 <= x < 1/);
    expect(() => parseVariants(["epochs=0"])).toThrow(/positive integer/);
    expect(() => parseVariants(["randomizeP=1.2"])).toThrow(/0 <= x <= 1/);
  });
});
