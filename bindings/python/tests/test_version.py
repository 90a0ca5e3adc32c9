"""Loading: RAM_LIBRARY, the soname, and the refusal of another ABI."""
import os
import subprocess
import sys
import unittest

import ram
from ram import _lib

from util import PYDIR, ROOT, compile_c, tmpdir

FAKE = r"""
unsigned ram_version_number(void) { return VERSION; }
"""


def import_with(library: str, **env_extra: str) -> "subprocess.CompletedProcess[str]":
    env = dict(os.environ, RAM_LIBRARY=library, PYTHONPATH=PYDIR, **env_extra)
    if not library:
        del env["RAM_LIBRARY"]
    return subprocess.run([sys.executable, "-c",
                           "import ram; print(ram.version(), ram.library_path)"],
                          capture_output=True, text=True, env=env)


class TestVersion(unittest.TestCase):
    def test_loaded_library(self) -> None:
        self.assertTrue(_lib.compatible(ram.version_number()))
        self.assertEqual(ram.__version__.split(".")[:2], ram.version().split(".")[:2])
        self.assertEqual(ram.SONAME, "libram.so.%d.%d" % ram.BINDING_VERSION[:2]
                         if ram.BINDING_VERSION[0] == 0 else "libram.so.%d" % ram.BINDING_VERSION[0])

    def test_compatible_rule(self) -> None:
        major, minor, _ = ram.BINDING_VERSION
        here = major * 10000 + minor * 100
        self.assertTrue(_lib.compatible(here))
        self.assertTrue(_lib.compatible(here + 7))           # any patch release
        self.assertFalse(_lib.compatible(here + 10000))      # another major
        if major == 0:
            self.assertFalse(_lib.compatible(here + 100))    # 0.x: every minor breaks
            self.assertFalse(_lib.compatible(here - 100))

    def test_refuses_another_version(self) -> None:
        d = tmpdir()
        src = os.path.join(d, "fake.c")
        with open(src, "w") as f:
            f.write(FAKE)
        so = os.path.join(d, "libram.so.fake")
        compile_c(src, so, ["-shared", "-fPIC", "-DVERSION=10203u"])
        r = import_with(so)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("LibraryError", r.stderr)
        self.assertIn("is libram 1.2.3, but this binding is for libram", r.stderr)

    def test_pkg_config_libdir(self) -> None:
        d = tmpdir()
        with open(os.path.join(d, "ram.pc"), "w") as f:
            f.write("prefix=%s\nlibdir=%s\n\nName: ram\nDescription: x\nVersion: %s\n"
                    "Libs: -L${libdir} -lram\n" % (ROOT, os.path.join(ROOT, "lib"),
                                                   ram.__version__))
        r = import_with("", PKG_CONFIG_PATH=d, PKG_CONFIG_LIBDIR=d)
        if "cannot find libram" in r.stderr and "pkg-config" not in r.stderr:
            self.skipTest("no pkg-config")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split()[1], os.path.join(ROOT, "lib", ram.SONAME))

    def test_search_path(self) -> None:
        r = import_with("", PKG_CONFIG="false", LD_LIBRARY_PATH=os.path.join(ROOT, "lib"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split()[1], ram.SONAME)
        r = import_with("", PKG_CONFIG="false", LD_LIBRARY_PATH="/nonexistent")
        if r.returncode == 0:
            self.skipTest("a libram %s is installed system-wide" % ram.SONAME)
        self.assertIn("cannot find libram (%s)" % ram.SONAME, r.stderr)
        self.assertIn("Set RAM_LIBRARY", r.stderr)

    def test_pyproject_version(self) -> None:
        with open(os.path.join(PYDIR, "pyproject.toml")) as f:
            self.assertIn('version = "%s"' % ram.__version__, f.read())

    def test_missing_library_is_a_clear_error(self) -> None:
        r = import_with("/nonexistent/libram.so.0.2")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("RAM_LIBRARY=/nonexistent/libram.so.0.2: cannot load it", r.stderr)


if __name__ == "__main__":
    unittest.main()
