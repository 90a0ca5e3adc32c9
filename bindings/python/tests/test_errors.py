"""Each status the library returns arrives as its own exception class, with
the library's message and the detail of ram_last_error()."""
import os
import struct
import unittest
import zlib

import numpy as np

import ram

from util import tmpdir


def small_agent(**keys: int) -> ram.Agent:
    cfg = dict(patch=4, glimpse_what=8, glimpse_where=8, glimpse_size=8, hidden=8, actions=3,
               max_steps=2, seed=5)
    cfg.update(keys)
    return ram.Agent(**cfg)


def fix_crc(buf: bytearray) -> bytearray:
    struct.pack_into("<I", buf, len(buf) - 4, zlib.crc32(bytes(buf[:-4])) & 0xFFFFFFFF)
    return buf


class TestErrors(unittest.TestCase):
    def test_invalid(self) -> None:
        with small_agent() as a:
            with self.assertRaises(ram.InvalidArgument) as cm:
                a.begin(1, greedy_action=True)          # classify mode never samples
            e = cm.exception
            self.assertEqual(e.status, ram.Status.E_INVALID)
            self.assertEqual(e.description, ram.strerror(ram.Status.E_INVALID))
            self.assertIn("ram_agent_begin", e.detail)
            self.assertIn(e.detail, str(e))
            self.assertEqual(e.detail, ram.last_error())

    def test_range(self) -> None:
        with self.assertRaisesRegex(ram.OutOfRange, "ram_config_set"):
            ram.Config(patch=0)
        with small_agent() as a, self.assertRaisesRegex(ram.OutOfRange, "ram_agent_set_param: .*key 1"):
            a.set_param("learning_rate", -1.0)

    def test_state(self) -> None:
        with small_agent() as a:
            with self.assertRaisesRegex(ram.StateError, "ram_agent_update"):
                a.update()
            with self.assertRaises(ram.StateError):
                a.get_input()
            with self.assertRaises(ram.StateError):
                a.batch

    def test_nonfinite(self) -> None:
        with small_agent() as a:
            a.begin(1)
            x = np.full((1, 8, 8), np.nan, np.float32)
            with self.assertRaisesRegex(ram.NonFinite, "ram_agent_step"):
                a.step(x)
            a.step(np.zeros((1, 8, 8), np.float32))
            with self.assertRaises(ram.NonFinite):
                a.reward(np.array([np.inf], np.float32))

    def test_model_damage(self) -> None:
        with small_agent() as a:
            good = bytearray(a.to_bytes())
        ram.Agent.from_bytes(bytes(good)).close()
        bad = bytearray(good)
        bad[0:8] = b"NOTMODEL"
        with self.assertRaisesRegex(ram.FormatError, "ram_agent_load"):
            ram.Agent.from_bytes(bytes(bad))
        bad = bytearray(good)
        struct.pack_into("<I", bad, 8, 99)
        with self.assertRaises(ram.VersionError):
            ram.Agent.from_bytes(bytes(fix_crc(bad)))
        bad = bytearray(good)
        bad[len(bad) // 2] ^= 0x40
        with self.assertRaises(ram.ChecksumError):
            ram.Agent.from_bytes(bytes(bad))
        with self.assertRaises(ram.Truncated):
            ram.Agent.from_bytes(bytes(good[:40]))
        # A NaN parameter: the PARM chunk's last float sits before the CRC
        # and any later chunk; find it from the end of the PARM data.
        tag = good.find(b"PARM")
        count = struct.unpack_from("<Q", good, tag + 16)[0]
        bad = bytearray(good)
        struct.pack_into("<f", bad, tag + 24 + 4 * (count - 1), float("nan"))
        with self.assertRaises(ram.NonFinite):
            ram.Agent.from_bytes(bytes(fix_crc(bad)))

    def test_io(self) -> None:
        with self.assertRaisesRegex(ram.IOFailure, "ram_agent_load_file"):
            ram.Agent.load(os.path.join(tmpdir(), "missing.ram"))
        with small_agent() as a, self.assertRaises(ram.IOFailure):
            a.save("/nonexistent-dir/x.ram")

    def test_buffer(self) -> None:
        with small_agent() as a:
            a.begin(3)
            with self.assertRaisesRegex(ram.BufferTooSmall, "images_size"):
                a.step(np.zeros((2, 8, 8), np.uint8))

    def test_unsupported(self) -> None:
        with small_agent() as a:
            data = a.to_bytes()
        with ram.Agent.from_bytes(data, inference=True) as inf:
            self.assertIsNone(inf.grads)
            self.assertFalse(inf.trainable)
            with self.assertRaisesRegex(ram.Unsupported, "ram_agent_begin"):
                inf.begin(1, train=True)
            with self.assertRaises(ram.Unsupported):
                inf.to_bytes(optimizer=True)

    def test_nomem_class(self) -> None:
        # RAM_E_NOMEM cannot be provoked safely on a shared machine; its
        # mapping is checked (test_enums checks every status's class).
        e = ram.errors.error(int(ram.Status.E_NOMEM))
        self.assertIsInstance(e, ram.OutOfMemory)
        self.assertIsInstance(e, MemoryError)

    def test_classes_are_standard_exceptions_too(self) -> None:
        self.assertTrue(issubclass(ram.InvalidArgument, ValueError))
        self.assertTrue(issubclass(ram.ClosedError, ValueError))


if __name__ == "__main__":
    unittest.main()
