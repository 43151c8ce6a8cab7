"""The exit poll as the night's prior: the prior's seat totals are moved to match it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from seatcast.cli import app
from seatcast.data.exit_polls import exit_poll
from seatcast.data.store import Store
from seatcast.errors import InputError
from seatcast.night.exit_poll import parse_exit_poll, parse_shares, prior_at_exit_poll, prior_spread
from seatcast.night.model import NightPrior, NightSettings, simulate_night


def _toy(n: int = 60) -> NightPrior:
    """Party a leads b by 0-12 points in every seat; c trails; oth is small."""
    lead = np.linspace(0.0, 0.12, n)
    prior = np.column_stack([0.40 + lead / 2, 0.40 - lead / 2, np.full(n, 0.15), np.full(n, 0.05)])
    return NightPrior(
        seat_ids=tuple(f"S{i}" for i in range(n)), names=tuple(f"Seat {i}" for i in range(n)),
        regions=("R",) * n, nations=("England",) * n, parties=("a", "b", "c", "oth"), base=prior.copy(),
        prior=prior, stands=np.ones((n, 4), bool), features=np.zeros((n, 0)), feature_names=(),
        base_winners=("a",) * n)


def _mean_seats(p: NightPrior, settings: NightSettings) -> dict[str, float]:
    w: list[str | None] = [None] * p.n_seats
    proj = simulate_night(p, np.zeros(p.n_seats, bool), p.prior, w, settings=settings, rng=3)
    return proj.seats_mean


def test_the_moved_prior_simulates_to_the_exit_polls_totals() -> None:
    p, s = _toy(), NightSettings(n_sims=2000)
    before = _mean_seats(p, s)
    assert before["a"] > 38  # a leads everywhere: it is expected to win most seats
    moved = prior_at_exit_poll(p, {"a": 25, "b": 35}, s)
    after = _mean_seats(moved, s)
    assert abs(after["a"] - 25) < 3 and abs(after["b"] - 35) < 3
    assert np.allclose(moved.prior.sum(axis=1), 1.0) and (moved.prior >= 0).all()
    assert "exit poll" in moved.source
    # the same exit poll moves the prior the same way (no random draws outside a fixed seed)
    assert np.array_equal(prior_at_exit_poll(p, {"a": 25, "b": 35}, s).prior, moved.prior)


def test_a_prior_that_already_matches_barely_moves() -> None:
    p, s = _toy(), NightSettings(n_sims=2000)
    now = _mean_seats(p, s)
    moved = prior_at_exit_poll(p, {"a": round(now["a"]), "b": round(now["b"])}, s)
    assert np.abs(moved.prior - p.prior).max() < 0.01


def test_spread_is_the_prior_simulations() -> None:
    p = _toy()
    narrow, wide = prior_spread(p, NightSettings(trust=0.5)), prior_spread(p, NightSettings())
    assert (narrow < wide).all()  # trust scales the coefficients' prior sds, not the seat noise
    assert (narrow > NightSettings().seat_sd * 0.5 * np.sqrt(0.15 / 0.3)).all()


def test_exit_poll_options_parse_or_fail_clearly() -> None:
    assert parse_exit_poll(["LAB=410", " con = 131"]) == {"lab": 410, "con": 131}
    for bad in (["lab"], ["lab=many"], ["lab=-1"], ["=3"], ["lab=700"]):
        with pytest.raises(InputError, match="PARTY=SEATS"):
            parse_exit_poll(bad)
    with pytest.raises(InputError, match="twice"):
        parse_exit_poll(["lab=1", "lab=2"])
    with pytest.raises(InputError, match="names no party"):
        prior_at_exit_poll(_toy(), {"oth": 3})


def test_cli_replay_with_the_bundled_exit_poll(store: Store) -> None:
    res = CliRunner().invoke(app, ["night", "--replay", "ge2017", "--exit-poll", "bundled", "--sims", "200",
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    summary = lines[-1]["summary"]
    assert summary["prior_exit_poll"] == exit_poll("ge2017")
    assert any("exit poll" in n for n in summary["notes"])
    assert {x["order"] for x in lines[:-1]} == {"real"}
    # the prior (no declaration) is moved to the exit poll: its error is far below the poll prior's
    plain = CliRunner().invoke(app, ["night", "--replay", "ge2017", "--sims", "200", "--format", "json"])
    assert summary["prior_error"] < json.loads(plain.stdout.splitlines()[-1])["summary"]["prior_error"] - 5


def test_cli_live_exit_poll_is_given_as_seats(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "stream.csv"
    f.write_text("district_id,district_name,region,party,candidate,votes\n"
                 ",Derby North,EM,Labour,A,20000\n,Derby North,EM,Conservative,B,21000\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["night", "--base", "ge2017", "--results", str(f), "--exit-poll", "con=314",
                                   "--exit-poll", "lab=266", "--sims", "100", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert "exit poll con 314 seats" in res.stderr
    bundled = CliRunner().invoke(app, ["night", "--base", "ge2017", "--results", str(f), "--exit-poll", "bundled"])
    assert isinstance(bundled.exception, InputError) and "for replays" in str(bundled.exception)


def test_exit_poll_shares_are_optional_extra_targets() -> None:
    p, s = _toy(), NightSettings(n_sims=500)
    seats_only = prior_at_exit_poll(p, {"a": 25, "b": 35}, s)
    with_shares = prior_at_exit_poll(p, {"a": 25, "b": 35}, s, shares={"c": 25.0})
    assert abs(with_shares.prior[:, 2].mean() - 0.25) < 0.01  # c moved to its share
    assert abs(seats_only.prior[:, 2].mean() - 0.15) < 0.03  # untouched without it
    assert "shares c 25.0%" in with_shares.source
    assert parse_shares(["LAB=35.5"]) == {"lab": 35.5} and parse_shares(None) == {}
    with pytest.raises(InputError, match="PARTY=PERCENT"):
        parse_shares(["lab=120"])
