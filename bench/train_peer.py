"""A peer side of `lumbar bench train`: the reference models trained and run by PyTorch or Keras 3.

One fresh process per run, started by bench/train.ts: it builds the model, warms up, times
`--epochs` epochs of `--steps` training steps (Adam, batch `--batch`, float32, CPU), then as many
inference epochs, and prints one JSON object:
  {"framework", "version", "threads", "train": [{"seconds", "cpu"}...], "infer": [...]}
Frameworks: torch (Debian's python3-torch), keras (Keras 3 on TensorFlow, its compiled
tf.function step), keras-xla (the same with jit_compile=True); the Keras ones run in the cached
virtual environment bench/peer-python.ts builds from the tensorflow-cpu wheel of native-tf.sh.
"""
import argparse
import json
import os
import time

SHAPES = {"small": (64, 64, 3), "r25d": (96, 96, 5)}


def torch_side(args):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)

    def small():
        return nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(16, eps=1e-3, momentum=0.01), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 3),
        )

    def r25d():
        layers, cin = [], 5
        for stage in ([32, 32], [64, 64], [128, 128], [256]):
            for cout in stage:
                layers += [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.ReLU()]
                cin = cout
            layers.append(nn.MaxPool2d(2))
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(256, 3)]
        return nn.Sequential(*layers)

    model = {"small": small, "r25d": r25d}[args.model]()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    h, w, c = SHAPES[args.model]
    x = torch.randn(args.batch, c, h, w)
    y = torch.randint(0, 3, (args.batch,))

    def train_step():
        model.train()
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    def infer_step():
        model.eval()
        with torch.inference_mode():
            model(x)

    return torch.__version__, train_step, infer_step


def keras_side(args, xla):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf
    import keras
    from keras import layers

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(args.seed)

    def small():
        return keras.Sequential([
            keras.Input(SHAPES["small"]),
            layers.Conv2D(16, 3, padding="same", activation="relu"), layers.BatchNormalization(epsilon=1e-3, momentum=0.99),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.GlobalAveragePooling2D(), layers.Dense(3),
        ])

    def r25d():
        seq = [keras.Input(SHAPES["r25d"])]
        for stage in ([32, 32], [64, 64], [128, 128], [256]):
            for cout in stage:
                seq += [layers.Conv2D(cout, 3, padding="same", use_bias=False), layers.BatchNormalization(epsilon=1e-3, momentum=0.99), layers.ReLU()]
            seq.append(layers.MaxPooling2D(2))
        seq += [layers.GlobalAveragePooling2D(), layers.Dense(3)]
        return keras.Sequential(seq)

    model = {"small": small, "r25d": r25d}[args.model]()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=xla,
    )
    rng = np.random.default_rng(args.seed)
    x = rng.standard_normal((args.batch, *SHAPES[args.model]), dtype=np.float32)
    y = rng.integers(0, 3, args.batch)
    return f"keras {keras.__version__}, tensorflow {tf.__version__}", lambda: model.train_on_batch(x, y), lambda: model.predict_on_batch(x)


def timed(step, steps):
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework", choices=["torch", "keras", "keras-xla"], required=True)
    ap.add_argument("--model", choices=sorted(SHAPES), required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.framework == "torch":
        version, train_step, infer_step = torch_side(args)
    else:
        version, train_step, infer_step = keras_side(args, args.framework == "keras-xla")
    # Warm-up: graph tracing and compilation, allocator growth, Adam's slots.
    timed(train_step, 1)
    timed(infer_step, 1)
    train = [timed(train_step, args.steps) for _ in range(args.epochs)]
    infer = [timed(infer_step, args.steps) for _ in range(args.epochs)]
    print(json.dumps({"framework": args.framework, "version": version, "threads": args.threads, "train": train, "infer": infer}), flush=True)


if __name__ == "__main__":
    main()
