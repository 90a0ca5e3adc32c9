"""Bit-for-bit equality with C: the calls of c_equal.c made from Python give
the same parameters after 10 updates. Both run with one OpenBLAS thread (the
determinism guarantee holds for the same BLAS thread count)."""
import os
import subprocess
import unittest

import numpy as np

import ram

from util import HERE, ROOT, compile_c, tmpdir

B, W, H, STEPS, UPDATES = 4, 20, 16, 3, 10


def python_side() -> np.ndarray:
    cfg = ram.Config(patch=4, scales=2, glimpse_what=16, glimpse_where=8, glimpse_size=24,
                     core=ram.CoreType.LSTM, hidden=32, actions=5, max_steps=STEPS, seed=12345)
    with ram.Agent(cfg) as a:
        a.set_param(ram.Param.LEARNING_RATE, 0.01)
        a.set_param("clip_norm", 5.0)
        a.set_param("location_std", 0.15)
        y, x = np.mgrid[0:H, 0:W]
        for u in range(UPDATES):
            img = np.stack([(x * 7 + y * 13 + b * 29 + u * 31) % 256 for b in range(B)])
            img = img.astype(np.uint8)
            labels = np.array([(u + b) % 5 for b in range(B)])
            a.begin(B, train=True)
            for t in range(STEPS):
                out = a.step(img, probs=False, actions=t == STEPS - 1)
            a.reward((out.actions == labels).astype(np.float32))
            a.end(labels)
            a.update()
        return a.params.copy()


class TestCEqual(unittest.TestCase):
    def test_same_parameters_as_c(self) -> None:
        if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
            self.skipTest("needs OPENBLAS_NUM_THREADS=1 (make check-python sets it)")
        d = tmpdir()
        exe = os.path.join(d, "c_equal")
        lib = os.path.join(ROOT, "lib")
        compile_c(os.path.join(HERE, "c_equal.c"), exe,
                  ["-L" + lib, "-lram", "-Wl,-rpath," + lib])
        out = os.path.join(d, "params.f32")
        subprocess.run([exe, out], check=True)
        c_params = np.fromfile(out, dtype=np.float32)
        py_params = python_side()
        self.assertEqual(c_params.shape, py_params.shape)
        self.assertTrue(np.all(np.isfinite(py_params)))
        self.assertEqual(c_params.tobytes(), py_params.tobytes())
        # Not a trivial pass: the updates moved the parameters.
        with ram.Agent(patch=4, scales=2, glimpse_what=16, glimpse_where=8, glimpse_size=24,
                       core=ram.CoreType.LSTM, hidden=32, actions=5, max_steps=STEPS,
                       seed=12345) as fresh:
            self.assertGreater(np.abs(fresh.params - py_params).max(), 1e-3)


if __name__ == "__main__":
    unittest.main()
