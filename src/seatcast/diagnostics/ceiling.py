"""In-sample ceilings: the most a share regression on seatcast's seat features could call.

A diagnostic, **not a forecast**: each regression here is fitted to the very election it scores,
so it knows the answer. Why have it: the covariate model's goals (issue 7: at least 600 of the
632 GB seats right with the actual national shares) and election night's (issue 6: a seat-total
error below the exit poll's after 50 declarations) are only reachable if the *information*
seatcast has about each seat (its base shares, nation or region, Leave vote, census, contest
type, its own standing, the pre-election projection) can explain the seat's result that well.
Fitting that information to the result itself gives an upper bound for any honest model built
from the same information: a model fitted on earlier elections (or on the first declarations)
cannot, on average, fit the target election better than least squares fitted to the target.

For each party *p*, over the GB seats (Northern Ireland has its own parties and no covariates),
the actual share is regressed by ordinary least squares on a design ``X_p`` (one of
:data:`DESIGNS`, each nesting the previous one); the fitted shares (cut at 0, parties that did
not stand excluded, the pooled ``oth`` column never wins) give each seat's winner. Reported:
GB seats called right and the GB seat-total error (half the summed absolute seat differences,
as in backtests). The richest design has more than a hundred coefficients per party fitted to
632 seats: it overfits, so its figure flatters, which only makes the bound more generous.

The last row, ``4 + by-elections``, adds to design 4 what the by-elections of the parliament
before the election say (:mod:`seatcast.fit.byelections`): in each seat that held one, each
party's performance there against its national polling and whether it won it, and each party's
parliament-wide performance where it held the seat or was the best-placed challenger to a
Conservative seat. It nests design 4 only (not 5 and 6).

Reproduce the table of docs/covariate-model.md with ``python tools/ceiling.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from seatcast.backtest.metrics import seat_total_error
from seatcast.data.byelections import seat_terms
from seatcast.data.polls import ELECTION_DATES
from seatcast.data.store import Store
from seatcast.fit.byelections import ANTI_CON, final_polls_on, measure, role
from seatcast.night.features import incumbency_and_advice
from seatcast.night.model import OTHER, NightPrior, NightSettings, _dummies, night_design

FloatArray = npt.NDArray[np.float64]

#: Nested designs, poorest first (names used in the tables).
DESIGNS = (
    "base + place",
    "+ covariates",
    "+ contest + own standing",
    "+ incumbency + tactical advice",
    "+ pre-election projection",
    "+ base x base",
    "4 + by-elections",
)


@dataclass(frozen=True)
class CeilingRow:
    """One design's in-sample fit of one election (GB seats)."""

    election: str
    design: str
    coefficients: int  # per party
    seats_correct_gb: int
    seat_total_error_gb: float
    share_mae_gb: float  # points, over the seat-party cells where the party stood

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"election": self.election, "design": self.design, "coefficients": self.coefficients,
                "seats_correct_gb": self.seats_correct_gb,
                "seat_total_error_gb": self.seat_total_error_gb, "share_mae_gb": self.share_mae_gb}


def _design_builders(prior: NightPrior, extra: FloatArray,
                     by: FloatArray | None = None) -> list[Callable[[int], FloatArray]]:
    """One function per design: party index -> ``[seats, k]`` (an intercept first).

    ``extra`` is ``[parties, seats, k]``: each party's incumbency and advice columns; ``by``
    the same for the by-election columns (:func:`byelection_columns`).
    """
    base = prior.base
    ones = np.ones((prior.n_seats, 1))
    place = _dummies(prior.places())
    contest = _dummies(prior.contests(), 5)
    own = night_design(prior, NightSettings()).own
    cov = prior.features[:, [j for j, n in enumerate(prior.feature_names) if not n.startswith("in_")]]
    upper = np.triu_indices(base.shape[1])
    pairs = base[:, upper[0]] * base[:, upper[1]]

    def level(k: int) -> Callable[[int], FloatArray]:
        def build(p: int) -> FloatArray:
            cols = [ones, base, place]
            if k >= 1:
                cols.append(cov)
            if k >= 2:
                cols += [contest, own[p]]
            if k >= 3:
                cols.append(extra[p])
            if k >= 4:
                cols.append(prior.prior)
            if k >= 5:
                cols.append(pairs)
            return np.column_stack(cols)
        return build

    def with_byelections(p: int) -> FloatArray:
        x = level(3)(p)
        return x if by is None else np.column_stack([x, by[p]])

    return [*(level(k) for k in range(len(DESIGNS) - 1)), with_byelections]


def ceiling(prior: NightPrior, actual: FloatArray, winners: list[str], election: str = "",
            extra: FloatArray | None = None, by: FloatArray | None = None) -> list[CeilingRow]:
    """The in-sample fit of every design (module docstring) to ``actual`` ``[seats, parties]``.

    ``winners[i]`` is seat *i*'s actual winner (a party code, possibly one without a column);
    ``extra`` ``[parties, seats, k]`` holds each party's incumbency and advice columns
    (:func:`seatcast.night.features.incumbency_and_advice`; none when omitted), ``by`` the
    by-election columns of :func:`byelection_columns` (none when omitted).
    """
    if extra is None:
        extra = np.zeros((len(prior.parties), prior.n_seats, 0))
    gb = np.array([n != "Northern Ireland" for n in prior.nations])
    parties = prior.parties
    actual_gb = Counter(w for w, g in zip(winners, gb, strict=True) if g)
    truth = np.asarray(winners, dtype=object)
    rows = []
    for name, build in zip(DESIGNS, _design_builders(prior, extra, by), strict=True):
        fitted = np.zeros_like(actual)
        k = 0
        for p in range(len(parties)):
            x = build(p)
            k = x.shape[1]
            coef = np.linalg.lstsq(x[gb], actual[gb, p], rcond=None)[0]
            fitted[:, p] = x @ coef
        score = np.where(prior.stands, np.maximum(fitted, 0.0), -1.0)
        if OTHER in parties:
            score[:, parties.index(OTHER)] = -2.0
        called = np.asarray([parties[j] for j in score.argmax(axis=1)], dtype=object)
        right = int((called[gb] == truth[gb]).sum())
        err = seat_total_error(Counter(called[gb].tolist()), actual_gb)
        cells = gb[:, None] & prior.stands
        mae = float(np.abs(np.clip(fitted, 0, None) - actual)[cells].mean() * 100)
        rows.append(CeilingRow(election=election, design=name, coefficients=k, seats_correct_gb=right,
                               seat_total_error_gb=err, share_mae_gb=round(mae, 2)))
    return rows


def election_ceiling(election_id: str, *, store: Store | None = None) -> list[CeilingRow]:
    """:func:`ceiling` for a backtest election, with the night replay's prior.

    The prior holds the pre-election projection and the seat features
    (:func:`seatcast.night.prior.replay_prior`).
    """
    from seatcast.night.prior import election_actuals, replay_prior
    from seatcast.night.replay import base_of

    store = store or Store()
    target = store.load(election_id)
    prior = replay_prior(target, store.load(base_of(election_id)), store=store)
    actual, winners = election_actuals(target, prior)
    return ceiling(prior, actual, winners, election=election_id,
                   extra=incumbency_and_advice(prior.parties, prior.seat_ids, prior.base_winners,
                                                 str(target.date)),
                   by=byelection_columns(prior, str(target.date), store))


def byelection_columns(prior: NightPrior, date: str, store: Store | None = None) -> FloatArray:
    """``[parties, seats, 4]``: what the by-elections before ``date`` say about each seat and party.

    Columns: the party's performance against the polls in the seat's own by-election, whether it
    won it, whether the seat held one, and the party's parliament-wide performance where it is
    the best-placed anti-Conservative party in a seat the Conservatives won at the base (zero
    without by-elections).
    """
    earlier = [e for e, d in ELECTION_DATES.items() if d < date]
    out = np.zeros((len(prior.parties), prior.n_seats, 4))
    if not earlier:
        return out
    store = store or Store()
    ev = measure(store.load(max(earlier, key=ELECTION_DATES.__getitem__)), date, final=final_polls_on(date),
                 final_date=date)
    seats = seat_terms(ev, prior.seat_ids, prior.names)
    roles = [role(p) for p in prior.parties]
    anti = [j for j, r in enumerate(roles) if r in ANTI_CON]
    con = prior.parties.index("con") if "con" in prior.parties else None
    con_won = np.array([w == "con" for w in prior.base_winners])
    best = np.asarray(anti)[np.argmax(prior.base[:, anti], axis=1)] if anti else np.full(prior.n_seats, -1)
    for j, r in enumerate(roles):
        if r is None:
            continue
        for i, seat in enumerate(seats):
            if seat is not None:
                out[j, i] = (seat[0].get(r, 0.0), float(seat[1] == r), 1.0, 0.0)
        if con is not None and j in anti:
            out[j, :, 3] = ev.over.get(r, 0.0) * (con_won & (best == j))
    return out
