"""The generated enums are in step with the headers, and every status has
its exception class."""
import os
import shutil
import subprocess
import sys
import unittest

import ram
from ram import _enums

from util import PYDIR, ROOT, tmpdir

GEN = os.path.join(PYDIR, "gen_enums.py")


class TestEnums(unittest.TestCase):
    def test_committed_file_matches_headers(self) -> None:
        r = subprocess.run([sys.executable, GEN, "--check"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_check_fails_when_a_header_changes(self) -> None:
        d = tmpdir()
        inc = os.path.join(d, "ram")
        shutil.copytree(os.path.join(ROOT, "include", "ram"), inc)
        path = os.path.join(inc, "status.h")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("RAM_E_UNSUPPORTED = 12",
                                 "RAM_E_UNSUPPORTED = 12,\n    RAM_E_NEW = 13"))
        r = subprocess.run([sys.executable, GEN, "--check", "--include", inc],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("out of date", r.stderr)
        shutil.rmtree(d)

    def test_values_agree_with_the_library(self) -> None:
        for s in ram.Status:
            self.assertEqual(ram.status_name(s), "RAM_" + s.name)
        self.assertEqual(_enums.RAM_VERSION_MAJOR * 10000 + _enums.RAM_VERSION_MINOR * 100,
                         ram.version_number() // 100 * 100)
        # Every config key and tunable is known to the library (bounds exist).
        for k in ram.ConfigKey:
            lo, hi = ram.config_bounds(k)
            self.assertLessEqual(lo, hi)
        for p in ram.Param:
            lo2, hi2 = ram.param_bounds(p)
            self.assertLessEqual(lo2, ram.param_default(p))
            self.assertLessEqual(ram.param_default(p), hi2)

    def test_every_status_has_an_exception_class(self) -> None:
        for s in ram.Status:
            if s == ram.Status.OK:
                continue
            cls = ram.ERRORS[s]
            self.assertTrue(issubclass(cls, ram.RamError))
            e = ram.errors.error(int(s))
            self.assertIs(type(e), cls)
            self.assertEqual(e.code, int(s))
            self.assertEqual(e.description, ram.strerror(s))
        self.assertEqual(len(set(ram.ERRORS.values())), len(ram.Status) - 1)
        self.assertIs(type(ram.errors.error(999)), ram.RamError)


if __name__ == "__main__":
    unittest.main()
