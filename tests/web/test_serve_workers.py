"""``seatcast serve --workers N``: N uvicorn processes, each building the app from environment variables."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from seatcast.cli.app import app

#: The variables serve sets for its worker processes (create_app reads them).
VARIABLES = ("SEATCAST_DB", "SEATCAST_MAX_SIMS", "SEATCAST_MAX_BODY", "SEATCAST_MAX_FORECASTS", "SEATCAST_HOST",
             "SEATCAST_ALLOWED_HOSTS")


def _serve(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, list[tuple[Any, dict[str, Any]]]]:
    """Exit code, output (or the error raised) and what uvicorn.run was given; the environment is restored after."""
    import uvicorn

    from seatcast.cli import main  # noqa: F401  (registers every command module)

    for name in VARIABLES:  # serve sets them in this process: monkeypatch puts the old values back
        monkeypatch.setenv(name, "")
    runs: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: runs.append((target, kw)))
    r = CliRunner().invoke(app, ["serve", *args])
    return r.exit_code, r.output + (str(r.exception) if r.exception else ""), runs


def test_serve_workers_runs_the_app_factory_in_that_many_processes(monkeypatch: pytest.MonkeyPatch,
                                                                   store_path: Path) -> None:
    import os

    code, out, runs = _serve(monkeypatch, "--workers", "3", "--db", str(store_path), "--max-sims", "77",
                             "--max-forecasts", "4", "--max-body", "5000", "--port", "8124",
                             "--allowed-host", "box.lan", "--allowed-host", "10.0.0.5")
    assert code == 0, out
    (target, kw), = runs
    # Each process imports the factory by name and calls it: an app object cannot be shared.
    assert target == "seatcast.web.app:create_app" and kw["factory"] is True and kw["workers"] == 3
    assert kw["host"] == "127.0.0.1" and kw["port"] == 8124
    assert os.environ["SEATCAST_DB"] == str(store_path.resolve())
    assert os.environ["SEATCAST_MAX_SIMS"] == "77" and os.environ["SEATCAST_MAX_FORECASTS"] == "4"
    assert os.environ["SEATCAST_MAX_BODY"] == "5000"
    assert os.environ["SEATCAST_ALLOWED_HOSTS"] == "box.lan,10.0.0.5"
    assert "3 server processes" in out


def test_serve_with_one_worker_runs_the_app_in_this_process(monkeypatch: pytest.MonkeyPatch,
                                                            store_path: Path) -> None:
    code, out, runs = _serve(monkeypatch, "--db", str(store_path))
    assert code == 0, out
    (target, kw), = runs
    assert not isinstance(target, str) and "workers" not in kw


@pytest.mark.parametrize("n", ["0", "-2"])
def test_serve_refuses_fewer_than_one_worker(monkeypatch: pytest.MonkeyPatch, n: str) -> None:
    code, out, runs = _serve(monkeypatch, "--workers", n)
    assert code != 0 and not runs
    assert "--workers must be at least 1" in out


def test_serve_refuses_several_workers_following_one_night(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out, runs = _serve(monkeypatch, "--workers", "2", "--night-results", str(tmp_path / "r.csv"))
    assert code != 0 and not runs
    assert "--workers 1" in out


def test_serve_help_says_forecast_slots_are_per_process() -> None:
    from seatcast.cli import main  # noqa: F401

    out = CliRunner().invoke(app, ["serve", "--help"]).output
    text = " ".join(out.replace("│", " ").split())  # the help's box, unwrapped
    assert "--workers" in text and "at once in each server process" in text


def test_the_app_factory_reads_the_host_names_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                                   store_path: Path) -> None:
    with warnings.catch_warnings():  # starlette's notice that it prefers httpx2 to httpx
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from seatcast.web.app import create_app

    monkeypatch.setenv("SEATCAST_DB", str(store_path))
    monkeypatch.setenv("SEATCAST_ALLOWED_HOSTS", "box.lan, other.lan")
    monkeypatch.setenv("SEATCAST_HOST", "10.0.0.5")
    with TestClient(create_app(warm=False), base_url="http://box.lan") as c:
        assert c.get("/api/meta").status_code == 200
        assert c.get("/api/meta", headers={"Host": "10.0.0.5"}).status_code == 200
        assert c.get("/api/meta", headers={"Host": "evil.example"}).status_code == 400
    monkeypatch.delenv("SEATCAST_ALLOWED_HOSTS")
    monkeypatch.delenv("SEATCAST_HOST")
    with TestClient(create_app(warm=False), base_url="http://box.lan") as c:
        assert c.get("/api/meta").status_code == 400  # loopback only by default
