"""Error model from earlier elections only; probabilistic backtest scores; CLI and plots."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import need
from seatcast.backtest.metrics import brier, calibration, log_loss
from seatcast.cli import app
from seatcast.data.store import Store
from seatcast.fit.error_model import PRIOR_NATIONAL_SD, PRIOR_WEIGHT, national_covariance
from seatcast.simulate import estimate_error
from seatcast.simulate.backtest import (
    MIN_SEATS,
    baseline_probs,
    calibration_band,
    pooled_calibration,
    run_probabilistic,
)


def test_error_model_uses_only_earlier_elections(store: Store) -> None:
    e15 = estimate_error("2015-05-07", store=store)
    e19 = estimate_error("2019-12-12", store=store)
    assert "ge2010" in e15.sources[0] and "ge2015" not in e15.sources[0]
    assert "priors" in e15.sources[-1]
    assert "ge2017" in e19.sources[0] and "ge2019" not in " ".join(e19.sources)
    assert np.all(np.linalg.eigvalsh(e19.national_cov) > 0)


def test_metrics_sanity() -> None:
    y = np.array([0, 1, 1])
    perfect = np.eye(2)[y]
    assert brier(perfect, y) == 0 and log_loss(perfect, y) < 1e-3
    flat = np.full((3, 2), 0.5)
    assert brier(flat, y) == pytest.approx(0.5)
    bins = calibration(flat, y)
    assert len(bins) == 1 and bins[0]["count"] == 6 and bins[0]["observed"] == pytest.approx(0.5)
    b = baseline_probs(np.array(["a", "b"]), np.array([[True, True, True], [True, True, False]]), ("a", "b", "oth"))
    np.testing.assert_allclose(b.sum(axis=1), 1)
    assert b[0, 2] == 0 and b[1, 1] == pytest.approx(0.8)


def test_probabilistic_backtest_beats_baseline(store: Store) -> None:
    scores, result = run_probabilistic("ge2019", n_sims=1000, seed=0, store=store)
    assert scores["brier"] < scores["baseline"]["brier"]
    assert scores["log_loss"] < scores["baseline"]["log_loss"]
    assert sum(b["count"] for b in scores["calibration"]) == result.n_seats * len(result.parties)
    lo, hi = scores["seats_interval"]["con"]
    assert scores["in_interval"]["con"] == (lo <= 365 <= hi)
    assert {"ci_lo", "ci_hi", "within"} <= set(scores["calibration"][0])
    major = scores["major_parties"]
    assert {"con", "lab", "snp"} <= set(major) and "brx" not in major
    assert all(max(result.seats_quantile(p, 0.5), scores["seats_interval"][p][1]) >= MIN_SEATS for p in major)
    assert scores["interval_coverage_major"] == pytest.approx(np.mean([scores["in_interval"][p] for p in major]))


def test_national_covariance_leaves_out_unpolled_parties() -> None:
    # Two elections; the second party was not polled at the first: its variance uses one election only.
    errors = [np.array([0.1, np.nan, 0.0, 0.0, 0.0]), np.array([-0.1, 0.2, 0.0, 0.0, 0.0])]
    cov = national_covariance(errors)
    prior = PRIOR_NATIONAL_SD**2
    assert cov[0, 0] == pytest.approx((PRIOR_WEIGHT * prior + 0.02) / (PRIOR_WEIGHT + 2), rel=1e-6)
    assert cov[1, 1] == pytest.approx((PRIOR_WEIGHT * prior + 0.04) / (PRIOR_WEIGHT + 1), rel=1e-6)
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    np.testing.assert_allclose(national_covariance([]), np.diag(np.full(5, prior)))


def test_error_model_sizes_are_learned_not_prior(store: Store) -> None:
    # Once a backtest exists, the local layers follow its residuals rather than the (wide) priors.
    prior, e24 = estimate_error("2015-05-07", store=store), estimate_error("2024-07-04", store=store)
    assert e24.region_sd < prior.region_sd and e24.seat_sd < prior.seat_sd
    assert 0 < e24.nation_sd < 0.15  # sized on England, whose share tracks GB's closely


def test_calibration_band_is_binomial() -> None:
    bins = calibration_band([{"predicted": 0.5, "observed": 0.52, "count": 100},
                             {"predicted": 0.5, "observed": 0.9, "count": 100},
                             {"predicted": 0.01, "observed": 0.009, "count": 5000},
                             {"predicted": 0.01, "observed": 0.0, "count": 5000}])
    assert bins[0]["within"] and not bins[1]["within"] and bins[2]["within"] and not bins[3]["within"]
    assert bins[0]["ci_lo"] == pytest.approx(0.4, abs=0.011) and bins[0]["ci_hi"] == pytest.approx(0.6, abs=0.011)
    assert 0 < bins[2]["ci_lo"] < 0.01 < bins[2]["ci_hi"] < 0.02


def test_pooled_calibration_counts_every_pair() -> None:
    p1 = np.array([[0.9, 0.1], [0.2, 0.8]])
    p2 = np.array([[0.7, 0.2, 0.1]])
    bins = pooled_calibration([p1, p2], [np.array([0, 1]), np.array([1])])
    assert sum(b["count"] for b in bins) == 7
    top = [b for b in bins if b["lo"] == pytest.approx(0.9)]
    assert top[0]["count"] == 1 and top[0]["observed"] == 1.0


def test_cli_forecast_same_seed_same_bytes(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["forecast", "--base", "ge2019n24", "--polls", "ge2024", "--sims", "1500", "--seed", "7", "-f", "json"]
    a = runner.invoke(app, args)
    b = runner.invoke(app, args)
    assert a.exit_code == 0, a.output
    assert a.stdout == b.stdout
    data = json.loads(a.stdout)
    assert data["n_sims"] == 1500 and data["seed"] == 7 and 0 <= data["p_hung"] <= 1
    assert {"seats_mean", "seats_median", "seats_p05", "seats_p95", "p_majority", "p_largest"} <= set(
        data["parties"]["lab"])
    seat = data["seats"][0]
    assert {"id", "name", "p_win", "shares"} <= set(seat) and sum(seat["p_win"].values()) == pytest.approx(1, abs=1e-5)
    c = runner.invoke(app, [*args[:-3], "8", "-f", "json"])
    assert json.loads(c.stdout)["parties"] != data["parties"]


def test_cli_polls_file_equals_shares(tmp_path: Path) -> None:
    f = tmp_path / "polls.csv"
    f.write_text("pollster,fieldwork_end,con,lab,ld\n"
                 "A,2024-06-01,20,40,10\nA,2024-06-02,22,40,12\nB,2024-06-02,24,38,12\n")
    runner = CliRunner()
    base = ["forecast", "--base", "ge2019n24", "--sims", "200", "--seed", "1", "-f", "json"]
    a = runner.invoke(app, [*base, "--polls", str(f)])
    b = runner.invoke(app, [*base, "--share", "con=23", "--share", "lab=39", "--share", "ld=12"])
    assert a.exit_code == 0, a.output
    assert a.stdout == b.stdout


def test_plots_write_files(tmp_path: Path) -> None:
    need("matplotlib")
    runner = CliRunner()
    out = tmp_path / "seats.png"
    args = ["plot", "seats", "--base", "ge2019n24", "--polls", "ge2024", "--sims", "300", "-o", str(out)]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert out.stat().st_size > 1000
    from seatcast.plots.calibration import plot_calibration

    ax = plot_calibration([{"predicted": 0.2, "observed": 0.25, "count": 40}])
    assert ax.get_xlim() == (0, 1)
    band = calibration_band([{"predicted": 0.2, "observed": 0.25, "count": 40},
                             {"predicted": 0.7, "observed": 0.2, "count": 40}])
    ax = plot_calibration(band)
    assert len(ax.collections) >= 1  # the sampling band
    labels = ax.get_legend_handles_labels()[1]
    assert "95% sampling band (binomial)" in labels and "bin outside band" in labels
    out = tmp_path / "cal.png"
    r = runner.invoke(app, ["plot", "calibration", "ge2019", "--model", "uns", "--sims", "300", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.stat().st_size > 1000
