"""The examples agree with the C programs: catch.py plays the games of
examples/catch with the same choices, and mnist_eval.py prints the error line
of `ram-mnist eval` (when MNIST is in $RAM_MNIST_DIR or data/mnist). Skipped
when the C programs are not built (make check builds them first)."""
import os
import subprocess
import sys
import unittest

from util import PYDIR, ROOT

EXAMPLES = os.path.join(PYDIR, "examples")


def run(cmd: list) -> str:  # type: ignore[type-arg]
    env = dict(os.environ, PYTHONPATH=PYDIR)
    return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT,
                          env=env).stdout


class TestExamples(unittest.TestCase):
    def test_catch_same_games_as_c(self) -> None:
        c_exe = os.path.join(ROOT, "examples", "catch")
        if not os.access(c_exe, os.X_OK):
            self.skipTest("examples/catch not built (make examples)")
        args = ["--eval", "60", "--seed", "3", "models/catch.ram"]
        c = [ln for ln in run([c_exe] + args).splitlines() if "caught" in ln]
        py = [ln for ln in run([sys.executable, os.path.join(EXAMPLES, "catch.py")] + args)
              .splitlines() if "caught" in ln]
        self.assertEqual(len(c), 3)
        self.assertEqual(c, py)

    def test_mnist_eval_same_error_as_c(self) -> None:
        app = os.path.join(ROOT, "apps", "mnist", "ram-mnist")
        data = os.environ.get("RAM_MNIST_DIR") or os.path.join(ROOT, "data", "mnist")
        if not os.access(app, os.X_OK):
            self.skipTest("apps/mnist/ram-mnist not built (make apps)")
        if not os.path.isdir(data):
            self.skipTest("no MNIST in $RAM_MNIST_DIR or data/mnist")
        c = run([app, "eval", "models/mnist28.ram", "--task", "mnist28", "--data", data])
        py = run([sys.executable, os.path.join(EXAMPLES, "mnist_eval.py"), "models/mnist28.ram",
                  "--data", data])
        c_err = [ln for ln in c.splitlines() if ln.startswith("error")]
        py_err = [ln for ln in py.splitlines() if ln.startswith("error")]
        self.assertEqual(len(c_err), 1)
        self.assertEqual(c_err, py_err)
        self.assertEqual([ln for ln in c.splitlines() if ln.startswith(("model", "data"))],
                         [ln for ln in py.splitlines() if ln.startswith(("model", "data"))])


if __name__ == "__main__":
    unittest.main()
