/**
 * One timed r25d training epoch on whatever backend initBackend picks (scripts/gpu-check.sh runs it
 * twice: as is, and with CUDA_VISIBLE_DEVICES="" for the CPU). Prints one JSON line.
 * Usage: npx tsx scripts/gpu-check.ts [SAMPLES]   (default 256 = 8 batches of 32)
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/engine/backend";
import { REFERENCE_MODELS } from "../bench/reference-models";

async function main(): Promise<void> {
  const samples = Number(process.argv[2] ?? 256);
  const info = await initBackend({ log: false });
  const spec = REFERENCE_MODELS.r25d;
  const model = spec.build();
  model.compile({
    optimizer: tf.train.adam(1e-3),
    loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p),
  });
  const x = tf.randomNormal([samples, ...spec.inputShape], 0, 1, "float32", 7);
  const y = tf.oneHot(tf.randomUniform([samples], 0, spec.classes, "int32", 8) as tf.Tensor1D, spec.classes);
  // The first steps pay for kernel selection (cuDNN autotuning on a GPU): timed apart.
  let t = performance.now();
  await model.fit(x.slice(0, spec.batch), y.slice(0, spec.batch), {
    epochs: 1,
    batchSize: spec.batch,
    verbose: 0,
  });
  const warmupS = (performance.now() - t) / 1000;
  t = performance.now();
  const h = await model.fit(x, y, { epochs: 1, batchSize: spec.batch, shuffle: false, verbose: 0 });
  const epochS = (performance.now() - t) / 1000;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  const line = {
    backend: info.choice,
    tensorflowVersion: info.tensorflowVersion,
    gpu: info.gpu,
    threads: info.threads,
    samples,
    batch: spec.batch,
    warmupS: round(warmupS),
    epochS: round(epochS),
    imgPerS: round(samples / epochS),
    loss: round(h.history.loss[0] as number),
  };
  console.log(JSON.stringify(line));
}

main().catch((e) => {
  console.log(JSON.stringify({ error: e instanceof Error ? e.message.split("\n")[0] : String(e) }));
  process.exitCode = 2;
});
