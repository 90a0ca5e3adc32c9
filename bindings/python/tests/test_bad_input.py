"""Bad input from Python: each gets a clear exception, none crashes or reads
past an array (make check-python-asan runs this module under ASan)."""
import os
import subprocess
import sys
import unittest

import numpy as np

import ram

# What the binding prevents: a step told that a 16-byte array holds 64 bytes.
# Under make check-python-asan (RAM_PY_ASAN=1) ASan must catch it, which
# shows that the harness would catch a read past an array in the tests.
LIE = """
import ram, numpy as np
a = ram.Agent(patch=4, hidden=8)
a.begin(1)
a.set_input(ram.PixelFormat.U8, 8, 8, 8, 64)
x = np.zeros((1, 4, 4), np.uint8)
ram._lib.lib.ram_agent_step(a._h, x.ctypes.data, 64, None, None, None)
"""


def small_agent(**keys: int) -> ram.Agent:
    cfg = dict(patch=4, glimpse_what=8, glimpse_where=8, glimpse_size=8, hidden=8, actions=3,
               max_steps=4, seed=5)
    cfg.update(keys)
    return ram.Agent(**cfg)


class TestImages(unittest.TestCase):
    def test_wrong_dtype(self) -> None:
        with small_agent() as a:
            a.begin(2)
            for dt in (np.float64, np.int32, np.uint16, bool):
                with self.assertRaisesRegex(TypeError, "dtype is .*expected uint8 or float32"):
                    a.step(np.zeros((2, 8, 8), dt))
            with self.assertRaisesRegex(TypeError, "numpy.ndarray"):
                a.step([[0] * 8] * 8)  # type: ignore[arg-type]

    def test_wrong_shape(self) -> None:
        with small_agent() as a:
            a.begin(2)
            with self.assertRaisesRegex(ValueError, r"expected \(batch, H, W\)"):
                a.step(np.zeros((8, 8), np.uint8))
            with self.assertRaisesRegex(ValueError, "channels"):
                a.step(np.zeros((2, 8, 8, 3), np.uint8))
            with self.assertRaisesRegex(ValueError, "batch of 3, the episode's is 2"):
                a.step(np.zeros((3, 8, 8), np.uint8))
            a.step(np.zeros((2, 8, 8), np.uint8))    # fixes the geometry at 8x8
            with self.assertRaisesRegex(ram.InvalidArgument, "geometry"):
                a.step(np.zeros((2, 9, 8), np.uint8))
            with self.assertRaisesRegex(ram.InvalidArgument, "geometry"):
                a.step(np.zeros((2, 8, 8), np.float32))

    def test_non_contiguous(self) -> None:
        with small_agent() as a:
            a.begin(2)
            big = np.zeros((2, 8, 16), np.uint8)
            with self.assertRaisesRegex(ValueError, "not contiguous"):
                a.step(big[:, :, ::2])                # pixels of a row apart
            with self.assertRaisesRegex(ValueError, "not contiguous"):
                a.step(np.zeros((2, 8, 8), np.uint8, order="F"))
            with self.assertRaisesRegex(ValueError, "negative"):
                a.step(np.zeros((2, 8, 8), np.uint8)[:, ::-1])

    def test_strided_rows_and_images_need_no_copy(self) -> None:
        rng = np.random.default_rng(3)
        dense = rng.integers(0, 256, (3, 8, 8), dtype=np.uint8)
        holder = np.zeros((6, 16, 24), np.uint8)  # rows 2x apart, images 2x apart, offset
        holder[::2, ::2, 4:12] = dense
        strided = holder[::2, ::2, 4:12]
        self.assertFalse(strided.flags.c_contiguous)
        outs = []
        for x in (dense, strided):
            with small_agent() as a:
                a.begin(3, greedy_location=True)
                for _ in range(3):
                    a.step(x, probs=False, actions=False)
                outs.append(a.step(x))
        np.testing.assert_array_equal(outs[0].location, outs[1].location)
        np.testing.assert_array_equal(outs[0].probs, outs[1].probs)

    def test_broadcast_and_read_only_arrays(self) -> None:
        with small_agent() as a:
            a.begin(3)
            one = np.zeros((1, 8, 8), np.uint8)
            with self.assertRaisesRegex(ram.InvalidArgument, "image_stride"):
                a.step(np.broadcast_to(one, (3, 8, 8)))       # images 0 bytes apart
            ro = np.zeros((3, 8, 8), np.uint8)
            ro.setflags(write=False)
            self.assertEqual(a.step(ro).location.shape, (3, 2))

    def test_too_small_buffer(self) -> None:
        with small_agent() as a:
            a.begin(4)
            with self.assertRaisesRegex(ram.BufferTooSmall, "images_size is 192 bytes"):
                a.step(np.zeros((3, 8, 8), np.uint8))
            # The geometry and strides were accepted; a full batch works.
            a.step(np.zeros((4, 8, 8), np.uint8))
            # A slice of the last images only: the library reads within it.
            x = np.zeros((8, 8, 8), np.uint8)
            a.step(x[4:])
            with self.assertRaises(ram.BufferTooSmall):
                a.step(x[5:])

    def test_float_images(self) -> None:
        with small_agent() as a:
            a.begin(1)
            s = a.step(np.zeros((1, 8, 8), np.float32))
            self.assertEqual(s.location.shape, (1, 2))
            assert s.probs is not None and s.actions is not None
            self.assertEqual(s.probs.shape, (1, 3))
            self.assertEqual(s.actions.dtype, np.intc)

    def test_step_into_checks_outputs(self) -> None:
        with small_agent() as a:
            a.begin(2)
            x = np.zeros((2, 8, 8), np.uint8)
            loc = np.empty((2, 2), np.float32)
            with self.assertRaisesRegex(ValueError, "location: shape"):
                a.step_into(x, np.empty((1, 2), np.float32))
            with self.assertRaisesRegex(TypeError, "location: dtype"):
                a.step_into(x, np.empty((2, 2), np.float64))  # type: ignore[arg-type]
            with self.assertRaisesRegex(ValueError, "probs: not C-contiguous"):
                a.step_into(x, loc, np.empty((3, 2), np.float32).T)
            a.step_into(x, loc, np.empty((2, 3), np.float32), np.empty(2, np.intc))
            self.assertTrue(np.all(np.abs(loc) <= 1))


class TestHarness(unittest.TestCase):
    def test_asan_sees_a_read_past_an_array(self) -> None:
        if os.environ.get("RAM_PY_ASAN") != "1":
            self.skipTest("only under make check-python-asan")
        r = subprocess.run([sys.executable, "-c", LIE], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("heap-buffer-overflow", r.stderr)


class TestOtherArrays(unittest.TestCase):
    def test_labels_and_rewards(self) -> None:
        with small_agent() as a:
            a.begin(2, train=True)
            a.step(np.zeros((2, 8, 8), np.uint8))
            with self.assertRaisesRegex(ValueError, "rewards: 3 values"):
                a.reward([1, 2, 3])
            with self.assertRaisesRegex(TypeError, "labels: dtype"):
                a.end(np.array([0.5, 1.0]))
            with self.assertRaisesRegex(ValueError, "labels: 1 values"):
                a.end([1])
            with self.assertRaisesRegex(ram.OutOfRange, "label"):
                a.end([0, 7])
            a.end([0, 2])

    def test_network_arrays(self) -> None:
        act = ram.Action(8, 3)
        h = np.zeros((4, 8), np.float32)
        with self.assertRaisesRegex(ValueError, r"h: shape is \(4, 7\)"):
            act.forward(np.zeros((4, 7), np.float32))
        with self.assertRaisesRegex(TypeError, "h: dtype is float64"):
            act.forward(np.zeros((4, 8)))  # type: ignore[arg-type]
        with self.assertRaisesRegex(ValueError, "h: not C-contiguous"):
            act.forward(np.zeros((8, 4), np.float32).T)
        p = act.forward(h)
        with self.assertRaisesRegex(ValueError, r"actions: shape"):
            act.log_prob(p, [0, 1])
        with self.assertRaises(ram.OutOfRange):
            act.log_prob(p, [0, 1, 2, 3])
        sensor = ram.Sensor(4, 2)
        with self.assertRaisesRegex(ram.OutOfRange, "ram_sensor_glimpse"):
            sensor.glimpse(np.zeros((1, 8, 8), np.uint8), np.full((1, 2), 2.0, np.float32))
        with self.assertRaisesRegex(ValueError, r"loc: shape"):
            sensor.glimpse(np.zeros((2, 8, 8), np.uint8), np.zeros((1, 2), np.float32))


if __name__ == "__main__":
    unittest.main()
