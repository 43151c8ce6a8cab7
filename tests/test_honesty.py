"""No backtest or replay reads the result it predicts: scramble the target's votes, nothing moves.

Two copies of the store are made: one as bundled, one where every seat of the target election has
its candidates' votes reversed (same candidates, parties and sitting-MP flags: the nominations,
which are public before polling day, stay as they were). Every pre-election quantity computed for
that target (the covariate model's projection, the error model and simulated win probabilities,
the night replay's prior, the incumbency estimates, the Derby North scenario) must be identical
on both copies; only the scores may differ.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from seatcast.data.schema import Constituency, Election
from seatcast.data.store import Store

BASES = {"ge2019": "ge2017", "ge2024": "ge2019n24"}
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "derby-north-2019.toml"


def _scramble(el: Election) -> Election:
    seats = []
    for c in el.constituencies:
        votes = [k.votes or 0 for k in c.candidacies][::-1]
        cands = tuple(replace(k, votes=v, share=v / c.valid_votes if c.valid_votes else 0.0)
                      for k, v in zip(c.candidacies, votes, strict=True))
        seats.append(Constituency(c.id, c.name, c.region, c.nation, c.electorate, c.valid_votes, cands))
    return Election(id=el.id, name=el.name, date=el.date, kind=el.kind, constituencies=tuple(seats))


@pytest.fixture(scope="module", params=list(BASES))
def stores(request: pytest.FixtureRequest, store: Store, tmp_path_factory: pytest.TempPathFactory) -> Any:
    target = request.param
    folder = tmp_path_factory.mktemp("honesty")
    clean = store.backup(folder / "clean.db")
    scrambled = store.backup(folder / "scrambled.db")
    scrambled.save(_scramble(scrambled.load(target)))
    assert scrambled.load(target).seats_won() != clean.load(target).seats_won()
    yield target, clean, scrambled
    clean.close()
    scrambled.close()


def test_covariate_backtest_projection_ignores_the_result(stores: Any) -> None:
    from seatcast.backtest.runner import run_backtest
    from seatcast.fit.registry import source

    target, *pair = stores
    a, b = (run_backtest(target, model="covariate", inputs="polls", store=s, by_nation=True, fits=source(s))
            for s in pair)
    np.testing.assert_array_equal(a.projection.shares, b.projection.shares)
    assert a.seats_correct != b.seats_correct  # the score, and only the score, moved


def test_probabilistic_backtest_probabilities_ignore_the_result(stores: Any) -> None:
    from seatcast.simulate.backtest import run_probabilistic

    target, *pair = stores
    (sa, fa), (sb, fb) = (run_probabilistic(target, model="covariate", n_sims=300, seed=5, store=s) for s in pair)
    np.testing.assert_array_equal(fa.win_counts, fb.win_counts)
    assert fa.error == fb.error
    assert sa["brier"] != sb["brier"]


def test_night_replay_prior_ignores_the_result(stores: Any) -> None:
    from seatcast.night.prior import replay_prior

    target, *pair = stores
    a, b = (replay_prior(s.load(target), s.load(BASES[target]), covariates=False) for s in pair)
    np.testing.assert_array_equal(a.prior, b.prior)
    np.testing.assert_array_equal(a.stands, b.stands)


def test_incumbency_estimates_ignore_the_result(stores: Any) -> None:
    from seatcast.scenarios.incumbency_backtest import incumbency_backtest

    target, *pair = stores
    a, b = (incumbency_backtest(target, store=s, model="uns") for s in pair)
    assert a.estimate == b.estimate and a.n_affected == b.n_affected


@pytest.mark.parametrize("stores", ["ge2019"], indirect=True)  # the example forecasts ge2019
def test_derby_north_scenario_ignores_the_result(stores: Any) -> None:
    from seatcast.scenarios.run import run_file

    def forecast_part(run: Any) -> Any:
        d = run.to_dict()
        for seat in d["seats"]:
            seat.pop("actual_for_comparison_only", None)
        return d

    _, *pair = stores
    a, b = (forecast_part(run_file(EXAMPLE, s, sims=200, seed=3)) for s in pair)
    assert a == b
