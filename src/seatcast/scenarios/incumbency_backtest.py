"""Backtest of the incumbency and independent models: the same forecast with and without them.

For a target election *E* (``ge2019``, ``ge2024``): run the core backtest (base, final polls,
real nominations), estimate the incumbency effects and the independent prior from elections
before *E* only, turn *E*'s nominations (who stands, and whether each is the sitting MP: public
before polling day) into steps with :func:`~seatcast.scenarios.incumbency.incumbency_steps`,
and score both forecasts in the seats where the MP retired or defected, or a former MP stood
as an independent. With ``sims``, both are also simulated with the same seed and scored by the
Brier score there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from seatcast.backtest.metrics import brier, seats_correct, share_mae
from seatcast.backtest.runner import run_backtest
from seatcast.data.frame import ShareFrame
from seatcast.data.parties import OTHER
from seatcast.fit.registry import source
from seatcast.projection import Projection
from seatcast.scenarios.incumbency import estimate_incumbency, incumbency_steps
from seatcast.scenarios.steps import apply_steps, build_steps


@dataclass(frozen=True)
class IncumbencyBacktest:
    """Scores without and with the incumbency steps, in the affected seats."""

    election: str
    model: str
    inputs: str
    n_affected: int
    without: dict[str, float]
    with_: dict[str, float]
    estimate: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``without`` and ``with`` each hold ``seats_correct``, ``share_mae``, ``brier``."""
        return {"election": self.election, "model": self.model, "inputs": self.inputs, "n_affected": self.n_affected,
                "without": self.without, "with": self.with_, "estimate": self.estimate}


def incumbency_backtest(election: str, *, store: Any, model: str = "transition", inputs: str = "polls",
                        sims: int | None = None, seed: int = 1) -> IncumbencyBacktest:
    """Run the comparison (module docstring)."""
    res = run_backtest(election, model=model, inputs=inputs, store=store, fits=source(store))
    proj = res.projection
    setup = proj.setup
    target = store.load(election)
    est = estimate_incumbency(store, before=target.date.isoformat() if target.date else None)
    dicts = incumbency_steps(target, setup, est)
    steps = build_steps(dicts, setup, incumbency=est, source=f"backtest {election}")
    shares = apply_steps(proj.shares, steps)
    with_proj = Projection(setup=setup, shares=np.asarray(shares, dtype=np.float64))
    affected = np.zeros(setup.frame.n_seats, dtype=bool)
    for d, s in zip(dicts, steps, strict=True):
        if d["kind"] == "candidate" or d.get("action") in ("retire", "defect"):
            affected[s.seats] = True  # type: ignore[attr-defined]
    actual_w = np.array(res.actual_winners)
    af = ShareFrame.from_election(target)
    order = [af.seat_ids.index(sid) for sid in setup.frame.seat_ids]
    act = af.with_parties(setup.parties).shares[order]
    stood = act > 0
    stood[:, setup.parties.index(OTHER)] = False

    def scores(p: Projection, probs: np.ndarray | None) -> dict[str, float]:
        out = {"seats_correct": float(seats_correct(p.winners, actual_w, affected)),
               "share_mae": round(share_mae(p.shares[affected], act[affected], stood[affected]), 3)}
        if probs is not None:
            col = {q: j for j, q in enumerate(setup.parties)}
            outcome = np.array([col.get(w, col[OTHER]) for w in actual_w], dtype=np.intp)
            out["brier"] = round(brier(probs[affected], outcome[affected]), 4)
        return out

    p0 = p1 = None
    if sims:
        from seatcast.simulate import simulate

        p0 = simulate(setup, n_sims=sims, seed=seed).p_win
        p1 = simulate(setup, n_sims=sims, seed=seed, steps=steps).p_win
    return IncumbencyBacktest(election, model, inputs, int(affected.sum()), scores(proj, p0), scores(with_proj, p1),
                              {k: v for k, v in est.to_dict().items() if k != "independent"}
                              | {"independent_median": round(est.independent.median, 4),
                                 "independent_cases": len(est.independent.cases)})
