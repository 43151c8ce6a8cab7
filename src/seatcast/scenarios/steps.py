"""Scenario steps: functions from seat shares to seat shares, bound to a projection setup.

Every step has ``apply(shares, rng) -> shares`` on arrays ``[..., seats, parties]`` (the
columns of a :class:`~seatcast.projection.ProjectionSetup`), keeps every seat's shares summing
to 1 (what one party loses the others gain; abstention shrinks the seat's total, so the rest
are rescaled), and ``to_dict()`` recording what it did: the seats, its parameters and, after a
deterministic application to a 2-D array, each seat's shares before and after. With
``rng=None`` a step is deterministic (the central value of any distribution); with a generator
it draws one value per simulation (leading axes).

=============  =========================================================================
``candidate``  :class:`CandidateStep`: a new candidate enters, in the ``ind`` column
``withdraw``   :class:`WithdrawStep`: a party stands down; voters move by a transfer matrix
``incumbent``  :class:`IncumbentStep`: a sitting MP stands again, retires or defects
``tactical``   :class:`TacticalStep`: a bloc's trailing voters move to its leader
``set``        :class:`SetStep`: override a seat's shares
=============  =========================================================================

A new candidate takes the seat's ``ind`` column (the leading independent). If the seat already
has an independent, that candidate's share moves to ``oth`` (still counted, but ``oth`` never
wins): the scenario asserts the new candidate is now the seat's leading independent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from seatcast.data.parties import IND, OTHER
from seatcast.errors import ScenarioError, UnknownNameError
from seatcast.scenarios.incumbency import IncumbencyEstimate
from seatcast.scenarios.scenario_file import (
    CandidateSpec,
    Distribution,
    IncumbentSpec,
    SetSpec,
    StepSpec,
    TacticalSpec,
    WithdrawSpec,
    parse_step,
)
from seatcast.scenarios.transfers import TransferMatrix, flows, matrix_for

Array = npt.NDArray[np.floating[Any]]
#: The largest share a drawn new candidate may take.
MAX_SHARE = 0.95


class Step(Protocol):
    """What the simulator needs from a step."""

    kind: str

    def apply(self, shares: Array, rng: np.random.Generator | None) -> Array:
        """New shares, same shape."""
        ...

    def to_dict(self) -> dict[str, Any]:
        """What the step did."""
        ...


class _Base:
    kind = "step"

    def __init__(self, seats: Sequence[int], names: Sequence[str], parties: tuple[str, ...]) -> None:
        self.seats = np.asarray(seats, dtype=np.intp)
        self.names = tuple(names)
        self.parties = parties
        self._last: list[dict[str, Any]] | None = None

    def params(self) -> dict[str, Any]:
        return {}

    def _remember(self, before: Array, after: Array) -> None:
        if before.ndim != 2:
            return
        recs = []
        for i, name in zip(self.seats, self.names, strict=True):
            recs.append({
                "seat": name,
                "from": {p: round(float(before[i, j]), 6) for j, p in enumerate(self.parties) if before[i, j] > 0},
                "to": {p: round(float(after[i, j]), 6) for j, p in enumerate(self.parties) if after[i, j] > 0},
            })
        self._last = recs

    def to_dict(self) -> dict[str, Any]:
        """The kind, seats, parameters and (after a deterministic 2-D run) shares before/after."""
        out: dict[str, Any] = {"kind": self.kind, "seats": list(self.names), **self.params()}
        if self._last is not None:
            out["records"] = self._last
        return out

    def apply(self, shares: Array, rng: np.random.Generator | None) -> Array:
        """Apply to a copy of ``shares`` (``[..., seats, parties]``)."""
        out = np.array(shares, copy=True)
        self._apply(out, rng)
        if rng is None:
            self._remember(np.asarray(shares), out)
        return out

    def _apply(self, out: Array, rng: np.random.Generator | None) -> None:
        raise NotImplementedError


def _spread(out: Array, i: int, amount: Array, exclude: Sequence[int]) -> None:
    """Add ``amount`` (negative: remove) to the columns not excluded, in proportion to them."""
    row = out[..., i, :]
    mask = np.ones(row.shape[-1], dtype=bool)
    mask[list(exclude)] = False
    pool = (row * mask).sum(axis=-1)
    safe = np.where(pool > 0, pool, 1.0)
    factor = 1.0 + amount / safe
    row[..., mask] *= np.maximum(factor, 0.0)[..., None]


class CandidateStep(_Base):
    """A new candidate enters one seat with ``share`` of its vote, taken as ``source`` says.

    ``source`` maps columns to the fraction of the newcomer's votes they supply; ``other`` the
    fraction taken from the unnamed columns in proportion; ``abstain`` the fraction from
    people who would not otherwise vote (every existing share shrinks). A column asked for more
    than it has gives what it has and the shortfall comes from the rest in proportion.
    With ``incumbent``, the MP's former party first loses the retirement effect.
    """

    kind = "candidate"

    def __init__(self, seat: int, name: str, parties: tuple[str, ...], *, candidate: str, label: str,
                 share: float | Distribution | Any, source: Mapping[int, float], other: float, abstain: float,
                 former: int | None = None, retire: float = 0.0, retire_se: float = 0.0) -> None:
        super().__init__([seat], [name], parties)
        self.candidate, self.label = candidate, label
        self.share, self.source, self.other, self.abstain = share, dict(source), other, abstain
        self.former, self.retire, self.retire_se = former, retire, retire_se

    def central(self) -> float:
        """The share used without an rng."""
        if isinstance(self.share, float | int):
            return float(self.share)
        if isinstance(self.share, Distribution):
            return float(self.share.mean)
        return float(self.share.median)  # an IndependentPrior

    def draw(self, rng: np.random.Generator | None, shape: tuple[int, ...]) -> Array:
        """Shares of the newcomer, one per simulation."""
        if rng is None or isinstance(self.share, float | int):
            return np.full(shape, min(self.central(), MAX_SHARE))
        if isinstance(self.share, Distribution):
            return np.clip(rng.normal(self.share.mean, self.share.sd, size=shape), 0.0, MAX_SHARE)
        return np.asarray(self.share.sample(rng, shape))

    def params(self) -> dict[str, Any]:
        """Parameters for the record."""
        share: Any = self.share if isinstance(self.share, float | int) else (
            self.share.model_dump() if isinstance(self.share, Distribution) else {"prior": self.share.to_dict()})
        if isinstance(share, dict) and "prior" in share:
            share = {"prior": {k: v for k, v in share["prior"].items() if k != "cases"}}
        return {"name": self.candidate, "label": self.label, "share": share, "central_share": round(self.central(), 4),
                "from": {self.parties[j]: v for j, v in self.source.items()} | {"other": self.other,
                                                                                 "abstain": self.abstain},
                "former_party": self.parties[self.former] if self.former is not None else None,
                "retire_effect": round(self.retire, 4) if self.former is not None else None}

    def _apply(self, out: Array, rng: np.random.Generator | None) -> None:
        i = int(self.seats[0])
        lead = out.shape[:-2]
        ind, oth = self.parties.index(IND), self.parties.index(OTHER)
        row = out[..., i, :]
        if self.former is not None and self.retire != 0.0:
            eff = self.retire if rng is None else rng.normal(self.retire, self.retire_se, size=lead)
            loss = np.clip(-np.asarray(eff, dtype=out.dtype), 0.0, row[..., self.former])  # retire < 0: a loss
            row[..., self.former] -= loss
            _spread(out, i, loss, [self.former])
        row[..., oth] += row[..., ind]
        row[..., ind] = 0.0
        x = self.draw(rng, lead).astype(out.dtype)
        row *= (1.0 - x * self.abstain)[..., None]
        demand = np.zeros_like(row)
        named = np.zeros(row.shape[-1], dtype=bool)
        for j, f in self.source.items():
            demand[..., j] = x * f
            named[j] = True
        named[ind] = True
        rest = (row * ~named).sum(axis=-1)
        safe = np.where(rest > 0, rest, 1.0)
        demand += (x * self.other)[..., None] * np.where(~named, row, 0.0) / safe[..., None]
        take = np.minimum(demand, row)
        short = (demand - take).sum(axis=-1)
        row -= take
        left = row.sum(axis=-1)
        row *= np.clip(1.0 - short / np.where(left > 0, left, 1.0), 0.0, 1.0)[..., None]
        row[..., ind] = 0.0
        row[..., ind] = 1.0 - row.sum(axis=-1)


class WithdrawStep(_Base):
    """A party stands down in some seats; its share moves by the transfer matrix, the rest abstains.

    The effective fractions of each seat (which parties stand there) are computed from the mean
    shares over the simulations and recorded in ``fractions``. In a seat where nobody else
    stands, the votes go to ``oth`` (an unnamed candidate) so the seat still has a total.
    """

    kind = "withdraw"

    def __init__(self, party: int, seats: Sequence[int], names: Sequence[str], parties: tuple[str, ...],
                 matrix: TransferMatrix) -> None:
        super().__init__(seats, names, parties)
        self.party, self.matrix = party, matrix
        self.fractions: dict[str, dict[str, float]] = {}

    def params(self) -> dict[str, Any]:
        """Parameters for the record, with the effective fractions per seat."""
        return {"party": self.parties[self.party], "transfers": self.matrix.source,
                "fractions": {seat: {q: round(v, 6) for q, v in f.items()} for seat, f in self.fractions.items()}}

    def seat_fractions(self, row: Array) -> npt.NDArray[np.float64]:
        """Effective fraction to each column for one seat's (mean) shares."""
        p = self.parties[self.party]
        stand = [q for j, q in enumerate(self.parties) if j != self.party and row[j] > 0]
        weights = {q: float(row[self.parties.index(q)]) for q in stand}
        out = np.zeros(len(self.parties))
        if not stand:  # nobody else stands: the votes stay with an unnamed candidate (oth)
            out[self.parties.index(OTHER)] = 1.0
            return out
        f = flows(self.matrix.row(p), stand, weights, other_codes=[OTHER, IND])
        for q, v in f.items():
            out[self.parties.index(q)] = v
        return out

    def _apply(self, out: Array, rng: np.random.Generator | None) -> None:
        mean = out.reshape(-1, *out.shape[-2:]).mean(axis=0)
        for i, name in zip(self.seats, self.names, strict=True):
            t = self.seat_fractions(mean[i]).astype(out.dtype)
            self.fractions[name] = {self.parties[j]: float(v) for j, v in enumerate(t) if v > 0}
            row = out[..., i, :]
            x = row[..., self.party].copy()
            row += x[..., None] * t
            row[..., self.party] = 0.0
            total = row.sum(axis=-1)
            row /= np.where(total > 0, total, 1.0)[..., None]


class IncumbentStep(_Base):
    """A sitting MP stands again (``stand``), retires (``retire``) or defects (``defect``).

    ``stand`` adds the estimated personal vote to the party; ``retire`` removes the retirement
    effect; ``defect`` removes it from the old party and, with ``to``, gives it to the new one.
    Gains come from (losses go to) the other columns in proportion. Effects are draws from a
    normal with the estimate's standard error when an rng is given.
    """

    kind = "incumbent"

    def __init__(self, seat: int, name: str, parties: tuple[str, ...], *, action: str, party: int,
                 effect: float, se: float, to: int | None = None) -> None:
        super().__init__([seat], [name], parties)
        self.action, self.party, self.effect, self.se, self.to = action, party, effect, se, to

    def params(self) -> dict[str, Any]:
        """Parameters for the record."""
        return {"action": self.action, "party": self.parties[self.party], "effect": round(self.effect, 4),
                "se": round(self.se, 4), "to": self.parties[self.to] if self.to is not None else None}

    def _apply(self, out: Array, rng: np.random.Generator | None) -> None:
        i = int(self.seats[0])
        lead = out.shape[:-2]
        eff = np.full(lead, self.effect) if rng is None else rng.normal(self.effect, self.se, size=lead)
        row = out[..., i, :]
        has = row[..., self.party]
        gain = np.clip(eff.astype(out.dtype), -has, 1.0 - has)
        gain = np.where(has > 0, gain, 0.0)
        if self.to is not None:
            moved = -np.minimum(gain, 0.0)
            row[..., self.party] -= moved
            row[..., self.to] += moved
            return
        rest = 1.0 - has
        gain = np.minimum(gain, rest)
        row[..., self.party] += gain
        _spread(out, i, -gain, [self.party])


class TacticalStep(_Base):
    """In each seat, ``fraction`` of each trailing bloc party's voters move to the bloc's leader."""

    kind = "tactical"

    def __init__(self, bloc: Sequence[int], fraction: float, seats: Sequence[int], names: Sequence[str],
                 parties: tuple[str, ...]) -> None:
        super().__init__(seats, names, parties)
        self.bloc = np.asarray(bloc, dtype=np.intp)
        self.fraction = fraction

    def params(self) -> dict[str, Any]:
        """Parameters for the record."""
        return {"bloc": [self.parties[j] for j in self.bloc], "fraction": self.fraction}

    def _apply(self, out: Array, rng: np.random.Generator | None) -> None:
        sub = out[..., self.seats, :][..., self.bloc]  # [..., k, b]
        lead = sub.argmax(axis=-1)
        moved = sub * self.fraction
        leader = np.zeros(sub.shape, dtype=bool)
        np.put_along_axis(leader, lead[..., None], True, axis=-1)
        moved = np.where(leader, 0.0, moved)
        sub = sub - moved
        sub_total = moved.sum(axis=-1)
        sub = sub + np.where(leader, sub_total[..., None], 0.0)
        block = out[..., self.seats, :]
        block[..., self.bloc] = sub
        out[..., self.seats, :] = block


class SetStep(_Base):
    """Set some parties' shares in one seat; the others share the remainder in proportion."""

    kind = "set"

    def __init__(self, seat: int, name: str, parties: tuple[str, ...], values: Mapping[int, float]) -> None:
        super().__init__([seat], [name], parties)
        self.values = dict(values)

    def params(self) -> dict[str, Any]:
        """Parameters for the record."""
        return {"shares": {self.parties[j]: v for j, v in self.values.items()}}

    def _apply(self, out: Array, rng: np.random.Generator | None) -> None:
        i = int(self.seats[0])
        row = out[..., i, :]
        given = np.zeros(row.shape[-1], dtype=bool)
        for j, v in self.values.items():
            row[..., j] = v
            given[j] = True
        remainder = 1.0 - sum(self.values.values())
        pool = (row * ~given).sum(axis=-1)
        scale = np.where(pool > 0, remainder / np.where(pool > 0, pool, 1.0), 0.0)
        row[..., ~given] *= scale[..., None]
        empty = pool <= 0
        if np.any(empty) and remainder > 0:
            oth = self.parties.index(OTHER)
            if given[oth]:
                row[..., next(j for j in range(len(self.parties)) if not given[j])] += np.where(empty, remainder, 0)
            else:
                row[..., oth] += np.where(empty, remainder, 0.0)


# ---- building steps from dicts --------------------------------------------------------------

class _Resolver:
    def __init__(self, setup: Any, where: str) -> None:
        self.setup = setup
        self.where = where
        f = setup.frame
        self.index: dict[str, int] = {}
        for i, (sid, name) in enumerate(zip(f.seat_ids, f.names, strict=True)):
            self.index[sid.lower()] = i
            self.index.setdefault(name.lower(), i)

    def fail(self, key: str, msg: str) -> ScenarioError:
        return ScenarioError(f"{self.where}.{key}: {msg}")

    def seat(self, key: str, value: str) -> int:
        i = self.index.get(value.strip().lower())
        if i is None:
            raise self.fail(key, str(UnknownNameError("seat", value, self.setup.frame.names)))
        return i

    def party(self, key: str, value: str) -> int:
        code = value.strip().lower()
        if code == "other":
            code = OTHER
        if code not in self.setup.parties:
            err = UnknownNameError("party", value, self.setup.parties)
            # Without a close match the error already lists every column; do not list them twice.
            cols = f" (columns of this projection: {', '.join(self.setup.parties)})" if err.suggestions else ""
            raise self.fail(key, str(err) + cols)
        return int(self.setup.parties.index(code))

    def seats(self, key: str, value: str | list[str]) -> list[int]:
        f = self.setup.frame
        if isinstance(value, list):
            return [self.seat(key, v) for v in value]
        v = value.strip()
        sel, _, arg = v.partition(":")
        sel = sel.lower()
        if v.lower() == "all":
            return [i for i in range(f.n_seats) if self.setup.modelled[i]]
        if sel == "held_by" and arg:
            p = self.setup.parties[self.party(key, arg)]
            return [i for i in range(f.n_seats) if str(self.setup.base_winners[i]) == p]
        if sel in ("region", "nation") and arg:
            pool = f.regions if sel == "region" else f.nations
            hits = [i for i in range(f.n_seats) if pool[i].lower() == arg.strip().lower()]
            if not hits:
                raise self.fail(key, str(UnknownNameError(sel, arg, sorted(set(pool)))))
            return hits
        return [self.seat(key, v)]


def build_step(spec: StepSpec | Mapping[str, Any], setup: Any, *, transfers: TransferMatrix | None = None,
               incumbency: IncumbencyEstimate | None = None, where: str = "step") -> Step:
    """One step bound to ``setup`` (seat names and party codes resolved to indices)."""
    if not isinstance(spec, CandidateSpec | WithdrawSpec | IncumbentSpec | TacticalSpec | SetSpec):
        spec = parse_step(spec, where=where)
    r = _Resolver(setup, where)
    parties: tuple[str, ...] = setup.parties
    names = setup.frame.names
    if isinstance(spec, CandidateSpec):
        i = r.seat("seat", spec.seat)
        former = None
        if spec.party is not None:
            former = r.party("party", spec.party)
        elif spec.incumbent:
            former = parties.index(str(setup.base_winners[i]))
        share: Any = spec.share
        if spec.share == "prior":
            if incumbency is None:
                raise r.fail("share", "share = \"prior\" needs the incumbency estimates (a store)")
            share = incumbency.independent
        src = dict(spec.source) if spec.source is not None else (
            {parties[former]: 0.6, "other": 0.4} if former is not None else {"other": 1.0})
        other = float(src.pop("other", 0.0)) + float(src.pop(OTHER, 0.0))
        abstain = float(src.pop("abstain", 0.0))
        cols: dict[int, float] = {}
        for k, v in src.items():
            j = r.party(f"from.{k}", k)
            if parties[j] == IND:
                raise r.fail(f"from.{k}", "a new candidate cannot take votes from the ind column it enters")
            cols[j] = cols.get(j, 0.0) + float(v)
        total = sum(cols.values()) + other + abstain
        if total > 1.0 + 1e-6:
            raise r.fail("from", f"fractions add up to {total:.3f}, more than 1")
        abstain += max(0.0, 1.0 - total)
        est = incumbency
        return CandidateStep(i, names[i], parties, candidate=spec.name, label=spec.label, share=share, source=cols,
                             other=other, abstain=abstain, former=former if spec.incumbent else None,
                             retire=est.retire if (est is not None and spec.incumbent) else 0.0,
                             retire_se=est.retire_se if (est is not None and spec.incumbent) else 0.0)
    if isinstance(spec, WithdrawSpec):
        j = r.party("party", spec.party)
        idx = r.seats("seats", spec.seats)
        # as in split and systems: the UK matrix where its parties hold the base's votes (mean seat
        # shares: the 80% test does not need vote weights), else the neutral proportional rule
        matrix = transfers or matrix_for(dict(zip(parties, np.asarray(setup.frame.shares).mean(axis=0).tolist(),
                                                  strict=True)))
        return WithdrawStep(j, idx, [names[i] for i in idx], parties, matrix)
    if isinstance(spec, IncumbentSpec):
        i = r.seat("seat", spec.seat)
        j = r.party("party", spec.party) if spec.party else parties.index(str(setup.base_winners[i]))
        if incumbency is None:
            raise r.fail("action", "incumbent steps need the incumbency estimates (a store)")
        to = r.party("to", spec.to) if spec.to else None
        if spec.action == "stand":
            eff, se = incumbency.stand, incumbency.stand_se
        else:
            eff, se = incumbency.retire, incumbency.retire_se
        return IncumbentStep(i, names[i], parties, action=spec.action, party=j, effect=eff, se=se, to=to)
    if isinstance(spec, TacticalSpec):
        bloc = [r.party(f"bloc[{n + 1}]", p) for n, p in enumerate(spec.bloc)]
        idx = r.seats("seats", spec.seats)
        return TacticalStep(bloc, spec.fraction, idx, [names[i] for i in idx], parties)
    i = r.seat("seat", spec.seat)
    vals = {r.party(f"shares.{k}", k): float(v) for k, v in spec.shares.items()}
    return SetStep(i, names[i], parties, vals)


def build_steps(step_dicts: Iterable[StepSpec | Mapping[str, Any]], setup: Any, *,
                transfers: TransferMatrix | None = None, incumbency: IncumbencyEstimate | None = None,
                source: str = "steps") -> list[Step]:
    """Bind every step to ``setup``; all are checked before any is returned (no partial result).

    ``incumbency`` defaults to the estimates from the store in ``setup.context`` (elections
    before ``as_of``) when a step needs them.
    """
    specs = [s if not isinstance(s, Mapping) else parse_step(s, where=f"{source}: step[{n + 1}]")
             for n, s in enumerate(step_dicts)]
    needs = any(isinstance(s, IncumbentSpec) or (isinstance(s, CandidateSpec) and (s.share == "prior" or s.incumbent))
                for s in specs)
    if incumbency is None and needs:
        incumbency = default_incumbency(setup)
    return [build_step(s, setup, transfers=transfers, incumbency=incumbency, where=f"{source}: step[{n + 1}]")
            for n, s in enumerate(specs)]


def default_incumbency(setup: Any) -> IncumbencyEstimate | None:
    """Estimates from the setup's store, using elections before its ``as_of`` date only."""
    from seatcast.scenarios.incumbency import estimate_incumbency

    ctx = getattr(setup, "context", {}) or {}
    store = ctx.get("store")
    if store is None:
        from seatcast.data.store import Store

        store = Store()
    return estimate_incumbency(store, before=ctx.get("as_of"))


def apply_steps(shares: Array, steps: Sequence[Step], rng: np.random.Generator | None = None) -> Array:
    """Apply ``steps`` in order."""
    for s in steps:
        shares = s.apply(shares, rng)
    return shares
