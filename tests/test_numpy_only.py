"""The core must work with numpy alone: copy bp/ somewhere and train with plotting libraries blocked."""

import pathlib
import shutil
import subprocess
import sys
import textwrap

import bp

SCRIPT = textwrap.dedent("""
    import sys

    class Blocker:
        # refuse to import the libraries that the core must not need
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"matplotlib", "ipywidgets", "IPython", "sklearn", "scipy"}:
                raise ImportError(f"blocked in this test: {name}")
            return None

    sys.meta_path.insert(0, Blocker())
    import numpy as np
    import bp
    assert bp.__file__.startswith(sys.argv[1]), bp.__file__
    rng = np.random.default_rng(0)
    X, y = bp.make_xor(200, noise=0.1, rng=rng)
    model = bp.Sequential(bp.Linear(2, 8, rng=rng), bp.Tanh(), bp.Linear(8, 2, rng=rng))
    history = bp.fit(model, bp.SoftmaxCrossEntropy(), bp.Adam(model.parameters(), lr=0.05), X, y,
                     epochs=60, batch_size=20, rng=rng)
    assert history.loss[-1] < 0.5 * history.loss[0], history.loss
    print("trained", round(history.loss[-1], 3))
""")


def test_copied_bp_folder_trains_with_numpy_alone(tmp_path):
    shutil.copytree(pathlib.Path(bp.__file__).parent, tmp_path / "bp",
                    ignore=shutil.ignore_patterns("__pycache__", "plotting.py", "widgets.py"))
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("trained")


def test_import_bp_does_not_import_plotting_libraries():
    code = "import sys, bp; print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
