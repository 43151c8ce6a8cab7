"""Forecast slots (seatcast.web.workers): a bounded number at once, stopped when the client goes."""

from __future__ import annotations

import asyncio
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from seatcast.data.store import Store
from seatcast.web.workers import Busy, Stopped, Workers

BODY: dict[str, Any] = {"base": "ge2024", "model": "uns", "shares": {"lab": 30.0, "con": 25.0}, "sims": 100}


def _blocks(n: int, started: threading.Event, seen: list[int]) -> Any:
    """A stand-in forecast: ``n`` blocks of 10 ms, reporting progress after each."""
    def fn(progress: Any) -> int:
        started.set()
        for b in range(n):
            time.sleep(0.01)
            seen.append(b)
            progress(b + 1, n)
        return n
    return fn


def test_forecast_stops_when_the_client_goes() -> None:
    workers = Workers(max_forecasts=1, forecast_seconds=60)
    started, seen = threading.Event(), []
    gone_at = time.monotonic() + 0.3

    async def gone() -> bool:
        return time.monotonic() > gone_at

    async def main() -> None:
        with pytest.raises(Stopped, match="client went away"):
            await workers.forecast(_blocks(10_000, started, seen), gone)

    asyncio.run(main())
    assert started.is_set() and 0 < len(seen) < 10_000  # stopped long before the end
    # The slot is free again.
    assert asyncio.run(workers.forecast(_blocks(3, threading.Event(), []), _never)) == 3
    workers.close()


async def _never() -> bool:
    return False


def test_forecast_stops_at_its_time_limit() -> None:
    workers = Workers(max_forecasts=1, forecast_seconds=0.2)
    with pytest.raises(Stopped, match="SEATCAST_FORECAST_SECONDS"):
        asyncio.run(workers.forecast(_blocks(10_000, threading.Event(), []), _never))
    workers.close()


def test_refuses_forecasts_beyond_the_concurrent_limit() -> None:
    workers = Workers(max_forecasts=2, forecast_seconds=60)

    async def main() -> list[Any]:
        slow = [asyncio.create_task(workers.forecast(_blocks(30, threading.Event(), []), _never)) for _ in range(2)]
        await asyncio.sleep(0.05)
        with pytest.raises(Busy, match="--max-forecasts"):
            await workers.forecast(_blocks(1, threading.Event(), []), _never)
        return list(await asyncio.gather(*slow))

    assert asyncio.run(main()) == [30, 30]
    workers.close()


def test_busy_server_answers_429_with_retry_after(store_path: Path, store: Store) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from seatcast.web.app import create_app

    app = create_app(db=store_path, warm=False, max_forecasts=1)
    workers: Workers = app.state.workers
    assert workers._slots.acquire(blocking=False)  # a forecast already running
    try:
        with TestClient(app, base_url="http://localhost") as c:
            r = c.post("/api/forecast", json=BODY)
    finally:
        workers._slots.release()
    assert r.status_code == 429 and r.headers["retry-after"] == "5"
    assert "--max-forecasts" in r.json()["detail"] and "SEATCAST_MAX_FORECASTS" in r.json()["detail"]


def test_limits_from_environment(monkeypatch: pytest.MonkeyPatch, store_path: Path) -> None:
    from seatcast.errors import InputError
    from seatcast.web.app import create_app

    monkeypatch.setenv("SEATCAST_MAX_FORECASTS", "4")
    monkeypatch.setenv("SEATCAST_FORECAST_SECONDS", "2.5")
    app = create_app(db=store_path, warm=False)
    assert app.state.workers.max_forecasts == 4 and app.state.workers.forecast_seconds == 2.5
    monkeypatch.setenv("SEATCAST_MAX_FORECASTS", "0")
    with pytest.raises(InputError, match="SEATCAST_MAX_FORECASTS"):
        create_app(db=store_path, warm=False)


def test_forecast_spread_over_blocks_matches_one_run(store_path: Path, store: Store) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from seatcast.simulate import simulate
    from seatcast.web import schemas as s
    from seatcast.web.app import SIM_BLOCK, create_app

    body = {**BODY, "sims": SIM_BLOCK + 500, "seed": 5}  # over one block: run in worker processes
    app = create_app(db=store_path, warm=False)
    with TestClient(app, base_url="http://localhost") as c:
        got = c.post("/api/forecast", json=body)
    assert got.status_code == 200, got.text
    setup = app.state.dashboard.setup(s.ForecastRequest.model_validate(body))
    want = simulate(setup, n_sims=body["sims"], seed=5, accel=app.state.dashboard.accel).to_dict()
    assert got.json()["parties"] == want["parties"] and got.json()["seats"][:50] == want["seats"][:50]


def test_server_forecasts_use_the_compiled_engine_when_it_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from seatcast.web.app import forecast_accel

    monkeypatch.delenv("SEATCAST_ACCEL", raising=False)
    assert forecast_accel() == ("numba" if importlib.util.find_spec("numba") else "numpy")
    monkeypatch.setenv("SEATCAST_ACCEL", "numpy")
    assert forecast_accel() == "numpy"
