"""Root pytest configuration for the bp book.

pytest.ini switches on strict nbval; this file adds what cannot be written
there:

* the sanitize file, by absolute path, so it is used whatever directory
  pytest is started from;
* matplotlib's Agg backend for the test process itself (no windows), while
  the kernels that nbval starts keep Jupyter's inline backend, as when the
  notebooks were saved: a figure shown inline is an output cell, and strict
  nbval compares the number of outputs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
SANITIZE_FILE = ROOT / ".nbval_sanitize.cfg"

# Kernels started by nbval inherit this process's environment.  ipykernel
# picks the inline backend only when MPLBACKEND is unset, so drop any value
# inherited from the shell (e.g. MPLBACKEND=Agg).
os.environ.pop("MPLBACKEND", None)

try:
    import matplotlib
except ImportError:  # pragma: no cover - matplotlib is in requirements.txt
    pass
else:
    matplotlib.use("Agg")


def pytest_configure(config: pytest.Config) -> None:
    option = config.option
    if getattr(option, "nbval_lax", False):
        raise pytest.UsageError(
            "this book uses strict nbval only (--nbval, set in pytest.ini); "
            "mark a cell whose output cannot be stable with the "
            "nbval-ignore-output tag instead of using --nbval-lax"
        )
    if hasattr(option, "nbval_sanitize_with") and not option.nbval_sanitize_with:
        option.nbval_sanitize_with = str(SANITIZE_FILE)
