"""Fixtures shared by the tests under tests/ (the root conftest.py sets up strict nbval)."""

from __future__ import annotations

import pytest
from browser_support import CHROMIUM_ARGS, find_chromium, missing_browser


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session, driven by Playwright's sync API."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_browser("Playwright for Python is not installed (pip install playwright)")
    chromium = find_chromium()
    if chromium is None:
        missing_browser("no Chromium found (apt-get install chromium, or set BP_CHROMIUM)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
