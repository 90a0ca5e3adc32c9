"""Handle lifetime: freed with the Python object, never twice; a closed
handle raises; views keep the memory alive; no leak over a thousand
create/free cycles (tracemalloc for Python's heap, glibc's mallinfo2() for
the C heap, where the library's allocations go)."""
import ctypes
import ctypes.util
import gc
import tracemalloc
import unittest
import weakref

import numpy as np

import ram


def small_agent() -> ram.Agent:
    return ram.Agent(patch=4, glimpse_what=8, glimpse_where=8, glimpse_size=8, hidden=8,
                     actions=3, max_steps=2, seed=5)


_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                 "uordblks", "fordblks", "keepcost")]


def c_heap_in_use() -> int:
    """Bytes the C heap has handed out (glibc mallinfo2: uordblks + hblkhd)."""
    if not hasattr(_libc, "mallinfo2"):
        return -1
    _libc.mallinfo2.restype = _Mallinfo2
    m = _libc.mallinfo2()
    return int(m.uordblks + m.hblkhd)


def cycle() -> None:
    with small_agent() as a:
        a.begin(2, train=True)
        x = np.zeros((2, 8, 8), np.uint8)
        a.step(x)
        a.step(x)
        a.end([0, 1])
        a.update()
    cfg = ram.Config(hidden=16)
    cfg.close()
    s = ram.Sensor(4, 2)
    s.glimpse(np.zeros((1, 8, 8), np.uint8), np.zeros((1, 2), np.float32))
    del s
    for net in (ram.Glimpse(16, 8, 8, 8), ram.Core(ram.CoreType.LSTM, 8, 8), ram.Location(8),
                ram.Action(8, 3), ram.Baseline(8)):
        net.params
        net.close()


class TestLifetime(unittest.TestCase):
    def test_closed_handle_raises(self) -> None:
        objs = [small_agent(), ram.Config(), ram.Sensor(), ram.Glimpse(64), ram.Core(),
                ram.Location(), ram.Action(), ram.Baseline()]
        for o in objs:
            o.close()
            o.close()                       # idempotent: no double free
            self.assertTrue(o.closed)
            self.assertIn("<closed>", repr(o))
        a, cfg, s, g = objs[0], objs[1], objs[2], objs[3]
        with self.assertRaisesRegex(ram.ClosedError, "Agent is closed"):
            a.begin(1)
        with self.assertRaises(ram.ClosedError):
            a.params
        with self.assertRaises(ram.ClosedError):
            cfg["patch"]
        with self.assertRaises(ram.ClosedError):
            s.output_size
        with self.assertRaises(ram.ClosedError):
            g.zero_grad()
        with self.assertRaises(ram.ClosedError):
            ram.Agent(cfg)                  # a closed config cannot create

    def test_context_manager_closes(self) -> None:
        with small_agent() as a:
            self.assertFalse(a.closed)
        self.assertTrue(a.closed)
        with self.assertRaises(ram.ClosedError):
            with a:
                pass

    def test_garbage_collection_frees(self) -> None:
        a = small_agent()
        owner = weakref.ref(a._owner)  # type: ignore[arg-type]
        del a
        gc.collect()
        self.assertIsNone(owner())
        # A reference cycle through the agent is collected too.
        b = small_agent()
        b.me = b  # type: ignore[attr-defined]
        owner = weakref.ref(b._owner)  # type: ignore[arg-type]
        del b
        gc.collect()
        self.assertIsNone(owner())

    def test_params_view_outlives_close(self) -> None:
        a = small_agent()
        p = a.params
        g = a.grads
        first = p.copy()
        owner = weakref.ref(a._owner)  # type: ignore[arg-type]
        a.close()
        self.assertIsNotNone(owner())     # the views hold the C memory
        np.testing.assert_array_equal(p, first)
        p[0] = 1.5                        # still valid memory
        del a
        del p
        self.assertIsNotNone(owner())
        del g
        gc.collect()
        self.assertIsNone(owner())        # the last view gone: freed

    def test_params_is_a_zero_copy_view(self) -> None:
        with small_agent() as a:
            p = a.params
            self.assertEqual(p.dtype, np.float32)
            self.assertFalse(p.flags.owndata)
            p[:] = 0.25
            self.assertTrue(np.all(a.params == 0.25))
            data = a.to_bytes()
        with ram.Agent.from_bytes(data) as b:
            self.assertTrue(np.all(b.params == 0.25))

    def test_thousand_cycles_do_not_leak(self) -> None:
        for _ in range(20):               # warm up caches, allocator arenas
            cycle()
        gc.collect()
        tracemalloc.start()
        c0 = c_heap_in_use()
        snap0 = tracemalloc.take_snapshot()
        for _ in range(1000):
            cycle()
        gc.collect()
        snap1 = tracemalloc.take_snapshot()
        c1 = c_heap_in_use()
        tracemalloc.stop()
        py_growth = sum(s.size_diff for s in snap1.compare_to(snap0, "filename"))
        # One agent cycle allocates ~60 kB in C and a few kB in Python:
        # a leak of one object per cycle would show as >= 1 MB here.
        self.assertLess(py_growth, 100_000, "Python heap grew by %d bytes" % py_growth)
        if c0 >= 0:
            self.assertLess(c1 - c0, 200_000, "C heap grew by %d bytes" % (c1 - c0))

    def test_c_heap_measure_sees_a_leak(self) -> None:
        # The measure is real: keeping 1000 agents alive shows up in it.
        if c_heap_in_use() < 0:
            self.skipTest("no mallinfo2 (not glibc)")
        c0 = c_heap_in_use()
        keep = [small_agent() for _ in range(200)]
        self.assertGreater(c_heap_in_use() - c0, 200 * 1000)
        del keep


if __name__ == "__main__":
    unittest.main()
