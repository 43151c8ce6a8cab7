from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from seatcast.cli import app
from seatcast.data.store import Store
from seatcast.night.model import NightPrior, NightSettings, fit_night, simulate_night
from seatcast.night.orders import realistic_order
from seatcast.night.replay import exit_poll_error, replay


def _toy(n: int = 40) -> NightPrior:
    prior = np.tile([0.4, 0.35, 0.25], (n, 1))
    return NightPrior(
        seat_ids=tuple(f"S{i}" for i in range(n)), names=tuple(f"Seat {i}" for i in range(n)),
        regions=("R",) * n, nations=("N",) * n, parties=("a", "b", "oth"), base=prior.copy(), prior=prior,
        stands=np.ones((n, 3), bool), features=np.zeros((n, 0)), feature_names=(), base_winners=("a",) * n)


def test_worked_example_shrinks_towards_prior() -> None:
    p = _toy()
    declared = np.zeros(p.n_seats, bool)
    declared[:4] = True
    actual = p.prior.copy()
    actual[:4] = [0.44, 0.31, 0.25]
    fit = fit_night(p, declared, actual, NightSettings(prior_sd_intercept=1.0))
    assert fit.beta[0, 0] == pytest.approx(0.032)  # docstring: V = 1/5, beta = 0.2 * 4 * 0.04
    none = fit_night(p, np.zeros(p.n_seats, bool), actual)
    assert np.all(none.beta == 0)


def test_all_declared_fixes_totals() -> None:
    p = _toy(10)
    actual = p.prior.copy()
    actual[:3] = [0.3, 0.45, 0.25]
    winners = ["b"] * 3 + ["a"] * 7
    proj = simulate_night(p, np.ones(10, bool), actual, winners, settings=NightSettings(n_sims=50), rng=0)
    assert proj.seats_mean == {"a": 7.0, "b": 3.0}
    assert proj.seats_interval["b"] == (3, 3)


def test_simulation_seeded() -> None:
    p = _toy()
    d = np.zeros(p.n_seats, bool)
    d[:5] = True
    w: list[str | None] = ["a"] * p.n_seats
    a = simulate_night(p, d, p.prior, w, settings=NightSettings(n_sims=100), rng=3).totals
    b = simulate_night(p, d, p.prior, w, settings=NightSettings(n_sims=100), rng=3).totals
    assert np.array_equal(a, b)


def test_exit_poll_errors_from_anchors() -> None:
    assert exit_poll_error("ge2017") == 5.0
    assert exit_poll_error("ge2019") == 11.5
    assert exit_poll_error("ge2024") == 15.5


def test_realistic_order_starts_in_the_north_east(store: Store) -> None:
    base = store.load("ge2019n24")
    ids = tuple(c.id for c in base.constituencies)
    order = realistic_order(base, ids)
    assert sorted(order.tolist()) == list(range(len(ids)))
    first = [base.seat(ids[i]).region for i in order[:10]]
    assert first.count("North East") >= 5


def test_small_replay_sanity(store: Store) -> None:
    target, base = store.load("ge2019"), store.load("ge2017")
    res = replay(target, base, runs=1, seed=2, checkpoints=(50, len(target)), settings=NightSettings(n_sims=200))
    rows = res.summary()
    assert [r["declared"] for r in rows] == [50, 650]
    assert rows[-1]["realistic_error"] == 0.0 and rows[-1]["random_error_mean"] == 0.0
    assert rows[0]["random_error_mean"] < res.prior_error  # 50 seats tell more than the polls alone
    again = replay(target, base, runs=1, seed=2, checkpoints=(50,), settings=NightSettings(n_sims=200))
    assert again.checkpoints[0].seat_total_error == res.checkpoints[0].seat_total_error


def test_cli_replay_json(store: Store) -> None:
    res = CliRunner().invoke(app, ["night", "--replay", "ge2019", "--order", "random", "--runs", "1",
                                   "--sims", "100", "--format", "json"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    cps = [x for x in lines if "summary" not in x]
    assert [x["declared"] for x in cps] == [10, 25, 50, 100, 200, 400, 650]
    assert all("seat_total_error" in x for x in cps)
    assert cps[-1]["seat_total_error"] == 0.0
    assert lines[-1]["summary"]["exit_poll_error"] == 11.5
