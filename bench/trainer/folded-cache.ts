import type * as tf from "@tensorflow/tfjs";
import { foldBatchNorm } from "./fold";

/** The BatchNorm-folded inference copy of a model, rebuilt only when the weights version changes. */
export class FoldedCache {
  private model: tf.LayersModel | null = null;
  private version = -1;

  async get(source: tf.LayersModel, version: number): Promise<tf.LayersModel> {
    if (this.model && this.version === version) return this.model;
    this.model?.dispose();
    this.model = (await foldBatchNorm(source)).model;
    this.version = version;
    return this.model;
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
  }
}
