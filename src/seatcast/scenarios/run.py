"""Scenario runs: the forecast with and without each step, so each step's effect is visible.

A run builds the projection setup (base, national shares, model), binds every step to it
(all are validated before anything runs: a bad file gives an error and no partial output),
then computes *stages*: the baseline (no steps), then after step 1, after steps 1-2, and so on.
Each stage has the point projection (steps applied deterministically to ``setup.run()``) and,
with ``sims``, a Monte Carlo forecast from :func:`seatcast.simulate.simulate` with the same
seed, so every stage shares the same swing and seat-noise draws and differences are the steps'
own. The seats the steps touch are reported stage by stage.

When the election the scenario forecasts is in the store, its actual result in those seats is
attached **for comparison only**, after everything else is computed; it is never an input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seatcast.backtest.runner import BACKTESTS
from seatcast.data.frame import winners_of
from seatcast.data.polls import ELECTION_DATES, poll_average
from seatcast.errors import DataError, ScenarioError, SeatcastError
from seatcast.fit.registry import source
from seatcast.models import FitSource
from seatcast.projection import ProjectionSetup, prepare
from seatcast.scenarios.scenario_file import Scenario, load_scenario
from seatcast.scenarios.steps import Step, build_steps
from seatcast.scenarios.transfers import TransferMatrix, load_matrix, matrix_from_mapping

#: Seats reported stage by stage at most (a withdraw in every seat touches hundreds).
MAX_FOCUS = 25
NEXT_ELECTION = {base: target for target, base in BACKTESTS.items()}


@dataclass(frozen=True)
class Stage:
    """The forecast after the first ``n_steps`` steps."""

    label: str
    n_steps: int
    seats_predicted: dict[str, int]
    forecast: dict[str, Any] | None = None  # party summary of the simulation, when run

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        out: dict[str, Any] = {"label": self.label, "n_steps": self.n_steps, "seats_predicted": self.seats_predicted}
        if self.forecast is not None:
            out["forecast"] = self.forecast
        return out


@dataclass(frozen=True)
class ScenarioRun:
    """A finished scenario run."""

    title: str
    source: str
    base: str
    election: str | None
    model: str
    national: dict[str, float]
    n_sims: int | None
    seed: int | None
    steps: list[dict[str, Any]]
    stages: list[Stage]
    seats: list[dict[str, Any]]
    incumbency: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``steps`` (records), ``stages``, ``seats`` (per focus seat, per stage)."""
        return {"title": self.title, "source": self.source, "base": self.base, "election": self.election,
                "model": self.model, "national": self.national, "n_sims": self.n_sims, "seed": self.seed,
                "steps": self.steps, "stages": [s.to_dict() for s in self.stages], "seats": self.seats,
                "incumbency": self.incumbency, "notes": self.notes}


def resolve_inputs(sc: Scenario) -> tuple[str | None, dict[str, float], str | None]:
    """The forecast election, the national shares (percent) and the ``as_of`` date."""
    election = sc.election or NEXT_ELECTION.get(sc.base)
    national: dict[str, float] = {}
    if sc.polls is not None:
        which = election if sc.polls == "final" else sc.polls
        if which is None:
            raise ScenarioError(f"{sc.path}: polls = \"final\" needs an election after base {sc.base!r}; "
                                "set election = \"geYYYY\" or give a [national] table")
        try:
            national = poll_average(which)
        except SeatcastError as exc:
            raise ScenarioError(f"{sc.path}: polls: {exc}") from None
    national.update({k.lower(): v for k, v in (sc.national or {}).items()})
    as_of = ELECTION_DATES.get(election) if election else None
    return election, national, as_of


def load_transfers(sc: Scenario) -> TransferMatrix | None:
    """The scenario's transfer matrix (a CSV path relative to the file, or an inline table)."""
    if sc.transfers is None:
        return None
    if isinstance(sc.transfers, str):
        p = Path(sc.transfers)
        if not p.is_absolute() and sc.path not in ("<scenario>", ""):
            p = Path(sc.path).parent / p
        try:
            return load_matrix(p)
        except DataError as exc:
            raise ScenarioError(f"{sc.path}: transfers: {exc}") from None
    for frm, row in sc.transfers.items():
        total = sum(row.values())
        if total > 1.0 + 1e-6 or any(not 0.0 <= v <= 1.0 for v in row.values()):
            raise ScenarioError(f"{sc.path}: transfers.{frm}: fractions add up to {total:.3f}; each must be "
                                "0-1 and a row may sum to 1 or less (the rest abstains)")
    return matrix_from_mapping(sc.transfers, source=f"{sc.path}: transfers")


def prepare_scenario(sc: Scenario, store: Any, fits: FitSource | None = None
                     ) -> tuple[ProjectionSetup, list[Step], str | None, dict[str, float]]:
    """Build the setup and bind all steps (everything validated before anything runs).

    ``fits`` supplies fitted models (the API's); by default the store's saved fits.
    """
    election, national, as_of = resolve_inputs(sc)
    try:
        base = store.load(sc.base)
        setup = prepare(base, national, model=sc.model, nations=sc.nations, as_of=as_of, store=store,
                        fits=fits or source(store))
    except SeatcastError as exc:
        raise ScenarioError(f"{sc.path}: {exc}") from None
    transfers = load_transfers(sc)
    steps = build_steps(sc.step, setup, transfers=transfers, source=sc.path)
    return setup, steps, election, national


def _focus(steps: list[Step]) -> list[int]:
    seen: dict[int, None] = {}
    for s in steps:
        for i in getattr(s, "seats", ()):
            seen[int(i)] = None
    return list(seen)[:MAX_FOCUS]


def _counts(winners: np.ndarray) -> dict[str, int]:
    names, counts = np.unique(winners, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    return {str(names[i]): int(counts[i]) for i in order}


def run_scenario(sc: Scenario, store: Any, *, sims: int | None = None, seed: int | None = None,
                 simulate: Callable[..., Any] | None = None) -> ScenarioRun:
    """Run a validated scenario (module docstring). ``sims`` overrides the file's ``sims``."""
    setup, steps, election, national = prepare_scenario(sc, store)
    n_sims = sims if sims is not None else sc.sims
    seed = seed if seed is not None else sc.seed
    if n_sims and seed is None:
        # One recorded seed for every stage: the stages share their draws (so a step's effect is not
        # buried in sampling noise) and the run can be repeated from the printed seed.
        seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    parties = setup.parties
    focus = _focus(steps)
    point: Any = np.asarray(setup.run(), dtype=np.float64)
    stage_shares = [point]
    records = []
    for s in steps:
        point = s.apply(point, None)
        stage_shares.append(point)
        records.append(s.to_dict())
    labels = ["baseline (no steps)"] + [
        f"+ step {n + 1}: {s.kind} ({', '.join(getattr(s, 'names', ())[:2])}"
        f"{'...' if len(getattr(s, 'names', ())) > 2 else ''})" for n, s in enumerate(steps)]
    forecasts: list[Any] = []
    if n_sims:
        if simulate is None:
            from seatcast.simulate import simulate as simulate_fn
            simulate = simulate_fn
        for k in range(len(steps) + 1):
            forecasts.append(simulate(setup, n_sims=n_sims, seed=seed, steps=steps[:k]))
    stages = []
    for k, shares in enumerate(stage_shares):
        fc = forecasts[k].party_summary() if forecasts else None
        stages.append(Stage(labels[k], k, _counts(winners_of(shares, parties)), fc))
    seats = []
    f = setup.frame
    for i in focus:
        per = []
        for k, shares in enumerate(stage_shares):
            row = shares[i]
            rec: dict[str, Any] = {"label": labels[k], "winner": str(winners_of(row[None, :], parties)[0]),
                                   "shares": {p: round(float(row[j]), 4) for j, p in enumerate(parties) if row[j] > 0}}
            if forecasts:
                pw = forecasts[k].p_win[i]
                rec["p_win"] = {p: round(float(pw[j]), 4) for j, p in enumerate(parties) if pw[j] > 0}
            per.append(rec)
        entry: dict[str, Any] = {"seat": f.names[i], "id": f.seat_ids[i], "base_winner": str(setup.base_winners[i]),
                                 "stages": per}
        if forecasts:
            p0, p1 = forecasts[0].p_win[i], forecasts[-1].p_win[i]
            entry["p_win_change"] = {p: round(float(p1[j] - p0[j]), 4) for j, p in enumerate(parties)
                                     if p0[j] > 0 or p1[j] > 0}
        seats.append(entry)
    # The actual result, for comparison only: attached after every number above is computed.
    if election and store.has(election):
        actual = store.load(election)
        for entry in seats:
            if actual.has_seat(entry["id"]):
                c = actual.seat(entry["id"])
                entry["actual_for_comparison_only"] = {
                    "election": election, "winner": c.winner.party_code,
                    "candidates": [{"name": k.name, "party": k.party_code, "votes": k.votes,
                                    "share": round(k.share, 4)} for k in c.candidacies]}
    inc = None
    for s in steps:
        prior = getattr(s, "share", None)
        if prior is not None and hasattr(prior, "to_dict") and hasattr(prior, "median"):
            inc = {"independent_prior": prior.to_dict()}
            break
    return ScenarioRun(
        title=sc.title, source=sc.path, base=sc.base, election=election, model=setup.model.name,
        national={k: round(v, 4) for k, v in national.items()}, n_sims=n_sims, seed=seed, steps=records,
        stages=stages, seats=seats, incumbency=inc, notes=list(setup.notes))


def run_file(path: str | Path, store: Any, *, sims: int | None = None, seed: int | None = None) -> ScenarioRun:
    """Load, validate and run a TOML scenario file."""
    return run_scenario(load_scenario(path), store, sims=sims, seed=seed)
