import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { GraphBuildError } from "../errors";
import { encodeSavedModel, type NodeSpec, type SignatureSpec } from "./proto";

/** A graph with its signatures and the op the loader runs once (variables' initial values). */
export interface GraphProgram {
  readonly nodes: readonly NodeSpec[];
  readonly signatures: Readonly<Record<string, SignatureSpec>>;
  readonly initOp: string;
}

/** Write a program as a SavedModel folder: saved_model.pb only (its init op makes the variables). */
export function writeSavedModel(graph: GraphProgram, dir: string): void {
  writeFileSync(join(dir, "saved_model.pb"), encodeSavedModel(graph.nodes, graph.signatures, graph.initOp));
}

/** What a signature's feeds look like to tfjs-node's runSavedModel: tensor names and TF types. */
interface FeedInfo {
  name: string;
  tfDtype: string;
}

/** The slice of tfjs-node's backend that loads and runs a SavedModel (not in tfjs's public types). */
interface SavedModelBackend {
  loadSavedModelMetaGraph(path: string, tags: string): number;
  runSavedModel(id: number, inputs: tf.Tensor[], infos: FeedInfo[], outputs: string[]): tf.Tensor[];
  deleteSavedModel(id: number): void;
}

const TF_DTYPE = { float: "DT_FLOAT", int32: "DT_INT32", bool: "DT_BOOL", resource: "DT_RESOURCE" } as const;

/**
 * A GraphProgram loaded into a TensorFlow session of tfjs-node's binding (its SavedModel loader),
 * run one signature per call by tensor name. The variables live in the session between calls; the
 * SavedModel folder is written to a temporary directory, loaded, and removed.
 */
export class GraphSession<P extends GraphProgram = GraphProgram> {
  private disposed = false;

  private constructor(
    private readonly backend: SavedModelBackend,
    private readonly id: number,
    readonly graph: P,
  ) {}

  static load<P extends GraphProgram>(graph: P): GraphSession<P> {
    if (tf.getBackend() !== "tensorflow")
      throw new GraphBuildError(`graph training needs the tensorflow backend, not ${tf.getBackend()}`);
    const dir = mkdtempSync(join(tmpdir(), "lumbar-graph-"));
    try {
      writeSavedModel(graph, dir);
      const backend = tf.backend() as unknown as SavedModelBackend;
      return new GraphSession(backend, backend.loadSavedModelMetaGraph(dir, "serve"), graph);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Run one signature: feeds by input key, outputs in the order asked (default: all, by key). */
  run(
    signature: string,
    feeds: Readonly<Record<string, tf.Tensor>>,
    outputs?: readonly string[],
  ): tf.Tensor[] {
    if (this.disposed) throw new GraphBuildError("graph session used after dispose");
    const sig: SignatureSpec | undefined = this.graph.signatures[signature];
    if (!sig) throw new GraphBuildError(`no signature ${signature}`);
    const keys = Object.keys(sig.inputs);
    for (const k of keys) if (!feeds[k]) throw new GraphBuildError(`${signature}: input ${k} not fed`);
    const infos = keys.map((k) => ({ name: sig.inputs[k].name, tfDtype: TF_DTYPE[sig.inputs[k].dtype] }));
    const names = (outputs ?? Object.keys(sig.outputs)).map((k) => {
      const o = sig.outputs[k];
      if (!o) throw new GraphBuildError(`${signature} has no output ${k}`);
      return o.name;
    });
    return this.backend.runSavedModel(
      this.id,
      keys.map((k) => feeds[k]),
      infos,
      names,
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.backend.deleteSavedModel(this.id);
  }
}
