"""Fit the covariate model on earlier pairs of elections only, with time-series shrinkage.

Each pair (base, target) of consecutive general elections on the same boundaries, the target
held strictly before ``as_of``, is replayed through the same projection pipeline as a backtest
with the target's actual nation shares and its real nominations. Three layers are then fitted
in turn, each on what the previous ones leave unexplained:

1. ``falling``: ``theta_down``, ``theta_up`` and the churn ``kappa`` (see :mod:`.kernel`), one
   pooled least-squares fit over every role and pair (the Liberal Democrats in 2015, UKIP in
   2017, Labour in 2019 are the falling parties that identify ``theta_down``), clipped to
   ``[0, 1.2]``, ``[-1.2, 1.2]`` and ``[0, 3]``;
2. ``squeeze``: for each pair, the fraction ``f`` (grid :data:`SQUEEZE_GRID`) that best fits
   the anti-Conservative and Conservative seat shares, using the published tactical advice of
   that election when it is bundled (2019, 2024) and the proxy of
   :func:`.features.squeeze_targets` otherwise. The forecast uses the mean ``f`` of the
   earlier pairs with published advice, or of the proxy pairs when none had any. Pro-Union
   advice in Scotland (Scotland in Union, bundled for 2024 only, so never in a training pair)
   is applied with the same ``f``: an assumption, that voters follow published advice at the
   same rate whichever side publishes it;
3. the regression: every seat-party where the party stood both times gives one row, the
   residual of the target share from layers 1-2 against the features of :mod:`.features`.
   One ridge regression per role (Conservative, Labour, ...); a coefficient of zero keeps the
   structural model, so the penalty shrinks towards it. Feature groups enter by forward
   selection and the (shared) penalty is chosen by how well patterns fitted on the earlier
   pairs predicted the *next* pair (expanding-window time-series cross-validation, pooled
   over roles: :func:`select_groups`). With a single pair there is nothing to validate on, and
   the regression is switched off (:data:`MIN_PAIRS_FOR_REGRESSION`): one election's
   patterns are not evidence (they cost 12 seats in the 2017 backtest).

By-elections (:mod:`seatcast.fit.byelections`): the squeeze measured in the by-elections of the
parliament before each election (``byelection_squeeze``) replaces the pooled ``f`` only if, on
the earlier pairs, each pair's own by-election squeeze fitted it better than the pooled ``f`` of
the pairs before it did (:func:`earned_byelection_squeeze`); each party's by-election
performance against the polls enters the regression as the feature group ``byelections``,
admitted by the same time-series CV as the other groups.

Trust is earned in the same way for the mechanisms: ``theta`` (``f``) is used only when the
value fitted on the pairs before each later pair lowered that pair's squared share error
against ``theta = 0`` (``f = 0``), summed over the later pairs (:func:`earned_theta`,
:func:`earned_squeeze`). With one training pair (the 2017 backtest) nothing is validated and
the model is uniform swing per nation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from seatcast.backtest.runner import national_inputs, standing_of
from seatcast.data.byelections import ParliamentEvidence
from seatcast.data.frame import ShareFrame
from seatcast.data.schema import Election
from seatcast.data.store import Store
from seatcast.fit.byelections import evidence_for
from seatcast.models.covariate.binding import Bound, Fitted, bind, kernel_for
from seatcast.models.covariate.features import (
    FEATURE_GROUPS,
    FEATURES,
    GROUPS,
    ROLES,
    SQUEEZE_PARTIES,
    UNIONIST_SITES,
    feature_mask,
    nominations_of,
    tactical_advice,
)
from seatcast.models.covariate.kernel import relative_strength, right_weight, volatility
from seatcast.projection import prepare

FloatArray = npt.NDArray[np.float64]

ALPHAS: tuple[float, ...] = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 1000.0)
#: The regression needs at least this many training pairs (one to fit, one to validate).
MIN_PAIRS_FOR_REGRESSION = 2
#: Largest uniform-to-proportional mix allowed for ``theta_down``/``theta_up``.
THETA_MAX = 1.2
#: Largest churn coefficient ``kappa`` allowed.
KAPPA_MAX = 3.0
#: Squeeze fractions tried per pair.
SQUEEZE_GRID: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(13))


@dataclass(frozen=True, eq=False)
class PairData:
    """One election pair replayed through the projection pipeline with the actual shares."""

    base: str
    target: str
    setup: Any  # ProjectionSetup
    bound: Bound
    actual: FloatArray  # [modelled seats, parties]
    evidence: ParliamentEvidence | None = None  # the by-elections of the parliament before the target


def training_pairs(elections: Sequence[Election], as_of: date | str | None) -> list[tuple[Election, Election]]:
    """Consecutive general elections on shared boundaries, the target held before ``as_of``."""
    cut = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    known = sorted((e for e in elections if e.date and (cut is None or e.date < cut)),
                   key=lambda e: (e.date or date.min, e.kind != "notional"))
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


def _iso(held: date | None) -> str:
    return held.isoformat() if held else ""


def pair_data(base_el: Election, target_el: Election, earlier: Sequence[Election],
              evidence: ParliamentEvidence | None = None) -> PairData:
    """Replay one pair as a backtest with actual shares (see the module docstring)."""
    national, nations = national_inputs(target_el, "actual", by_nation=True)
    setup = prepare(base_el, national, model="uns", nations=nations, standing=standing_of(target_el))
    ids = list(np.asarray(setup.frame.seat_ids)[setup.modelled])
    tf = ShareFrame.from_election(target_el).with_parties(setup.parties)
    tindex = {s: i for i, s in enumerate(tf.seat_ids)}
    actual = tf.shares[[tindex[s] for s in ids]]
    bound = bind(setup, earlier=earlier, nominations=nominations_of(target_el), base_election=base_el,
                 advice=tactical_advice(_iso(target_el.date)),
                 unionist_advice=tactical_advice(_iso(target_el.date), UNIONIST_SITES), proxy=True,
                 byelections=evidence)
    return PairData(base=base_el.id, target=target_el.id, setup=setup, bound=bound, actual=actual,
                    evidence=evidence)


def _rows(p: PairData, role: str) -> tuple[int, npt.NDArray[np.bool_]] | None:
    """Column of ``role`` in a pair and the rows where it stood both times."""
    if role not in p.bound.design.z:
        return None
    j = p.bound.design.roles.index(role)
    ctx = p.setup.ctx
    return j, (ctx.base[:, j] > 0) & (p.actual[:, j] > 0) & ctx.stands[:, j]


def fit_theta(pairs: Sequence[PairData], groups: Sequence[str]) -> tuple[float, float, float]:
    """Pooled least squares for ``theta_down``, ``theta_up``, ``kappa`` (module docstring, layer 1)."""
    xs, ys = [], []
    for p in pairs:
        ctx = p.setup.ctx
        rel = relative_strength(ctx)
        base = ctx.base
        if "right_base" in groups and p.bound.right_base is not None and p.bound.right in p.setup.parties:
            jr = p.setup.parties.index(p.bound.right)
            w = right_weight(p.setup.target[:, jr], ctx.base_national[:, jr])[ctx.group]
            base = ctx.base + w[:, None] * (p.bound.right_base - ctx.base)
        d = (p.setup.target - ctx.base_national)[ctx.group]
        churn = -(rel * ctx.base_national[ctx.group]) * volatility(p.setup.target - ctx.base_national)[ctx.group, None]
        for role in ROLES:
            got = _rows(p, role)
            if got is None:
                continue
            j, ok = got
            xs.append(np.column_stack([rel[ok, j] * np.minimum(d[ok, j], 0), rel[ok, j] * np.maximum(d[ok, j], 0),
                                       churn[ok, j]]))
            ys.append((p.actual[:, j] - base[:, j] - d[:, j])[ok])
    if not xs:
        return 0.0, 0.0, 0.0
    x, y = np.vstack(xs), np.concatenate(ys)
    theta = np.linalg.lstsq(x, y, rcond=None)[0]
    return (float(np.clip(theta[0], 0.0, THETA_MAX)), float(np.clip(theta[1], -THETA_MAX, THETA_MAX)),
            float(np.clip(theta[2], 0.0, KAPPA_MAX)))


def _sse(p: PairData, y: FloatArray) -> float:
    cols = [j for j, c in enumerate(p.setup.parties) if c in (*SQUEEZE_PARTIES, "con")]
    err = (y - p.actual)[:, cols]
    return float((err * err).sum())


def fit_squeeze(p: PairData, base_fit: Fitted) -> float:
    """The pair's own squeeze fraction ``f`` (module docstring, layer 2)."""
    if not p.bound.donor.any():
        return 0.0
    scores = []
    for f in SQUEEZE_GRID:
        k = kernel_for(p.bound, base_fit, p.setup.parties, p.setup.ctx, squeeze_f=f, coef={})
        scores.append(_sse(p, np.asarray(k(p.setup.ctx, p.setup.target))))
    return float(SQUEEZE_GRID[int(np.argmin(scores))])


def driven(z: FloatArray, d_seat: FloatArray, parties: Sequence[str], j: int, right: str | None,
           rel: FloatArray | None = None, roles: Sequence[str | None] = ()) -> FloatArray:
    """Multiply each driver feature by its driver's change in the seat's group (``d_seat [seats, parties]``).

    ``freed`` sums ``rel * min(D, 0)`` over the other modelled ``roles`` (zero without ``rel``).
    """
    x = z.copy()
    col = {"own": j, "con": parties.index("con") if "con" in parties else None,
           "right": parties.index(right) if right in parties else None}
    for k, f in enumerate(FEATURES):
        if f.driver is None:
            continue
        if f.driver == "freed":
            others = [q for q, r in enumerate(roles) if r is not None and q != j]
            x[:, k] = 0.0 if rel is None else z[:, k] * (rel[:, others] * np.minimum(d_seat[:, others], 0)).sum(axis=1)
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


def pooled_squeeze(pairs: Sequence[PairData], own_f: Mapping[str, float]) -> float:
    """Mean ``f`` of the pairs with published advice, else of the proxy pairs (0 without any)."""
    advised = [own_f[p.target] for p in pairs if p.bound.advised]
    proxied = [own_f[p.target] for p in pairs if not p.bound.advised and p.bound.donor.any()]
    return float(np.mean(advised)) if advised else float(np.mean(proxied)) if proxied else 0.0


def _structural_sse(p: PairData, fitted: Fitted, squeeze_f: float) -> float:
    k = kernel_for(p.bound, fitted, p.setup.parties, p.setup.ctx, squeeze_f=squeeze_f, coef={})
    return _sse(p, np.asarray(k(p.setup.ctx, p.setup.target)))


def earned_theta(pairs: Sequence[PairData], groups: Sequence[str]) -> bool:
    """Whether ``theta`` fitted on earlier pairs beat uniform swing on each next pair, in total.

    With one pair there is nothing to validate on: no.
    """
    if len(pairs) < 2:
        return False
    names = tuple((p.base, p.target) for p in pairs)
    with_, without = 0.0, 0.0
    for k in range(1, len(pairs)):
        td, tu, ka = fit_theta(pairs[:k], groups)
        f = Fitted(coef={}, alpha={}, pairs=names, groups=tuple(g for g in groups if g != "squeeze"),
                   theta_down=td, theta_up=tu, kappa=ka)
        zero = Fitted(coef={}, alpha={}, pairs=names, groups=f.groups)
        with_ += _structural_sse(pairs[k], f, 0.0)
        without += _structural_sse(pairs[k], zero, 0.0)
    return with_ < without


def earned_squeeze(pairs: Sequence[PairData], own_f: Mapping[str, float], structural: Fitted) -> bool:
    """Whether the squeeze ``f`` pooled from earlier pairs improved each next pair, in total."""
    if len(pairs) < 2 or "squeeze" not in structural.groups:
        return False
    with_, without = 0.0, 0.0
    for k in range(1, len(pairs)):
        f = pooled_squeeze(pairs[:k], own_f)
        with_ += _structural_sse(pairs[k], structural, f)
        without += _structural_sse(pairs[k], structural, 0.0)
    return with_ < without


def earned_byelection_squeeze(pairs: Sequence[PairData], own_f: Mapping[str, float], structural: Fitted,
                              earned: bool) -> bool:
    """Whether each pair's by-election squeeze beat the rule used otherwise, summed over the later pairs.

    The rule otherwise: the pooled ``f`` of the pairs before it when that was earned, else none.
    """
    if len(pairs) < 2 or "squeeze" not in structural.groups or "byelection_squeeze" not in structural.groups:
        return False
    with_, without = 0.0, 0.0
    for k in range(1, len(pairs)):
        ev = pairs[k].evidence
        if ev is None or not ev.n_squeeze:
            return False
        with_ += _structural_sse(pairs[k], structural, ev.squeeze)
        without += _structural_sse(pairs[k], structural, pooled_squeeze(pairs[:k], own_f) if earned else 0.0)
    return with_ < without


Rows = list[tuple[dict[str, FloatArray], dict[str, FloatArray]]]


def cv_error(data: Rows, mask: npt.NDArray[np.bool_]) -> tuple[FloatArray, dict[str, FloatArray], int]:
    """Expanding-window validation error per penalty in :data:`ALPHAS`, pooled over roles.

    Returns the pooled sum of squares per penalty, the same per role, and the row count.
    """
    total = np.zeros(len(ALPHAS))
    per_role: dict[str, FloatArray] = {}
    n = 0
    for role in ROLES:
        have = [(x[role], y[role]) for x, y in data if role in y]
        if len(have) < MIN_PAIRS_FOR_REGRESSION:
            continue
        per_role[role] = np.zeros(len(ALPHAS))
        for k in range(1, len(have)):
            x = np.vstack([h[0] for h in have[:k]])
            y = np.concatenate([h[1] for h in have[:k]])
            n += len(have[k][1])
            for i, alpha in enumerate(ALPHAS):
                r = have[k][1] - have[k][0] @ ridge(x, y, alpha, mask)
                per_role[role][i] += float(r @ r)
        total += per_role[role]
    return total, per_role, n


def select_groups(data: Rows, groups: Sequence[str]) -> tuple[tuple[str, ...], float, dict[str, float]]:
    """Forward selection of feature groups by time-series CV (one shared penalty).

    Start from no regression (the structural model); add the group whose features lower the
    pooled validation error most, with the best penalty; stop when none lowers it. A group's
    place in the model is earned by predicting the next election, not by fitting the last.
    """
    candidates = [g for g in groups if g in FEATURE_GROUPS]
    base_err, _, n = cv_error(data, feature_mask(()))
    best_err = float(base_err[0])
    chosen: list[str] = []
    alpha = ALPHAS[-1]
    per: dict[str, FloatArray] = {}
    while candidates and n:
        trials = {g: cv_error(data, feature_mask((*chosen, g))) for g in candidates}
        g_best = min(trials, key=lambda g: float(trials[g][0].min()))
        err = float(trials[g_best][0].min())
        if err >= best_err:
            break
        best_err = err
        chosen.append(g_best)
        candidates.remove(g_best)
        alpha = ALPHAS[int(np.argmin(trials[g_best][0]))]
        per = trials[g_best][1]
    i = ALPHAS.index(alpha)
    cv = {r: float(np.sqrt(v[i] / max(n, 1))) for r, v in per.items()}
    return tuple(chosen), alpha, cv


def fit(pairs: Sequence[PairData], groups: Sequence[str] = GROUPS, current: ParliamentEvidence | None = None) -> Fitted:
    """Fit the three layers of the module docstring on ``pairs`` (oldest first).

    ``current``: the by-elections of the parliament the forecast closes (none: not used).
    """
    names = tuple((p.base, p.target) for p in pairs)
    theta = fit_theta(pairs, groups) if "falling" in groups and earned_theta(pairs, groups) else (0.0, 0.0, 0.0)
    structural = Fitted(coef={}, alpha={}, pairs=names, groups=tuple(groups), theta_down=theta[0],
                        theta_up=theta[1], kappa=theta[2])
    own_f = {p.target: fit_squeeze(p, structural) if "squeeze" in groups else 0.0 for p in pairs}
    earned = earned_squeeze(pairs, own_f, structural)
    f_hat = pooled_squeeze(pairs, own_f) if earned else 0.0
    source = "pooled"
    if current is not None and current.n_squeeze and earned_byelection_squeeze(pairs, own_f, structural, earned):
        f_hat, source = current.squeeze, "byelections"

    # Layer 3: the regression, on residuals from layers 1-2 (each pair with its own f).
    mask = feature_mask(groups)
    data: list[tuple[dict[str, FloatArray], dict[str, FloatArray]]] = []
    for p in pairs:
        ctx = p.setup.ctx
        k = kernel_for(p.bound, structural, p.setup.parties, ctx, squeeze_f=own_f[p.target], coef={})
        baseline = np.asarray(k(ctx, p.setup.target))
        d = (p.setup.target - ctx.base_national)[ctx.group]
        xs: dict[str, FloatArray] = {}
        ys: dict[str, FloatArray] = {}
        for role in ROLES:
            got = _rows(p, role)
            if got is None:
                continue
            j, ok = got
            rel = relative_strength(ctx)
            x = driven(p.bound.design.z[role], d, p.setup.parties, j, p.bound.right, rel, p.bound.design.roles)
            xs[role] = x[ok]
            ys[role] = (p.actual[:, j] - baseline[:, j])[ok]
        data.append((xs, ys))
    coef: dict[str, FloatArray] = {}
    alphas: dict[str, float] = {}
    cv: dict[str, float] = {}
    chosen, alpha, cv = select_groups(data, groups)
    if chosen:
        mask = feature_mask(chosen)
        for role in ROLES:
            have = [(x[role], y[role]) for x, y in data if role in y]
            if len(have) < MIN_PAIRS_FOR_REGRESSION:
                continue  # nothing to validate a pattern on: the structural model alone
            coef[role] = ridge(np.vstack([h[0] for h in have]), np.concatenate([h[1] for h in have]), alpha, mask)
            alphas[role] = alpha
    return Fitted(coef=coef, alpha=alphas, pairs=names, groups=tuple(groups), cv_rmse=cv, theta_down=theta[0],
                  theta_up=theta[1], kappa=theta[2], squeeze_f=f_hat, squeeze_by_pair=own_f,
                  selected=tuple(chosen), byelections=current if "byelections" in groups else None,
                  squeeze_source=source)


#: Bump when a change to this module changes what a fit produces: stored fits are then refitted.
CODE_VERSION = "2"  # 2: by-election evidence (group ``byelections``, ``byelection_squeeze``)
#: The bundled folders a covariate fit reads besides the elections (their bytes are in the fingerprint).
BUNDLED_INPUTS: tuple[str, ...] = ("covariates", "tactical", "byelections", "polls")


def training_elections(store: Store, as_of: date | None) -> tuple[str, ...]:
    """Ids of the stored elections held before ``as_of``: what a fit (and its kernel) may see."""
    cut = as_of.isoformat() if as_of else None
    return tuple(sorted(e.id for e in store.elections() if e.date and (cut is None or e.date < cut)))


def fit_covariate(store: Store, as_of: date | None, groups: Sequence[str] = GROUPS) -> Fitted:
    """The model fitted on the store's elections held before ``as_of`` (no caching: see the registry)."""
    elections = [store.load(i) for i in store.ids()]
    data = []
    for base, target in training_pairs(elections, as_of):
        earlier = [e for e in elections if e.date and target.date and e.date < target.date]
        data.append(pair_data(base, target, earlier, evidence_for(earlier, _iso(target.date))))
    return fit(data, groups, evidence_for(elections, as_of.isoformat()) if as_of else None)
