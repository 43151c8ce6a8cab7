"""The night model's learned values, frozen as data, and the rules that read them by date.

Everything here is a table rebuilt by :mod:`seatcast.diagnostics.night_calibration` (``python
tools/calibrate_night.py``, ``python tools/select_night_groups.py``) and a rule that picks, for a
night held on a date, the values learned from elections held **before** it (rolling origin);
live use (no date) pools every table row. It imports no other part of seatcast; the night model
(:mod:`seatcast.night`) never reads it itself: the CLI and the web server read the values here
and pass them to it (:func:`night_fitted`).

Three learned values:

* ``interval_scale`` (below, H17): the widening factor of the 90% intervals;
* ``own_groups`` (:data:`GROUP_SCORES`, H17b): optional own-standing columns that earned trust;
* ``trust`` (:data:`TRUST_SCORES`, H18): how far the night model may move from its prior, as a
  factor on all its prior sds, learned on earlier nights' **real** declaration orders.

Interval factor (H17), rolling-origin calibration of the night model's 90% intervals.

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
  interval), averaged over checkpoints and orders (the stress order, once "realistic", is not a
  sample, so it is not used);
* pooled coverage of a factor = the mean of its coverage over the calibration set (every
  election has the same number of checkpoints, so this is also the mean over all of them);
* the factor is the smallest candidate whose pooled coverage is at least :data:`TARGET_COVERAGE`,
  else the largest candidate. With no earlier replay (the 2015 replay) no candidate is *shown*
  to reach the target, so the largest is used.

Every factor's coverage comes from **one** simulation per checkpoint: the factor only widens the
simulated range about the simulated mean (``seatcast.night.model._intervals``), so
:func:`seatcast.diagnostics.night_calibration.coverage_by_scale` recomputes the interval at each factor from
the same simulated totals
(and the means never depend on the factor). :data:`INTERVAL_SCALES` freezes the per-election
figures (``python tools/calibrate_night.py`` regenerates them), so choosing a factor costs
nothing at run time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

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


# --- Optional own-standing groups (H17b) --------------------------------------------------
# Which optional own-standing groups the night model uses: trust earned on earlier replays.
#
# Two groups of seat facts, public before polling day, can join a party's own-standing terms in
# the night model (:func:`seatcast.night.model.night_design`), as the covariate model's
# incumbency and tactical groups do (docs/covariate-model.md):
#
# * ``incumbency``: the party's sitting MP stands again; its seat is open;
# * ``advice``: the share of the anti-Conservative tactical-voting sites recommending the party
#   (bundled for 2019 and 2024 only).
#
# Why a rule rather than always: a term the early declarations must estimate costs accuracy when
# it does not matter, and the night model's settings are never tuned on the election a replay
# scores. So, as with the interval calibration (:mod:`seatcast.night.calibration`), a group is used
# for a replay of election *T* only if adding it (alone, prior sd ``prior_sd_own``) **lowered** the
# protocol score, summed over the replays of the elections held before *T* where the group has data;
# live use pools every bundled replay. The protocol score is H16's (docs/election-night.md): mean
# seat-total error over checkpoints 10, 25, 50 and 100, the stress order plus 5 random orders,
# 500 simulations, seed 0. No earlier election with data: the group is not used (no evidence, no
# trust). The rule was written after a run with both groups on every election had been seen (see
# docs/election-night.md, "Incumbency and advice (H17)"), before the per-group runs.
#
# :data:`GROUP_SCORES` freezes the scores (``python tools/select_night_groups.py`` regenerates and
# checks them), so choosing costs nothing at run time.

#: The optional groups, in design order.
GROUPS: tuple[str, ...] = ("incumbency", "advice")
#: Elections whose replays score the groups (each from its backtest base).
SCORED_ELECTIONS: tuple[str, ...] = ("ge2015", "ge2017", "ge2019", "ge2024")
SCORE_RUNS = 5
SCORE_SIMS = 500
SCORE_SEED = 0
SCORE_CHECKPOINTS: tuple[int, ...] = (10, 25, 50, 100)


@dataclass(frozen=True)
class GroupScores:
    """One election's protocol scores: without optional groups, and with each group alone.

    ``with_group[g]`` is None where the group has no data at that election (it is then neither
    scored nor counted).
    """

    election: str
    held: date
    without: float
    with_group: Mapping[str, float | None]


#: Frozen output of ``python tools/select_night_groups.py`` (seat-total error, 3 decimals).
GROUP_SCORES: tuple[GroupScores, ...] = (
    GroupScores("ge2015", date(2015, 5, 7), 18.24, {"incumbency": 18.564, "advice": None}),
    GroupScores("ge2017", date(2017, 6, 8), 18.889, {"incumbency": 18.921, "advice": None}),
    GroupScores("ge2019", date(2019, 12, 12), 15.335, {"incumbency": 14.912, "advice": 15.237}),
    GroupScores("ge2024", date(2024, 7, 4), 36.43, {"incumbency": 36.795, "advice": 32.543}),
)


def trusted(group: str, rows: Sequence[GroupScores]) -> bool:
    """True when ``group`` lowered the summed score over the rows where it has data."""
    scored = [r for r in rows if r.with_group.get(group) is not None]
    if not scored:
        return False
    with_sum = sum(float(r.with_group[group] or 0.0) for r in scored)
    return with_sum < sum(r.without for r in scored) - _EPS


def groups_for(as_of: date | None, table: Sequence[GroupScores] | None = None) -> tuple[str, ...]:
    """The groups a night held on ``as_of`` uses (None: live, every scored election counts)."""
    rows = GROUP_SCORES if table is None else table
    earlier = [r for r in rows if as_of is None or r.held < as_of]
    return tuple(g for g in GROUPS if trusted(g, earlier))




# --- Trust in the early declarations (H18), learned on real declaration orders ------------------
#
# The rule, written before any real-order replay was run: the night model's prior sds (all five
# groups of terms) are multiplied by a factor f from TRUST_FACTORS (smaller f: the declared seats
# move the projection less). Each election E in TRUST_ELECTIONS is replayed in its REAL order from
# each prior kind ("polls": the covariate projection at the final polls; "exit poll": that prior
# moved to the exit poll's seat totals), TRUST_SIMS simulations, seed TRUST_SEED, interval factor
# 1.0, at TRUST_CHECKPOINTS. A night held on date D uses, for its prior kind, the f with the
# lowest summed error score (mean seat-total error over 10, 25, 50, 100 declarations) over the
# elections held before D (ties within 0.1 seats per election go to the larger f); with no
# earlier election, f = 1 (the H16 scales). Its interval factor is the smallest candidate whose
# coverage, pooled over those elections' real-order checkpoints at the chosen f, is at least 90%;
# with no earlier election, the H17 rule (the largest candidate for 2015).

#: Factors on every prior sd of the night model, smallest (trust the prior most) first.
TRUST_FACTORS: tuple[float, ...] = (0.25, 0.5, 1.0)
TRUST_ELECTIONS: tuple[str, ...] = ("ge2015", "ge2017", "ge2019", "ge2024")
TRUST_PRIORS: tuple[str, ...] = ("polls", "exit poll")
TRUST_SIMS = 500
TRUST_SEED = 0
TRUST_CHECKPOINTS: tuple[int, ...] = (10, 25, 50, 100, 200, 400)
#: The checkpoints whose mean error scores a factor (the early night, where trust matters).
TRUST_SCORED: tuple[int, ...] = (10, 25, 50, 100)
TRUST_TIE = 0.1


@dataclass(frozen=True)
class TrustRow:
    """One election's real-order replay from one prior kind, at every trust factor.

    ``error[k]``: mean seat-total error over :data:`TRUST_SCORED` at ``TRUST_FACTORS[k]``;
    ``coverage[k][j]``: mean coverage over :data:`TRUST_CHECKPOINTS` at that factor and
    ``CANDIDATE_SCALES[j]``.
    """

    election: str
    held: date
    prior: str
    error: tuple[float, ...]
    coverage: tuple[tuple[float, ...], ...]


#: Frozen output of ``python tools/calibrate_night.py --trust`` (3 decimals).
TRUST_SCORES: tuple[TrustRow, ...] = (
    TrustRow("ge2015", date(2015, 5, 7), "polls", (28.766, 17.099, 13.164),
             ((0.533, 0.7, 0.767, 0.933, 1.0, 1.0),
              (0.933, 0.967, 0.967, 0.967, 0.967, 0.967),
              (0.933, 0.967, 0.967, 0.967, 0.967, 0.967))),
    TrustRow("ge2017", date(2017, 6, 8), "polls", (17.57, 13.985, 13.01),
             ((0.611, 0.75, 0.833, 0.861, 0.861, 0.917),
              (0.694, 0.833, 0.833, 0.833, 0.861, 0.889),
              (0.778, 0.833, 0.833, 0.833, 0.861, 0.889))),
    TrustRow("ge2019", date(2019, 12, 12), "polls", (12.687, 14.784, 13.802),
             ((0.722, 0.806, 0.833, 0.833, 0.917, 0.944),
              (0.694, 0.806, 0.917, 0.917, 0.917, 0.944),
              (0.694, 0.917, 0.944, 0.944, 0.972, 1.0))),
    TrustRow("ge2024", date(2024, 7, 4), "polls", (24.866, 28.317, 30.581),
             ((0.542, 0.583, 0.646, 0.667, 0.75, 0.771),
              (0.542, 0.667, 0.667, 0.708, 0.75, 0.771),
              (0.688, 0.729, 0.729, 0.729, 0.896, 0.917))),
    TrustRow("ge2015", date(2015, 5, 7), "exit poll", (9.771, 6.866, 5.958),
             ((0.9, 1.0, 1.0, 1.0, 1.0, 1.0),
              (0.9, 0.967, 0.967, 0.967, 0.967, 0.967),
              (0.933, 0.967, 0.967, 0.967, 0.967, 0.967))),
    TrustRow("ge2017", date(2017, 6, 8), "exit poll", (8.794, 10.594, 11.934),
             ((0.778, 0.833, 0.833, 0.861, 0.861, 0.917),
              (0.667, 0.833, 0.889, 0.889, 0.889, 0.889),
              (0.722, 0.833, 0.833, 0.833, 0.889, 0.917))),
    TrustRow("ge2019", date(2019, 12, 12), "exit poll", (16.731, 17.059, 15.401),
             ((0.667, 0.722, 0.778, 0.833, 0.917, 0.944),
              (0.639, 0.778, 0.889, 0.944, 0.944, 0.944),
              (0.639, 0.889, 0.917, 0.944, 0.972, 1.0))),
    TrustRow("ge2024", date(2024, 7, 4), "exit poll", (23.311, 27.317, 29.815),
             ((0.646, 0.688, 0.688, 0.688, 0.75, 0.771),
              (0.646, 0.688, 0.688, 0.708, 0.771, 0.792),
              (0.667, 0.729, 0.729, 0.729, 0.896, 0.917))),
)

def trust_for(as_of: date | None, prior: str = "polls", table: Sequence[TrustRow] | None = None
              ) -> tuple[float, tuple[float, ...] | None, tuple[str, ...]]:
    """The trust factor for a night on ``as_of`` from ``prior``, the pooled coverage, and the elections used.

    The coverage (per candidate interval factor, at the chosen trust factor) is None when no
    earlier election exists.
    """
    rows = [r for r in (TRUST_SCORES if table is None else table)
            if r.prior == prior and (as_of is None or r.held < as_of)]
    if not rows:
        return 1.0, None, ()
    sums = [sum(r.error[k] for r in rows) for k in range(len(TRUST_FACTORS))]
    best = min(sums)
    k = max(i for i, v in enumerate(sums) if v <= best + TRUST_TIE * len(rows) + _EPS)
    cov = tuple(float(np.mean([r.coverage[k][j] for r in rows])) for j in range(len(CANDIDATE_SCALES)))
    return TRUST_FACTORS[k], cov, tuple(r.election for r in rows)


@dataclass(frozen=True)
class NightFitted:
    """The learned values a night uses, with a note saying where each came from."""

    interval_scale: float
    own_groups: tuple[str, ...]
    trust: float
    notes: tuple[str, ...]


def night_fitted(as_of: date | None, prior: str = "polls") -> NightFitted:
    """Every learned value for a night held on ``as_of`` (None: live, all tables) from ``prior``."""
    trust, cov, used = trust_for(as_of, prior)
    when = "every bundled night" if as_of is None else f"nights before {as_of}"
    if cov is not None:
        scale = choose_scale(cov)
        scale_note = f"interval scale {scale}: real-order coverage at trust {trust} ({', '.join(used)})"
    else:
        scale = interval_scale_for(as_of)
        held = ", ".join(r.election for r in calibration_set(as_of)) or "none (no earlier replay: the largest)"
        scale_note = f"interval scale {scale}: rolling-origin calibration (H17) on {held}"
    trust_note = (f"trust {trust}: real-order replays of {', '.join(used)} ({prior} prior)" if used
                  else f"trust {trust}: no earlier real-order night ({prior} prior), the rule's default")
    groups = groups_for(as_of)
    return NightFitted(interval_scale=scale, own_groups=groups, trust=trust,
                       notes=(scale_note, trust_note, f"own-standing groups from {when}: "
                              + (", ".join(groups) or "none")))
