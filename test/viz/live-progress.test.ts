import { describe, expect, it } from "vitest";
import { ProgressBoard, progressKey, withLiveProgress } from "../../lib/viz/live-progress";
import { MimeBundle, setDisplaySink } from "../../lib/viz/display";

describe("progress board", () => {
  it("keys bar lines by label, folding epochs together; other lines are kept", () => {
    expect(progressKey("spinal f0 epoch 3/14       [████░░░░] 7/7 | ETA 0s | loss 0.4")).toBe("spinal f0");
    expect(progressKey("prepare train (pass 1)       [░░░░] 0/60 | ETA 0s | ")).toBe(
      "prepare train (pass 1)",
    );
    expect(progressKey("[engine] backend=wasm")).toBeNull();
  });

  it("keeps the latest line of each bar in first-seen order, across chunk boundaries", () => {
    const b = new ProgressBoard();
    b.add(
      "[engine] backend=wasm\nspinal f0 epoch 1/2 [░░] 0/7 | ETA 0s |\n\nspinal f0 epoch 1/2 [██] 7/7 | loss 0.9\n",
    );
    b.add("foraminal f0 epoch 1/2 [██] 13/13 | loss 0.8\nspinal f0 epoch 2/2 [██");
    expect(b.text()).toBe(
      [
        "[engine] backend=wasm",
        "spinal f0 epoch 1/2 [██] 7/7 | loss 0.9",
        "foraminal f0 epoch 1/2 [██] 13/13 | loss 0.8",
        "spinal f0 epoch 2/2 [██",
      ].join("\n"),
    );
    b.add("] 7/7 | loss 0.7\n");
    expect(b.text().split("\n")[1]).toBe("spinal f0 epoch 2/2 [██] 7/7 | loss 0.7");
    expect(b.text().split("\n")).toHaveLength(3);
  });

  it("withLiveProgress takes the stderr of the call, restores it, and shows the final board", async () => {
    const shown: MimeBundle[] = [];
    setDisplaySink((b) => shown.push(b));
    const before = process.stderr.write;
    try {
      const r = await withLiveProgress(
        async () => {
          process.stderr.write("unit f0 epoch 1/1 [██] 1/1 | loss 1\n");
          process.stderr.write("unit f0 epoch 1/1 [██] 1/1 | loss 0.5\n");
          return 42;
        },
        { title: "Training" },
      );
      expect(r).toBe(42);
    } finally {
      setDisplaySink(null);
    }
    expect(process.stderr.write).toBe(before);
    expect(shown).toHaveLength(1);
    expect(shown[0].data["text/plain"]).toBe("Training\nunit f0 epoch 1/1 [██] 1/1 | loss 0.5");
  });
});
