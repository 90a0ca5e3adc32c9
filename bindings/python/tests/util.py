"""Paths shared by the tests. Run from the source tree: the tests find the
repository root three levels up (bindings/python/tests)."""
import os
import shutil
import subprocess
import tempfile
from typing import List

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
PYDIR = os.path.normpath(os.path.join(HERE, ".."))
MODELS = os.path.join(ROOT, "models")


def cc() -> str:
    return os.environ.get("CC") or shutil.which("cc") or "cc"


def compile_c(source: str, out: str, extra: List[str]) -> None:
    """Compile a C file against the tree's headers and lib/libram.so."""
    cmd = [cc(), "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror",
           "-I" + os.path.join(ROOT, "include"), "-o", out, source] + extra
    subprocess.run(cmd, check=True)


def tmpdir() -> str:
    return tempfile.mkdtemp(prefix="ram-py-test-")
