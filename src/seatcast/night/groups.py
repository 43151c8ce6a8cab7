"""Which optional own-standing groups the night model uses: trust earned on earlier replays.

Two groups of seat facts, public before polling day, can join a party's own-standing terms in
the night model (:func:`seatcast.night.model.night_design`), as the covariate model's
incumbency and tactical groups do (docs/covariate-model.md):

* ``incumbency``: the party's sitting MP stands again; its seat is open;
* ``advice``: the share of the anti-Conservative tactical-voting sites recommending the party
  (bundled for 2019 and 2024 only).

Why a rule rather than always: a term the early declarations must estimate costs accuracy when
it does not matter, and the night model's settings are never tuned on the election a replay
scores. So, as with the interval calibration (:mod:`seatcast.night.calibration`), a group is used
for a replay of election *T* only if adding it (alone, prior sd ``prior_sd_own``) **lowered** the
protocol score, summed over the replays of the elections held before *T* where the group has data;
live use pools every bundled replay. The protocol score is H16's (docs/election-night.md): mean
seat-total error over checkpoints 10, 25, 50 and 100, the realistic order plus 5 random orders,
500 simulations, seed 0. No earlier election with data: the group is not used (no evidence, no
trust). The rule was written after a run with both groups on every election had been seen (see
docs/election-night.md, "Incumbency and advice (H17)"), before the per-group runs.

:data:`GROUP_SCORES` freezes the scores (``python tools/select_night_groups.py`` regenerates and
checks them), so choosing costs nothing at run time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

#: The optional groups, in design order.
GROUPS: tuple[str, ...] = ("incumbency", "advice")
#: Elections whose replays score the groups (each from its backtest base).
SCORED_ELECTIONS: tuple[str, ...] = ("ge2015", "ge2017", "ge2019", "ge2024")
SCORE_RUNS = 5
SCORE_SIMS = 500
SCORE_SEED = 0
SCORE_CHECKPOINTS: tuple[int, ...] = (10, 25, 50, 100)
_EPS = 1e-9


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


def protocol_score(election: str, groups: tuple[str, ...], store: Any = None) -> float | None:
    """The protocol score of ``election``'s replay with ``groups`` (None if a group has no data)."""
    from seatcast.api import election as load
    from seatcast.night.model import NightSettings
    from seatcast.night.prior import replay_prior
    from seatcast.night.replay import base_of, replay

    target = load(election)
    prior = replay_prior(target, load(base_of(election)), store=store, own_groups=groups)
    if groups and (prior.own_extra is None or not np.any(prior.own_extra)):
        return None
    res = replay(target, load(base_of(election)), runs=SCORE_RUNS, seed=SCORE_SEED,
                 checkpoints=SCORE_CHECKPOINTS, settings=NightSettings(n_sims=SCORE_SIMS, interval_scale=1.0),
                 prior=prior, store=store)
    return round(float(np.mean([c.seat_total_error for c in res.checkpoints])), 3)


def score_table(store: Any = None, elections: Sequence[str] = SCORED_ELECTIONS) -> tuple[GroupScores, ...]:
    """Recompute :data:`GROUP_SCORES` (slow: one replay set per election and group)."""
    from seatcast.api import election as load

    rows = []
    for e in elections:
        held = date.fromisoformat(str(load(e).date))
        without = protocol_score(e, (), store)
        assert without is not None
        rows.append(GroupScores(e, held, without, {g: protocol_score(e, (g,), store) for g in GROUPS}))
    return tuple(rows)
