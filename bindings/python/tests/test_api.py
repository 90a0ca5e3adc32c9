"""The API surface: configuration, agent, save/load, sensor and networks,
checked against NumPy computations where the math is simple enough."""
import os
import unittest

import numpy as np

import ram

from util import MODELS, tmpdir

RNG = np.random.default_rng(11)


def small_cfg(**keys: int) -> ram.Config:
    cfg = ram.Config(patch=4, glimpse_what=8, glimpse_where=8, glimpse_size=8, hidden=8,
                     actions=3, max_steps=3, seed=5)
    for k, v in keys.items():
        cfg[k] = v
    return cfg


def train_once(a: ram.Agent, x: np.ndarray, y: np.ndarray) -> None:
    a.begin(len(x), train=True)
    for t in range(a.config("max_steps")):
        out = a.step(x)
    assert out.actions is not None
    a.reward((out.actions == y).astype(np.float32))
    a.end(y)


class TestConfig(unittest.TestCase):
    def test_keys(self) -> None:
        with ram.Config() as c:
            self.assertEqual(c["patch"], 8)
            self.assertEqual(c[ram.ConfigKey.HIDDEN], 256)
            c.set("HIDDEN", 64)
            c[3] = 2
            self.assertEqual(c.get("hidden"), 64)
            self.assertEqual(c.get(ram.ConfigKey.CHANNELS), 2)
            c["seed"] = 2 ** 64 - 1          # uint64 bits in an int64
            self.assertEqual(c["seed"], -1)
            d = c.to_dict()
            self.assertEqual(set(d), {k.name.lower() for k in ram.ConfigKey})
            self.assertIn("hidden=64", repr(c))
            with self.assertRaisesRegex(KeyError, "unknown configuration key 'nope'"):
                c["nope"]
            with self.assertRaises(KeyError):
                c[99]
        self.assertEqual(ram.config_bounds("patch")[0], 1)
        self.assertEqual(ram.Config(hidden=3), ram.Config(hidden=3))
        self.assertNotEqual(ram.Config(hidden=3), ram.Config(hidden=4))


class TestAgent(unittest.TestCase):
    def test_create_and_describe(self) -> None:
        with ram.Agent(small_cfg(), hidden=16) as a:
            self.assertEqual(a.config("hidden"), 16)
            self.assertEqual(a.config_dict()["patch"], 4)
            self.assertEqual(a.mode, ram.ActionMode.CLASSIFY)
            self.assertTrue(a.trainable)
            self.assertIn("hidden=16", repr(a))
            self.assertIn("parameters", repr(a))
            assert a.grads is not None
            self.assertEqual(a.params.shape, a.grads.shape)

    def test_params(self) -> None:
        with ram.Agent(small_cfg()) as a:
            a.set_param("learning_rate", 0.5)
            a.set_param(ram.Param.OPTIMIZER, ram.Optimizer.SGD)
            self.assertEqual(a.get_param("learning_rate"), 0.5)
            self.assertEqual(a.params_dict()["optimizer"], ram.Optimizer.SGD)
            a.reset_params()
            self.assertEqual(a.get_param("learning_rate"), ram.param_default("learning_rate"))
            self.assertEqual(a.param_bounds("gamma"), (0.0, 1.0))

    def test_episode_and_update(self) -> None:
        x = RNG.integers(0, 256, (5, 10, 12), dtype=np.uint8)
        y = np.array([0, 1, 2, 0, 1])
        with ram.Agent(small_cfg()) as a:
            before = a.params.copy()
            a.begin(5, train=True)
            self.assertEqual(a.batch, 5)
            loc0 = a.location()
            self.assertEqual(loc0.shape, (5, 2))
            s = a.step(x, probs=False, actions=False)
            self.assertIsNone(s.probs)
            self.assertIsNone(s.actions)
            self.assertEqual(a.get_input(), (ram.PixelFormat.U8, 12, 10, 12, 120))
            np.testing.assert_array_equal(a.location(), s.location)
            s = a.step(x)
            s = a.step(x)
            assert s.probs is not None
            np.testing.assert_allclose(s.probs.sum(axis=1), 1, rtol=1e-5)
            np.testing.assert_array_equal(s.actions, s.probs.argmax(axis=1))
            with self.assertRaisesRegex(ram.StateError, "RAM_CFG_MAX_STEPS|maximum|steps"):
                a.step(x)
            a.end(y)
            self.assertEqual(a.grad_samples, 5)
            assert a.grads is not None
            self.assertGreater(np.abs(a.grads).sum(), 0)
            self.assertEqual(a.stat("steps"), 3)
            self.assertEqual(set(a.stats()), {s.name.lower() for s in ram.Stat})
            a.update()
            self.assertEqual(a.grad_samples, 0)
            self.assertEqual(a.stat(ram.Stat.UPDATES), 1)
            self.assertGreater(np.abs(a.params - before).max(), 0)
            self.assertEqual(a.config("input_width"), 12)   # fixed by the first step

    def test_grad_samples_and_zero_grad(self) -> None:
        x = RNG.integers(0, 256, (2, 8, 8), dtype=np.uint8)
        with ram.Agent(small_cfg()) as a:
            train_once(a, x, np.array([0, 1]))
            train_once(a, x, np.array([0, 1]))
            self.assertEqual(a.grad_samples, 4)
            a.grad_samples = 8
            self.assertEqual(a.grad_samples, 8)
            a.zero_grad()
            self.assertEqual(a.grad_samples, 0)
            assert a.grads is not None
            self.assertEqual(np.abs(a.grads).sum(), 0)
            with self.assertRaises(ram.OutOfRange):
                a.grad_samples = 0

    def test_seed_reproduces(self) -> None:
        x = RNG.integers(0, 256, (2, 8, 8), dtype=np.uint8)
        locs = []
        for _ in range(2):
            with ram.Agent(small_cfg()) as a:
                a.seed(2 ** 64 - 3)
                a.begin(2)
                locs.append(a.step(x).location)
        np.testing.assert_array_equal(locs[0], locs[1])

    def test_save_load_roundtrip(self) -> None:
        x = RNG.integers(0, 256, (2, 8, 8), dtype=np.uint8)
        d = tmpdir()
        path = os.path.join(d, "m.ram")
        with ram.Agent(small_cfg()) as a:
            train_once(a, x, np.array([2, 1]))
            a.update()
            a.save(path, optimizer=True)
            data = a.to_bytes(optimizer=True)
            with open(path, "rb") as f:
                self.assertEqual(f.read(), data)
            b = ram.Agent.load(path)
            np.testing.assert_array_equal(a.params, b.params)
            self.assertEqual(a.config_dict(), b.config_dict())
            # Resuming: the same next update from both.
            for ag in (a, b):
                ag.seed(9)
                train_once(ag, x, np.array([2, 1]))
                ag.update()
            np.testing.assert_array_equal(a.params, b.params)
            b.close()
        with ram.Agent.load(path, inference=True) as c:
            self.assertFalse(c.trainable)

    def test_committed_models_load(self) -> None:
        with ram.Agent.load(os.path.join(MODELS, "mnist28.ram"), inference=True) as a:
            self.assertEqual(a.config("max_steps"), 6)
        with ram.Agent.load(os.path.join(MODELS, "catch.ram"), inference=True) as c:
            self.assertEqual(c.mode, ram.ActionMode.CONTROL)

    def test_control_mode(self) -> None:
        cfg = small_cfg(action_mode=ram.ActionMode.CONTROL)
        with ram.Agent(cfg) as a:
            x = np.zeros((1, 8, 8, 1), np.float32)
            a.begin(1, train=True)
            s = a.step(x)
            a.reward(1.0)
            a.step(x)
            a.reward([0.5])
            a.end()
            self.assertGreater(a.stat("return"), 0)
            a.update()
            a.begin(1, greedy_action=True)
            s = a.step(x)
            assert s.probs is not None and s.actions is not None
            self.assertEqual(s.actions[0], s.probs[0].argmax())


class TestThreads(unittest.TestCase):
    def test_two_agents_in_two_threads(self) -> None:
        import threading
        x = RNG.integers(0, 256, (4, 8, 8), dtype=np.uint8)

        def run(seed: int, out: list) -> None:  # type: ignore[type-arg]
            with ram.Agent(small_cfg(), seed=seed) as a:
                for _ in range(20):
                    train_once(a, x, np.array([0, 1, 2, 0]))
                    a.update()
                out.append(a.params.copy())

        alone: list = []  # type: ignore[type-arg]
        run(1, alone)
        run(2, alone)
        res: list = [[], []]  # type: ignore[type-arg]
        ts = [threading.Thread(target=run, args=(1 + i, res[i])) for i in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        np.testing.assert_array_equal(res[0][0], alone[0])
        np.testing.assert_array_equal(res[1][0], alone[1])
        self.assertFalse(np.array_equal(alone[0], alone[1]))


class TestReplicas(unittest.TestCase):
    def test_summed_gradients_keep_replicas_identical(self) -> None:
        # train_mnist.py --threads 2: two replicas, each half of the batch,
        # gradient sums and counts added, both updated: they stay equal, and
        # equal to one agent given the summed gradient by hand.
        x = RNG.integers(0, 256, (6, 8, 8), dtype=np.uint8)
        y = np.array([0, 1, 2, 2, 1, 0])
        a0 = ram.Agent(small_cfg())
        a1 = ram.Agent.from_bytes(a0.to_bytes(optimizer=True))
        ref = ram.Agent.from_bytes(a0.to_bytes(optimizer=True))
        a1.seed(77)
        for _ in range(5):
            train_once(a0, x[:3], y[:3])
            train_once(a1, x[3:], y[3:])
            g0, g1 = a0.grads, a1.grads
            assert g0 is not None and g1 is not None and ref.grads is not None
            g0 += g1
            g1[:] = g0
            ref.grads[:] = g0
            n = a0.grad_samples + a1.grad_samples
            self.assertEqual(n, 6)
            for a in (a0, a1, ref):
                a.grad_samples = n
                a.update()
        np.testing.assert_array_equal(a0.params, a1.params)
        np.testing.assert_array_equal(a0.params, ref.params)


class TestSensor(unittest.TestCase):
    def test_glimpse_matches_numpy(self) -> None:
        s = ram.Sensor(patch=2, scales=2, channels=1)
        self.assertEqual(s.shape, (2, 2, 1))
        self.assertEqual(s.output_size, 8)
        img = RNG.random((1, 8, 8)).astype(np.float32)
        rho = s.glimpse(img, np.zeros((1, 2), np.float32))   # centre: pixel 4,4
        # Scale 0: the 2x2 pixels at rows/cols 3..4; scale 1: 4x4 at 2..5 pooled 2x2.
        np.testing.assert_allclose(rho[0, :4].reshape(2, 2), img[0, 3:5, 3:5])
        pooled = img[0, 2:6, 2:6].reshape(2, 2, 2, 2).mean(axis=(1, 3))
        np.testing.assert_allclose(rho[0, 4:].reshape(2, 2), pooled, rtol=1e-6)
        self.assertEqual(s.patch_rect(8, 8, (0.0, 0.0), 1), (2, 2, 4))
        u8 = (img * 255).astype(np.uint8)
        rho8 = s.glimpse(u8, np.zeros((1, 2), np.float32))
        np.testing.assert_allclose(rho8[0, :4].reshape(2, 2), u8[0, 3:5, 3:5] / 255.0,
                                   rtol=1e-6)
        self.assertEqual(repr(s), "ram.Sensor(patch=2, scales=2, channels=1)")


class TestNetworks(unittest.TestCase):
    def test_action_forward_backward(self) -> None:
        net = ram.Action(input=5, actions=3, seed=2)
        W = net.params[:15].reshape(3, 5)
        b = net.params[15:]
        h = RNG.standard_normal((4, 5)).astype(np.float32)
        z = h @ W.T + b
        p_np = np.exp(z - z.max(axis=1, keepdims=True))
        p_np /= p_np.sum(axis=1, keepdims=True)
        p = net.forward(h)
        np.testing.assert_allclose(p, p_np, rtol=1e-5, atol=1e-6)
        loss, dlogits = net.xent(p, [0, 1, 2, 0], scale=0.25)
        self.assertAlmostEqual(loss, -np.log(p[np.arange(4), [0, 1, 2, 0]]).mean(), places=5)
        dh = np.full((4, 5), 7.0, np.float32)
        net.zero_grad()
        net.backward(h, dlogits, dh, beta=0.0)
        np.testing.assert_allclose(net.grads[:15].reshape(3, 5), dlogits.T @ h, rtol=1e-5,
                                   atol=1e-6)
        np.testing.assert_allclose(dh, dlogits @ W, rtol=1e-5, atol=1e-6)
        acts = net.sample(p)
        self.assertTrue(np.all((acts >= 0) & (acts < 3)))
        lp, _ = net.log_prob(p, acts)
        np.testing.assert_allclose(lp, np.log(p[np.arange(4), acts]), rtol=1e-5)
        ent, _ = net.entropy(p)
        np.testing.assert_allclose(ent, -(p * np.log(p)).sum(axis=1), rtol=1e-5)
        self.assertEqual(net.score(p, acts, np.ones(4, np.float32)).shape, (4, 3))

    def test_baseline(self) -> None:
        net = ram.Baseline(4)
        net.params[:] = [1, 2, 3, 4, 0.5]
        h = np.eye(4, dtype=np.float32)
        b = net.forward(h)
        np.testing.assert_allclose(b, [1.5, 2.5, 3.5, 4.5])
        np.testing.assert_allclose(net.forward(None, n=2), [0.5, 0.5])
        loss, db = net.mse(b, np.zeros(4, np.float32), scale=1.0)
        self.assertAlmostEqual(loss, float((b ** 2).sum() / 2), places=4)
        net.backward(h, db)
        np.testing.assert_allclose(net.grads[:4], db, rtol=1e-6)

    def test_location(self) -> None:
        net = ram.Location(input=6, bound=ram.Bound.HARDTANH, seed=4)
        net.std = 0.3
        self.assertAlmostEqual(net.std, 0.3)
        mean = net.forward(RNG.standard_normal((3, 6)).astype(np.float32))
        self.assertTrue(np.all(np.abs(mean) <= 1))
        raw, loc, logp = net.sample(mean)
        self.assertTrue(np.all(np.abs(loc) <= 1))
        lp, dmean = net.log_prob(mean, raw)
        np.testing.assert_allclose(lp, logp, rtol=1e-5)
        np.testing.assert_allclose(dmean, (raw - mean) / 0.09, rtol=1e-4)
        self.assertAlmostEqual(net.entropy(), np.log(2 * np.pi * np.e) + 2 * np.log(0.3),
                               places=5)
        dh = np.zeros((3, 6), np.float32)
        net.backward(None, mean, dmean, dh)
        with self.assertRaises(ram.OutOfRange):
            net.std = 0

    def test_glimpse_and_core_shapes(self) -> None:
        g = ram.Glimpse(input=12, what=6, where=4, output=5, seed=3)
        self.assertEqual(g.shape, (12, 6, 4, 5))
        g.reserve(8)
        rho = RNG.random((8, 12)).astype(np.float32)
        loc = np.zeros((8, 2), np.float32)
        out, tape = g.forward(rho, loc)
        assert tape is not None
        self.assertEqual(out.shape, (8, 5))
        self.assertTrue(np.all(out >= 0))
        out2, none = g.forward(rho, loc, tape=False)
        self.assertIsNone(none)
        np.testing.assert_array_equal(out, out2)
        drho = np.zeros((8, 12), np.float32)
        g.backward(rho, loc, out, tape, np.ones((8, 5), np.float32), drho=drho)
        self.assertGreater(np.abs(g.grads).sum(), 0)
        for kind in (ram.CoreType.RNN, ram.CoreType.LSTM):
            core = ram.Core(kind, input=5, hidden=7, seed=1)
            core.reserve(8)
            h1, c1, t1 = core.forward(out)
            h2, c2, t2 = core.forward(out, h1, c1)
            assert t1 is not None and t2 is not None
            x = np.stack([out, out])
            hs = np.stack([h1, h2])
            cs = None if c1 is None or c2 is None else np.stack([c1, c2])
            dx = np.zeros_like(x)
            core.backward(x, hs, np.stack([t1, t2]), np.ones_like(hs), c=cs, dx=dx)
            self.assertGreater(np.abs(core.grads).sum(), 0)
            self.assertIn(kind.name, repr(core))


if __name__ == "__main__":
    unittest.main()
