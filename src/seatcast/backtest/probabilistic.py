"""Probabilistic backtests: whether the simulator's win probabilities are honest on past elections.

A backtest of election *E* simulates from *E*'s final polls on the previous base with the real
nominations, with an error model estimated from elections before *E* only
(:func:`seatcast.simulate.estimate_error` with *E*'s date). It scores the seat win
probabilities (multi-class Brier score, log loss, reliability bins) and the seat totals' 90%
intervals against the result, and scores a naive baseline the same way: the UNS point
projection given a fixed probability :data:`BASELINE_P` for its winner, the rest spread evenly
over the other parties standing in the seat.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from seatcast.backtest.metrics import brier, calibration, log_loss
from seatcast.backtest.runner import BACKTESTS, national_inputs, run_backtest, standing_of
from seatcast.data.parties import IND, OTHER
from seatcast.data.store import Store
from seatcast.errors import UnknownNameError
from seatcast.projection import prepare
from seatcast.simulate import ForecastResult, estimate_error, simulate

#: The naive baseline's confidence in its projected winner.
BASELINE_P = 0.8


def outcome_index(actual_winners: tuple[str, ...], parties: tuple[str, ...]) -> npt.NDArray[np.intp]:
    """Column of each seat's actual winner (a party with no column counts as the seat's ``ind``)."""
    fallback = parties.index(IND) if IND in parties else parties.index(OTHER)
    return np.array([parties.index(w) if w in parties else fallback for w in actual_winners], dtype=np.intp)


def baseline_probs(winners: npt.NDArray[np.str_], standing: npt.NDArray[np.bool_],
                   parties: tuple[str, ...], p: float = BASELINE_P) -> npt.NDArray[np.float64]:
    """Fixed-confidence probabilities: ``p`` to the projected winner, ``1 - p`` shared by the others standing."""
    out = np.zeros(standing.shape)
    cand = standing.copy()
    if OTHER in parties:
        cand[:, parties.index(OTHER)] = False
    for i, w in enumerate(winners):
        j = parties.index(str(w))
        others = np.flatnonzero(cand[i] & (np.arange(len(parties)) != j))
        if len(others) == 0:
            out[i, j] = 1.0
            continue
        out[i, j] = p
        out[i, others] = (1 - p) / len(others)
    return out


def run_probabilistic(election: str, *, model: str = "uns", n_sims: int = 10_000, seed: int | None = 0,
                      store: Store | None = None, by_nation: bool = False) -> tuple[dict[str, Any], ForecastResult]:
    """Simulate a past election from its final polls and score the probabilities (module docstring)."""
    store = store or Store()
    if election not in BACKTESTS:
        raise UnknownNameError("backtest election", election, BACKTESTS)
    target = store.load(election)
    base = store.load(BACKTESTS[election])
    national, nations = national_inputs(target, "polls", by_nation=by_nation)
    setup = prepare(base, national, model=model, nations=nations, standing=standing_of(target),
                    as_of=target.date, store=store)
    error = estimate_error(target.date or "9999-12-31", model=model, store=store)
    result = simulate(setup, n_sims=n_sims, seed=seed, error=error)
    point = run_backtest(election, model="uns", inputs="polls", store=store, by_nation=by_nation)
    return score_probabilistic(result, point.actual_winners, target.seats_won(), point), result


def score_probabilistic(result: ForecastResult, actual_winners: tuple[str, ...], seats_actual: dict[str, int],
                        point: Any) -> dict[str, Any]:
    """Brier, log loss, calibration and 90% seat intervals of ``result``, and the baseline's scores."""
    parties = result.parties
    y = outcome_index(actual_winners, parties)
    probs = result.p_win
    interval = {p: [result.seats_quantile(p, 0.05), result.seats_quantile(p, 0.95)]
                for p in parties if result.win_counts[:, parties.index(p)].any() or seats_actual.get(p, 0) > 0}
    in_interval = {p: bool(lo <= seats_actual.get(p, 0) <= hi) for p, (lo, hi) in interval.items()}
    bp = point.projection
    b_parties = bp.parties
    b_probs = baseline_probs(bp.winners, bp.shares > 0, b_parties)
    b_y = outcome_index(point.actual_winners, b_parties)
    return {
        "n_sims": result.n_sims, "seed": result.seed,
        "brier": round(brier(probs, y), 5), "log_loss": round(log_loss(probs, y), 5),
        "calibration": calibration(probs, y),
        "seats_interval": interval, "in_interval": in_interval,
        "interval_coverage": round(float(np.mean(list(in_interval.values()))), 4) if in_interval else None,
        "baseline": {"description": f"UNS point projection, p={BASELINE_P} to its winner",
                     "brier": round(brier(b_probs, b_y), 5), "log_loss": round(log_loss(b_probs, b_y), 5)},
        "error_model": result.error,
    }
