"""The house-effect-aware poll average: a toy case worked by hand, the no-peeking guard, determinism."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

import pandas as pd
import pytest
from typer.testing import CliRunner

from seatcast.backtest.runner import actual_gb_shares, actuals_of, run_backtest
from seatcast.data.poll_average import (
    HouseSettings,
    average_shares,
    estimate_house_effects,
    estimate_industry_bias,
    history_errors,
    house_average,
    mean_average,
)
from seatcast.data.polls import ELECTION_DATES, poll_average
from seatcast.data.store import Store
from seatcast.errors import InputError

POINTS = HouseSettings(scale="points")


def _polls(rows: list[tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame({"pollster": [p for p, _ in rows], "fieldwork_end": "2020-01-01",
                         "sample_size": 1000.0, "con": [v for _, v in rows]})


def _toy() -> pd.DataFrame:
    """Two earlier elections, Con only, points scale.

    e1: actual 30; A 33, B 29, C 31 -> errors +3, -1, +1; industry bias 1; relative +2, -2, 0.
    e2: actual 40; A 44, B 40      -> errors +4,  0;     industry bias 2; relative +2, -2.
    """
    polls = {"e1": _polls([("A", 33), ("B", 29), ("C", 31)]), "e2": _polls([("A", 44), ("B", 40)])}
    return history_errors(polls, {"e1": {"con": 30.0}, "e2": {"con": 40.0}}, "points")


def test_toy_house_effects_by_hand() -> None:
    # A and B repeat their relative error exactly: within variance 0, so lam -> 0, clipped to
    # min_lambda = 1: A gets 2/(2+1) * 2 = 4/3, B -4/3; C, seen once with relative error 0, gets 0.
    house = estimate_house_effects(_toy(), POINTS)
    assert house["A"]["con"][0] == pytest.approx(4 / 3)
    assert house["B"]["con"][0] == pytest.approx(-4 / 3)
    assert house["C"]["con"] == (0.0, 1.0)


def test_toy_industry_bias_by_hand() -> None:
    # b = [1, 2]: mean 1.5, s2 = 0.5, M = 2 -> factor 1 - (0.5/2)/1.5^2 = 8/9, persistent 4/3;
    # unforeseen variance 0.5 * (1 + (8/9)/2) = 13/18; plain mean's mean squared bias (1+4)/2.
    persistent, unforeseen, msq = estimate_industry_bias(_toy())["con"]
    assert persistent == pytest.approx(4 / 3)
    assert unforeseen == pytest.approx(13 / 18)
    assert msq == pytest.approx(2.5)


def test_toy_average_by_hand() -> None:
    errors = _toy()
    target = _polls([("A", 50), ("B", 46), ("D", 48)])  # D is new: no correction
    house = average_shares(target, "e3", "2020-01-02", method="house", house=estimate_house_effects(errors, POINTS),
                           industry=estimate_industry_bias(errors), settings=POINTS)
    # Corrected polls 48 2/3, 47 1/3, 48 (equal weights) -> 48, minus the persistent 4/3.
    assert house.shares["con"] == pytest.approx(48 - 4 / 3)
    assert house.house_effects == {"A": {"con": pytest.approx(4 / 3)}, "B": {"con": pytest.approx(-4 / 3)}}
    # Spread of corrected polls: sample variance 4/9, over 3 polls -> 4/27; plus 13/18 industry.
    assert house.se["con"] == pytest.approx(math.sqrt(4 / 27))
    assert house.se_total["con"] == pytest.approx(math.sqrt(4 / 27 + 13 / 18))
    mean = average_shares(target, "e3", "2020-01-02", method="mean", industry=estimate_industry_bias(errors),
                          settings=POINTS)
    assert mean.shares["con"] == pytest.approx(48.0)
    assert mean.se["con"] == pytest.approx(math.sqrt(4 / 3))
    assert mean.se_total["con"] == pytest.approx(math.sqrt(4 / 3 + 2.5))


def test_weights_favour_size_and_recency() -> None:
    df = pd.DataFrame({"pollster": ["big", "small", "old", "mrp"], "con": [30.0, 30.0, 30.0, 30.0],
                       "fieldwork_end": ["2020-01-09", "2020-01-09", "2020-01-03", "2020-01-09"],
                       "sample_size": [2000.0, 500.0, 2000.0, 100_000.0]})
    w = average_shares(df, "x", "2020-01-10", method="house").weights
    assert w["big"] > w["small"] and w["big"] > w["old"]
    assert w["mrp"] < 2.1 * w["big"]  # a huge MRP is capped, not fifty polls
    assert sum(w.values()) == pytest.approx(1.0)


def test_uses_only_earlier_elections(store: Store) -> None:
    asked: list[str] = []

    def spy(e: str) -> Mapping[str, float]:
        asked.append(e)
        return actual_gb_shares(store.load(e))

    for election, date in ELECTION_DATES.items():
        asked.clear()
        avg = house_average(election, actuals=spy)
        assert all(ELECTION_DATES[e] < date for e in asked), (election, asked)
        assert set(asked) == set(avg.history) == {e for e, d in ELECTION_DATES.items() if d < date}
    assert house_average("ge2010", actuals=spy).house_effects == {}  # nothing earlier: no correction


def test_deterministic_and_mean_matches_plain(store: Store) -> None:
    a = house_average("ge2019", actuals=actuals_of(store)).to_dict()
    b = house_average("ge2019", actuals=actuals_of(store)).to_dict()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    plain = poll_average("ge2019")
    mean = mean_average("ge2019", actuals=actuals_of(store))
    assert mean.shares == pytest.approx(plain, abs=1e-3)
    assert all(0 < mean.se[p] <= mean.se_total[p] for p in mean.se)
    assert set(a["shares"]) == set(plain)


def test_backtest_average_option(store: Store) -> None:
    mean = run_backtest("ge2019", model="uns", inputs="polls", store=store)
    house = run_backtest("ge2019", model="uns", inputs="polls", store=store, average="house")
    assert house.national == pytest.approx(house_average("ge2019", actuals=actuals_of(store)).shares)
    assert house.national["con"] != pytest.approx(mean.national["con"], abs=0.05)
    with pytest.raises(InputError):
        run_backtest("ge2019", model="uns", inputs="polls", store=store, average="median")


def test_cli_poll_average() -> None:
    from seatcast.cli import main  # noqa: F401  (registers every command module)
    from seatcast.cli.app import app

    runner = CliRunner()
    r = runner.invoke(app, ["backtest", "ge2019", "--model", "uns", "--poll-average", "house", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    house = house_average("ge2019", actuals=actuals_of(Store()))
    assert data["national"]["con"] == pytest.approx(house.shares["con"], abs=0.01)
    bad = runner.invoke(app, ["backtest", "ge2019", "--poll-average", "median"])
    assert bad.exit_code != 0
