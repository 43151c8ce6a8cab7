from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from seatcast.cli import app
from seatcast.data.declarations import declaration_order
from seatcast.data.store import Store
from seatcast.errors import InputError
from seatcast.night.model import NightPrior, NightSettings, fit_night, simulate_night
from seatcast.night.orders import real_order, realistic_order
from seatcast.night.prior import replay_prior
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
    assert exit_poll_error("ge2015") == 13.0


def test_realistic_order_starts_in_the_north_east(store: Store) -> None:
    base = store.load("ge2019n24")
    ids = tuple(c.id for c in base.constituencies)
    order = realistic_order(base, ids)
    assert sorted(order.tolist()) == list(range(len(ids)))
    first = [base.seat(ids[i]).region for i in order[:10]]
    assert first.count("North East") >= 5


def test_small_replay_sanity(store: Store) -> None:
    target, base = store.load("ge2019"), store.load("ge2017")
    res = replay(target, base, runs=1, seed=2, checkpoints=(50, len(target)), settings=NightSettings(n_sims=200),
                 store=store)
    rows = res.summary()
    assert [r["declared"] for r in rows] == [50, 650]
    assert rows[-1]["real_error"] == 0.0 and rows[-1]["random_error_mean"] == 0.0
    assert rows[0]["random_error_mean"] < res.prior_error  # 50 seats tell more than the polls alone
    again = replay(target, base, runs=1, seed=2, checkpoints=(50,), settings=NightSettings(n_sims=200),
                   store=store)
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
    assert all(x["order"] == "random" and x["run"] == 0 for x in cps)


def test_real_order_is_the_bundled_declaration_order(store: Store) -> None:
    base = store.load("ge2019n24")
    ids = tuple(c.id for c in base.constituencies)
    order = real_order("ge2024", ids)
    assert sorted(order.tolist()) == list(range(len(ids)))
    assert [ids[i] for i in order] == declaration_order("ge2024")
    first = [base.seat(ids[i]) for i in order[:50]]
    assert "Houghton and Sunderland South" in first[0].name
    assert sum(c.region in ("North East", "North West") for c in first) >= 20  # the north leans first


def test_real_order_refuses_other_boundaries_or_elections(store: Store) -> None:
    ids = tuple(c.id for c in store.load("ge2019n24").constituencies)
    with pytest.raises(InputError, match="declaration times do not match"):
        real_order("ge2019", ids)  # 2019 declared on the old boundaries
    with pytest.raises(InputError, match="no bundled declaration times"):
        real_order("ge2010", ids)


def test_cli_replay_defaults_to_the_real_order(store: Store) -> None:
    res = CliRunner().invoke(app, ["night", "--replay", "ge2017", "--sims", "100", "--format", "json"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    real = [x for x in lines if "summary" not in x]
    assert {x["order"] for x in real} == {"real"} and {x["run"] for x in real} == {0}
    assert [x["declared"] for x in real] == [10, 25, 50, 100, 200, 400, 650]
    assert "real_error" in lines[-1]["summary"]["table"][0]
    res = CliRunner().invoke(app, ["night", "--replay", "ge2017", "--order", "both", "--runs", "2", "--sims", "100",
                                   "--format", "json"])
    cps = [json.loads(x) for x in res.stdout.splitlines()][:-1]
    assert [x["seat_total_error"] for x in cps if x["order"] == "real"] == [x["seat_total_error"] for x in real]
    assert sorted({x["run"] for x in cps if x["order"] == "random"}) == [0, 1]


def _two_types(n: int = 40) -> NightPrior:
    """Half the seats won by a over b, half by b over a, in two regions."""
    base = np.array([[0.5, 0.3, 0.2]] * (n // 2) + [[0.3, 0.5, 0.2]] * (n // 2))
    return NightPrior(
        seat_ids=tuple(f"S{i}" for i in range(n)), names=tuple(f"Seat {i}" for i in range(n)),
        regions=("R1",) * (n // 2) + ("R2",) * (n // 2), nations=("England",) * n, parties=("a", "b", "oth"),
        base=base, prior=base.copy(), stands=np.ones((n, 3), bool), features=np.zeros((n, 0)),
        feature_names=(), base_winners=("a",) * (n // 2) + ("b",) * (n // 2))


def test_unrepresentative_declarations_move_their_own_kind_most() -> None:
    p = _two_types()
    declared = np.zeros(p.n_seats, bool)
    declared[:10] = True  # only a-held seats in region R1 declare, all 6 points down for a
    actual = p.prior.copy()
    actual[:10] = [0.44, 0.36, 0.20]
    fit = fit_night(p, declared, actual, NightSettings())
    shift = fit.mean_shift(np.arange(p.n_seats))[:, 0]
    assert -0.06 < shift[15] < 0 and shift[30] < 0  # undeclared a-held seat: most of the swing
    assert abs(shift[30]) < 0.6 * abs(shift[15])  # b-held seats elsewhere: stay nearer the prior


def test_design_skips_single_levels_and_has_own_columns() -> None:
    p = _two_types()
    from seatcast.night.model import night_design
    d = night_design(p, NightSettings())
    assert d.names[0] == "national" and "contest a-b" in d.names and "in R2" in d.names
    assert d.own.shape == (3, p.n_seats, 3) and np.all(d.own[2] == 0)  # oth gets no own columns
    toy = night_design(_toy(), NightSettings())
    assert toy.common.shape[1] == 1  # one region, one contest type: the intercept only


def test_intervals_widen_about_the_mean_within_bounds() -> None:
    from seatcast.night.model import _intervals
    totals = np.array([[5, 1], [6, 0], [7, 0], [8, 1], [9, 0]] * 20)
    raw = _intervals(totals, np.array([5, 0]), 4, 1.0)
    wide = _intervals(totals, np.array([5, 0]), 4, 3.0)
    assert raw[0] == (5, 9) and wide[0][0] == 5 and wide[0][1] == 9  # clipped: 5 won, 4 open
    assert wide[1][0] == 0 and wide[1][1] >= raw[1][1]


def test_calibration_widens_intervals() -> None:
    p = _two_types()
    d = np.zeros(p.n_seats, bool)
    d[:5] = True
    w: list[str | None] = ["a"] * p.n_seats
    narrow = simulate_night(p, d, p.prior, w, settings=NightSettings(n_sims=300, interval_scale=1.0), rng=1)
    wide = simulate_night(p, d, p.prior, w, settings=NightSettings(n_sims=300, interval_scale=2.0), rng=1)
    assert narrow.seats_mean == wide.seats_mean
    for party in ("a", "b"):
        (lo1, hi1), (lo2, hi2) = narrow.seats_interval[party], wide.seats_interval[party]
        assert lo2 <= lo1 and hi2 >= hi1 and (hi2 - lo2) > (hi1 - lo1)


def test_replay_prior_is_the_covariate_projection_at_the_final_polls(store: Store) -> None:
    target, base = store.load("ge2019"), store.load("ge2017")
    cov = replay_prior(target, base, store=store)
    old = replay_prior(target, base, model="transition")
    assert "covariate" in cov.source and "transition" in old.source
    assert cov.seat_ids == old.seat_ids and cov.parties == old.parties
    assert np.allclose(cov.prior.sum(axis=1), 1.0)
    assert not np.allclose(cov.prior, old.prior)  # a different seat model, not a relabelled one
