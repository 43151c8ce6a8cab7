"""Rolling-origin calibration of the night model's 90% intervals (``interval_scale``).

The model's own 5-95% spread of each party's seats is too narrow (early declarations are not a
sample of the nation, and the linear model misfits), so :func:`seatcast.night.model.simulate_night`
widens it about the mean by ``interval_scale``. Why rolling-origin: a factor chosen on the very
election a replay scores would make that replay's coverage look right by construction. Here a
replay of election *T* uses a factor chosen **only on the replays of elections held before T**,
and live use (a real night) uses every bundled replay. The rule was fixed before any result was
seen (docs/election-night.md, "Rolling-origin calibration (H17)"):

* candidate factors :data:`CANDIDATE_SCALES`;
* per calibration election *E* (:data:`CALIBRATION_ELECTIONS`, each replayed from its
  backtest base): :data:`CALIBRATION_RUNS` random declaration orders, :data:`CALIBRATION_SIMS`
  simulations, seed :data:`CALIBRATION_SEED`, checkpoints :data:`CALIBRATION_CHECKPOINTS`;
  coverage is the replay's (share of parties with at least
  :data:`~seatcast.night.replay.COVERAGE_MIN_SEATS` actual seats whose actual total lies in the
  interval), averaged over checkpoints and orders (the realistic order is a stress test, not a
  sample, so it is not used);
* pooled coverage of a factor = the mean of its coverage over the calibration set (every
  election has the same number of checkpoints, so this is also the mean over all of them);
* the factor is the smallest candidate whose pooled coverage is at least :data:`TARGET_COVERAGE`,
  else the largest candidate. With no earlier replay (the 2015 replay) no candidate is *shown*
  to reach the target, so the largest is used.

Every factor's coverage comes from **one** simulation per checkpoint: the factor only widens the
simulated range about the simulated mean (:func:`seatcast.night.model._intervals`), so
:func:`coverage_by_scale` recomputes the interval at each factor from the same simulated totals
(and the means never depend on the factor). :data:`INTERVAL_SCALES` freezes the per-election
figures (``python tools/calibrate_night.py`` regenerates them), so choosing a factor costs
nothing at run time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

#: Widening factors tried, smallest (the model's own spread) first.
CANDIDATE_SCALES: tuple[float, ...] = (1.0, 1.2, 1.4, 1.6, 2.0, 2.5)
#: The coverage the 90% interval should reach.
TARGET_COVERAGE = 0.90
#: Replayed elections used for calibration (each from :data:`seatcast.backtest.runner.BACKTESTS`'s base).
CALIBRATION_ELECTIONS: tuple[str, ...] = ("ge2015", "ge2017", "ge2019", "ge2024")
CALIBRATION_RUNS = 5
CALIBRATION_SIMS = 500
CALIBRATION_SEED = 0
CALIBRATION_CHECKPOINTS: tuple[int, ...] = (10, 25, 50, 100)
#: Rounding of the frozen figures, and the slack of the ``>=`` test against rounding noise.
DECIMALS = 3
_EPS = 1e-9


@dataclass(frozen=True)
class CalibrationRow:
    """One calibration election: when it was held, and its coverage at each candidate factor.

    ``coverage[k]`` is the mean random-order coverage at ``CANDIDATE_SCALES[k]``.
    """

    election: str
    held: date
    coverage: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.coverage) != len(CANDIDATE_SCALES):
            raise ValueError(f"calibration row {self.election}: {len(self.coverage)} coverage figures "
                             f"for {len(CANDIDATE_SCALES)} candidate scales")

    def at(self, scale: float) -> float:
        """Coverage at one candidate factor."""
        return self.coverage[CANDIDATE_SCALES.index(scale)]


#: Frozen output of ``python tools/calibrate_night.py`` (mean random-order coverage, 3 decimals).
INTERVAL_SCALES: tuple[CalibrationRow, ...] = (
    CalibrationRow("ge2015", date(2015, 5, 7), (0.91, 0.99, 0.99, 1.0, 1.0, 1.0)),
    CalibrationRow("ge2017", date(2017, 6, 8), (0.725, 0.783, 0.808, 0.825, 0.85, 0.85)),
    CalibrationRow("ge2019", date(2019, 12, 12), (0.775, 0.9, 0.908, 0.925, 0.975, 0.992)),
    CalibrationRow("ge2024", date(2024, 7, 4), (0.706, 0.744, 0.75, 0.775, 0.869, 0.9)),
)


def choose_scale(coverage: Sequence[float] | None, scales: Sequence[float] = CANDIDATE_SCALES,
                 target: float = TARGET_COVERAGE) -> float:
    """The rule: the smallest factor whose coverage reaches ``target``, else the largest.

    ``coverage[k]`` belongs to ``scales[k]`` (ascending); None (no calibration data) gives the
    largest factor, since none has been shown to reach the target.
    """
    if coverage is not None and len(coverage) != len(scales):
        raise ValueError(f"{len(coverage)} coverage figures for {len(scales)} scales")
    if coverage is not None:
        for scale, cov in zip(scales, coverage, strict=True):
            if cov >= target - _EPS:
                return scale
    return max(scales)


def calibration_set(as_of: date | None, table: Sequence[CalibrationRow] = INTERVAL_SCALES
                    ) -> tuple[CalibrationRow, ...]:
    """The rows a projection on ``as_of`` may use: elections held strictly before it (None: all)."""
    return tuple(r for r in table if as_of is None or r.held < as_of)


def pooled_coverage(rows: Sequence[CalibrationRow]) -> tuple[float, ...] | None:
    """Mean coverage per candidate factor over ``rows`` (None when there are none)."""
    if not rows:
        return None
    return tuple(float(np.mean([r.coverage[k] for r in rows])) for k in range(len(CANDIDATE_SCALES)))


def interval_scale_for(as_of: date | None, table: Sequence[CalibrationRow] = INTERVAL_SCALES) -> float:
    """The interval factor for a projection on ``as_of`` (None: live, every calibration election).

    Why by date: a replay of election *T* passes *T*'s polling day, so the factor comes only from
    replays of earlier elections and is never calibrated on the election it is scored on.
    """
    return choose_scale(pooled_coverage(calibration_set(as_of, table)))


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


def election_coverage(election: str, store: Any = None) -> CalibrationRow:
    """Replay ``election`` with the rule's settings and average its coverage at every factor.

    The replay runs once at the first candidate (1.0); each checkpoint's recomputed coverage at
    that factor must equal the replay's own ``covered``, which checks that the recomputation is
    the model's interval rule.
    """
    from seatcast.api import open_store
    from seatcast.night.model import NightSettings
    from seatcast.night.replay import base_of, replay

    store = store if store is not None else open_store(None)
    target = store.load(election)
    if target.date is None:
        raise ValueError(f"calibration election {election} has no date")
    base = store.load(base_of(election))
    res = replay(target, base, orders=("random",), runs=CALIBRATION_RUNS, seed=CALIBRATION_SEED,
                 checkpoints=CALIBRATION_CHECKPOINTS, store=store,
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
