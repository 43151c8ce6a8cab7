"""Replays: feed a past election's results one by one and score the projection as it goes.

A replay of election *E* (``ge2015`` ... ``ge2024``) starts from the honest prior
(:func:`seatcast.night.prior.replay_prior`: the covariate projection of the base from
:data:`seatcast.backtest.runner.BACKTESTS` at *E*'s final polls, with its nominations; with an exit
poll, that prior moved to the exit poll's seat totals, :mod:`seatcast.night.exit_poll`), declares
*E*'s seats in an order (:mod:`seatcast.night.orders`: the real one by default) and, at each
checkpoint (10, 25, 50, 100, 200, 400 declarations, and all of them), projects the parliament and scores it:
``seat_total_error`` is :func:`seatcast.backtest.metrics.seat_total_error` of the projected mean
seats against the actual totals; ``covered`` is the share of parties with at least
:data:`COVERAGE_MIN_SEATS` actual seats whose actual total lies in the 90% interval.

The learned values (the 90% interval's widening factor, the trust factor, the own-standing
groups) come in through ``settings`` and ``prior``: the caller reads them from
:mod:`seatcast.fit.night_tables` at *E*'s date (learned only on elections before *E*); the result
reports the factor (``interval_scale``) and the notes the caller gives.

Only checkpoints are projected (the fit and simulation are the costly part), so a full replay of
all orders stays quick. With every seat declared the error is 0 by construction.

:data:`EXIT_POLLS` holds the broadcasters' exit-poll seat totals from ``shared/ANCHORS.md``, the
benchmark the replays are compared with; their error is computed over the five parties the
table gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seatcast.backtest.metrics import seat_total_error
from seatcast.backtest.runner import BACKTESTS
from seatcast.data.schema import Election
from seatcast.errors import InputError, UnknownNameError, check_seed
from seatcast.night.exit_poll import prior_at_exit_poll
from seatcast.night.model import NightPrior, NightProjection, NightSettings, fit_night, simulate_night
from seatcast.night.orders import random_order, real_order, realistic_order
from seatcast.night.prior import election_actuals, replay_prior

CHECKPOINTS = (10, 25, 50, 100, 200, 400)
COVERAGE_MIN_SEATS = 5

#: Exit-poll seat totals at 10pm (shared/ANCHORS.md), with the actual totals of the same table.
EXIT_POLLS: dict[str, dict[str, dict[str, int]]] = {
    "ge2015": {"exit": {"con": 316, "lab": 239, "ld": 10, "snp": 58, "ukip": 2},
               "actual": {"con": 330, "lab": 232, "ld": 8, "snp": 56, "ukip": 1}},
    "ge2017": {"exit": {"con": 314, "lab": 266, "ld": 14, "snp": 34, "ukip": 0},
               "actual": {"con": 317, "lab": 262, "ld": 12, "snp": 35, "ukip": 0}},
    "ge2019": {"exit": {"con": 368, "lab": 191, "ld": 13, "snp": 55, "brx": 0},
               "actual": {"con": 365, "lab": 202, "ld": 11, "snp": 48, "brx": 0}},
    "ge2024": {"exit": {"con": 131, "lab": 410, "ld": 61, "snp": 10, "ruk": 13},
               "actual": {"con": 121, "lab": 411, "ld": 72, "snp": 9, "ruk": 5}},
}


def exit_poll_error(election: str) -> float | None:
    """The exit poll's seat-total error at ``election`` (None when the anchors lack it)."""
    e = EXIT_POLLS.get(election)
    return seat_total_error(e["exit"], e["actual"]) if e else None


@dataclass(frozen=True)
class Checkpoint:
    """One scored projection of a replay."""

    run: int  # the order's run number (0 for the real and the stress order)
    declared: int
    last_seat: str | None
    seat_total_error: float
    covered: float
    projection: NightProjection = field(repr=False)
    order: str = "random"  # "real", "random" or "stress"

    def to_dict(self) -> dict[str, Any]:
        """The JSON-lines record: the live contract keys plus ``seat_total_error``, ``order`` and ``run``."""
        return {**self.projection.to_dict(), "seat_total_error": round(self.seat_total_error, 1),
                "covered": round(self.covered, 3), "order": self.order, "run": self.run}


@dataclass(frozen=True)
class ReplayResult:
    """Every checkpoint of a replay, and the summary table."""

    election: str
    base: str
    actual: dict[str, int]
    prior_error: float
    checkpoints: tuple[Checkpoint, ...]
    runs: int
    seed: int
    notes: tuple[str, ...] = ()
    interval_scale: float | None = None  # the 90% intervals' widening factor used
    exit_poll: Mapping[str, int] | None = None  # the exit poll the prior was moved to, if any
    trust: float = 1.0

    def summary(self) -> list[dict[str, Any]]:
        """One row per checkpoint: real- and stress-order error and coverage, and the random-order means.

        Every error column is rounded to one decimal: rounding is monotone, so the random-order mean
        can never print above the random-order max (it could when the mean kept two decimals).
        """
        rows = []
        for n in sorted({c.declared for c in self.checkpoints}):
            rand = [c for c in self.checkpoints if c.declared == n and c.order == "random"]
            row: dict[str, Any] = {"declared": n}
            for order in ("real", "stress"):
                one = [c for c in self.checkpoints if c.declared == n and c.order == order]
                if one:
                    row[f"{order}_error"] = round(one[0].seat_total_error, 1)
                    row[f"{order}_covered"] = round(one[0].covered, 3)
            if rand:
                row["random_error_mean"] = round(float(np.mean([c.seat_total_error for c in rand])), 1)
                row["random_error_max"] = round(float(np.max([c.seat_total_error for c in rand])), 1)
                row["random_covered"] = round(float(np.mean([c.covered for c in rand])), 3)
            rows.append(row)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the checkpoint records are emitted separately as JSON lines)."""
        return {"election": self.election, "base": self.base, "actual": self.actual,
                "prior_error": self.prior_error, "exit_poll_error": exit_poll_error(self.election),
                "prior_exit_poll": dict(self.exit_poll) if self.exit_poll else None,
                "runs": self.runs, "seed": self.seed, "interval_scale": self.interval_scale, "trust": self.trust,
                "table": self.summary(), "notes": list(self.notes)}


def _covered(proj: NightProjection, actual: dict[str, int]) -> float:
    parties = [p for p, n in actual.items() if n >= COVERAGE_MIN_SEATS]
    if not parties:
        return 1.0
    hits = sum(1 for p in parties if proj.seats_interval.get(p, (0, 0))[0] <= actual[p]
               <= proj.seats_interval.get(p, (0, 0))[1])
    return hits / len(parties)


def replay_order(prior: NightPrior, actual_shares: np.ndarray[Any, Any], winners: list[str],
                 order: np.ndarray[Any, Any],
                 actual_totals: dict[str, int], *, order_name: str, run: int, checkpoints: tuple[int, ...],
                 settings: NightSettings, rng: np.random.Generator) -> list[Checkpoint]:
    """Score the projection at each checkpoint of one declaration order."""
    out = []
    s = prior.n_seats
    for n in sorted({min(c, s) for c in checkpoints}):
        declared = np.zeros(s, dtype=bool)
        declared[order[:n]] = True
        fit = fit_night(prior, declared, actual_shares, settings)
        last = prior.names[order[n - 1]] if n else None
        proj = simulate_night(prior, declared, actual_shares, list(winners), settings=settings, rng=rng,
                              last_seat=last, fit=fit)
        err = seat_total_error(proj.seats_mean, actual_totals)
        out.append(Checkpoint(run=run, declared=n, last_seat=last, seat_total_error=err,
                              covered=_covered(proj, actual_totals), projection=proj, order=order_name))
    return out


def replay(
    target: Election,
    base: Election,
    *,
    orders: tuple[str, ...] = ("real", "random"),
    runs: int = 20,
    seed: int = 0,
    checkpoints: tuple[int, ...] = (*CHECKPOINTS, 10_000),
    settings: NightSettings | None = None,
    prior: NightPrior | None = None,
    store: Any = None,
    own_groups: tuple[str, ...] = (),
    exit_poll: Mapping[str, int] | None = None,
    exit_poll_shares: Mapping[str, float] | None = None,
    notes: tuple[str, ...] = (),
) -> ReplayResult:
    """Replay ``target`` from ``base`` (see the module docstring); every draw comes from ``seed``.

    ``store`` holds the elections before ``target`` that the covariate prior is fitted on;
    ``own_groups`` are the prior's own-standing groups. ``exit_poll`` (seat totals by party)
    moves the prior to it before the first declaration (``exit_poll_shares``, percent, are optional
    extra targets). ``notes`` (where the learned values came
    from) are reported with the result.
    """
    check_seed(seed)
    if runs < 0:
        raise InputError(f"random orders (runs) must be at least 0, not {runs}")
    settings = settings or NightSettings()
    prior = prior or replay_prior(target, base, store=store, own_groups=own_groups)
    missing = [s for s in prior.seat_ids if not target.has_seat(s)]
    if missing:
        raise InputError(f"{base.id} and {target.id} do not share boundaries (e.g. seat {missing[0]})")
    if exit_poll:  # the prior's source then says how it was moved
        prior = prior_at_exit_poll(prior, exit_poll, settings, shares=exit_poll_shares)
    shares, winners = election_actuals(target, prior)
    actual = target.seats_won()
    no_decl = np.zeros(prior.n_seats, dtype=bool)
    prior_proj = simulate_night(prior, no_decl, shares, list(winners), settings=settings,
                                rng=np.random.default_rng([seed, 0]))
    streams = np.random.SeedSequence(seed).spawn(runs + 1)
    cps: list[Checkpoint] = []
    fixed_orders = {"real": lambda: real_order(target.id, prior.seat_ids),
                    "stress": lambda: realistic_order(base, prior.seat_ids)}
    for name in ("real", "stress"):
        if name in orders:
            cps += replay_order(prior, shares, winners, fixed_orders[name](), actual, order_name=name, run=0,
                                checkpoints=checkpoints, settings=settings, rng=np.random.default_rng(streams[0]))
    if "random" in orders:
        for r in range(runs):
            gen = np.random.default_rng(streams[r + 1])
            cps += replay_order(prior, shares, winners, random_order(prior.n_seats, gen), actual,
                                order_name="random", run=r, checkpoints=checkpoints, settings=settings, rng=gen)
    return ReplayResult(election=target.id, base=base.id, actual=actual,
                        prior_error=seat_total_error(prior_proj.seats_mean, actual), checkpoints=tuple(cps),
                        runs=runs if "random" in orders else 0, seed=seed,
                        notes=(f"orders: {', '.join(o for o in ('real', 'stress', 'random') if o in orders)}",
                               f"prior: {prior.source}", *notes),
                        interval_scale=settings.interval_scale, exit_poll=dict(exit_poll) if exit_poll else None,
                        trust=settings.trust)


def base_of(election: str) -> str:
    """The base of a replay (the backtests' base: the previous election, or the notional base)."""
    if election not in BACKTESTS:
        raise UnknownNameError("replay election", election, BACKTESTS)
    return BACKTESTS[election]
