"""`pip install ./clients/python`, as the README says, into a fresh virtual environment with no package index
(PIP_NO_INDEX=1: any attempt to fetch something fails the install), then the package imported from there."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class InstallTests(unittest.TestCase):
    def test_pip_installs_the_package_offline_with_its_types(self):
        with tempfile.TemporaryDirectory(prefix="pixerve-venv-") as directory:
            venv = os.path.join(directory, "venv")
            subprocess.run([sys.executable, "-m", "venv", venv], check=True, capture_output=True, timeout=120)
            python = os.path.join(venv, "bin", "python")
            env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
            env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
            # The README's command, run from the repository's root as a new user would.
            install = subprocess.run([python, "-m", "pip", "install", "./clients/python"], cwd=os.path.dirname(os.path.dirname(HERE)),
                                     env=env, capture_output=True, text=True, timeout=300)
            self.assertEqual(0, install.returncode, install.stdout + install.stderr)
            check = subprocess.run([python, "-c", (
                "import importlib.metadata, os, pixerve, pixerve.aio\n"
                "root = os.path.dirname(pixerve.__file__)\n"
                "print(root.startswith(os.environ['VENV']), os.path.isfile(os.path.join(root, 'py.typed')),\n"
                "      importlib.metadata.version('pixerve') == pixerve.__version__, pixerve.AsyncClient.__name__)")],
                cwd=directory, env={**env, "VENV": venv}, capture_output=True, text=True, timeout=60)
            self.assertEqual(0, check.returncode, check.stderr)
            self.assertEqual("True True True AsyncClient", check.stdout.strip())


if __name__ == "__main__":
    unittest.main()
