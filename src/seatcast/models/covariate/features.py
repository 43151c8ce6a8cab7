"""Seat features for the covariate model: what is known about a seat before an election.

Every feature is one of two kinds, so that a kernel stays linear in the national change and
broadcasts over simulations:

* a *driver* feature ``z_i * D_gq``: a seat property ``z_i`` times the national (group) change
  ``D_gq`` of a driver party ``q`` (the party itself, the Conservatives, or the populist right).
  Its coefficient says "for every point party *q* moves nationally, this seat moves ``beta * z``
  more", which generalises across elections of different size;
* a *constant* feature ``c_ip`` (in share points): incumbency and tactical advice.

Groups (each one can be switched off for the ablation table):

=============  ==========================================================================
``position``   proportional part ``(s_ip / S_gp - 1) D_gp``; winner x own change; runner-up
               to the Conservatives x the Conservative change; ``freed``: the votes the
               falling parties free in the seat beyond their group average,
               ``sum_p (s_ip / S_gp - 1) min(D_gp, 0)`` over the other modelled parties
               (a rising party gains most where the falling ones were strong)
``brexit``     2016 Leave share x own change, x populist-right change
``predecessor``  strength of the populist right at its earlier peak (UKIP 2015; UKIP 2010
               before 2015) x populist-right change
``demography`` census degree share, aged 65+, White British, Muslim share x own change
``incumbency`` MP standing again, MP retiring, a sitting MP standing for another party
``tactical``   share of anti-Conservative tactical sites recommending the party (or another)
``byelections``  each party's by-election performance against its national polling in the
               parliament before the election (:mod:`seatcast.fit.byelections`), as constant
               terms where the party held the seat at the base and where it is the
               best-placed challenger to a Conservative seat; and in a seat that held a
               by-election, the party's performance there and whether it won it
``realign``    (opt-in) constant trends in share points: 2016 Leave share and full-time
               students; the Brexit-era realignment (Labour losing ground in Leave seats and
               gaining in student seats) showed in every pair from 2010->2015 on, whatever
               Labour's national change, so it is a constant, not a driver feature
=============  ==========================================================================

Three structural mechanisms sit beside the regression (see :mod:`.kernel` and :mod:`.fit`):
``falling`` (a falling party loses in proportion to its strength), ``squeeze`` (tactical
advice moves a fraction of the other anti-Conservative votes to the recommended party) and
``right_base`` (when its party at the base stood in few seats, the populist right's base moves
to its predecessor's geography, UKIP 2015, as it grows: :func:`right_base`).

The populist right (UKIP, Brexit Party, Reform UK) is one *role* ``right``; the party of that
lineage with the most votes in an election plays it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# The bundled readers live in seatcast.data (one place each); re-exported here for the features' callers.
from seatcast.data.covariates import DEMOGRAPHY as DEMOGRAPHY
from seatcast.data.covariates import REALIGN as REALIGN
from seatcast.data.covariates import bundled_table
from seatcast.data.covariates import covariates as covariates
from seatcast.data.nominations import bundled_nominations as bundled_nominations
from seatcast.data.schema import Election
from seatcast.data.tactical import TACTICAL_SITES as TACTICAL_SITES
from seatcast.data.tactical import UNIONIST_SITES as UNIONIST_SITES
from seatcast.data.tactical import tactical_advice as tactical_advice

FloatArray = npt.NDArray[np.float64]

#: Modelled roles; every other column (independents, minor parties) follows uniform swing.
ROLES: tuple[str, ...] = ("con", "lab", "ld", "green", "right", "snp", "pc")
RIGHT_CODES: tuple[str, ...] = ("ukip", "brx", "ruk")
ANTI_CON: frozenset[str] = frozenset({"lab", "ld", "green", "snp", "pc"})
#: Regression groups (ridge features) and structural mechanisms (``falling``, ``squeeze``,
#: ``right_base``); the ablation table drops one at a time.
#: ``realign`` is opt-in (not in :data:`GROUPS`): time-series CV lets it in for 2019 and 2024 and
#: it lowers the share error there, but it does not gain seats (docs/covariate-model.md, miss analysis).
FEATURE_GROUPS: tuple[str, ...] = ("position", "brexit", "predecessor", "demography", "incumbency", "tactical",
                                   "realign", "byelections")
OPTIONAL_GROUPS: tuple[str, ...] = ("realign",)
MECHANISMS: tuple[str, ...] = ("falling", "squeeze", "right_base", "byelection_squeeze")
GROUPS: tuple[str, ...] = (*(g for g in FEATURE_GROUPS if g not in OPTIONAL_GROUPS), *MECHANISMS)
#: Anti-Conservative parties a tactical squeeze moves votes between.
SQUEEZE_PARTIES: tuple[str, ...] = ("lab", "ld", "green", "snp", "pc")
#: The populist right's base moves to its predecessor's geography when its party at the base
#: stood in fewer than this fraction of the modelled seats (the Brexit Party in 2019).
RIGHT_BASE_MIN_COVERAGE = 0.8
UNIONIST_PARTIES: tuple[str, ...] = ("con", "lab", "ld")
@dataclass(frozen=True)
class Feature:
    """One column of the design: its name, group and driver (``None`` for a constant)."""

    name: str
    group: str
    driver: str | None  # "own", "con", "right", "freed" or None


FEATURES: tuple[Feature, ...] = (
    Feature("prop", "position", "own"),
    Feature("won", "position", "own"),
    Feature("second_to_con", "position", "con"),
    Feature("leave_own", "brexit", "own"),
    Feature("leave_right", "brexit", "right"),
    Feature("right_strength", "predecessor", "right"),
    *(Feature(d.removeprefix("share_"), "demography", "own") for d in DEMOGRAPHY),
    Feature("mp_again", "incumbency", None),
    Feature("mp_retires", "incumbency", None),
    Feature("mp_other", "incumbency", None),
    Feature("tactical_own", "tactical", None),
    Feature("tactical_other", "tactical", None),
    Feature("freed", "position", "freed"),
    Feature("leave_trend", "realign", None),
    *(Feature(d.removeprefix("share_") + "_trend", "realign", None) for d in REALIGN),
    Feature("by_over_held", "byelections", None),
    Feature("by_over_challenger", "byelections", None),
    Feature("by_seat_over", "byelections", None),
    Feature("by_seat_won", "byelections", None),
)
FREED = next(k for k, f in enumerate(FEATURES) if f.name == "freed")
REALIGN_AT = next(k for k, f in enumerate(FEATURES) if f.name == "leave_trend")
BY_OVER_AT = next(k for k, f in enumerate(FEATURES) if f.name == "by_over_held")


def role_of(code: str, right: str | None) -> str | None:
    """The modelled role of a party column (``None``: follows uniform swing)."""
    if code in RIGHT_CODES:
        return "right" if code == right else None
    return code if code in ROLES else None


def right_party(codes: Sequence[str], national: FloatArray) -> str | None:
    """The populist-right party with the most votes among ``codes``."""
    best, share = None, 0.0
    for j, c in enumerate(codes):
        if c in RIGHT_CODES and national[j] > share:
            best, share = c, float(national[j])
    return best


# ---- seat covariates (read by seatcast.data.covariates) ---------------------------------------

def _seat_columns(seat_ids: Sequence[str], boundaries: str, cols: Sequence[str]) -> FloatArray:
    """``[seats, len(cols)]`` covariate columns per seat; seats without data get the column mean."""
    df = covariates(boundaries)
    # One reindex rather than a lookup per seat (650 .loc calls took seconds on every bind).
    out = df[list(cols)].reindex(list(seat_ids)).to_numpy(float)
    ok = ~np.isnan(out)
    mean = np.where(ok, out, 0).sum(axis=0) / np.maximum(ok.sum(axis=0), 1)
    return np.where(ok, out, mean)


def seat_covariates(seat_ids: Sequence[str], boundaries: str) -> FloatArray:
    """``[seats, 1 + len(DEMOGRAPHY)]`` Leave share and demography; seats without data get the mean."""
    return _seat_columns(seat_ids, boundaries, ["leave_share", *DEMOGRAPHY])


def seat_realign(seat_ids: Sequence[str], boundaries: str) -> FloatArray:
    """``[seats, 1 + len(REALIGN)]`` Leave share and the :data:`REALIGN` census shares (mean-filled)."""
    return _seat_columns(seat_ids, boundaries, ["leave_share", *REALIGN])


def boundaries_of(election: Election) -> str:
    """``2024`` or ``2010``: the boundary set an election's seat ids belong to."""
    if election.boundaries in ("2010", "2024"):
        return election.boundaries
    ids = {c.id for c in election.constituencies}
    n24 = len(ids & set(covariates("2024").index))
    n10 = len(ids & set(covariates("2010").index))
    return "2024" if n24 > n10 else "2010"


# ---- populist-right strength at its earlier peak ---------------------------------------------

def right_shares(election: Election) -> dict[str, float]:
    """Each seat's share of the populist-right family (UKIP, Brexit Party, Reform UK)."""
    return {c.id: sum(k.share for k in c.candidacies if k.party_code in RIGHT_CODES)
            for c in election.constituencies}


def right_strength(seat_ids: Sequence[str], boundaries: str, earlier: Sequence[Election]) -> FloatArray:
    """Relative populist-right strength ``share_i / mean - 1`` at its peak among ``earlier``.

    The peak is the earlier election where the family polled best nationally (UKIP in 2015 for
    every later election, UKIP in 2010 for 2015). Its seats may lie on other boundaries: a seat
    of the same name takes its value; the others get a least-squares prediction from the Leave
    share and demography, fitted on the peak election's seats.
    """
    if not earlier:
        return np.zeros(len(seat_ids))
    peak = max(earlier, key=lambda e: _national_right(e))
    shares = right_shares(peak)
    peak_b = boundaries_of(peak)
    ids = list(shares)
    if peak_b == boundaries and all(s in shares for s in seat_ids):
        values = np.array([shares[s] for s in seat_ids])
    else:
        x_old = seat_covariates(ids, peak_b)
        y_old = np.array([shares[s] for s in ids])
        xa = np.column_stack([np.ones(len(ids)), x_old])
        beta = np.linalg.lstsq(xa, y_old, rcond=None)[0]
        x_new = np.column_stack([np.ones(len(seat_ids)), seat_covariates(seat_ids, boundaries)])
        values = x_new @ beta
        by_name = {_norm(c.name): shares[c.id] for c in peak.constituencies}
        names = _names(seat_ids, boundaries)
        for i, n in enumerate(names):
            if n in by_name:
                values[i] = by_name[n]
    mean = float(np.mean(values)) or 1.0
    return np.asarray(values / mean - 1.0)


def _national_right(e: Election) -> float:
    votes = sum(c.valid_votes for c in e.constituencies) or 1
    return sum(v * c.valid_votes for c, v in zip(e.constituencies, right_shares(e).values(), strict=True)) / votes


def _norm(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _names(seat_ids: Sequence[str], boundaries: str) -> list[str]:
    b = "2024" if boundaries == "2024" else "2010"
    df = bundled_table(f"covariates/eu_ref_leave_2016_by_constituency_{b}boundaries.csv.gz").set_index("ons_id")
    return [_norm(str(df.loc[s, "constituency_name"])) if s in df.index else "" for s in seat_ids]


# ---- nominations and tactical advice (public before polling day) ----------------------------

Nominations = Mapping[str, Sequence[tuple[str, str, bool]]]  # seat -> (party, candidate, sitting MP)


def nominations_of(election: Election) -> dict[str, list[tuple[str, str, bool]]]:
    """Who stood where, and whether they were the sitting MP, from an election's candidacies."""
    return {c.id: [(k.party_code, k.name, bool(k.sitting_mp)) for k in c.candidacies]
            for c in election.constituencies}


# ---- the design of one seat set -------------------------------------------------------------

@dataclass(frozen=True)
class SeatDesign:
    """Features of the seats of one projection: per role, ``z [seats, features]``.

    ``z[role][:, k]`` multiplies the change of feature *k*'s driver (or is a constant).
    """

    roles: tuple[str | None, ...]  # per party column
    z: Mapping[str, FloatArray]


def build_design(
    *,
    seat_ids: Sequence[str],
    boundaries: str,
    parties: Sequence[str],
    base: FloatArray,
    base_nat: FloatArray,
    group: npt.NDArray[np.intp],
    right: str | None,
    earlier: Sequence[Election],
    nominations: Nominations,
    base_mps: Mapping[str, str],
    tactical: Mapping[str, Mapping[str, float]],
    by_over: Mapping[str, float] | None = None,
    by_seat: Sequence[tuple[Mapping[str, float], str | None] | None] | None = None,
) -> SeatDesign:
    """Compute every feature of :data:`FEATURES` for each role (see the module docstring).

    ``base`` is ``[seats, parties]``, ``base_nat`` ``[groups, parties]``; ``base_mps`` maps a
    seat to the party that won it at the base (its sitting MP's party); ``by_over`` maps a role
    to its by-election performance against the polls in the parliament before the election,
    ``by_seat`` gives per seat (or ``None``) its own by-election's performance per role and winner.
    """
    n = len(seat_ids)
    cov = seat_covariates(seat_ids, boundaries)
    cov = cov - cov.mean(axis=0)
    trend = seat_realign(seat_ids, boundaries)
    trend = trend - trend.mean(axis=0)
    rstr = right_strength(seat_ids, boundaries, earlier)
    roles = tuple(role_of(p, right) for p in parties)
    order = np.argsort(-base, axis=1)
    first = np.asarray(parties, dtype=object)[order[:, 0]]
    second = np.asarray(parties, dtype=object)[order[:, 1]]
    z: dict[str, FloatArray] = {}
    for j, role in enumerate(roles):
        if role is None:
            continue
        code = parties[j]
        nat = base_nat[group, j]
        m = np.zeros((n, len(FEATURES)))
        m[:, 0] = np.divide(base[:, j], nat, out=np.ones(n), where=nat > 0) - 1.0
        m[:, 1] = (first == code).astype(float)
        m[:, 2] = ((second == code) & (first == "con")).astype(float) if role in ANTI_CON else 0.0
        m[:, 3] = cov[:, 0]
        m[:, 4] = cov[:, 0]
        m[:, 5] = rstr
        m[:, 6:6 + len(DEMOGRAPHY)] = cov[:, 1:]
        k = 6 + len(DEMOGRAPHY)
        for i, sid in enumerate(seat_ids):
            noms = nominations.get(sid, ())
            held = base_mps.get(sid) == code
            mine = [s for p, _, s in noms if _same(p, code, role)]
            if held and mine:
                m[i, k] = 1.0 if mine[0] else 0.0
                m[i, k + 1] = 0.0 if mine[0] else 1.0
            elif not held and any(mine):
                m[i, k + 2] = 1.0
            advice = tactical.get(sid, {})
            own = advice.get(role, 0.0)
            m[i, k + 3] = own
            m[i, k + 4] = sum(advice.values()) - own if role in ANTI_CON or role == "con" else 0.0
        m[:, REALIGN_AT:REALIGN_AT + trend.shape[1]] = trend
        over = (by_over or {}).get(role, 0.0)
        if over:
            m[:, BY_OVER_AT] = over * (first == code)
            if role in ANTI_CON:
                m[:, BY_OVER_AT + 1] = over * _challenger(base, parties, first, j)
        for i, seat in enumerate(by_seat or ()):
            if seat is not None:
                m[i, BY_OVER_AT + 2] = seat[0].get(role, 0.0)
                m[i, BY_OVER_AT + 3] = float(seat[1] == role)
        m[:, FREED] = 1.0  # ``freed``: its value is sum_p r_ip min(D_gp, 0) over the other roles
        z[role] = m
    return SeatDesign(roles=roles, z=z)


def _challenger(base: FloatArray, parties: Sequence[str], first: npt.NDArray[np.object_], j: int) -> FloatArray:
    """1 where the Conservatives won at the base and party ``j`` is the best-placed anti-Conservative party."""
    anti = [k for k, c in enumerate(parties) if c in SQUEEZE_PARTIES]
    if j not in anti:
        return np.zeros(len(base))
    best = np.asarray(anti)[np.argmax(base[:, anti], axis=1)]
    out: FloatArray = ((first == "con") & (best == j)).astype(float)
    return out


def _same(nominated: str, code: str, role: str) -> bool:
    return nominated == code or (role == "right" and nominated in RIGHT_CODES)


def base_mps_of(base: Election) -> dict[str, str]:
    """Seat -> the party that won it at ``base`` (its MP's party)."""
    return {c.id: c.winner.party_code for c in base.constituencies}


def feature_mask(groups: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Which columns of :data:`FEATURES` belong to the enabled ``groups``."""
    return np.array([f.group in groups for f in FEATURES])


# ---- structural mechanisms: where advice points, and the populist right's base ---------------

def squeeze_targets(seat_ids: Sequence[str], parties: Sequence[str], base: FloatArray,
                    advice: Mapping[str, Mapping[str, float]], pool: Sequence[str] = SQUEEZE_PARTIES,
                    proxy: bool = True) -> tuple[FloatArray, FloatArray, bool]:
    """Recipient one-hot and donor weights ``[seats, parties]`` for the tactical squeeze.

    With published ``advice``, the recipient is the anti-Conservative party most sites name and
    ``a_i`` the fraction of sites naming it. Without (no advice bundled for the election), a
    *proxy*: where the Conservatives are first or second at the base, the best-placed
    anti-Conservative party, with ``a_i = 1`` (what the sites themselves compute). The flag says
    whether published advice was used. ``pool`` is the set of parties votes move between
    (the unionists for pro-Union advice, with ``proxy=False``).
    """
    n, p = len(seat_ids), len(parties)
    recipient = np.zeros((n, p))
    donor = np.zeros((n, p))
    anti = [j for j, c in enumerate(parties) if c in pool]
    if not anti or not (advice or proxy):
        return recipient, donor, bool(advice)
    con = parties.index("con") if "con" in parties else None
    for i, sid in enumerate(seat_ids):
        if advice:
            rec = {c: a for c, a in advice.get(sid, {}).items() if c in pool and c in parties}
            if not rec:
                continue
            code = max(rec, key=lambda c: rec[c])
            j, a = parties.index(code), rec[code]
        else:
            if con is None or con not in np.argsort(-base[i])[:2]:
                continue
            j = max(anti, key=lambda k: base[i, k])
            if base[i, j] <= 0:
                continue
            a = 1.0
        recipient[i, j] = 1.0
        for k in anti:
            if k != j:
                donor[i, k] = a
    return recipient, donor, bool(advice)


def right_base(base: FloatArray, stands: npt.NDArray[np.bool_], group: npt.NDArray[np.intp],
               weights: FloatArray, j: int, strength: FloatArray) -> FloatArray:
    """The base with the populist right (column ``j``) spread on its predecessor's geography.

    Where it stands, seat *i* gets ``B_g (1 + strength_i)`` (``B_g`` its group share among the
    seats where it stands; ``strength`` from :func:`right_strength`, clipped at zero), the other
    parties scaled so the seat still sums to 1. Where the Brexit Party stood down in 2019 its
    base share is zero or a flat filler; UKIP's 2015 shares say where Reform's vote was.
    """
    out = base.copy()
    mult = np.maximum(1.0 + strength, 0.0)
    for g in np.unique(group):
        m = (group == g) & stands[:, j]
        if not m.any():
            continue
        w = weights[m]
        level = float(w @ base[m, j] / w.sum())
        norm = float(w @ mult[m] / w.sum()) or 1.0
        new = np.minimum(level * mult[m] / norm, 0.95)
        rest = 1.0 - base[m, j]
        scale = np.divide(1.0 - new, rest, out=np.ones_like(rest), where=rest > 0)
        out[m] = base[m] * scale[:, None]
        out[m, j] = new
    return out


def right_coverage(election: Election, nations: Sequence[str]) -> float:
    """Fraction of an election's seats in ``nations`` with a populist-right candidate."""
    seats = [c for c in election.constituencies if c.nation in nations]
    if not seats:
        return 1.0
    return sum(any(k.party_code in RIGHT_CODES for k in c.candidacies) for c in seats) / len(seats)
