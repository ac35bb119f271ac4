"""Where one training step's time goes, per TensorFlow op type: `lumbar bench train --profile-ops`.

One fresh process per side, started by bench/train.ts. Sides:
  graph  our training graph, the SavedModel folder bench/train.ts wrote (saved_model.pb and
         weights.bin, the model's initial weights as float32 in get_weights order), run as tfjs-node
         runs it: a TF1 session with `--threads` intra-op threads and every op in the caller's thread;
  keras  Keras 3's compiled step (train_on_batch), the model of bench/train_peer.py.
Both with oneDNN on (bench/train.ts sets TF_ENABLE_ONEDNN_OPTS), on the same fixed batch. After two
warm-up steps it times `--steps` steps untraced, then traces `--steps` more with tf.profiler and
counts each node's fastest run (a loaded machine stretches single runs), summed per op type as
TensorFlow ran it (after Grappler's and oneDNN's rewrites: _MklNative* are oneDNN kernels). Prints
one JSON object: {"side", "stepSeconds": [...], "stepCpu": [...], "ops": {type: {"ms", "runs"}}}.
"""
import argparse
import collections
import glob
import json
import os
import shutil
import tempfile
import time
from types import SimpleNamespace

import numpy as np

import train_peer


def graph_step(args, x, labels):
    import tensorflow as tf

    tf1 = tf.compat.v1
    tf1.disable_eager_execution()
    # Inter-op -1: ops run in the calling thread, as tfjs-node's sessions run them (TF_NUM_INTEROP_THREADS=-1).
    config = tf1.ConfigProto(intra_op_parallelism_threads=args.threads, inter_op_parallelism_threads=-1)
    sess = tf1.Session(graph=tf1.Graph(), config=config)
    with sess.graph.as_default():
        meta = tf1.saved_model.loader.load(sess, ["serve"], args.saved_model)
    sigs = meta.signature_def

    def shape(info):
        return [d.size for d in info.tensor_shape.dim]

    weights = np.fromfile(os.path.join(args.saved_model, "weights.bin"), dtype="<f4")
    feeds, at = {}, 0
    set_in = sigs["set_weights"].inputs
    for key in sorted((k for k in set_in if k.startswith("w")), key=lambda k: int(k[1:])):
        n = int(np.prod(shape(set_in[key])))
        feeds[set_in[key].name] = weights[at : at + n].reshape(shape(set_in[key]))
        at += n
    if at != weights.size:
        raise SystemExit(f"weights.bin holds {weights.size} values, the graph's weights {at}")
    for key in ("adam_m", "adam_v"):
        feeds[set_in[key].name] = np.zeros(shape(set_in[key]), np.float32)
    feeds[set_in["adam_acc_beta1"].name] = np.float32(0.9)
    feeds[set_in["adam_acc_beta2"].name] = np.float32(0.999)
    sess.run(sigs["set_weights"].outputs["done"].name, feeds)

    step_in = sigs["train_step"].inputs
    feed = {}
    for key, info in step_in.items():
        if key == "labels":
            feed[info.name] = labels.astype(np.int32)
        elif key == "lr":
            feed[info.name] = np.float32(1e-3)
        elif len(info.tensor_shape.dim) == 4:
            feed[info.name] = x
        else:
            raise SystemExit(f"train_step input {key}: the profile feeds one image input, labels and lr")
    loss = sigs["train_step"].outputs["loss"].name
    return lambda: sess.run(loss, feed)


def keras_step(args):
    peer = SimpleNamespace(model=args.model, threads=args.threads, seed=args.seed, batch=args.batch)
    _, train_step, _ = train_peer.keras_side(peer, xla=False)
    return train_step


def op_times(logdir, steps):
    """Per op type: the sum over nodes of each node's fastest run (ms), and runs per step."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    path = sorted(glob.glob(f"{logdir}/**/*.xplane.pb", recursive=True))[-1]
    space = xplane_pb2.XSpace()
    with open(path, "rb") as f:
        space.ParseFromString(f.read())
    runs = collections.defaultdict(list)
    for plane in space.planes:
        if not plane.name.startswith("/host:CPU"):
            continue
        for line in plane.lines:
            for ev in line.events:
                # An op's event is "node:OpType"; the runtime's own are "Class::method" or bare names.
                name = plane.event_metadata[ev.metadata_id].name
                node, _, op = name.rpartition(":")
                if node and "::" not in name and (op[:1].isupper() or op.startswith("_")):
                    runs[(node, op)].append(ev.duration_ps / 1e9)
    ops = collections.defaultdict(lambda: {"ms": 0.0, "runs": 0.0})
    for (_, op), ds in runs.items():
        per_step = len(ds) / steps
        ops[op]["ms"] += min(ds) * per_step
        ops[op]["runs"] += per_step
    return {k: {"ms": round(v["ms"], 2), "runs": round(v["runs"], 1)} for k, v in ops.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", choices=["graph", "keras"], required=True)
    ap.add_argument("--model", choices=sorted(train_peer.SHAPES), required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--saved-model", help="graph: the folder bench/train.ts wrote")
    args = ap.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    rng = np.random.default_rng(args.seed)
    x = rng.standard_normal((args.batch, *train_peer.SHAPES[args.model]), dtype=np.float32)
    labels = rng.integers(0, 3, args.batch)
    # Keras's step makes the same batch from the same seed (train_peer.keras_side).
    step = graph_step(args, x, labels) if args.side == "graph" else keras_step(args)
    step()
    step()
    wall, cpu = [], []
    for _ in range(args.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        wall.append(round(time.perf_counter() - t0, 4))
        cpu.append(round(time.process_time() - c0, 4))
    logdir = tempfile.mkdtemp(prefix="lumbar-profile-")
    try:
        tf.profiler.experimental.start(logdir)
        for _ in range(args.steps):
            step()
        tf.profiler.experimental.stop()
        ops = op_times(logdir, args.steps)
    finally:
        shutil.rmtree(logdir, ignore_errors=True)
    print(json.dumps({"side": args.side, "stepSeconds": wall, "stepCpu": cpu, "ops": ops}), flush=True)


if __name__ == "__main__":
    main()
