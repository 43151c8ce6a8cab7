"""``seatcast serve --night-results``: the server follows a live results file at /night."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from seatcast.cli.app import app


def _serve(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, list[Any]]:
    """Exit code, output (or the error a failed run raised) and the apps uvicorn was asked to run."""
    import uvicorn

    from seatcast.cli import main  # noqa: F401  (registers every command module)

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda web_app, **kw: served.append(web_app))
    r = CliRunner().invoke(app, ["serve", *args])
    return r.exit_code, r.output + (str(r.exception) if r.exception else ""), served


def test_serve_follows_the_night_results_file_from_the_named_base(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    results = tmp_path / "night.csv"
    code, out, served = _serve(monkeypatch, "--night-results", str(results), "--night-base", "ge2019n24")
    assert code == 0, out
    assert f"following {results}" in out and "base ge2019n24" in out
    live = served[0].state.night.live
    assert live.path == results and live.base.id == "ge2019n24"
    assert "no --night-prior given" in live.prior.source


def test_serve_without_a_night_file_follows_none(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, served = _serve(monkeypatch)
    assert code == 0, out
    assert served[0].state.night.live is None


def test_night_base_without_a_results_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, served = _serve(monkeypatch, "--night-base", "ge2024")
    assert code != 0 and not served
    assert "--night-results" in out


def test_unreadable_night_prior_names_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bad = tmp_path / "forecast.json"
    bad.write_text("{not json", encoding="utf-8")
    code, out, served = _serve(monkeypatch, "--night-results", str(tmp_path / "r.csv"), "--night-prior", str(bad))
    assert code != 0 and not served
    assert str(bad) in out.replace("\n", "")


def test_night_prior_from_another_base_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    forecast = tmp_path / "forecast.json"
    forecast.write_text('{"base": "ge2019", "seats": []}', encoding="utf-8")
    code, out, served = _serve(monkeypatch, "--night-results", str(tmp_path / "r.csv"), "--night-base", "ge2024",
                               "--night-prior", str(forecast))
    assert code != 0 and not served
    assert "from base ge2019, not ge2024" in out
