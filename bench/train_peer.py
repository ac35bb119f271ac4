"""PyTorch peer of `lumbar bench train`: the same two architectures, float32, Adam, CPU.

Started once per (model, threads) by bench/train.ts and driven over stdin/stdout so the
TypeScript side can alternate epochs with it (both sides see the same background load):
  stdin  "train <steps>" | "infer <steps>" | "quit"
  stdout one JSON object per command: {"seconds": wall, "cpu": process CPU seconds}
The first line printed is {"ready": true, "torch": version, "threads": n}.
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def build_small():
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(16, eps=1e-3, momentum=0.01), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 3),
    )


def build_r25d():
    layers = []
    cin = 5
    for stage in ([32, 32], [64, 64], [128, 128], [256]):
        for cout in stage:
            layers += [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.ReLU()]
            cin = cout
        layers.append(nn.MaxPool2d(2))
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(256, 3)]
    return nn.Sequential(*layers)


MODELS = {"small": (build_small, (3, 64, 64)), "r25d": (build_r25d, (5, 96, 96))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=sorted(MODELS), required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    build, shape = MODELS[args.model]
    model = build()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    x = torch.randn(args.batch, *shape)
    y = torch.randint(0, 3, (args.batch,))
    w = torch.ones(args.batch)

    def train_step():
        model.train()
        opt.zero_grad(set_to_none=True)
        ce = F.cross_entropy(model(x), y, reduction="none")
        loss = (ce * w).sum() / w.sum()
        loss.backward()
        opt.step()

    def infer_step():
        model.eval()
        with torch.inference_mode():
            model(x)

    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        steps = int(parts[1])
        step = train_step if parts[0] == "train" else infer_step
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(steps):
            step()
        print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0}), flush=True)


if __name__ == "__main__":
    main()
