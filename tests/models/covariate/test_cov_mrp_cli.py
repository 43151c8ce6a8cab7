"""MRP on synthetic data with known answers, and the two CLI commands."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from conftest import need
from seatcast.cli import app
from seatcast.models.mrp import fit_mrp, synthetic


def test_cov_mrp_recovers_known_shares() -> None:
    need("statsmodels")
    survey, frame, truth = synthetic(11)
    res = fit_mrp(survey, frame)
    err = (res.shares["a"] - truth["a"]).abs()
    assert err.mean() < 0.035 and err.max() < 0.1
    assert abs(res.shares.sum(axis=1) - 1).max() < 1e-9


def test_cov_mrp_same_seed_same_data() -> None:
    a = synthetic(3)[0]
    b = synthetic(3)[0]
    assert a.equals(b) and not a.equals(synthetic(4)[0])


def test_cov_cli_mrp_fit(tmp_path: Path) -> None:
    survey, frame, truth = synthetic(5, n_seats=8, n_respondents=1500)
    s, f = tmp_path / "survey.csv", tmp_path / "frame.csv"
    survey.to_csv(s, index=False)
    frame.to_csv(f, index=False)
    out = CliRunner().invoke(app, ["mrp", "fit", "--survey", str(s), "--frame", str(f), "-f", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert set(data["seats"]) == set(truth.index)
    assert abs(data["seats"]["S00"]["a"] - truth.loc["S00", "a"]) < 0.15


def test_cov_cli_plot_backtest(tmp_path: Path) -> None:
    need("matplotlib")
    png = tmp_path / "bt.png"
    out = CliRunner().invoke(app, ["plot", "backtest", "ge2024", "-o", str(png)])
    assert out.exit_code == 0, out.output
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"
