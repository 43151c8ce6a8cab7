"""Rebuild the night tables of :mod:`seatcast.fit.night_tables` by replaying earlier elections.

The learning layer: it runs replays (:mod:`seatcast.night.replay`) with each rule's fixed settings
and returns the rows that ``tools/calibrate_night.py`` and ``tools/select_night_groups.py`` print
for pasting into :mod:`seatcast.fit.night_tables`. Slow (minutes); never called at run time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np

from seatcast.fit.night_tables import (
    _EPS,
    CALIBRATION_CHECKPOINTS,
    CALIBRATION_ELECTIONS,
    CALIBRATION_RUNS,
    CALIBRATION_SEED,
    CALIBRATION_SIMS,
    CANDIDATE_SCALES,
    DECIMALS,
    GROUPS,
    SCORE_CHECKPOINTS,
    SCORE_RUNS,
    SCORE_SEED,
    SCORE_SIMS,
    SCORED_ELECTIONS,
    TRUST_CHECKPOINTS,
    TRUST_ELECTIONS,
    TRUST_FACTORS,
    TRUST_PRIORS,
    TRUST_SCORED,
    TRUST_SEED,
    TRUST_SIMS,
    CalibrationRow,
    GroupScores,
    TrustRow,
    groups_for,
)


def covered_share(intervals: Mapping[str, tuple[int, int]], actual: Mapping[str, int],
                  min_seats: int) -> float:
    """Share of parties with at least ``min_seats`` actual seats whose total lies in its interval."""
    parties = [p for p, n in actual.items() if n >= min_seats]
    if not parties:
        return 1.0
    hits = sum(1 for p in parties if intervals.get(p, (0, 0))[0] <= actual[p] <= intervals.get(p, (0, 0))[1])
    return hits / len(parties)


def coverage_by_scale(projection: Any, actual: Mapping[str, int],
                      scales: Sequence[float] = CANDIDATE_SCALES) -> tuple[float, ...]:
    """Coverage of one projection's interval at every factor, from its simulated totals.

    ``projection`` is a :class:`~seatcast.night.model.NightProjection`. The seats each party has
    already won are its declared seats (``p_win`` is 1 there), exactly as
    :func:`~seatcast.night.model.simulate_night` fixes them; winners with no column of their own
    have a fixed interval whatever the factor.
    """
    from seatcast.night.model import _intervals
    from seatcast.night.replay import COVERAGE_MIN_SEATS

    mask = projection.declared_mask
    fixed = np.rint(projection.p_win[mask].sum(axis=0)).astype(np.int64)
    n_open = int((~mask).sum())
    extra = {p: iv for p, iv in projection.seats_interval.items() if p not in projection.parties}
    out = []
    for scale in scales:
        ranges = _intervals(projection.totals, fixed, n_open, scale)
        intervals = {**dict(zip(projection.parties, ranges, strict=True)), **extra}
        out.append(covered_share(intervals, actual, COVERAGE_MIN_SEATS))
    return tuple(out)


def _store(store: Any) -> Any:
    """The store given, or the default one (``$SEATCAST_DB`` or the per-user path)."""
    from seatcast.data.store import Store

    return store if store is not None else Store()


def election_coverage(election: str, store: Any = None) -> CalibrationRow:
    """Replay ``election`` with the rule's settings and average its coverage at every factor.

    The replay runs once at the first candidate (1.0); each checkpoint's recomputed coverage at
    that factor must equal the replay's own ``covered``, which checks that the recomputation is
    the model's interval rule.
    """
    from seatcast.night.model import NightSettings
    from seatcast.night.replay import base_of, replay

    store = _store(store)
    target = store.load(election)
    if target.date is None:
        raise ValueError(f"calibration election {election} has no date")
    base = store.load(base_of(election))
    res = replay(target, base, orders=("random",), runs=CALIBRATION_RUNS, seed=CALIBRATION_SEED,
                 checkpoints=CALIBRATION_CHECKPOINTS, store=store,
                 own_groups=groups_for(date.fromisoformat(str(target.date))),
                 settings=NightSettings(n_sims=CALIBRATION_SIMS, interval_scale=CANDIDATE_SCALES[0]))
    rows = []
    for cp in res.checkpoints:
        cov = coverage_by_scale(cp.projection, res.actual)
        if abs(cov[0] - cp.covered) > _EPS:
            raise RuntimeError(f"{election} run {cp.run} at {cp.declared}: recomputed coverage {cov[0]} "
                               f"differs from the replay's {cp.covered}")
        rows.append(cov)
    mean = np.mean(np.array(rows), axis=0)
    return CalibrationRow(election, date.fromisoformat(str(target.date)),
                          tuple(round(float(v), DECIMALS) for v in mean))


def calibration_table(store: Any = None, elections: Sequence[str] = CALIBRATION_ELECTIONS
                      ) -> tuple[CalibrationRow, ...]:
    """Recompute :data:`INTERVAL_SCALES` (a few minutes: four replays of five orders)."""
    return tuple(election_coverage(e, store) for e in elections)


def protocol_score(election: str, groups: tuple[str, ...], store: Any = None) -> float | None:
    """The protocol score of ``election``'s replay with ``groups`` (None if a group has no data)."""
    from seatcast.night.model import NightSettings
    from seatcast.night.prior import replay_prior
    from seatcast.night.replay import base_of, replay

    store = _store(store)
    load = store.load
    target = load(election)
    prior = replay_prior(target, load(base_of(election)), store=store, own_groups=groups)
    if groups and (prior.own_extra is None or not np.any(prior.own_extra)):
        return None
    res = replay(target, load(base_of(election)), orders=("stress", "random"), runs=SCORE_RUNS, seed=SCORE_SEED,
                 checkpoints=SCORE_CHECKPOINTS, settings=NightSettings(n_sims=SCORE_SIMS, interval_scale=1.0),
                 prior=prior, store=store)
    return round(float(np.mean([c.seat_total_error for c in res.checkpoints])), 3)


def score_table(store: Any = None, elections: Sequence[str] = SCORED_ELECTIONS) -> tuple[GroupScores, ...]:
    """Recompute :data:`GROUP_SCORES` (slow: one replay set per election and group)."""
    store = _store(store)
    load = store.load
    rows = []
    for e in elections:
        held = date.fromisoformat(str(load(e).date))
        without = protocol_score(e, (), store)
        assert without is not None
        rows.append(GroupScores(e, held, without, {g: protocol_score(e, (g,), store) for g in GROUPS}))
    return tuple(rows)


def trust_row(election: str, prior_kind: str, store: Any = None) -> TrustRow:
    """One row of :data:`~seatcast.fit.night_tables.TRUST_SCORES`: ``election``'s real-order replay at every factor.

    The prior is the replay's (with the own-standing groups trusted before ``election``); for the
    ``exit poll`` kind it is moved to the bundled exit poll (at each factor, since the fit matches
    the prior simulation's spread, which the factor scales).
    """
    from seatcast.data.exit_polls import exit_poll
    from seatcast.night.model import NightSettings
    from seatcast.night.prior import replay_prior
    from seatcast.night.replay import base_of, replay

    store = _store(store)
    load = store.load

    target, base = load(election), load(base_of(election))
    held = date.fromisoformat(str(target.date))
    prior = replay_prior(target, base, store=store, own_groups=groups_for(held))
    poll = exit_poll(election) if prior_kind == "exit poll" else None
    errors, coverages = [], []
    for f in TRUST_FACTORS:
        res = replay(target, base, orders=("real",), runs=0, seed=TRUST_SEED, checkpoints=TRUST_CHECKPOINTS,
                     settings=NightSettings(n_sims=TRUST_SIMS, interval_scale=1.0, trust=f), prior=prior,
                     exit_poll=poll, store=store)
        errors.append(round(float(np.mean([c.seat_total_error for c in res.checkpoints
                                           if c.declared in TRUST_SCORED])), DECIMALS))
        cov = np.mean([coverage_by_scale(c.projection, res.actual) for c in res.checkpoints], axis=0)
        coverages.append(tuple(round(float(v), DECIMALS) for v in cov))
    return TrustRow(election, held, prior_kind, tuple(errors), tuple(coverages))


def trust_table(store: Any = None) -> tuple[TrustRow, ...]:
    """Recompute :data:`~seatcast.fit.night_tables.TRUST_SCORES` (every election, both prior kinds)."""
    return tuple(trust_row(e, k, store) for k in TRUST_PRIORS for e in TRUST_ELECTIONS)
