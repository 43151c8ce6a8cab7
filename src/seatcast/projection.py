"""From a base election and national shares to projected shares in every seat.

This is the layer between the labelled data and the pure model kernels. It decides

* which seats are modelled and which are held at the base result (Northern Ireland, whose
  party system is separate, unless NI shares are given; the Speaker's seat);
* the swing groups (the nations of the modelled seats) and each group's target: GB shares are
  spread over the nations by the model's conversion rule (additive or ratio; a party that stands
  in one nation only, such as the SNP, has its GB change scaled up to that nation), and shares
  given for a nation override that nation, the rest of GB taking up the difference;
* which parties stand where. By default a party stands where it stood at the base, and a party
  given at least twice its base share (GB-wide, or in a nation given shares of its own) also
  stands in the other seats there
  (a party that grows expands its slate, as Reform UK did in 2024). The leading independent
  (``ind``) is the exception: without nominations it stands again only where an independent won
  at the base (see :func:`_independents_standing`). A backtest passes the target election's real
  nominations instead (public before polling day);
* a base share for a party standing where it did not stand before: half its mean share in the
  seats of the same nation where it stood (or of all seats; or half its target share for a
  brand-new party), taken from the others in proportion. A party that no longer stands has its
  base votes shared among the others in proportion;
* lineage: a successor party given in the input (``brx``, ``ruk``) inherits its predecessor's
  base votes (``ukip``) when the base predates it.

Shares in the public API are percentages, as polls publish them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from seatcast.data.frame import ShareFrame, seat_counts, winners_of
from seatcast.data.parties import IND, NAMES, OTHER, REGIONAL, SEPARATE_NATIONS, SPEAKER, successors
from seatcast.data.schema import Election
from seatcast.errors import InputError, UnknownNameError
from seatcast.models import FitSource, SwingModel, get_model
from seatcast.models.context import Kernel, SwingContext

Shares = Mapping[str, float]
FloatArray = npt.NDArray[np.float64]

#: A party given at least this multiple of its base share in a nation stands in all its seats.
EXPAND_RATIO = 2.0
#: A standing newcomer's base share, as a fraction of its mean share where it stood.
FILL_FRACTION = 0.5
#: The model used when none is named: resolved per base by :func:`resolve_model`.
DEFAULT_MODEL = "auto"
#: Shares may add up to this much over 100% (published polls are rounded); they are then scaled.
SUM_TOLERANCE = 0.02
#: Shares adding up to this many percent or less were almost surely typed as fractions (0.34 for
#: 34%): the projection would read them as a near-empty vote and hand the rest to the others.
FRACTION_TOTAL = 1.5


class NotBound(Exception):
    """``prepare(..., bind=False)``: the model is not yet bound to these seats (binding takes a fifth of a second)."""


def resolve_model(name: str, base: Election) -> str:
    """The model that ``name`` stands for (``auto`` is resolved per base).

    ``auto`` is the covariate model on a bundled UK base, since it won the backtests
    (docs/covariate-model.md), and the transition model elsewhere: an imported election has no
    covariates to fit on.
    """
    if name.strip().lower() != DEFAULT_MODEL:
        return name
    from seatcast.data.bundled import BUNDLED
    from seatcast.models import MODELS

    if "covariate" in MODELS and base.id in {b.id for b in BUNDLED} and base.kind != "imported":
        return "covariate"
    return "transition"


def parse_shares(shares: Shares, *, where: str = "national shares") -> dict[str, float]:
    """Validate percentages and return fractions keyed by lower-case party code."""
    out: dict[str, float] = {}
    for party, pct in shares.items():
        code = party.strip().lower()
        value = float(pct)
        if not np.isfinite(value) or value < 0 or value > 100:
            raise InputError(f"{where}: share for {code!r} is {value}, outside 0-100 (percent)")
        out[code] = value / 100.0
    total = sum(out.values())
    if 0.0 < total <= FRACTION_TOTAL / 100.0:
        first = max(out, key=lambda q: out[q])
        raise InputError(f"{where}: shares look like fractions (they add up to {total * 100:.4g}): give "
                         f"percentages, e.g. {first}={out[first] * 1e4:.4g}")
    if total > 1.0 + SUM_TOLERANCE:
        raise InputError(f"{where}: shares add up to {total * 100:.1f}%, more than 100%")
    if total > 1.0:  # rounding in published polls: scale down to exactly 100%
        out = {p: v / total for p, v in out.items()}
    return out


def complete_target(given: Mapping[str, float], base: FloatArray, parties: tuple[str, ...]) -> FloatArray:
    """A full target vector: given parties as given, the rest share the remainder as at the base."""
    target = np.zeros(len(parties))
    for p, v in given.items():
        target[parties.index(p)] = v
    free = np.array([p not in given for p in parties])
    remainder = max(0.0, 1.0 - sum(given.values()))
    pool = base[free].sum()
    if pool > 0:
        target[free] = base[free] / pool * remainder
    elif remainder > 0 and OTHER in parties and OTHER not in given:
        target[parties.index(OTHER)] = remainder
    total = target.sum()
    return target / total if total > 0 else target


@dataclass(frozen=True, eq=False)
class ProjectionSetup:
    """Everything fixed before a swing is applied: reusable for many targets (the simulator)."""

    frame: ShareFrame  # base, columns aligned to ``parties``, non-standing parties removed
    model: SwingModel
    modelled: npt.NDArray[np.bool_]
    groups: tuple[str, ...]
    ctx: SwingContext
    target: FloatArray  # [groups, parties]
    national_target: FloatArray  # [parties], over the modelled seats
    base_winners: npt.NDArray[np.str_]
    notes: tuple[str, ...] = field(default=())
    #: The kernel actually applied: the model's own, or the one its factory built for these seats.
    kernel: Kernel | None = None
    #: What a seat-aware model may need: ``base`` (the Election), ``as_of`` (ISO date: use only
    #: elections before it), ``store`` (where earlier elections live), ``standing``, ``fits``
    #: (where fitted models come from: the simulator reads its error model there).
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def parties(self) -> tuple[str, ...]:
        """Party codes of the columns."""
        return self.frame.parties

    def __getstate__(self) -> dict[str, Any]:
        """What a worker process needs: the bound kernel, not the store or the model's factory.

        The store holds an SQLite connection and a factory may be a closure; neither pickles,
        and once the kernel is built a worker never needs them.
        """
        state = dict(self.__dict__)
        state["model"] = replace(self.model, factory=None)
        state["context"] = {k: v for k, v in self.context.items() if k in ("as_of", "standing")}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled setup (frozen dataclass: set fields directly)."""
        self.__dict__.update(state)

    def run(self, target: npt.NDArray[np.floating] | None = None, *,
            compiled: bool = False) -> npt.NDArray[np.floating]:
        """Seat shares ``[..., seats, parties]`` for group targets ``[..., groups, parties]``.

        With ``compiled``, one target ``[groups, parties]`` is projected by the kernel's compiled
        point path (its ``compiled_point`` method: the covariate kernel has one) when numba is
        installed: the same numbers to about 1e-12, in a few hundredths of the time. The web
        server asks for it; the command line does not (importing numba would slow every run).
        Otherwise, and whenever the kernel declines, the kernel itself runs.
        """
        t = self.target if target is None else target
        kernel = self.kernel or self.model.kernel
        modelled = None
        point = getattr(kernel, "compiled_point", None) if compiled and t.ndim == 2 else None
        if point is not None and _has_numba():
            modelled = point(self.ctx, t)
        if modelled is None:
            modelled = kernel(self.ctx, t)
        lead = modelled.shape[:-2]
        out = self.frame.shares.astype(modelled.dtype)  # a copy
        if lead:
            out = np.broadcast_to(out, (*lead, *out.shape)).copy()
        out[..., self.modelled, :] = modelled
        return out


@dataclass(frozen=True, eq=False)
class Projection:
    """Projected shares and winners of every seat, with what was done to get them."""

    setup: ProjectionSetup
    shares: FloatArray

    @property
    def frame(self) -> ShareFrame:
        """The base frame (seat labels, base shares)."""
        return self.setup.frame

    @property
    def parties(self) -> tuple[str, ...]:
        """Party codes of the columns."""
        return self.setup.parties

    @property
    def model(self) -> str:
        """Model name."""
        return self.setup.model.name

    @cached_property
    def winners(self) -> npt.NDArray[np.str_]:
        """Projected winning party per seat."""
        return winners_of(self.shares, self.parties)

    @cached_property
    def seats_predicted(self) -> dict[str, int]:
        """Seats per party, most first."""
        return seat_counts(self.winners)

    def changes(self) -> list[dict[str, Any]]:
        """Seats whose projected winner differs from the base winner."""
        f = self.frame
        return [
            {"id": f.seat_ids[i], "name": f.names[i], "from": str(self.setup.base_winners[i]),
             "to": str(self.winners[i])}
            for i in np.flatnonzero(self.winners != self.setup.base_winners)
        ]

    def seat_index(self, key: str) -> int:
        """Row of a seat given by id or name (case-insensitive)."""
        k = key.strip().lower()
        for i, (sid, name) in enumerate(zip(self.frame.seat_ids, self.frame.names, strict=True)):
            if k in (sid.lower(), name.lower()):
                return i
        raise UnknownNameError("seat", key, self.frame.names)

    def seat_shares(self, key: str) -> dict[str, float]:
        """Projected shares of one seat, largest first (parties with a share only)."""
        row = self.shares[self.seat_index(key)]
        order = np.argsort(-row, kind="stable")
        return {self.parties[j]: float(row[j]) for j in order if row[j] > 0}

    def seat_records(self) -> list[dict[str, Any]]:
        """One record per seat: ``id``, ``name``, ``region``, ``winner``, ``shares``."""
        f = self.frame
        out = []
        for i in range(f.n_seats):
            row = self.shares[i]
            out.append({
                "id": f.seat_ids[i], "name": f.names[i], "region": f.regions[i], "nation": f.nations[i],
                "winner": str(self.winners[i]), "base_winner": str(self.setup.base_winners[i]),
                "shares": {p: round(float(row[j]), 6) for j, p in enumerate(self.parties) if row[j] > 0},
            })
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (keys: ``base``, ``model``, ``seats_predicted``, ``seats``...)."""
        return {
            "base": self.frame.election_id,
            "model": self.model,
            "national_target": {p: round(float(v), 6) for p, v in zip(self.parties, self.setup.national_target,
                                                                         strict=True) if v > 0},
            "seats_predicted": self.seats_predicted,
            "changes": self.changes(),
            "notes": list(self.setup.notes),
            "seats": self.seat_records(),
        }

    def to_frame(self) -> Any:
        """A pandas DataFrame: one row per seat, a share column per party, and the winner."""
        import pandas as pd

        f = self.frame
        df = pd.DataFrame(self.shares, columns=list(self.parties))
        df.insert(0, "winner", self.winners)
        df.insert(0, "nation", f.nations)
        df.insert(0, "region", f.regions)
        df.insert(0, "name", f.names)
        df.insert(0, "id", f.seat_ids)
        return df


@dataclass(frozen=True, eq=False)
class _Structure:
    """What a projection fixes before any share value is read: seats, columns, groups, base.

    It depends only on the base, the parties (and nations) named and the nominations, so it is
    cached on the base election and reused while a slider moves.
    """

    frame: ShareFrame
    col: dict[str, int]
    base_winners: npt.NDArray[np.str_]
    modelled: npt.NDArray[np.bool_]
    groups: tuple[str, ...]
    group: npt.NDArray[np.intp]
    weights: FloatArray
    raw: FloatArray
    raw_nat: FloatArray
    raw_gb: FloatArray
    held_weight: float
    held_votes: FloatArray | None
    regional: dict[str, str]
    stands: npt.NDArray[np.bool_]
    notes: tuple[str, ...]
    absent: tuple[int, ...]  # columns of parties with no votes anywhere at the base (brand-new)
    prepared: dict[bytes, _Prepared] = field(default_factory=dict)
    kernels: dict[tuple[Any, ...], Kernel] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class _Prepared:
    """A prepared base of a structure (who stands where, newcomers' shares) and what follows from it alone.

    Kept with the structure, keyed by the seats that growing parties add, so a slider move
    that keeps them (nearly every move) reuses the frame and the GB base shares as they are.
    """

    ctx: SwingContext
    note: str | None
    frame: ShareFrame  # the structure's frame with the prepared shares in the modelled seats
    gb: FloatArray  # [parties] vote-weighted prepared shares over the modelled seats


#: How many structures (and prepared bases per structure) an election keeps.
_CACHE_SIZE = 32
#: Guards the caches' eviction and insertion (the web server prepares from several threads).
_CACHE_LOCK = threading.Lock()
#: Serialises binding a model to a prepared base (see :func:`prepare`).
_BIND_LOCK = threading.Lock()


def _remember(cache: dict[Any, Any], key: Any, value: Any, *, kind: str | None = None) -> None:
    """Insert into a bounded cache, evicting the oldest entry (of ``kind``, when given) if full."""
    with _CACHE_LOCK:
        keys = [k for k in cache if kind is None or (isinstance(k, tuple) and k[0] == kind)]
        if len(keys) >= _CACHE_SIZE:
            cache.pop(keys[0], None)
        cache[key] = value


def _structure(base: Election, frame: ShareFrame | None, named: set[str], requested: set[str],
               nation_names: frozenset[str], standing: Mapping[str, Iterable[str]] | None) -> _Structure:
    """Build (or fetch from the base's cache) the value-independent part of a projection."""
    key = ("structure", id(frame), frozenset(named), frozenset(requested), nation_names)
    cache = base.derived if standing is None else {}
    hit = cache.get(key)
    if hit is not None and hit[0] is frame:  # the frame itself is kept, so its id is never reused
        got: _Structure = hit[1]
        return got
    source = frame
    if frame is None:
        frame = base.derived.get("frame")
        if frame is None:
            frame = base.derived["frame"] = ShareFrame.from_election(base)
    notes: list[str] = []
    # Lineage: a successor named in the input (or standing) inherits its predecessor's votes.
    rename: dict[str, str] = {}
    for p in frame.parties:
        for succ in successors(p):
            if succ in named and succ not in frame.parties and succ not in rename.values():
                rename[p] = succ
                notes.append(f"lineage: base votes of {p} go to {succ}")
                break
    if rename:
        frame = frame.renamed(rename)
    known = set(frame.parties) | set(NAMES)
    for p in named:
        if p not in known and standing is None:
            raise UnknownNameError("party", p, sorted(known))
    extra = tuple(p for p in sorted(requested) if p not in frame.parties)
    core = tuple(p for p in frame.parties if p not in (IND, OTHER))
    parties = (*core, *extra, IND, OTHER)
    frame = frame.with_parties(parties)
    col = {p: j for j, p in enumerate(parties)}
    base_shares = frame.shares

    # Which seats are modelled.
    nation_arr = np.array(frame.nations)
    held = np.isin(nation_arr, [n for n in SEPARATE_NATIONS if n not in nation_names])
    spk_stands = base_shares[:, col[SPEAKER]] > 0 if SPEAKER in col else np.zeros(frame.n_seats, bool)
    if standing is not None:
        spk_stands &= np.array([SPEAKER in set(standing.get(s, ())) for s in frame.seat_ids])
    held |= spk_stands
    if held.any():
        notes.append(f"held at the base result: {int(held.sum())} seats")
    modelled = ~held
    names_m, first, group = np.unique(nation_arr[modelled], return_index=True, return_inverse=True)
    order = np.argsort(first)  # groups in first-seen order, as the seats list them
    groups = tuple(str(g) for g in names_m[order])
    group = np.argsort(order)[group].astype(np.intp)
    weights = frame.weights[modelled]
    raw = base_shares[modelled]
    membership = np.zeros((len(groups), len(group)))
    membership[group, np.arange(len(group))] = weights
    raw_nat = (membership @ raw) / np.maximum(membership.sum(axis=1), 1e-12)[:, None]
    # GB shares cover held GB seats too (the Speaker's): their votes come out of the target.
    held_gb = held & ~np.isin(nation_arr, list(SEPARATE_NATIONS))
    w_held = frame.weights[held_gb]

    base_winners = frame.winners()
    if standing is not None:
        ids = np.array(frame.seat_ids)[modelled]
        stands = np.zeros_like(raw, dtype=bool)
        for i, sid in enumerate(ids):
            for p in standing.get(sid, ()):
                stands[i, col[p if p in col else OTHER]] = True
        stands[:, col[OTHER]] |= raw[:, col[OTHER]] > 0
    else:
        stands = raw > 0
        if IND not in requested:
            stands[:, col[IND]] = _independents_standing(raw[:, col[IND]], base_winners[modelled])
            dropped = int(((raw[:, col[IND]] > 0) & ~stands[:, col[IND]]).sum())
            if dropped:
                notes.append(f"independents not assumed to stand again (no nominations): {dropped} seats")
    out = _Structure(
        frame=frame, col=col, base_winners=base_winners, modelled=modelled, groups=groups, group=group,
        weights=weights, raw=raw, raw_nat=raw_nat, raw_gb=weights @ raw / weights.sum(),
        held_weight=float(w_held.sum()), held_votes=(w_held @ base_shares[held_gb]) if held_gb.any() else None,
        regional=_regional_groups(raw, group, parties, groups), stands=stands, notes=tuple(notes),
        absent=tuple(int(j) for j in np.flatnonzero(~raw.any(axis=0))),
    )
    if standing is None:
        _remember(cache, key, (source, out), kind="structure")
    return out


def prepare(
    base: Election,
    national: Shares | None = None,
    *,
    model: str | SwingModel = DEFAULT_MODEL,
    nations: Mapping[str, Shares] | None = None,
    standing: Mapping[str, Iterable[str]] | None = None,
    frame: ShareFrame | None = None,
    as_of: str | date | None = None,
    store: Any = None,
    fits: FitSource | None = None,
    bind: bool = True,
) -> ProjectionSetup:
    """Set a projection up; ``national``/``nations`` are percentages (see the module docstring).

    ``fits`` supplies the fitted parameters of a model that needs them (the covariate model):
    the API passes one that loads the stored fit (:func:`seatcast.fit.registry.source`).
    Without ``bind``, a model with a factory whose kernel is not yet bound to these seats (and
    cached) raises :class:`NotBound` instead of binding it: the web server prepares slider
    requests on its event loop that way, and sends the few that must bind to a thread.
    """
    if isinstance(as_of, date):  # an Election's date: the context keeps ISO text
        as_of = as_of.isoformat()
    swing = model if isinstance(model, SwingModel) else get_model(resolve_model(model, base))
    given = parse_shares(national or {})
    given_nations = {
        _nation_name(n, base): parse_shares(s, where=f"{n} shares") for n, s in (nations or {}).items()
    }
    requested = set(given) | {p for s in given_nations.values() for p in s}
    named = set(requested)
    if standing is not None:
        named |= {p for ps in standing.values() for p in ps}
    st = _structure(base, frame, named, requested, frozenset(given_nations), standing)
    parties = st.frame.parties
    col = st.col
    if given and st.held_votes is not None:
        w_mod = st.weights.sum()
        given = {p: max(0.0, (v * (w_mod + st.held_weight) - st.held_votes[col[p]]) / w_mod)
                 for p, v in given.items()}
    prelim_target = complete_target(given, st.raw_gb, parties) if given else st.raw_gb

    # Who stands where: the base (or the nominations), and growing parties everywhere they can.
    expand = np.zeros((len(st.groups), len(parties)), dtype=bool)
    if standing is None:
        for g, name in enumerate(st.groups):
            tgt_g = given_nations.get(name, {})
            for p in requested:
                j = col[p]
                if p in (IND, OTHER, SPEAKER) or st.regional.get(p, name) != name:
                    continue
                if p in tgt_g:  # a share given for this nation: compare with the nation's base
                    want, had = tgt_g[p], st.raw_nat[g, j]
                elif p in given:  # a GB share: compare with the GB base
                    want, had = prelim_target[j], st.raw_gb[j]
                else:
                    continue
                expand[g, j] = want > 0 and want >= EXPAND_RATIO * had
    # The prepared base depends on who stands and, for a brand-new party, on its target share.
    # Keyed by the seats the expansion adds, not by which parties were flagged: a party flagged
    # where it already stands everywhere (the SNP in Scotland) changes nothing, and keying on the
    # flag would bind the model again (a fifth of a second) for the same prepared base.
    new_parties = tuple(float(prelim_target[j]) for j in st.absent)
    added = expand[st.group] & ~st.stands
    pkey = np.packbits(added).tobytes() + np.asarray(new_parties).tobytes()
    if pkey not in st.prepared:
        stands = st.stands | added
        stands[:, col[OTHER]] |= ~stands.any(axis=1)
        prepared = _prepare_base(st.raw, stands, st.group, st.weights, prelim_target, parties)
        n_new = int(((st.raw == 0) & stands).sum())
        full = st.frame.shares.copy()
        full[st.modelled] = prepared
        _remember(st.prepared, pkey, _Prepared(
            ctx=SwingContext(base=prepared, group=st.group, weights=st.weights, stands=stands,
                             n_groups=len(st.groups)),
            note=f"newcomers given a base share in {n_new} seat-party pairs" if n_new else None,
            frame=replace(st.frame, shares=full), gb=st.weights @ prepared / st.weights.sum()))
    pre = st.prepared[pkey]
    ctx = pre.ctx
    notes = (*st.notes, pre.note) if pre.note else st.notes
    # Parties nobody named share the remainder as they stand now, not as they stood at the base.
    national_target = complete_target(given, pre.gb, parties) if given else pre.gb.copy()
    target = _group_targets(ctx, swing.conversion, national_target if given else None, given_nations, st.groups,
                            parties, st.regional)
    # A bound kernel is looked up before the setup is made: a slider move finds it (one setup, not two).
    fitted, bound = None, None
    kkey: tuple[Any, ...] = ()
    if swing.factory is not None:
        if swing.fitted_kind is not None:
            if fits is None:
                raise InputError(f"the {swing.name} model needs fitted parameters: call it through seatcast.api "
                                 "(or pass fits=seatcast.fit.registry.source(store))")
            fitted = fits(swing.fitted_kind, date.fromisoformat(as_of) if as_of else None, dict(swing.fit_options))
        kkey = (swing.name, swing.factory, pkey, as_of, id(store), fitted.id if fitted is not None else None)
        bound = st.kernels.get(kkey) if standing is None else None
    setup = ProjectionSetup(
        frame=pre.frame, model=swing, modelled=st.modelled, groups=st.groups, ctx=ctx,
        target=target, national_target=national_target, base_winners=st.base_winners, notes=notes,
        kernel=bound if bound is not None else swing.kernel,
        context={"base": base, "as_of": as_of, "store": store, "standing": standing, "fits": fits},
    )
    if swing.factory is not None and bound is None:
        if not bind:
            raise NotBound(f"{swing.name} is not bound to these seats yet")
        if standing is None:
            # One thread binds, the others wait for its kernel: under load, many requests miss
            # the same key at once, and binding it once each would only fight over the GIL.
            with _BIND_LOCK:
                bound = st.kernels.get(kkey)
                if bound is None:
                    bound = swing.factory(setup, fitted)
                    _remember(st.kernels, kkey, bound)
        else:
            bound = swing.factory(setup, fitted)
        setup = replace(setup, kernel=bound)
    return setup


def project(
    base: Election,
    national: Shares | None = None,
    *,
    model: str | SwingModel = DEFAULT_MODEL,
    nations: Mapping[str, Shares] | None = None,
    standing: Mapping[str, Iterable[str]] | None = None,
    as_of: str | date | None = None,
    store: Any = None,
    fits: FitSource | None = None,
) -> Projection:
    """Project every seat from national (and optionally nation) shares in percent.

    ``as_of`` (an ISO date) and ``store`` matter only to models fitted on past elections: they
    may use only elections held before ``as_of``.
    """
    setup = prepare(base, national, model=model, nations=nations, standing=standing, as_of=as_of, store=store,
                    fits=fits)
    return Projection(setup=setup, shares=np.asarray(setup.run(), dtype=np.float64))


# ---- helpers ---------------------------------------------------------------------------

@cache
def _has_numba() -> bool:
    """Whether numba can be imported (looked up once: the compiled point path needs it)."""
    from seatcast.extras import has_module

    return has_module("numba")


def _nation_name(name: str, base: Election) -> str:
    for n in base.nations:
        if n.lower() == name.strip().lower():
            return n
    regions = {c.region for c in base.constituencies}
    for r in regions:
        if r.lower() == name.strip().lower():
            return r
    raise UnknownNameError("nation", name, base.nations)


def _independents_standing(ind_base: FloatArray, winners: npt.NDArray[np.str_]) -> npt.NDArray[np.bool_]:
    """Where the leading independent stands again when no nominations are given: where one won.

    An independent's vote is personal (Dominic Grieve's 30.9% in Beaconsfield in 2019 was his,
    not a bloc that votes for whoever is labelled ``ind`` next time), and without nominations we
    cannot know that the same candidate stands again; carried forward, such a vote wins phantom
    seats. A sitting independent MP is the one case where standing again is the norm, so ``ind``
    keeps its base share only in the seats an independent won. Elsewhere it is treated exactly
    as any party that does not stand: :func:`_prepare_base` shares its base votes among the
    others in proportion. The Speaker's seat is held at the base result and never reaches this.
    It depends only on the base frame, so structures cached on the base stay correct. Naming
    ``ind`` in the shares keeps it standing where it stood (those shares need seats to land in);
    given nominations decide instead.
    """
    out: npt.NDArray[np.bool_] = (ind_base > 0) & (winners == IND)
    return out


def _regional_groups(raw: FloatArray, group: npt.NDArray[np.intp], parties: tuple[str, ...],
                     groups: tuple[str, ...]) -> dict[str, str]:
    """Parties that stand in a single nation: the REGIONAL list, and any whose votes all lie in one group."""
    out = {p: n for p, n in REGIONAL.items() if p in parties}
    if len(groups) > 1:
        onehot = np.zeros((len(groups), len(group)))
        onehot[group, np.arange(len(group))] = 1.0
        present = (onehot @ (raw > 0)) > 0  # [groups, parties]: stood somewhere in the group
        for j in np.flatnonzero(present.sum(axis=0) == 1):
            p = parties[j]
            if p not in (IND, OTHER, SPEAKER) and p not in out:
                out[p] = groups[int(np.argmax(present[:, j]))]
    return out


def _prepare_base(raw: FloatArray, stands: npt.NDArray[np.bool_], group: npt.NDArray[np.intp],
                  weights: FloatArray, national_target: FloatArray, parties: tuple[str, ...]) -> FloatArray:
    """Remove non-standing parties and give standing newcomers a base share (module docstring)."""
    base = np.where(stands, raw, 0.0)
    need = stands & (raw == 0)
    if need.any():
        had = raw > 0
        w = weights[:, None]
        for j in np.flatnonzero(need.any(axis=0)):
            if parties[j] in (IND, OTHER):
                continue
            overall = (raw[:, j] * weights)[had[:, j]].sum() / max(weights[had[:, j]].sum(), 1e-12)
            for g in np.unique(group[need[:, j]]):
                in_g = (group == g) & had[:, j]
                if in_g.any():
                    mean = float((raw[in_g, j] * w[in_g, 0]).sum() / w[in_g, 0].sum())
                elif had[:, j].any():
                    mean = float(overall)
                else:
                    mean = float(national_target[j]) or 0.01
                rows = need[:, j] & (group == g)
                base[rows, j] = FILL_FRACTION * mean
    total = base.sum(axis=1, keepdims=True)
    out: FloatArray = np.divide(base, total, out=raw.copy(), where=total > 0)
    return out


def _group_targets(ctx: SwingContext, conversion: str, gb_target: FloatArray | None,
                   given_nations: Mapping[str, Mapping[str, float]], groups: tuple[str, ...],
                   parties: tuple[str, ...], regional: Mapping[str, str]) -> FloatArray:
    """Targets per group: given nations as given, the rest from the GB target by the conversion rule."""
    base_nat = ctx.base_national
    gw = ctx.group_weight
    target = base_nat.copy()
    given_idx = [i for i, g in enumerate(groups) if g in given_nations]
    for i in given_idx:
        target[i] = complete_target(given_nations[groups[i]], base_nat[i], parties)
    rest = np.array([i for i in range(len(groups)) if i not in given_idx], dtype=np.intp)
    if gb_target is None or rest.size == 0:
        return target
    w_rest = gw[rest].sum()
    rest_target = gb_target * gw.sum() - (target[given_idx] * gw[given_idx, None]).sum(axis=0)
    rest_target = np.maximum(rest_target / w_rest, 0)
    rest_target /= rest_target.sum()
    rest_base = (base_nat[rest] * gw[rest, None]).sum(axis=0) / w_rest
    for i in rest:
        if conversion == "ratio":
            ratio = np.divide(rest_target, rest_base, out=np.ones_like(rest_target), where=rest_base > 0)
            t = base_nat[i] * ratio
            new = (rest_base == 0) & (rest_target > 0)
            t[new] = rest_target[new]
        else:
            delta = rest_target - rest_base
            for p, g in regional.items():
                j = parties.index(p)
                delta[j] = delta[j] * w_rest / gw[i] if g == groups[i] else 0.0
            t = base_nat[i] + delta
        t = np.maximum(t, 0)
        target[i] = t / t.sum()
    return target
