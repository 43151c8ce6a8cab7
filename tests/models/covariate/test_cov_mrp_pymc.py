"""The PyMC engine of MRP on synthetic three-party data with known answers, and its CLI.

One module-scoped fit is shared by the recovery, raw-mean and reproducibility tests: the first
fit on a cold PyTensor cache spends most of its time compiling C, later fits reuse the modules.

Tolerances. ``synthetic3`` has 40 seats and 4000 respondents (about 100 a seat) and a residual
seat effect of sd 0.2 on the logit scale that only a seat's own respondents reveal, so even the
exact model cannot do much better than about 0.02 mean absolute error per seat and party; the
raw per-seat sample share is off by 0.035-0.042. Over six seeds (21 and 1-5) the engine's mean
absolute error was 0.023-0.026 (63-71% of the raw error) and its correlation with the truth
0.969-0.979; the tests ask for < 0.03, > 0.95 and at most 80% of the raw error.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import need
from seatcast.cli import app
from seatcast.errors import InputError
from seatcast.models.mrp import MrpResult, fit_mrp, synthetic, synthetic3


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return synthetic3(21)


@pytest.fixture(scope="module")
def fitted(data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> MrpResult:
    need("pymc")
    survey, frame, _ = data
    return fit_mrp(survey, frame, engine="pymc", seed=3)


def _raw_shares(survey: pd.DataFrame, parties: list[str]) -> pd.DataFrame:
    return survey.groupby("seat")["vote"].value_counts(normalize=True).unstack(fill_value=0.0)[parties]


def test_cov_mrp_pymc_recovers_known_shares(
        data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], fitted: MrpResult) -> None:
    survey, _, truth = data
    shares = fitted.shares[list(truth.columns)]
    assert list(shares.index) == list(truth.index)
    assert abs(shares.sum(axis=1) - 1).max() < 1e-9
    err = (shares - truth).abs().to_numpy()
    corr = np.corrcoef(shares.to_numpy().ravel(), truth.to_numpy().ravel())[0, 1]
    assert err.mean() < 0.03 and err.max() < 0.15, (err.mean(), err.max())
    assert corr > 0.95, corr
    raw = _raw_shares(survey, list(truth.columns))
    raw_err = (raw - truth.loc[raw.index]).abs().to_numpy().mean()
    assert err.mean() < 0.8 * raw_err, (err.mean(), raw_err)
    # Seat effects: one sd per non-reference party (the reference is the most-voted, "a").
    assert set(fitted.seat_sd) == {"b", "c"}
    assert all(0.0 < v < 1.0 for v in fitted.seat_sd.values())


def test_cov_mrp_pymc_same_seed_same_shares(
        data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], fitted: MrpResult) -> None:
    survey, frame, _ = data
    again = fit_mrp(survey, frame, engine="pymc", seed=3)
    pd.testing.assert_frame_equal(again.shares, fitted.shares, check_exact=True)
    assert again.seat_sd == fitted.seat_sd
    other = fit_mrp(survey, frame, engine="pymc", seed=4)
    assert not other.shares.equals(fitted.shares)
    assert (other.shares - fitted.shares).abs().to_numpy().max() < 0.02  # a seed moves noise, not answers


def test_cov_mrp_pymc_unseen_seat_and_two_parties() -> None:
    need("pymc")
    survey, frame, truth = synthetic(8, n_seats=10, n_respondents=1500)
    survey = survey[survey["seat"] != "S09"]  # S09 is in the frame only: predicted from the priors
    res = fit_mrp(survey, frame, engine="pymc", seed=0)
    assert res.shares.attrs["seats_without_respondents"] == ["S09"]
    assert set(res.shares.index) == set(truth.index)
    err = (res.shares["a"] - truth["a"]).abs()
    assert err.drop("S09").mean() < 0.05
    # No respondents: the seat's own effect is unknown (its true one is about 1 sd of 0.5 off
    # here), so the engine predicts from its demographics alone, as the vb engine does with a
    # zero seat effect; the two agree closely.
    vb = fit_mrp(survey, frame)
    assert abs(res.shares.loc["S09", "a"] - vb.shares.loc["S09", "a"]) < 0.04


def test_cov_mrp_rejects_unknown_engine_and_bad_seed() -> None:
    survey, frame, _ = synthetic(1, n_seats=3, n_respondents=200)
    with pytest.raises(InputError, match="engine"):
        fit_mrp(survey, frame, engine="stan")
    with pytest.raises(InputError, match="seed"):
        fit_mrp(survey, frame, engine="pymc", seed=-1)


def test_cov_cli_mrp_fit_pymc(tmp_path: Path) -> None:
    need("pymc")
    survey, frame, truth = synthetic3(5, n_seats=12, n_respondents=1500)
    s, f = tmp_path / "survey.csv", tmp_path / "frame.csv"
    survey.to_csv(s, index=False)
    frame.to_csv(f, index=False)
    args = ["mrp", "fit", "--survey", str(s), "--frame", str(f), "--engine", "pymc", "--seed", "2", "-f", "json"]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert set(data["seats"]) == set(truth.index)
    got = pd.DataFrame(data["seats"]).T.loc[truth.index, list(truth.columns)]
    assert (got - truth).abs().to_numpy().mean() < 0.05
    assert json.loads(CliRunner().invoke(app, args).output) == data  # same seed, same JSON
