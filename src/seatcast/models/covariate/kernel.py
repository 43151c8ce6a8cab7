r"""The seat-aware kernel: uniform swing plus fitted covariate terms, re-based to the targets.

For seat *i* in group *g* and party *j* (role *r*), with national change ``D = T - B``:

.. math:: y_{ij} = s_{ij} + D_{gj} + \sum_q M_{ijq} D_{gq} + C_{ij}

where ``M`` gathers the fitted driver coefficients times seat features and ``C`` the constant
terms (incumbency, tactical advice). Parties that do not stand get zero, negative shares are
clipped, and the seats are renormalised. Then each group is *re-based*: a per-group additive
correction (clipped and renormalised again, a few rounds) brings the vote-weighted totals back to
the targets, so the covariates move votes between seats while the polls set the level.

Everything is linear in ``D`` before clipping, so the kernel broadcasts over leading axes
(``[n_sims, groups, parties]`` in the simulator) and keeps the target's dtype.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from seatcast.models.context import Array, SwingContext, gather, renormalise
from seatcast.models.covariate.features import FEATURES, SeatDesign

FloatArray = npt.NDArray[np.float64]

#: Rounds of re-basing (each: additive correction per group, clip, renormalise).
REBASE_ROUNDS = 6
RATIO_REBASE = False


@dataclass(frozen=True, eq=False)
class CovariateKernel:
    """A kernel bound to one seat set: ``M [seats, parties, parties]`` and ``C [seats, parties]``."""

    m: FloatArray
    c: FloatArray
    rebase: bool = True

    def __call__(self, ctx: SwingContext, target: Array) -> Array:
        """Project seat shares for group targets ``[..., groups, parties]``."""
        dtype = target.dtype
        base = ctx.base.astype(dtype)
        d = gather(ctx, target - ctx.base_national.astype(dtype))
        y = base + d + np.einsum("...sq,sjq->...sj", d, self.m.astype(dtype)) + self.c.astype(dtype)
        y = np.where(ctx.stands, np.maximum(y, 0), 0).astype(dtype)
        y = renormalise(y, ctx.base)
        if not self.rebase:
            return y
        onehot = np.zeros((len(ctx.group), ctx.n_groups))
        onehot[np.arange(len(ctx.group)), ctx.group] = ctx.weights
        onehot /= np.maximum(onehot.sum(axis=0), 1e-12)
        onehot = onehot.astype(dtype)
        for _ in range(REBASE_ROUNDS):
            mean = np.einsum("...sp,sg->...gp", y, onehot)
            if RATIO_REBASE:
                ratio = np.divide(target, mean, out=np.ones_like(mean), where=mean > 0)
                y = np.where(ctx.stands, y * gather(ctx, ratio), 0).astype(dtype)
            else:
                y = np.where(ctx.stands, np.maximum(y + gather(ctx, target - mean), 0), 0).astype(dtype)
            y = renormalise(y, ctx.base)
        return y


def build_kernel(design: SeatDesign, coef: dict[str, FloatArray], parties: Sequence[str],
                 right: str | None, *, rebase: bool = True) -> CovariateKernel:
    """Turn fitted coefficients and a seat design into the matrices the kernel applies."""
    n_seats = next(iter(design.z.values())).shape[0] if design.z else 0
    p = len(parties)
    m = np.zeros((n_seats, p, p))
    c = np.zeros((n_seats, p))
    col = {"con": parties.index("con") if "con" in parties else None,
           "right": parties.index(right) if right in parties else None}
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
            q = j if f.driver == "own" else col[f.driver]
            if q is not None:
                m[:, j, q] += beta[k] * z[:, k]
    return CovariateKernel(m=m, c=c, rebase=rebase)
