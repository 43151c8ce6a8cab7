r"""The seat-aware kernel: structural swing, fitted covariate terms, tactical squeeze, re-basing.

For seat *i* in group *g* and party *j*, with group change ``D = T - B`` and the seat's relative
strength ``r_ij = s_ij / B_gj - 1``:

.. math::
   u_{ij} = s_{ij} + D_{gj}
          + \theta_\downarrow\, r_{ij} \min(D_{gj}, 0) + \theta_\uparrow\, r_{ij} \max(D_{gj}, 0)
          - \kappa\, V_g\, (s_{ij} - B_{gj})
          + \sum_q M_{ijq} D_{gq} + \sum_q M^\downarrow_{ijq} \min(D_{gq}, 0) + C_{ij}

* ``theta_down`` (``theta_up``) mixes uniform and proportional swing for a falling (rising)
  party: 0 is uniform, 1 is proportional (a collapsing party loses most where it was strongest);
* ``kappa`` is *churn*: with Pedersen volatility ``V_g = sum_j |D_gj| / 2`` of the group's
  change, every party's geography regresses towards its group mean by ``kappa V_g`` (in a
  volatile election voters move in both directions, so a party that is flat nationally still
  loses where it was strongest and gains where it was weakest, as Labour did in 2024);
* ``M`` gathers the fitted driver coefficients times seat features, ``M_down`` the ``freed``
  feature (``beta_j r_iq`` for the other parties *q*), ``C`` the constant terms (incumbency,
  tactical-advice regressors);

then negative shares are clipped, non-standing parties zeroed and each seat renormalised. The
*tactical squeeze* follows: in a seat where the anti-Conservative tactical sites recommend
party *R* (a fraction ``a_i`` of the sites), a fraction ``f a_i`` of every other
anti-Conservative party's vote moves to *R* (and, where a pro-Union site advises in Scotland,
the same fraction of the other unionist parties' vote moves to its choice):

.. math:: v_{ik} = (1 - f a_i) u_{ik} \;(k \in \text{donors}), \qquad
          v_{iR} = u_{iR} + f a_i \sum_k u_{ik}

which conserves each seat's total. Finally each group is *re-based*: a per-group additive
correction (clipped and renormalised, a few rounds) brings the vote-weighted totals back to the
targets, so the features move votes between seats while the polls set the level.

Every step is elementwise or a per-seat linear map, so the kernel broadcasts over leading axes
(``[n_sims, groups, parties]`` in the simulator) and keeps the target's dtype.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from seatcast.models.context import Array, SwingContext, gather
from seatcast.models.covariate.features import FEATURES, SeatDesign

FloatArray = npt.NDArray[np.float64]

#: Rounds of re-basing (each: additive correction per group, clip, renormalise).
REBASE_ROUNDS = 6
#: Contexts whose point-projection tables a bound kernel keeps (:meth:`CovariateKernel.compiled_point`).
_POINT_CONTEXTS = 4
#: Serialises building those tables (several server threads may ask for the same at once).
_POINT_LOCK = threading.Lock()


@dataclass(frozen=True, eq=False)
class Squeeze:
    """Where tactical advice points: ``recipient [seats, parties]`` one-hot, ``donor`` weights ``a_i``."""

    recipient: FloatArray
    donor: FloatArray

    @classmethod
    def none(cls, n_seats: int, n_parties: int) -> Squeeze:
        """No advice anywhere."""
        return cls(np.zeros((n_seats, n_parties)), np.zeros((n_seats, n_parties)))


def apply_squeeze(y: Array, squeeze: Squeeze, f: float) -> Array:
    """Move a fraction ``f a_i`` of the donors' votes to the recommended party (module docstring)."""
    if f == 0 or not squeeze.donor.any():
        return y
    moved = y * (f * squeeze.donor).astype(y.dtype)
    out: Array = y - moved + squeeze.recipient.astype(y.dtype) * moved.sum(axis=-1, keepdims=True)
    return out


def rebase(ctx: SwingContext, y: Array, target: Array, rounds: int = REBASE_ROUNDS) -> Array:
    """Per-group additive corrections until the vote-weighted group shares meet ``target``."""
    return _rebase_inplace(ctx, y.copy(), target, rounds)


def _rebase_inplace(ctx: SwingContext, y: Array, target: Array, rounds: int = REBASE_ROUNDS) -> Array:
    """:func:`rebase`, overwriting ``y``: the simulator calls it on every batch, and fresh arrays cost pages.

    The arithmetic (and so every bit) is that of the spelled-out form
    ``renormalise(where(stands, max(y + gather(target - mean), 0), 0))``: multiplying a
    non-negative share by the 0/1 standing mask gives the same numbers as the ``where``.
    """
    dtype = y.dtype
    onehot = np.zeros((len(ctx.group), ctx.n_groups))
    onehot[np.arange(len(ctx.group)), ctx.group] = ctx.weights
    onehot /= np.maximum(onehot.sum(axis=0), 1e-12)
    w = onehot.astype(dtype)
    stands = ctx.stands.astype(dtype)
    fallback = ctx.base.astype(dtype, copy=False)
    mean_of = _GroupMean(ctx, w)
    for _ in range(rounds):
        mean = mean_of(y)
        y += gather(ctx, target - mean)
        _clip_standing(y, stands)
        _renormalise_inplace(y, fallback)
    return y


class _GroupMean:
    """``einsum("...sp,sg->...gp", y, w)`` (vote-weighted group means), to the bit and faster.

    The einsum adds ``y_sp w_sg`` seat by seat, in seat order, including the zero products of
    the seats outside group *g*. Taking each group's seats in order (a stable sort), weighting
    them and summing over the seat axis adds the same non-zero products in the same order,
    without the zeros: a third of the multiplies with three groups.
    """

    def __init__(self, ctx: SwingContext, w: Array) -> None:
        """Seat order and weights for ``ctx``'s groups (``w`` as in :func:`rebase`)."""
        self.order = np.argsort(ctx.group, kind="stable")
        self.weight = w[self.order, ctx.group[self.order]][:, None]
        bounds = np.searchsorted(ctx.group[self.order], np.arange(ctx.n_groups + 1))
        self.spans = list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))

    def __call__(self, y: Array) -> Array:
        """Group means ``[..., groups, parties]`` of seat values ``y [..., seats, parties]``."""
        ordered = np.take(y, self.order, axis=-2)
        ordered *= self.weight
        out = np.zeros((*y.shape[:-2], len(self.spans), y.shape[-1]), y.dtype)
        for g, (a, b) in enumerate(self.spans):
            if b > a:
                np.sum(ordered[..., a:b, :], axis=-2, out=out[..., g, :])
        return out


def _clip_standing(y: Array, stands: Array) -> None:
    """``y = where(stands, max(y, 0), 0)`` in place (``stands`` is the 0/1 mask in ``y``'s dtype)."""
    np.maximum(y, 0, out=y)
    y *= stands


def _renormalise_inplace(y: Array, fallback: Array) -> None:
    """:func:`~seatcast.models.context.renormalise` in place, with the same sums (so the same bits)."""
    total = y.sum(axis=-1, keepdims=True)
    if total.min(initial=np.inf) > 0:
        y /= total
        return
    positive = total > 0
    y /= np.where(positive, total, 1)
    np.copyto(y, np.broadcast_to(fallback, y.shape), where=~positive)


def _squeeze_inplace(y: Array, squeeze: Squeeze, f: float) -> None:
    """:func:`apply_squeeze` in place: ``y - moved + recipient * sum(moved)``, in that order."""
    if f == 0 or not squeeze.donor.any():
        return
    moved = y * (f * squeeze.donor).astype(y.dtype)
    total = moved.sum(axis=-1, keepdims=True)
    y -= moved
    np.multiply(squeeze.recipient.astype(y.dtype), total, out=moved)
    y += moved


@dataclass(frozen=True, eq=False)
class CovariateKernel:
    """A kernel bound to one seat set (see the module docstring for each array's role); ``rel`` is ``r_ij``."""

    m: FloatArray
    c: FloatArray
    rel: FloatArray
    m_down: FloatArray | None = None
    theta_down: float = 0.0
    theta_up: float = 0.0
    kappa: float = 0.0
    squeeze: tuple[Squeeze, ...] = ()
    squeeze_f: float = 0.0
    right_delta: FloatArray | None = None
    right_col: int = -1
    rebase: bool = True

    def __call__(self, ctx: SwingContext, target: Array) -> Array:
        """Project seat shares for group targets ``[..., groups, parties]``.

        Written with in-place updates of one ``[..., seats, parties]`` array: in the simulator
        the kernel runs on every batch and allocating and touching fresh arrays cost as much as
        the arithmetic. Each update is the term of the formula in the module docstring, added in
        the same order as the plain expression, so the result is the same to the bit.
        """
        dtype = target.dtype
        base = ctx.base.astype(dtype, copy=False)
        if self.right_delta is not None:
            j = self.right_col
            w = right_weight(target[..., j], ctx.base_national[:, j].astype(dtype, copy=False))
            base = base + np.take(w, ctx.group, axis=-1)[..., None] * self.right_delta.astype(dtype, copy=False)
        d = gather(ctx, target - ctx.base_national.astype(dtype, copy=False))
        rel = self.rel.astype(dtype, copy=False)
        y = np.add(base, d, dtype=dtype)
        diag = self._diagonal()
        if diag is not None:
            # ``m`` holds only own-party drivers: the einsum's other products are exact zeros, so
            # its sum is the one product ``d_ij m_ijj`` (same bits, 17 times fewer multiplies).
            y += d * diag.astype(dtype, copy=False)
        else:
            y += np.einsum("...sq,sjq->...sj", d, self.m.astype(dtype, copy=False))
        y += self.c.astype(dtype, copy=False)
        if self.m_down is not None:
            y += np.einsum("...sq,sjq->...sj", np.minimum(d, 0), self.m_down.astype(dtype, copy=False))
        if self.theta_down or self.theta_up:
            part = np.empty_like(y)
        if self.theta_down:
            np.minimum(d, 0, out=part)
            part *= dtype.type(self.theta_down) * rel
            y += part
        if self.theta_up:
            np.maximum(d, 0, out=part)
            part *= dtype.type(self.theta_up) * rel
            y += part
        if self.kappa:
            nat = gather(ctx, ctx.base_national.astype(dtype, copy=False))
            v = volatility(target - ctx.base_national.astype(dtype, copy=False))
            y -= dtype.type(self.kappa) * rel * nat * gather(ctx, v[..., None])
        _clip_standing(y, ctx.stands.astype(dtype))
        _renormalise_inplace(y, ctx.base.astype(dtype, copy=False))
        for sq in self.squeeze:
            _squeeze_inplace(y, sq, self.squeeze_f)
        if not self.rebase:
            return y
        return _rebase_inplace(ctx, y, target)

    def compiled_point(self, ctx: SwingContext, target: Array) -> FloatArray | None:
        """Seat shares ``[seats, parties]`` of one target ``[groups, parties]``, by the compiled kernel.

        The same arithmetic as :meth:`__call__` in float64 (equal to about 1e-12: a seat is
        renormalised by one reciprocal, and sums are added in another order), on one lane of
        :func:`~.compiled._cov_lanes`, over every pair that can be non-zero (where the party
        stands, or has a base share: a seat left with nothing falls back to its base). It takes a
        few hundredths of the numpy kernel's time on one target, which is what a web server's
        swingometer asks for. None when the pairs cannot carry the kernel exactly (see
        :func:`pair_maps`): the caller then runs :meth:`__call__`. Needs numba (the extra
        ``accel``); callers check that it is importable before asking.
        """
        from seatcast.models.covariate.compiled import point_shares

        point = self._point_maps(ctx)
        if point is None:
            return None
        maps, rows, cols = point
        out = point_shares(maps, rows, cols, ctx.base.shape[0], np.asarray(target, dtype=np.float64))
        return out.astype(np.float64, copy=False)

    def _point_maps(self, ctx: SwingContext) -> tuple[PairMaps, npt.NDArray[np.intp], npt.NDArray[np.intp]] | None:
        """The float64 :class:`PairMaps` of :meth:`compiled_point` for ``ctx``, made once per context.

        Kept on the kernel (frozen: its arrays never change) by the context object itself: a
        bound kernel serves one prepared base, whose context is made once and kept with it, so
        the few last contexts are enough (and a context that is gone is not kept alive for long).
        """
        memo: dict[int, tuple[SwingContext, Any]] = self.__dict__.setdefault("_points", {})
        hit = memo.get(id(ctx))
        if hit is None or hit[0] is not ctx:
            with _POINT_LOCK:  # one thread builds (tens of milliseconds), the others wait for its tables
                hit = memo.get(id(ctx))
                if hit is None or hit[0] is not ctx:
                    hit = (ctx, self._build_point_maps(ctx))
                    if len(memo) >= _POINT_CONTEXTS:
                        memo.pop(next(iter(memo)))
                    memo[id(ctx)] = hit
        got: tuple[PairMaps, npt.NDArray[np.intp], npt.NDArray[np.intp]] | None = hit[1]
        return got

    def _build_point_maps(self, ctx: SwingContext) -> tuple[PairMaps, npt.NDArray[np.intp],
                                                            npt.NDArray[np.intp]] | None:
        """:meth:`_point_maps` without the memo."""
        rows, cols = np.nonzero((ctx.base > 0) | ctx.stands)
        rows, cols = rows.astype(np.intp), cols.astype(np.intp)
        n = ctx.base.shape[0]
        seats = np.arange(n, dtype=np.intp)
        maps = None
        if len(np.unique(rows)) == n:  # every seat has a pair (someone always stands)
            maps = pair_maps(self, ctx, seats, seats, rows, cols, np.zeros(len(rows)), dtype=np.float64)
        return None if maps is None else (maps, rows, cols)

    def _diagonal(self) -> FloatArray | None:
        """``m[:, j, j]`` when ``m`` has nothing off its diagonal (own-party drivers only), else None."""
        if "_diag" not in self.__dict__:  # computed once: the kernel is frozen, its arrays never change
            off = self.m.copy()
            idx = np.arange(self.m.shape[-1])
            off[:, idx, idx] = 0
            self.__dict__["_diag"] = None if off.any() else np.einsum("sjj->sj", self.m).copy()
        diag: FloatArray | None = self.__dict__["_diag"]
        return diag


def right_weight(target: Array, base: Array) -> Array:
    """How far the base moves to the predecessor's map: ``clip(T / B - 1, 0, 1)`` per group.

    None at no change (so a projection of the base returns the base), all of it once the
    party has doubled (the rule by which :mod:`seatcast.projection` has a party expand its slate).
    """
    ratio = np.divide(target, base, out=np.ones_like(target), where=base > 0)
    out: Array = np.clip(ratio - 1, 0, 1)
    return out


def volatility(change: Array) -> Array:
    """Pedersen volatility of group changes ``[..., groups, parties]``: half the summed absolute change."""
    out: Array = 0.5 * np.abs(change).sum(axis=-1)
    return out


def relative_strength(ctx: SwingContext) -> FloatArray:
    """``r_ij = s_ij / B_gj - 1`` (zero where the group share is zero)."""
    b = ctx.base
    nat = gather(ctx, ctx.group_mean(b))
    rel: FloatArray = np.divide(b, nat, out=np.ones_like(b), where=nat > 0) - 1.0
    return rel


def build_kernel(design: SeatDesign, coef: dict[str, FloatArray], parties: Sequence[str],
                 right: str | None, *, ctx: SwingContext, theta_down: float = 0.0, theta_up: float = 0.0,
                 kappa: float = 0.0,
                 squeeze: tuple[Squeeze, ...] = (), squeeze_f: float = 0.0, right_base: FloatArray | None = None,
                 rebase: bool = True) -> CovariateKernel:
    """Turn fitted coefficients, mechanisms and a seat design into the arrays the kernel applies.

    ``right_base`` is the base with the populist right on its predecessor's map (see
    :func:`.features.right_base`); the kernel blends towards it as the party grows.
    """
    n_seats = ctx.base.shape[0]
    p = len(parties)
    m = np.zeros((n_seats, p, p))
    m_down = np.zeros((n_seats, p, p))
    c = np.zeros((n_seats, p))
    col = {"con": parties.index("con") if "con" in parties else None,
           "right": parties.index(right) if right in parties else None}
    rel = relative_strength(ctx)
    for j, role in enumerate(design.roles):
        if role is None or role not in coef or role not in design.z:
            continue
        z = design.z[role]
        beta = coef[role]
        for k, f in enumerate(FEATURES):
            if beta[k] == 0:
                continue
            if f.driver is None:
                c[:, j] += beta[k] * z[:, k]
                continue
            if f.driver == "freed":
                for o, other in enumerate(design.roles):
                    if other is not None and o != j:
                        m_down[:, j, o] += beta[k] * z[:, k] * rel[:, o]
                continue
            q = j if f.driver == "own" else col[f.driver]
            if q is not None:
                m[:, j, q] += beta[k] * z[:, k]
    return CovariateKernel(m=m, c=c, rel=rel, m_down=m_down if m_down.any() else None, theta_down=theta_down,
                           theta_up=theta_up, kappa=kappa, squeeze=squeeze, squeeze_f=squeeze_f,
                           right_delta=None if right_base is None or col["right"] is None else right_base - ctx.base,
                           right_col=col["right"] if col["right"] is not None else -1, rebase=rebase)


@dataclass(frozen=True, eq=False)
class PairMaps:
    """The kernel unrolled onto a list of (seat, party) pairs: what a compiled loop needs per simulation.

    Everything before the clip is, per pair, a fixed linear map of a few per-group numbers of one
    simulation (its change ``D_g``, ``min(D_g, 0)``, the right weight ``w_g`` and the volatility
    ``V_g``): the coefficients are computed here once, so a simulation only evaluates them. The
    pairs are those where a party can have a share (the rest stay at zero through every step,
    clip and renormalisation included); ``extra`` records the few seats where a tactical
    recipient does not stand, whose moved votes count once in the first re-basing mean (as in
    :meth:`CovariateKernel.__call__`) before the standing mask zeroes them. Per-seat arrays follow
    the order of ``seats`` given to :func:`pair_maps`; per-pair arrays the order of ``rows`` (seat-major).
    The float tables share one dtype, the one the compiled kernel computes in (``pair_maps(dtype=)``).
    """

    base_national: npt.NDArray[np.floating]  # [G, P]
    start: npt.NDArray[np.intp]  # [seats + 1] each seat's pairs are start[s] .. start[s + 1]
    party: npt.NDArray[np.intp]  # [pairs] column of each pair
    variate: npt.NDArray[np.intp]  # [pairs] each pair's position in the caller's own order (``order``)
    modelled: npt.NDArray[np.bool_]  # [seats]
    group: npt.NDArray[np.intp]  # [seats]
    weight: npt.NDArray[np.floating]  # [seats] re-basing weight within the group
    base: npt.NDArray[np.floating]  # [pairs] ctx base (held seats: the given base)
    right_delta: npt.NDArray[np.floating]  # [pairs]
    const: npt.NDArray[np.floating]  # [pairs] C
    own: npt.NDArray[np.floating]  # [pairs] M_ijj (the party's own change); the CSR below holds the rest
    m_ptr: npt.NDArray[np.intp]  # [pairs + 1] CSR over pairs of (q, coefficient) terms of M
    m_q: npt.NDArray[np.intp]
    m_coef: npt.NDArray[np.floating]
    md_ptr: npt.NDArray[np.intp]  # the same for M_down (applied to min(D, 0))
    md_q: npt.NDArray[np.intp]
    md_coef: npt.NDArray[np.floating]
    down_rel: npt.NDArray[np.floating]  # [pairs] theta_down r
    up_rel: npt.NDArray[np.floating]  # [pairs] theta_up r
    churn: npt.NDArray[np.floating]  # [pairs] kappa r B_gj
    stands: npt.NDArray[np.floating]  # [pairs] 0/1
    donor: npt.NDArray[np.floating]  # [squeezes, pairs] f a_i
    recipient: npt.NDArray[np.floating]  # [squeezes, pairs]
    squeezed: npt.NDArray[np.bool_]  # [squeezes, seats] whether the squeeze moves anything in the seat
    extra: npt.NDArray[np.intp]  # [squeezes, seats] column of a recipient that does not stand, else -1
    right_col: int
    rounds: int


def pair_maps(kernel: CovariateKernel, ctx: SwingContext, ctx_row: npt.NDArray[np.intp],
              seats: npt.NDArray[np.intp], rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp],
              held_base: npt.NDArray[np.floating], order: npt.NDArray[np.intp] | None = None, *,
              dtype: type[np.floating] = np.float32) -> PairMaps | None:
    """The kernel on the pairs ``(rows, cols)`` of a frame whose seat *s* is ``ctx`` row ``ctx_row[s]`` (-1: held).

    ``seats`` lists the frame seats in the order of the per-seat arrays, and ``rows`` runs through
    them in that order (each seat's pairs together, as ``start`` records); ``held_base`` gives the
    pairs' base shares (used for held seats); ``order`` where each pair sits in the caller's own
    order (kept as ``variate``; default: the same). None when the pairs cannot carry the kernel exactly
    (a tactical recipient outside them that a later squeeze takes votes from again). ``dtype`` is
    that of every float table (float32 for the simulator, float64 for a point projection): the
    compiled kernel computes in it, and each coefficient is rounded to it as the numpy kernel
    rounds its arrays to the target's dtype.
    """
    dt = dtype
    r = ctx_row[rows]
    mod = r >= 0
    rr = np.where(mod, r, 0)
    p_n = ctx.base.shape[1]

    def on_pairs(a: FloatArray) -> npt.NDArray[np.floating]:
        return np.where(mod, a[rr, cols], 0).astype(dt)

    def csr(m: FloatArray | None) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.floating]]:
        if m is None:
            return np.zeros(len(rows) + 1, np.intp), np.zeros(0, np.intp), np.zeros(0, dt)
        per = np.where(mod[:, None], m[rr, cols, :], 0).astype(dt)  # [pairs, q], in the kernel's dtype
        nz = per != 0
        ptr = np.concatenate([[0], np.cumsum(nz.sum(axis=1))]).astype(np.intp)
        pi, q = np.nonzero(nz)
        return ptr, q.astype(np.intp), per[pi, q]

    idx = np.arange(p_n)
    own = np.where(mod, kernel.m[:, idx, idx][rr, cols], 0).astype(dt)
    off = kernel.m.copy()
    off[:, idx, idx] = 0
    m_ptr, m_q, m_coef = csr(off)
    md_ptr, md_q, md_coef = csr(kernel.m_down)
    rel = kernel.rel.astype(dt)
    nat = gather(ctx, ctx.base_national.astype(dt))
    squeezes = [sq for sq in kernel.squeeze if kernel.squeeze_f != 0 and sq.donor.any()]
    seat_row = ctx_row[seats]
    n_sq = len(squeezes)
    extra = np.full((len(squeezes), len(seats)), -1, np.intp)
    # A recipient that does not stand is handled apart only when it is not one of the pairs (a
    # point projection's pairs include non-standing parties with a base share: their moved votes
    # are then in ``y`` and counted in the mean as every pair's are).
    outside = ~ctx.stands.copy()
    outside[r[mod], cols[mod]] = False
    for i, sq in enumerate(squeezes):
        for k, row in enumerate(seat_row):
            if row < 0:
                continue
            c = np.flatnonzero((sq.recipient[row] != 0) & outside[row])
            if len(c) > 1 or any(later.donor[row, c].any() for later in squeezes[i + 1:]):
                return None
            if len(c):
                if (extra[:i, k] >= 0).any():
                    return None
                extra[i, k] = c[0]
    start = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1], True]).astype(np.intp)
    if len(start) != len(seats) + 1 or not np.array_equal(rows[start[:-1]], seats):
        raise ValueError("pair_maps: rows must run through seats in order, each seat's pairs together")
    onehot = np.zeros((len(ctx.group), ctx.n_groups))
    onehot[np.arange(len(ctx.group)), ctx.group] = ctx.weights
    onehot /= np.maximum(onehot.sum(axis=0), 1e-12)
    seat_weight = onehot[np.arange(len(ctx.group)), ctx.group].astype(dt)
    smod = seat_row >= 0
    srow = np.where(smod, seat_row, 0)
    return PairMaps(
        base_national=np.asarray(ctx.base_national, dtype=dt),
        start=start,
        party=cols.astype(np.intp),
        variate=np.arange(len(rows), dtype=np.intp) if order is None else np.asarray(order, dtype=np.intp),
        modelled=smod, group=np.where(smod, ctx.group[srow], 0).astype(np.intp),
        weight=np.where(smod, seat_weight[srow], 0).astype(dt),
        base=np.where(mod, on_pairs(ctx.base), held_base).astype(dt),
        right_delta=on_pairs(kernel.right_delta) if kernel.right_delta is not None else np.zeros(len(rows), dt),
        const=on_pairs(kernel.c), own=own, m_ptr=m_ptr, m_q=m_q, m_coef=m_coef,
        md_ptr=md_ptr, md_q=md_q, md_coef=md_coef,
        down_rel=np.where(mod, dt(kernel.theta_down) * rel[rr, cols], 0).astype(dt),
        up_rel=np.where(mod, dt(kernel.theta_up) * rel[rr, cols], 0).astype(dt),
        churn=np.where(mod, dt(kernel.kappa) * rel[rr, cols] * nat[rr, cols], 0).astype(dt),
        stands=on_pairs(ctx.stands.astype(np.float64)),
        donor=np.array([on_pairs(kernel.squeeze_f * sq.donor) for sq in squeezes], dtype=dt).reshape(n_sq, len(rows)),
        recipient=np.array([on_pairs(sq.recipient) for sq in squeezes], dtype=dt).reshape(n_sq, len(rows)),
        squeezed=np.array([[bool((sq.donor[row] != 0).any()) if row >= 0 else False for row in seat_row]
                           for sq in squeezes], dtype=bool).reshape(len(squeezes), len(seats)),
        extra=extra,
        right_col=kernel.right_col if kernel.right_delta is not None else -1,
        rounds=REBASE_ROUNDS if kernel.rebase else 0,
    )
