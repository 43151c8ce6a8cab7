"""Fit the covariate model on earlier pairs of elections only, with time-series shrinkage.

For each pair (base, target) of consecutive general elections on the same boundaries, held
strictly before ``as_of``, every seat-party where the party stood both times gives one row:
the residual of the target share from uniform swing, ``t_ip - s_ip - D_gp``, against the
features of :mod:`.features`. One ridge regression per role (Conservative, Labour, ...) fits
it; a coefficient of zero is uniform swing, so the penalty shrinks towards uniform swing
(and towards proportional swing through the ``prop`` feature's own coefficient).

The penalty is chosen by how well patterns fitted on the earlier pairs predicted the *next*
pair (expanding-window time-series cross-validation); with a single pair there is nothing to
validate on and :data:`DEFAULT_ALPHA` applies.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from seatcast.data.frame import ShareFrame
from seatcast.data.parties import SEPARATE_NATIONS
from seatcast.data.schema import Election
from seatcast.models.covariate.features import (
    FEATURES,
    GROUPS,
    RIGHT_CODES,
    ROLES,
    base_mps_of,
    boundaries_of,
    build_design,
    feature_mask,
    nominations_of,
    right_party,
    tactical_advice,
)

FloatArray = npt.NDArray[np.float64]

ALPHAS: tuple[float, ...] = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
DEFAULT_ALPHA = 0.1
POOLED_PROP = False


@dataclass(frozen=True)
class PairData:
    """Training rows of one election pair, per role: ``x [rows, features]`` and ``y [rows]``."""

    base: str
    target: str
    x: dict[str, FloatArray]
    y: dict[str, FloatArray]


@dataclass(frozen=True)
class Fitted:
    """Coefficients per role (in feature units; zero for a role never seen) and what made them."""

    coef: dict[str, FloatArray]
    alpha: dict[str, float]
    pairs: tuple[tuple[str, str], ...]
    groups: tuple[str, ...]
    cv_rmse: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready coefficients, named by feature."""
        return {
            "pairs": [list(p) for p in self.pairs], "groups": list(self.groups), "alpha": self.alpha,
            "cv_rmse": self.cv_rmse,
            "coef": {r: {f.name: round(float(c), 5) for f, c in zip(FEATURES, v, strict=True) if c != 0}
                     for r, v in self.coef.items()},
        }


def training_pairs(elections: Sequence[Election], as_of: str | None) -> list[tuple[Election, Election]]:
    """Consecutive general elections on shared boundaries, the target held before ``as_of``."""
    known = sorted((e for e in elections if e.date and (as_of is None or e.date < as_of)),
                   key=lambda e: (e.date or "", e.kind != "notional"))
    pairs = []
    for i, target in enumerate(known):
        if target.kind != "general":
            continue
        ids = {c.id for c in target.constituencies}
        for base in reversed(known[:i]):
            if base.date == target.date:
                continue
            if len(ids & {c.id for c in base.constituencies}) >= 0.9 * len(ids):
                pairs.append((base, target))
                break
    return pairs


def pair_data(base_el: Election, target_el: Election, earlier: Sequence[Election]) -> PairData:
    """The training rows of one pair (see the module docstring)."""
    bf = ShareFrame.from_election(base_el)
    tf = ShareFrame.from_election(target_el)
    t_right = right_party(tf.parties, tf.national())
    b_right = right_party(bf.parties, bf.national())
    if b_right and t_right and b_right != t_right:
        bf = bf.renamed({b_right: t_right, **({t_right: "oth"} if t_right in bf.parties else {})})
    parties = tuple(dict.fromkeys(p for p in (*bf.parties, *tf.parties)
                                  if p not in RIGHT_CODES or p == t_right))
    bf = bf.with_parties(parties)
    tf = tf.with_parties(parties)
    tindex = {s: i for i, s in enumerate(tf.seat_ids)}
    rows = [i for i, (s, n) in enumerate(zip(bf.seat_ids, bf.nations, strict=True))
            if s in tindex and n not in SEPARATE_NATIONS]
    ids = [bf.seat_ids[i] for i in rows]
    b = bf.shares[rows]
    t = tf.shares[[tindex[s] for s in ids]]
    nations = [bf.nations[i] for i in rows]
    gnames = tuple(dict.fromkeys(nations))
    group = np.array([gnames.index(n) for n in nations], dtype=np.intp)
    bw = bf.weights[rows]
    tw = tf.weights[[tindex[s] for s in ids]]
    ng = len(gnames)
    b_nat = np.zeros((ng, len(parties)))
    t_nat = np.zeros((ng, len(parties)))
    for g in range(ng):
        m = group == g
        b_nat[g] = bw[m] @ b[m] / bw[m].sum()
        t_nat[g] = tw[m] @ t[m] / tw[m].sum()
    d = t_nat - b_nat
    design = build_design(
        seat_ids=ids, boundaries=boundaries_of(target_el), parties=parties, base=b, base_nat=b_nat, group=group,
        right=t_right, earlier=earlier, nominations=nominations_of(target_el), base_mps=base_mps_of(base_el),
        tactical=tactical_advice(target_el.date or ""),
    )
    xs: dict[str, FloatArray] = {}
    ys: dict[str, FloatArray] = {}
    for j, role in enumerate(design.roles):
        if role is None:
            continue
        ok = (b[:, j] > 0) & (t[:, j] > 0)
        if not ok.any():
            continue
        x = driven(design.z[role], d[group], parties, j, t_right)
        xs[role] = x[ok]
        ys[role] = (t[:, j] - b[:, j] - d[group, j])[ok]
    return PairData(base=base_el.id, target=target_el.id, x=xs, y=ys)


def driven(z: FloatArray, d_seat: FloatArray, parties: Sequence[str], j: int, right: str | None) -> FloatArray:
    """Multiply each driver feature by its driver's change in the seat's group (``d_seat [seats, parties]``)."""
    x = z.copy()
    col = {"own": j, "con": parties.index("con") if "con" in parties else None,
           "right": parties.index(right) if right in parties else None}
    for k, f in enumerate(FEATURES):
        if f.driver is None:
            continue
        c = col[f.driver]
        x[:, k] = z[:, k] * (d_seat[:, c] if c is not None else 0.0)
    return x


def ridge(x: FloatArray, y: FloatArray, alpha: float, mask: npt.NDArray[np.bool_]) -> FloatArray:
    """Ridge without intercept on standardised columns (``alpha`` per row); zero outside ``mask``."""
    coef = np.zeros(x.shape[1])
    sd = x.std(axis=0)
    use = mask & (sd > 1e-9)
    if not use.any() or len(y) == 0:
        return coef
    xs = x[:, use] / sd[use]
    a = xs.T @ xs + alpha * len(y) * np.eye(int(use.sum()))
    coef[use] = np.linalg.solve(a, xs.T @ y) / sd[use]
    return coef


def fit(pairs: Sequence[PairData], groups: Sequence[str] = GROUPS) -> Fitted:
    """Fit every role, choosing each role's penalty by time-series cross-validation."""
    mask = feature_mask(groups)
    # The uniform/proportional mix is shared by every party: a pooled least-squares fit of the
    # ``prop`` feature over all roles and pairs, which one election's patterns cannot swing.
    theta = 0.0
    if mask[0] and POOLED_PROP:
        xp = np.concatenate([p.x[r][:, 0] for p in pairs for r in p.y])
        yp = np.concatenate([p.y[r] for p in pairs for r in p.y])
        theta = float(xp @ yp / max(float(xp @ xp), 1e-12))
        pairs = [PairData(p.base, p.target, p.x, {r: p.y[r] - theta * p.x[r][:, 0] for r in p.y}) for p in pairs]
        mask = mask.copy()
        mask[0] = False
    coef: dict[str, FloatArray] = {}
    alphas: dict[str, float] = {}
    cv: dict[str, float] = {}
    for role in ROLES:
        have = [p for p in pairs if role in p.y]
        if not have:
            continue
        best = DEFAULT_ALPHA
        if len(have) >= 2:
            scores = []
            for alpha in ALPHAS:
                sse, n = 0.0, 0
                for k in range(1, len(have)):
                    x = np.vstack([p.x[role] for p in have[:k]])
                    y = np.concatenate([p.y[role] for p in have[:k]])
                    c = ridge(x, y, alpha, mask)
                    r = have[k].y[role] - have[k].x[role] @ c
                    sse += float(r @ r)
                    n += len(r)
                scores.append(np.sqrt(sse / max(n, 1)))
            best = ALPHAS[int(np.argmin(scores))]
            cv[role] = float(min(scores))
        x = np.vstack([p.x[role] for p in have])
        y = np.concatenate([p.y[role] for p in have])
        coef[role] = ridge(x, y, best, mask)
        coef[role][0] += theta
        alphas[role] = best
    return Fitted(coef=coef, alpha=alphas, pairs=tuple((p.base, p.target) for p in pairs), groups=tuple(groups),
                  cv_rmse=cv)


_CACHE: dict[tuple[object, ...], Fitted] = {}
_PAIRS: dict[tuple[object, ...], list[PairData]] = {}
_LOCK = threading.Lock()


def fitted_for(store: object, as_of: str | None, groups: Sequence[str] = GROUPS) -> Fitted:
    """The model fitted on the store's elections held before ``as_of`` (cached in memory).

    The cache key holds the store's path, its election ids and ``as_of``, so removing or adding
    an election refits.
    """
    from seatcast.data.store import Store

    assert isinstance(store, Store)
    ids = tuple(store.ids())
    key = (str(store.path), ids, as_of)
    with _LOCK:
        if (*key, tuple(groups)) in _CACHE:
            return _CACHE[(*key, tuple(groups))]
        if key not in _PAIRS:
            elections = [store.load(i) for i in ids]
            pairs = training_pairs(elections, as_of)
            data = []
            for base, target in pairs:
                earlier = [e for e in elections if e.date and target.date and e.date < target.date]
                data.append(pair_data(base, target, earlier))
            _PAIRS[key] = data
        out = fit(_PAIRS[key], groups)
        _CACHE[(*key, tuple(groups))] = out
        return out


def clear_cache() -> None:
    """Forget every fit (tests that edit a store in place call it)."""
    with _LOCK:
        _CACHE.clear()
        _PAIRS.clear()
