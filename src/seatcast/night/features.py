"""Seat features for the election-night model: base shares, nation and region, covariates.

The night model explains how the declared seats depart from the pre-election prior by what is
known of every seat beforehand. The features here are that knowledge, one row per seat:

* the base shares of the parties with at least :data:`MIN_BASE_SHARE` of the vote (a party that
  falls loses most where it was strong, or least: the data decide);
* the seat's turnout at the base election;
* a dummy per nation and English region (Scotland, Wales and Northern Ireland swing apart);
* the bundled covariates (``covariates/SOURCE.md``): the 2016 Leave share and census shares of
  graduates, over-65s, White British residents and Muslims. The boundary set is chosen by the
  seat ids; missing cells (Northern Ireland, parts of Scotland) take the mean of the seat's
  nation, or of all seats.

Every column is standardised (mean 0, standard deviation 1 over the seats), so one prior scale
fits them all. Reading uses the standard library only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt

from seatcast.data.bundled import open_text

FloatArray = npt.NDArray[np.float64]

#: A party's base share (over all seats) from which its base share is a feature.
MIN_BASE_SHARE = 0.02

#: Covariate columns used, by file.
LEAVE_COLUMNS = ("leave_share",)
DEMOGRAPHIC_COLUMNS = ("share_level4plus_qual", "share_age_65plus", "share_white_british", "share_muslim")

_FILES = {
    "2010": ("covariates/eu_ref_leave_2016_by_constituency_2010boundaries.csv.gz",
             "covariates/demographics_2010boundaries.csv.gz"),
    "2024": ("covariates/eu_ref_leave_2016_by_constituency_2024boundaries.csv.gz",
             "covariates/demographics_2024boundaries.csv.gz"),
}


@cache
def _read(relative: str) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(open_text(relative)))
    return {r["ons_id"]: r for r in rows}


def covariate_matrix(seat_ids: Sequence[str]) -> tuple[FloatArray, tuple[str, ...]]:
    """Raw covariates ``[seats, k]`` (NaN where missing) for the boundary set the ids belong to."""
    ids = list(seat_ids)
    best: tuple[int, str] = (-1, "2010")
    for key, (leave, _) in _FILES.items():
        hits = sum(1 for s in ids if s in _read(leave))
        best = max(best, (hits, key))
    leave_file, demo_file = _FILES[best[1]]
    names = (*LEAVE_COLUMNS, *DEMOGRAPHIC_COLUMNS)
    out = np.full((len(ids), len(names)), np.nan)
    for col, (file, column) in enumerate(
        [(leave_file, c) for c in LEAVE_COLUMNS] + [(demo_file, c) for c in DEMOGRAPHIC_COLUMNS]
    ):
        table = _read(file)
        for i, sid in enumerate(ids):
            text = table.get(sid, {}).get(column, "")
            if text:
                out[i, col] = float(text)
    return out, names


def impute(values: FloatArray, groups: Sequence[str]) -> FloatArray:
    """Fill NaN cells with the mean of the seat's group, else of all seats, else 0."""
    out = values.copy()
    garr = np.asarray(groups)
    for j in range(out.shape[1]):
        col = out[:, j]
        overall = float(np.nanmean(col)) if np.isfinite(col).any() else 0.0
        for g in np.unique(garr):
            sel = garr == g
            known = col[sel][np.isfinite(col[sel])]
            fill = float(known.mean()) if known.size else overall
            col[sel & ~np.isfinite(col)] = fill
    return out


def standardise(values: FloatArray) -> FloatArray:
    """Columns scaled to mean 0 and standard deviation 1 (a constant column becomes 0)."""
    mean = values.mean(axis=0)
    sd = values.std(axis=0)
    return np.asarray(np.divide(values - mean, sd, out=np.zeros_like(values), where=sd > 1e-12), dtype=float)


def seat_features(
    seat_ids: Sequence[str],
    nations: Sequence[str],
    regions: Sequence[str],
    parties: Sequence[str],
    base: FloatArray,
    turnout: FloatArray,
    *,
    covariates: bool = True,
) -> tuple[FloatArray, tuple[str, ...]]:
    """Standardised features ``[seats, k]`` and their names (see the module docstring)."""
    cols: list[FloatArray] = []
    names: list[str] = []
    mean_share = base.mean(axis=0)
    for j, p in enumerate(parties):
        if p not in ("oth", "ind", "spk") and mean_share[j] >= MIN_BASE_SHARE:
            cols.append(base[:, j])
            names.append(f"base_{p}")
    cols.append(np.where(np.isfinite(turnout), turnout, np.nanmean(turnout) if np.isfinite(turnout).any() else 0))
    names.append("turnout")
    places = [n if n != "England" else r for n, r in zip(nations, regions, strict=True)]
    levels = sorted(set(places))
    for level in levels[1:]:  # the first level is the reference
        cols.append(np.array([1.0 if p == level else 0.0 for p in places]))
        names.append(f"in_{level}")
    if covariates:
        raw, cnames = covariate_matrix(seat_ids)
        if np.isfinite(raw).any():
            filled = impute(raw, nations)
            for j, c in enumerate(cnames):
                cols.append(filled[:, j])
                names.append(c)
    matrix = np.column_stack(cols) if cols else np.zeros((len(seat_ids), 0))
    return np.asarray(standardise(matrix), dtype=float), tuple(names)


#: Names of the :func:`incumbency_and_advice` columns, in order.
EXTRA_OWN_NAMES = ("own MP stands again", "own seat open", "own tactical advice")
#: Which :data:`EXTRA_OWN_NAMES` columns belong to each group (the night model's own-standing extras).
EXTRA_OWN_GROUPS: dict[str, tuple[int, ...]] = {"incumbency": (0, 1), "advice": (2,)}


def incumbency_and_advice(parties: Sequence[str], seat_ids: Sequence[str], base_winners: Sequence[str],
                          date: str) -> FloatArray:
    """Each party's incumbency and tactical-advice columns ``[parties, seats, 3]``.

    Its sitting MP stands again (the seat's base winner is the party and its candidate is the
    sitting MP); its seat is open (the party won it at the base and its MP does not stand); the
    share of the anti-Conservative tactical-voting sites recommending it. All public before
    polling day: the nominations and the advice published up to ``date`` (zeros where none is
    bundled, so a live night without them loses nothing). Pooled and personal columns (``oth``,
    ``ind``, ``spk``) get none.
    """
    from seatcast.models.covariate.features import bundled_nominations, tactical_advice

    noms = bundled_nominations(date)
    advice = tactical_advice(date)
    out = np.zeros((len(parties), len(seat_ids), len(EXTRA_OWN_NAMES)))
    for p, code in enumerate(parties):
        if code in ("oth", "ind", "spk"):
            continue
        for i, sid in enumerate(seat_ids):
            if base_winners[i] == code:
                mine = [mp for party, _, mp in noms.get(sid, ()) if party == code]
                again = bool(mine) and mine[0]
                out[p, i, 0] = float(again)
                out[p, i, 1] = float(not again)
            out[p, i, 2] = advice.get(sid, {}).get(code, 0.0)
    return out
