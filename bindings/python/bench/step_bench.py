#!/usr/bin/env python3
"""What Python adds to a batch-1 step: ram.Agent.step() against
ram_agent_step() from C (step_bench.c, compiled here with cc against the
tree's lib/libram.so), the same model, image and calls, timed per episode of
23 steps (begin and end untimed); medians per step over the episodes.

usage: OPENBLAS_NUM_THREADS=1 step_bench.py [--episodes N] [--rounds R]

Models: models/catch.ram (the control loop of examples/catch) and "tiny"
(4 units everywhere: the step is almost all call overhead). Each round runs
C then Python; the table gives the median of the rounds' medians.
"""
import argparse
import ctypes
import os
import subprocess
import sys
import tempfile
import time
from typing import List, Tuple

import numpy as np

import ram

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
SIZE = 24


def agent_for(model: str) -> ram.Agent:
    if model == "tiny":
        return ram.Agent(patch=2, glimpse_what=4, glimpse_where=4, glimpse_size=4, hidden=4,
                         actions=3, action_mode=ram.ActionMode.CONTROL, max_steps=23,
                         trainable=0)
    return ram.Agent.load(model, inference=True)


def python_side(model: str, episodes: int, into: bool) -> Tuple[float, float]:
    a = agent_for(model)
    steps = a.config("max_steps")
    idx = np.arange(SIZE * SIZE)
    screen = np.where((idx * 37) % 11 == 0, 64.0, 0.0).astype(np.float32).reshape(1, SIZE, SIZE)
    a.seed(1)
    loc = np.empty((1, 2), np.float32)
    act = np.empty(1, np.intc)
    per: List[float] = []
    clock = time.perf_counter_ns
    for _ in range(episodes):
        a.begin(1)
        if into:
            t0 = clock()
            for _ in range(steps):
                a.step_into(screen, loc, None, act)
        else:
            t0 = clock()
            for _ in range(steps):
                a.step(screen, probs=False)
        per.append((clock() - t0) / steps)
        a.end()
    a.close()
    return float(np.median(per)), float(np.mean(per))


def blas_core() -> str:
    try:
        blas = ctypes.CDLL("libopenblas.so.0")
        blas.openblas_get_corename.restype = ctypes.c_char_p
        blas.openblas_get_config.restype = ctypes.c_char_p
        return "%s (%s)" % (blas.openblas_get_corename().decode(),
                            blas.openblas_get_config().decode().strip())
    except (OSError, AttributeError):
        return "not OpenBLAS"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    exe = os.path.join(tempfile.mkdtemp(prefix="ram-step-bench-"), "step_bench")
    lib = os.path.join(ROOT, "lib")
    subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-O2", "-I" + os.path.join(ROOT, "include"),
                    "-o", exe, os.path.join(HERE, "step_bench.c"), "-L" + lib, "-lram",
                    "-Wl,-rpath," + lib], check=True)
    print("library %s, OpenBLAS core %s, OPENBLAS_NUM_THREADS=%s, Python %s, NumPy %s"
          % (ram.library_path, blas_core(), os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
             sys.version.split()[0], np.__version__))
    print("%-18s %9s %12s %9s %14s %9s" % ("model", "C (us)", "Python (us)", "added", "step_into (us)",
                                           "added"))
    for model in ("tiny", os.path.join(ROOT, "models", "catch.ram")):
        c_med, py_med, in_med = [], [], []
        for _ in range(args.rounds):
            out = subprocess.run([exe, model, str(args.episodes)], check=True,
                                 capture_output=True, text=True).stdout.split()
            c_med.append(float(out[0]))
            py_med.append(python_side(model, args.episodes, False)[0])
            in_med.append(python_side(model, args.episodes, True)[0])
        c, p, i = (float(np.median(v)) / 1000 for v in (c_med, py_med, in_med))
        print("%-18s %9.2f %12.2f %9.2f %14.2f %9.2f"
              % (os.path.basename(model), c, p, p - c, i, i - c))
    return 0


if __name__ == "__main__":
    sys.exit(main())
