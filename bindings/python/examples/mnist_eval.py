#!/usr/bin/env python3
"""Evaluate a committed MNIST model on the test split from Python.

usage: mnist_eval.py [MODEL] [--data DIR] [--batch N]

MODEL defaults to models/mnist28.ram. MNIST is read from --data DIR, else
$RAM_MNIST_DIR, else data/mnist (the IDX files, gzip-compressed or not, read
with the standard library). Prints the error line exactly as
`apps/mnist/ram-mnist eval MODEL --task mnist28` does: greedy locations (the
location network's mean), one rollout, the argmax of the last step's class
probabilities against the label. Only the 28x28 task: the 60x60 tasks'
generator (translation, clutter) lives in the C app, not in the library.
"""
import argparse
import gzip
import os
import struct
import sys
import time
from typing import Any

import numpy as np

import ram


def read_idx(directory: str, base: str) -> "np.ndarray[Any, Any]":
    """One IDX file (base.gz, or base uncompressed) as a NumPy array."""
    path = os.path.join(directory, base)
    opener = open
    if os.path.exists(path + ".gz"):
        path, opener = path + ".gz", gzip.open  # type: ignore[assignment]
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit("%s: not an IDX file of unsigned bytes" % path)
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", nargs="?", default="models/mnist28.ram")
    ap.add_argument("--data", default=os.environ.get("RAM_MNIST_DIR") or "data/mnist")
    ap.add_argument("--batch", type=int, default=256, help="images per episode (256)")
    args = ap.parse_args()

    images = read_idx(args.data, "t10k-images-idx3-ubyte")      # (10000, 28, 28)
    labels = read_idx(args.data, "t10k-labels-idx1-ubyte").astype(np.intc)
    t0 = time.perf_counter()
    with ram.Agent.load(args.model, inference=True) as agent:
        steps = agent.config("max_steps")
        g, k, core, hidden = (agent.config(key) for key in ("patch", "scales", "core", "hidden"))
        if agent.get_param("random_glimpses"):
            sys.exit("%s: a random-glimpse model; evaluate it with ram-mnist eval --seed"
                     % args.model)
        wrong = 0
        for i0 in range(0, len(images), args.batch):
            x = images[i0:i0 + args.batch]
            agent.begin(len(x), greedy_location=True)
            for t in range(steps):
                last = t == steps - 1
                out = agent.step(x, probs=False, actions=last)
            agent.end()
            assert out.actions is not None
            wrong += int(np.count_nonzero(out.actions != labels[i0:i0 + args.batch]))
    seconds = time.perf_counter() - t0
    print("model     %s: %d glimpses of %dx%d at %d scale%s, %s core of %d"
          % (args.model, steps, g, g, k, "" if k == 1 else "s",
             ram.CoreType(core).name.lower(), hidden))
    print("data      test split of mnist28: %d images, %d glimpses each" % (len(images), steps))
    print("error     %.2f%% (%d errors): deterministic (greedy locations, one rollout)"
          % (100.0 * wrong / len(images), wrong))
    print("time      %.1f s (%.0f images/s, Python, 1 thread)" % (seconds, len(images) / seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
