"""What the browser tests share: where Chromium is, how it is started, what a missing one means.

The browser itself is one session-wide fixture, ``browser`` in tests/conftest.py:
Playwright's sync API runs one event loop per process, so tests/test_html.py
and tests/test_jupyterlab.py must share one Playwright instance.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REQUIRE_BROWSER = os.environ.get("BP_REQUIRE_BROWSER") == "1"
# As this machine's Chromium needs it: as root, no GPU, and no background
# requests to outside servers (the network is closed; the tests allow none).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def missing_browser(reason: str):
    """Skip the test, or fail it when BP_REQUIRE_BROWSER=1 (as CI sets it)."""
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (BP_REQUIRE_BROWSER=1 makes the browser test required)")
    pytest.skip(f"{reason}: browser test skipped (set BP_REQUIRE_BROWSER=1 to make this a failure)")


def find_chromium() -> str | None:
    """BP_CHROMIUM, Debian's /usr/bin/chromium, or a chromium on PATH; None if there is none."""
    candidates = [os.environ.get("BP_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                  shutil.which("chromium-browser")]
    return next((c for c in candidates if c and Path(c).exists()), None)
