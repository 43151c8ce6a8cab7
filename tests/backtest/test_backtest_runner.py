"""Backtests: contract keys, metrics, and that the result never leaks into the forecast."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from seatcast.backtest import BACKTESTS, run_backtest
from seatcast.backtest.metrics import brier, log_loss, seat_total_error
from seatcast.data.schema import Candidacy, Constituency, Election
from seatcast.data.store import Store
from seatcast.models import MODELS

KEYS = {"election", "base", "model", "inputs", "n_seats", "seats_predicted", "seats_actual", "seat_total_error",
        "seats_correct", "seats_correct_gb", "share_mae"}


def test_seat_total_error() -> None:
    assert seat_total_error({"a": 10, "b": 5}, {"a": 7, "b": 8}) == 3
    assert seat_total_error({"a": 10}, {"a": 8, "c": 2}) == 2


def test_brier_and_log_loss() -> None:
    probs = np.array([[1.0, 0.0], [0.5, 0.5]])
    outcome = np.array([0, 1])
    assert brier(probs, outcome) == pytest.approx(0.25)
    assert log_loss(probs, outcome) == pytest.approx(np.log(2) / 2, rel=1e-3)


@pytest.mark.parametrize("election", list(BACKTESTS))
@pytest.mark.parametrize("inputs", ["polls", "actual"])
@pytest.mark.parametrize("model", list(MODELS)[:3])
def test_backtest_runs(store: Store, election: str, inputs: str, model: str) -> None:
    d = run_backtest(election, model=model, inputs=inputs, store=store).to_dict()
    assert KEYS <= set(d)
    assert d["n_seats"] == 650 and sum(d["seats_predicted"].values()) == 650
    assert 400 < d["seats_correct_gb"] <= 632
    assert 0 < d["share_mae"] < 10


def test_result_does_not_leak(store_path: Path, tmp_path: Path) -> None:
    """Scrambling the target's votes (keeping its nominations) leaves a polls backtest's projection unchanged."""
    with Store(store_path) as live:
        s = live.backup(tmp_path / "copy.db")
    original = run_backtest("ge2019", model="transition", inputs="polls", store=s)
    el = s.load("ge2019")
    seats = []
    for c in el.constituencies:
        votes = [k.votes or 0 for k in c.candidacies][::-1]
        cands = tuple(replace(k, votes=v, share=v / c.valid_votes) for k, v in zip(c.candidacies, votes,
                                                                                    strict=True))
        seats.append(Constituency(c.id, c.name, c.region, c.nation, c.electorate, c.valid_votes, cands))
    s.save(Election(id=el.id, name=el.name, date=el.date, kind=el.kind, constituencies=tuple(seats)))
    scrambled = run_backtest("ge2019", model="transition", inputs="polls", store=s)
    np.testing.assert_array_equal(original.projection.shares, scrambled.projection.shares)
    assert original.seats_correct != scrambled.seats_correct  # the score, and only the score, moved
    s.close()
    assert isinstance(Candidacy, type)
