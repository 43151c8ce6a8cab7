"""Shared fixtures: one store per test session, built from the bundled data in a temp folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from seatcast.data.store import Store

settings.register_profile("fast", max_examples=30, deadline=None)
settings.register_profile("long", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))

REQUIRE_ALL = os.environ.get("SEATCAST_REQUIRE_ALL") == "1"


def need(module: str) -> None:
    """Skip a test whose optional extra is missing, unless CI says every extra must be there."""
    from seatcast.extras import has_module, install_hint

    if not has_module(module):
        if REQUIRE_ALL:
            pytest.fail(f"optional dependency {module} is missing and SEATCAST_REQUIRE_ALL=1 ({install_hint(module)})")
        pytest.skip(f"optional dependency {module} not installed: {install_hint(module)}")


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "seatcast.db"
    Store(path).close()
    return path


@pytest.fixture(scope="session")
def store(store_path: Path) -> Iterator[Store]:
    s = Store(store_path)
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _isolated_db(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test (and every CLI run inside one) uses the session store, never the user's."""
    monkeypatch.setenv("SEATCAST_DB", str(store_path))


#: Test folders whose every test needs an extra (the web tests build the FastAPI app in fixtures).
NEEDS_BY_FOLDER: dict[str, tuple[str, ...]] = {"web": ("fastapi", "httpx")}


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a folder's tests before their fixtures run when its extra is missing (see :func:`need`)."""
    folder = item.path.parent.name if item.path.parent.parent.name == "tests" else ""
    for module in NEEDS_BY_FOLDER.get(folder, ()):
        need(module)
