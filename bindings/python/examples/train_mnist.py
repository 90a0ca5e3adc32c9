#!/usr/bin/env python3
"""Train a RAM on 28x28 MNIST from Python, with a progress bar.

usage: train_mnist.py [--data DIR] [--epochs N] [--minutes M] [--out FILE]

The recipe of `ram-mnist train --task mnist28` in brief (docs/mnist.md): an
LSTM core, 6 glimpses of 8x8, location std 0.12, Adam (lr 1e-3, decayed 0.995
per epoch) with global-norm clipping at 5, batches of 64; each episode is rewarded 1 when the last
step's argmax is the label, and trained by cross-entropy + REINFORCE + the
baseline. The first 50,000 training digits train, the last 10,000 validate;
the test error of the best epoch's model is printed at the end.
"""
import argparse
import gzip
import os
import struct
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

import ram


def read_idx(directory: str, base: str) -> "np.ndarray[Any, Any]":
    path = os.path.join(directory, base)
    opener = open
    if os.path.exists(path + ".gz"):
        path, opener = path + ".gz", gzip.open  # type: ignore[assignment]
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def error(agent: ram.Agent, images: "np.ndarray[Any, Any]", labels: "np.ndarray[Any, Any]", steps: int) -> float:
    """Greedy-location error, as ram-mnist eval computes it."""
    wrong = 0
    for i in range(0, len(images), 500):
        x = images[i:i + 500]
        agent.begin(len(x), greedy_location=True)
        for t in range(steps):
            out = agent.step(x, probs=False, actions=t == steps - 1)
        agent.end()
        wrong += int(np.count_nonzero(out.actions != labels[i:i + 500]))
    return wrong / len(images)


def bar(done: int, total: int, t0: float, text: str) -> None:
    frac = done / total
    eta = (time.perf_counter() - t0) * (1 - frac) / max(frac, 1e-9)
    sys.stderr.write("\r[%-30s] %3d%% %s eta %3.0fs " % ("#" * int(30 * frac), 100 * frac, text, eta))
    sys.stderr.flush()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("RAM_MNIST_DIR") or "data/mnist")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--minutes", type=float, default=0, help="stop after this long (0: no limit)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--lr-decay", type=float, default=0.995, help="per epoch (0.995)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1, choices=(1, 2), help="replicas (1)")
    ap.add_argument("--out", default="mnist28-python.ram")
    args = ap.parse_args()

    images = read_idx(args.data, "train-images-idx3-ubyte")
    labels = read_idx(args.data, "train-labels-idx1-ubyte").astype(np.intc)
    train_x, train_y, val_x, val_y = images[:50000], labels[:50000], images[50000:], labels[50000:]
    test_x = read_idx(args.data, "t10k-images-idx3-ubyte")
    test_y = read_idx(args.data, "t10k-labels-idx1-ubyte").astype(np.intc)

    cfg = ram.Config(core=ram.CoreType.LSTM, patch=8, scales=1, max_steps=6, seed=args.seed)
    agent = ram.Agent(cfg)
    agent.set_param("location_std", 0.12)
    agent.set_param("clip_norm", 5.0)
    steps = agent.config("max_steps")
    replicas = [agent]
    if args.threads == 2:                        # the same parameters, another RNG stream
        replicas.append(ram.Agent.from_bytes(agent.to_bytes(optimizer=True)))
        replicas[1].seed(args.seed + 1000)
    pool = ThreadPoolExecutor(len(replicas))

    def episode(a: ram.Agent, x: "np.ndarray[Any, Any]", y: "np.ndarray[Any, Any]") -> None:
        a.begin(len(x), train=True)
        for t in range(steps):
            out = a.step(x, probs=False, actions=t == steps - 1)
        a.reward((out.actions == y).astype(np.float32))
        a.end(y)

    rng = np.random.default_rng(args.seed)
    best, t_start = 1.0, time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        for a in replicas:
            a.set_param("learning_rate", max(args.lr * args.lr_decay ** (epoch - 1), 1e-4))
        order = rng.permutation(len(train_x))
        t0, batches = time.perf_counter(), len(order) // args.batch
        for b in range(batches):
            idx = order[b * args.batch:(b + 1) * args.batch]
            x, y = train_x[idx], train_y[idx]        # a fancy-index copy, C-contiguous
            if len(replicas) == 1:
                episode(agent, x, y)
            else:                                    # half the batch each, then all-reduce
                h = len(x) // 2
                list(pool.map(episode, replicas, (x[:h], x[h:]), (y[:h], y[h:])))
                total = sum(a.grad_samples for a in replicas)
                g0, g1 = (a.grads for a in replicas)
                assert g0 is not None and g1 is not None
                g0 += g1
                g1[:] = g0
                for a in replicas:
                    a.grad_samples = total
            for a in replicas:
                a.update()
            if b % 20 == 0 or b == batches - 1:
                bar(b + 1, batches, t0, "epoch %d acc %.3f" % (epoch, agent.stat("accuracy")))
        val = error(agent, val_x, val_y, steps)
        elapsed = time.perf_counter() - t_start
        sys.stderr.write("\n")
        print("epoch %2d  val error %.2f%%  %.0f s" % (epoch, 100 * val, elapsed), flush=True)
        if val < best:
            best = val
            agent.save(args.out)
        if args.minutes and elapsed > 60 * args.minutes:
            break
    with ram.Agent.load(args.out, inference=True) as model:
        test = error(model, test_x, test_y, steps)
    print("best val error %.2f%%; its test error %.2f%% (%s); %.0f s in all"
          % (100 * best, 100 * test, args.out, time.perf_counter() - t_start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
