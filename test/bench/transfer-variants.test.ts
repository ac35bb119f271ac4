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
    expect(patched.localizer).toEqual({ ...quick.localizer, scaleJitter: 0, shiftFrac: 0.05, epochs: 12 });
    expect(patched.classifier).toEqual(quick.classifier);
    expect(resolveConfig("smoke", v.overrides).localizer.inputPx).toBe(32);
  });

  it("augment=on is the profile's augmentation", () => {
    expect(resolveConfig("quick", parseVariants(["augment=on"]).overrides)).toEqual(resolveConfig("quick"));
  });

  it("an unknown name, a spec without a value or a bad value is a UsageError naming it", () => {
    expect(() => parseVariants(["dropout=0.1"])).toThrow(UsageError);
    expect(() => parseVariants(["dropout=0.1"])).toThrow(
      /NAME one of scaleJitter\|shiftFrac\|augment\|epochs/,
    );
    expect(() => parseVariants(["augment"])).toThrow(UsageError);
    expect(() => parseVariants(["augment=maybe"])).toThrow(/expected on\|off, got "maybe"/);
    expect(() => parseVariants(["scaleJitter=1.5"])).toThrow(/0 <= x < 1/);
    expect(() => parseVariants(["epochs=0"])).toThrow(/positive integer/);
  });
});
