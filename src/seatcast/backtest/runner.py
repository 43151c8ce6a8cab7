"""Backtests: project a past election from what was known before it, and score the projection.

A backtest of election *E* uses the previous election (or the notional result on *E*'s
boundaries) as the base, the real list of nominations for *E* (public before polling day), and
national shares that are either the mean of *E*'s final polls (``inputs="polls"``, the honest
forecast) or *E*'s actual GB shares (``inputs="actual"``, which isolates the model's own error
from the polls'). The result of *E* is used only to score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seatcast.backtest.metrics import seat_total_error, seats_correct, share_mae
from seatcast.data.frame import ShareFrame
from seatcast.data.parties import SEPARATE_NATIONS
from seatcast.data.polls import nation_poll_averages, poll_average
from seatcast.data.schema import Election
from seatcast.data.store import Store
from seatcast.errors import InputError, UnknownNameError
from seatcast.models import FitSource, SwingModel
from seatcast.projection import Projection, project

#: Each backtest target and its base.
BACKTESTS: dict[str, str] = {"ge2015": "ge2010", "ge2017": "ge2015", "ge2019": "ge2017", "ge2024": "ge2019n24"}
INPUTS = ("polls", "actual")


@dataclass(frozen=True)
class BacktestResult:
    """Scores of one model on one election, and the projection behind them."""

    election: str
    base: str
    model: str
    inputs: str
    n_seats: int
    seats_predicted: dict[str, int]
    seats_actual: dict[str, int]
    seat_total_error: float
    seats_correct: int
    seats_correct_gb: int
    n_seats_gb: int
    share_mae: float
    national: dict[str, float]
    projection: Projection = field(repr=False)
    actual_winners: tuple[str, ...] = field(repr=False, default=())
    nations: dict[str, dict[str, float]] = field(default_factory=dict)
    actual_shares: Any = field(repr=False, default=None)  # [seats, parties] in the projection's party order

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the contract keys."""
        return {
            "election": self.election, "base": self.base, "model": self.model, "inputs": self.inputs,
            "n_seats": self.n_seats, "seats_predicted": self.seats_predicted, "seats_actual": self.seats_actual,
            "seat_total_error": self.seat_total_error, "seats_correct": self.seats_correct,
            "seats_correct_gb": self.seats_correct_gb, "n_seats_gb": self.n_seats_gb,
            "share_mae": round(self.share_mae, 3),
            "national": {p: round(v, 2) for p, v in self.national.items()},
            "nations": {n: {p: round(v, 2) for p, v in sh.items()} for n, sh in self.nations.items()},
        }

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per seat: the predicted and the actual winner.

        Columns: ``id``, ``name``, ``region``, ``nation``, ``base_winner``, ``predicted``,
        ``actual``, ``correct`` and ``gb`` (the seat counts in ``seats_correct_gb``), then per
        party ``projected_<party>`` and ``actual_<party>`` (shares, 0-1; the actual ones in the
        projection's party columns, so minor parties it folds into ``oth`` add up there).

        Per seat rather than per party, since the seat rows are what the scores are made of
        (``df[df.gb].correct.sum() == seats_correct_gb``) and the misses can be filtered and
        joined with other data; the party totals are one line away:
        ``pd.DataFrame({"predicted": r.seats_predicted, "actual": r.seats_actual}).fillna(0)``.
        """
        import pandas as pd

        f = self.projection.frame
        predicted = [str(w) for w in self.projection.winners]
        actual = list(self.actual_winners)
        cols: dict[str, Any] = {
            "id": list(f.seat_ids), "name": list(f.names), "region": list(f.regions), "nation": list(f.nations),
            "base_winner": [str(w) for w in self.projection.setup.base_winners],
            "predicted": predicted, "actual": actual,
            "correct": [p == a for p, a in zip(predicted, actual, strict=True)],
            "gb": [n not in SEPARATE_NATIONS for n in f.nations],
        }
        proj = np.asarray(self.projection.shares)
        for j, p in enumerate(self.projection.parties):
            cols[f"projected_{p}"] = proj[:, j].round(5)
            if self.actual_shares is not None:
                cols[f"actual_{p}"] = np.asarray(self.actual_shares)[:, j].round(5)
        return pd.DataFrame(cols)

    def seat_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per seat: winners, and projected and actual shares per party (0-1).

        The ``seats`` key of ``seatcast backtest --format json``: where the model goes wrong,
        seat by seat. Parties with neither a projected nor an actual share are left out.
        """
        parties = list(self.projection.parties)
        out = []
        for r in self.to_frame().to_dict("records"):
            rec: dict[str, Any] = {k: (bool(v) if k in ("correct", "gb") else str(v)) for k, v in r.items()
                   if not k.startswith(("projected_", "actual_"))}
            rec["projected"] = {p: float(r[f"projected_{p}"]) for p in parties if r[f"projected_{p}"] > 0}
            rec["actual_shares"] = {p: float(r[f"actual_{p}"]) for p in parties
                                    if r.get(f"actual_{p}", 0) > 0}
            out.append(rec)
        return out


def actual_gb_shares(target: Election, nations: tuple[str, ...] | None = None) -> dict[str, float]:
    """The target's actual shares (percent) over GB seats (or ``nations``), per party column of its frame."""
    gb = list(nations) if nations else [n for n in target.nations if n not in SEPARATE_NATIONS]
    frame = ShareFrame.from_election(target)
    mask = np.isin(np.array(frame.nations), gb)
    nat = frame.national(mask)
    return {p: float(v * 100) for p, v in zip(frame.parties, nat, strict=True) if v > 0 and p != "oth"}


def actuals_of(store: Store) -> Callable[[str], dict[str, float]]:
    """Election id -> its actual GB shares from ``store`` (what a poll average learns house effects from)."""

    def load(election_id: str) -> dict[str, float]:
        return actual_gb_shares(store.load(election_id))

    return load


def standing_of(target: Election) -> dict[str, set[str]]:
    """Party codes with a candidate in each seat of the target (its nominations)."""
    return {c.id: {k.party_code for k in c.candidacies} for c in target.constituencies}


def national_inputs(
    target: Election, inputs: str, *, by_nation: bool = False, average: str = "mean", store: Store | None = None
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """The GB shares a backtest feeds the model and, with ``by_nation``, Scotland's and Wales's.

    With polls, the nation shares are the Scotland-only and Wales-only final polls; with actual
    inputs, the actual nation shares. ``average="house"`` replaces the plain mean of the GB final
    polls by the house-effect-aware average of :mod:`seatcast.data.poll_average` (learned from
    elections before the target only; ``store`` supplies their results).
    """
    if inputs == "polls":
        nations = nation_poll_averages(target.id) if by_nation else {}
        if average == "mean":
            return poll_average(target.id), nations
        if average == "house":
            from seatcast.data.poll_average import house_average

            return house_average(target.id, actuals=actuals_of(store or Store())).shares, nations
        raise InputError(f"unknown poll average {average!r}; choose mean or house")
    if inputs == "actual":
        nations = {n: actual_gb_shares(target, nations=(n,)) for n in ("Scotland", "Wales")} if by_nation else {}
        return actual_gb_shares(target), nations
    raise InputError(f"unknown inputs {inputs!r}; choose one of {', '.join(INPUTS)}")


def run_backtest(
    election: str,
    *,
    model: str | SwingModel = "auto",
    inputs: str = "polls",
    store: Store | None = None,
    base: str | None = None,
    by_nation: bool = False,
    average: str = "mean",
    fits: FitSource | None = None,
) -> BacktestResult:
    """Backtest ``model`` on ``election`` (see the module docstring).

    ``by_nation`` adds the Scotland-only and Wales-only final polls (or the actual nation
    shares) to the GB shares. The CLI and :func:`seatcast.backtest` turn it on by default; it is
    off here so internal callers (the error model's residuals) say what they use. ``average``
    (``"mean"`` or ``"house"``) picks the GB final-poll average for ``inputs="polls"``. ``fits``
    supplies a fitted model's parameters (:func:`seatcast.fit.registry.source`): a backtest
    sits below the fitting layer, so whoever asks for the covariate model hands its fit in.
    """
    store = store or Store()
    if base is None:
        if election not in BACKTESTS:
            raise UnknownNameError("backtest election", election, BACKTESTS)
        base = BACKTESTS[election]
    target_el = store.load(election)
    base_el = store.load(base)
    national, nations = national_inputs(target_el, inputs, by_nation=by_nation, average=average, store=store)
    proj = project(base_el, national, model=model, nations=nations, standing=standing_of(target_el),
                   as_of=target_el.date, store=store, fits=fits)
    return score(proj, target_el, inputs=inputs, national=national, nations=nations)


def score(proj: Projection, target_el: Election, *, inputs: str, national: dict[str, float],
          nations: dict[str, dict[str, float]] | None = None) -> BacktestResult:
    """Score a projection against the actual result of ``target_el``."""
    frame = proj.frame
    ids = {c.id: c for c in target_el.constituencies}
    missing = [s for s in frame.seat_ids if s not in ids]
    if missing:
        raise InputError(f"base and {target_el.id} do not share boundaries (e.g. seat {missing[0]})")
    actual_w = np.array([ids[s].winner.party_code for s in frame.seat_ids])
    gb = ~np.isin(np.array(frame.nations), list(SEPARATE_NATIONS))
    actual_frame = ShareFrame.from_election(target_el)
    order = [actual_frame.seat_ids.index(s) for s in frame.seat_ids]
    act = actual_frame.with_parties(proj.parties).shares[order]
    stood = act > 0
    stood[:, proj.parties.index("oth")] = False
    pred = proj.seats_predicted
    actual_seats = target_el.seats_won()
    return BacktestResult(
        election=target_el.id, base=frame.election_id, model=proj.model, inputs=inputs, n_seats=frame.n_seats,
        seats_predicted=pred, seats_actual=actual_seats,
        seat_total_error=seat_total_error(pred, actual_seats),
        seats_correct=seats_correct(proj.winners, actual_w),
        seats_correct_gb=seats_correct(proj.winners, actual_w, gb), n_seats_gb=int(gb.sum()),
        share_mae=share_mae(proj.shares[gb], act[gb], stood[gb]),
        national=national, projection=proj, actual_winners=tuple(actual_w), nations=dict(nations or {}),
        actual_shares=act,
    )
