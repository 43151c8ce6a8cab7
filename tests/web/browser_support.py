"""What the browser tests share: Debian's chromium, driven by Playwright (or a skip naming what is missing)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-dev-shm-usage"]


def chromium_executable() -> str:
    """Debian's chromium and Python Playwright, or skip (fail when every extra is required)."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    missing = [name for name, ok in (("chromium", exe is not None),
                                     ("playwright", importlib.util.find_spec("playwright") is not None)) if not ok]
    if missing:
        if os.environ.get("SEATCAST_REQUIRE_ALL") == "1":
            pytest.fail(f"{', '.join(missing)} missing and SEATCAST_REQUIRE_ALL=1")
        pytest.skip(f"{', '.join(missing)} not installed")
    assert exe is not None
    return exe


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """A headless chromium browser, closed on exit."""
    exe = chromium_executable()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
