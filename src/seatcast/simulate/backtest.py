"""Probabilistic backtests: whether the simulator's win probabilities are honest on past elections.

A backtest of election *E* simulates from *E*'s final polls on the previous base with the real
nominations, with an error model estimated from elections before *E* only
(:func:`seatcast.simulate.estimate_error` with *E*'s date). It scores the seat win
probabilities (multi-class Brier score, log loss, reliability bins) and the seat totals' 90%
intervals against the result, and scores a naive baseline the same way: the UNS point
projection given a fixed probability :data:`BASELINE_P` for its winner, the rest spread evenly
over the other parties standing in the seat.

"Within sampling error" is made checkable: each reliability bin carries the central 95% range
of the observed frequency if the forecast were calibrated (``ci_lo``, ``ci_hi``: binomial with
the bin's count and mean predicted probability) and ``within``, whether the observed frequency
falls in it. Seat outcomes in one election share the national error, so they are not
independent draws: the binomial range is a floor on the honest spread, not the whole of it.
Interval coverage is reported over every party with a seat in the interval or the result, and
over the parties with at least :data:`MIN_SEATS` (``interval_coverage_major``), where a 90%
interval says something.
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
from seatcast.fit.registry import source
from seatcast.projection import prepare
from seatcast.simulate import ForecastResult, estimate_error, simulate

#: The naive baseline's confidence in its projected winner.
BASELINE_P = 0.8
#: Parties with at least this many seats (actual, or simulated median) count for ``interval_coverage_major``.
MIN_SEATS = 3
#: Two-sided level of the reliability bins' sampling band.
BAND_LEVEL = 0.95


def calibration_band(bins: list[dict[str, float]], level: float = BAND_LEVEL) -> list[dict[str, Any]]:
    """Each bin with ``ci_lo``/``ci_hi`` (observed-frequency range if calibrated) and ``within``.

    The range is the central ``level`` interval of Binomial(count, predicted) / count, the spread
    a calibrated forecast's observed frequency would show from sampling alone.
    """
    from scipy.stats import binom

    out: list[dict[str, Any]] = []
    tail = (1 - level) / 2
    for b in bins:
        n, p = int(b["count"]), float(b["predicted"])
        lo = float(binom.ppf(tail, n, p)) / n
        hi = float(binom.ppf(1 - tail, n, p)) / n
        out.append({**b, "ci_lo": round(lo, 4), "ci_hi": round(hi, 4),
                    "within": bool(lo <= float(b["observed"]) <= hi)})
    return out


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
                    as_of=target.date, store=store, fits=source(store))
    # The resolved name (``auto`` -> ``covariate``): seat noise comes from the same model's residuals.
    error = estimate_error(target.date.isoformat() if target.date else "9999-12-31", model=setup.model.name,
                           store=store)
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
    major = [p for p in interval if max(seats_actual.get(p, 0), result.seats_quantile(p, 0.5)) >= MIN_SEATS]
    bp = point.projection
    b_parties = bp.parties
    b_probs = baseline_probs(bp.winners, bp.shares > 0, b_parties)
    b_y = outcome_index(point.actual_winners, b_parties)
    return {
        "n_sims": result.n_sims, "seed": result.seed,
        "brier": round(brier(probs, y), 5), "log_loss": round(log_loss(probs, y), 5),
        "calibration": calibration_band(calibration(probs, y)),
        "seats_interval": interval, "in_interval": in_interval,
        "interval_coverage": round(float(np.mean(list(in_interval.values()))), 4) if in_interval else None,
        "interval_coverage_major": round(float(np.mean([in_interval[p] for p in major])), 4) if major else None,
        "major_parties": major,
        "baseline": {"description": f"UNS point projection, p={BASELINE_P} to its winner",
                     "brier": round(brier(b_probs, b_y), 5), "log_loss": round(log_loss(b_probs, b_y), 5)},
        "error_model": result.error,
    }


def pooled_calibration(probs: list[npt.NDArray[np.float64]], outcomes: list[npt.NDArray[np.intp]],
                       bins: int = 10) -> list[dict[str, Any]]:
    """Reliability bins over several elections at once (more seats per bin, a tighter band).

    Elections have different party columns, so each is flattened to (probability, won) pairs
    before binning, exactly as :func:`~seatcast.backtest.metrics.calibration` bins one election.
    """
    flat_p, flat_y = [], []
    for p, y in zip(probs, outcomes, strict=True):
        onehot = np.zeros_like(p)
        onehot[np.arange(len(y)), y] = 1.0
        flat_p.append(p.ravel())
        flat_y.append(onehot.ravel())
    p_all, y_all = np.concatenate(flat_p), np.concatenate(flat_y)
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p_all, edges[1:-1]), 0, bins - 1)
    out = []
    for b in range(bins):
        sel = idx == b
        if sel.any():
            out.append({"lo": float(edges[b]), "hi": float(edges[b + 1]), "predicted": float(p_all[sel].mean()),
                        "observed": float(y_all[sel].mean()), "count": int(sel.sum())})
    return calibration_band(out)


def calibration_report(elections: tuple[str, ...] = tuple(BACKTESTS), *, model: str = "auto", n_sims: int = 5000,
                       seed: int | None = 0, store: Store | None = None, by_nation: bool = False) -> dict[str, Any]:
    """Per-election scores (:func:`run_probabilistic`) and reliability bins pooled over ``elections``."""
    store = store or Store()
    rows: list[dict[str, Any]] = []
    probs: list[npt.NDArray[np.float64]] = []
    outcomes: list[npt.NDArray[np.intp]] = []
    for e in elections:
        scores, result = run_probabilistic(e, model=model, n_sims=n_sims, seed=seed, store=store, by_nation=by_nation)
        winner = {c.id: c.winner.party_code for c in store.load(e).constituencies}
        probs.append(np.asarray(result.p_win, dtype=float))
        outcomes.append(outcome_index(tuple(winner[s] for s in result.seat_ids), result.parties))
        rows.append({"election": e, **scores})
    return {"model": model, "n_sims": n_sims, "seed": seed, "by_nation": by_nation, "elections": rows,
            "pooled_calibration": pooled_calibration(probs, outcomes)}
