"""The night's prior: the pre-election projection of every seat, as a :class:`NightPrior`.

Three ways to get one:

* :func:`prior_from_projection`: any :class:`~seatcast.projection.Projection` of the base;
* :func:`replay_prior`: for a replay, the honest pre-election projection of the target election
  from its base, the final polls (GB, and the Scotland-only and Wales-only polls) and the real
  nominations, with the covariate model fitted on elections before the target only (what was
  known before polling day; never the result). ``model="transition"`` gives the previous prior
  (GB final-poll average, transition model), kept for comparison;
* :func:`prior_from_forecast`: the JSON ``seatcast forecast --format json`` writes (keys
  ``seats[{id, name, p_win, shares}]``). Seats it lacks, or a file with no seat shares, fall back
  to a projection from the base (at the forecast's national shares where they can be read,
  otherwise no change from the base); every fallback is listed in :attr:`NightPrior.source`.

:func:`shares_from_candidates` turns a declared seat's candidates into a row of the prior's
party columns, with the same column rule as :class:`~seatcast.data.frame.ShareFrame` (the leading
independent is ``ind``, parties without a column are pooled in ``oth``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from seatcast.backtest.runner import national_inputs, standing_of
from seatcast.data.parties import IND, LINEAGE, OTHER
from seatcast.data.polls import poll_average
from seatcast.data.schema import Election
from seatcast.errors import InputError
from seatcast.fit.registry import source as fit_source
from seatcast.night.features import EXTRA_OWN_GROUPS, EXTRA_OWN_NAMES, incumbency_and_advice, seat_features
from seatcast.night.model import FloatArray, NightPrior
from seatcast.projection import Projection, project


def _turnout(base: Election, seat_ids: Iterable[str]) -> FloatArray:
    out = []
    for sid in seat_ids:
        c = base.seat(sid)
        out.append(c.turnout if c.turnout is not None else np.nan)
    return np.array(out, dtype=float)


def prior_from_projection(proj: Projection, base: Election, *, source: str = "",
                          covariates: bool = True) -> NightPrior:
    """A night prior from a projection of ``base`` (its shares are the prior; its base the base)."""
    f = proj.frame
    shares = np.asarray(proj.shares, dtype=float)
    stands = shares > 0
    features, names = seat_features(f.seat_ids, f.nations, f.regions, proj.parties, f.shares,
                                    _turnout(base, f.seat_ids), covariates=covariates)
    return NightPrior(
        seat_ids=f.seat_ids, names=f.names, regions=f.regions, nations=f.nations, parties=proj.parties,
        base=np.asarray(f.shares, dtype=float), prior=shares, stands=stands, features=features,
        feature_names=names, base_winners=tuple(str(w) for w in proj.setup.base_winners),
        source=source or f"projection of {f.election_id} ({proj.model})",
    )


def replay_prior(target: Election, base: Election, *, model: str = "covariate",
                 covariates: bool = True, store: Any = None,
                 own_groups: tuple[str, ...] = ()) -> NightPrior:
    """The honest pre-election prior of a replay: final polls and nominations only.

    Why the covariate model by default: it is seatcast's best seat model with polls as inputs
    (2024 seat-total error 24 against the transition model's 72-86, see docs/covariate-model.md),
    and it is fitted only on elections before ``target`` (``as_of`` its date), so a replay stays
    honest. ``store`` holds those earlier elections (the default store when None).

    ``own_groups`` (``incumbency``, ``advice``) adds those own-standing columns from the
    target's nominations and the tactical advice published before it; the caller passes the
    groups that earned trust on elections before the target
    (:func:`seatcast.fit.night_tables.groups_for`).
    """
    if model == "covariate":
        national, nations = national_inputs(target, "polls", by_nation=True)
        proj = project(base, national, model=model, nations=nations, standing=standing_of(target),
                       as_of=target.date, store=store, fits=fit_source(store))
        source = f"covariate projection of {base.id} at the {target.id} final GB and nation polls"
    else:
        proj = project(base, poll_average(target.id), model=model, standing=standing_of(target))
        source = f"{model} projection of {base.id} at the {target.id} final polls"
    prior = prior_from_projection(proj, base, source=source, covariates=covariates)
    return with_own_groups(prior, own_groups, str(target.date or ""))


def with_own_groups(prior: NightPrior, groups: tuple[str, ...], held: str) -> NightPrior:
    """``prior`` with the own-standing columns of ``groups`` for the election held on ``held``."""
    unknown = [g for g in groups if g not in EXTRA_OWN_GROUPS]
    if unknown:
        raise InputError(f"unknown night group {unknown[0]!r} (known: {', '.join(EXTRA_OWN_GROUPS)})")
    if not groups or not held:
        return prior
    cols = [j for g in groups for j in EXTRA_OWN_GROUPS[g]]
    extra = incumbency_and_advice(prior.parties, prior.seat_ids, prior.base_winners, held)[:, :, cols]
    note = f"; own-standing groups: {', '.join(groups)}"
    return replace(prior, own_extra=extra, own_extra_names=tuple(EXTRA_OWN_NAMES[j] for j in cols),
                   source=prior.source + note)


def _as_fractions(shares: Mapping[str, Any]) -> dict[str, float]:
    vals = {str(k).strip().lower(): float(v) for k, v in shares.items() if v is not None}
    total = sum(vals.values())
    return {k: v / 100.0 for k, v in vals.items()} if total > 1.5 else vals


def prior_from_forecast(data: Mapping[str, Any], base: Election, *, model: str = "transition",
                        covariates: bool = True) -> NightPrior:
    """A night prior from a forecast JSON (see the module docstring for the fallbacks)."""
    notes: list[str] = []
    seats = data.get("seats") if isinstance(data.get("seats"), list) else []
    by_key: dict[str, dict[str, float]] = {}
    for s in seats or []:
        if isinstance(s, Mapping) and isinstance(s.get("shares"), Mapping) and s["shares"]:
            fr = _as_fractions(s["shares"])
            for key in (s.get("id"), s.get("name")):
                if key:
                    by_key[str(key).strip().lower()] = fr
    national: dict[str, float] = {}
    if by_key:
        totals: dict[str, float] = {}
        weight = 0.0
        for c in base.constituencies:
            got = by_key.get(c.id.lower()) or by_key.get(c.name.lower())
            if got is None:
                continue
            fr = got
            weight += c.valid_votes
            for p, v in fr.items():
                totals[p] = totals.get(p, 0.0) + v * c.valid_votes
        national = {p: 100 * v / weight for p, v in totals.items() if p not in (IND, OTHER) and v > 0}
    elif isinstance(data.get("parties"), Mapping):
        for p, info in data["parties"].items():
            value = info.get("share", info.get("national_share")) if isinstance(info, Mapping) else None
            if isinstance(value, int | float):
                national[str(p).lower()] = float(value)
        if national and sum(national.values()) <= 1.5:
            national = {p: 100 * v for p, v in national.items()}
    if not national:
        notes.append("forecast has no seat or national shares: prior = no change from the base")
    proj = project(base, national or None, model=model)
    prior = prior_from_projection(proj, base, covariates=covariates)
    shares = prior.prior.copy()
    matched = 0
    for i, (sid, name) in enumerate(zip(prior.seat_ids, prior.names, strict=True)):
        found = by_key.get(sid.lower()) or by_key.get(name.lower())
        if found is None:
            continue
        shares[i] = shares_from_mapping(found, prior.parties)
        matched += 1
    if by_key and matched < prior.n_seats:
        notes.append(f"forecast gives shares for {matched} of {prior.n_seats} seats; the rest projected from the base")
    source = "forecast JSON" + (f" ({'; '.join(notes)})" if notes else "")
    stands = prior.stands | (shares > 0)
    return NightPrior(
        seat_ids=prior.seat_ids, names=prior.names, regions=prior.regions, nations=prior.nations,
        parties=prior.parties, base=prior.base, prior=shares, stands=stands, features=prior.features,
        feature_names=prior.feature_names, base_winners=prior.base_winners, source=source,
    )


def read_forecast_prior(path: str | Path, base: Election, *, option: str,
                        other_base: str) -> tuple[NightPrior, bool]:
    """The night prior in a forecast JSON file given as ``option``, checked against ``base``.

    A forecast from another base would match its seats to the wrong map: refused, saying how to
    fix it (``other_base``: how the caller names the option that picks the base). Returns the
    prior and whether the file said which base it was made from.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{option} {path}: cannot read a forecast JSON ({exc})") from None
    data = data if isinstance(data, dict) else {}
    made_for = data.get("base")
    if made_for is not None and str(made_for) != base.id:
        raise InputError(f"{option} {path} is a forecast from base {made_for}, not {base.id}: make one with "
                         f"`seatcast forecast --base {base.id} --format json`, or use {other_base} {made_for}")
    return prior_from_forecast(data, base), made_for is not None


def column_of(code: str, parties: tuple[str, ...]) -> str:
    """The prior column a party code belongs in: itself, its lineage relative, or ``oth``."""
    if code in parties:
        return code
    for old, new in LINEAGE.items():  # ruk declared against a brx column, and the reverse
        if new == code and old in parties:
            return old
        if old == code and new in parties:
            return new
    return OTHER


def shares_from_mapping(shares: Mapping[str, float], parties: tuple[str, ...]) -> FloatArray:
    """A share row over ``parties`` from ``{party: fraction}`` (unknown parties into ``oth``)."""
    row = np.zeros(len(parties))
    for p, v in shares.items():
        row[parties.index(column_of(p, parties))] += max(float(v), 0.0)
    total = row.sum()
    return row / total if total > 0 else row


def shares_from_candidates(cands: Iterable[tuple[str, float]], parties: tuple[str, ...]) -> FloatArray:
    """A share row from ``(party code, votes or share)`` pairs; the leading independent is ``ind``."""
    ranked = sorted(cands, key=lambda c: -c[1])
    row = np.zeros(len(parties))
    seen_ind = False
    for code, v in ranked:
        if code == IND and not seen_ind and IND in parties:
            row[parties.index(IND)] += v
            seen_ind = True
        elif code == IND:
            row[parties.index(OTHER)] += v
        else:
            row[parties.index(column_of(code, parties))] += v
    total = row.sum()
    return row / total if total > 0 else row


def election_actuals(target: Election, prior: NightPrior) -> tuple[FloatArray, list[str]]:
    """The actual shares ``[seats, parties]`` and winners of every seat of the prior in ``target``."""
    actual = np.zeros_like(prior.prior)
    winners: list[str] = []
    for i, sid in enumerate(prior.seat_ids):
        c = target.seat(sid)
        actual[i] = shares_from_candidates(((k.party_code, k.share) for k in c.candidacies), prior.parties)
        winners.append(winner_code(c.winner.party_code, prior.parties))
    return actual, winners


def winner_code(code: str, parties: tuple[str, ...]) -> str:
    """A declared winner's code in the prior's columns (a lineage relative), or its own code."""
    col = column_of(code, parties)
    return col if col != OTHER else code
