r"""Proportional (ratio) swing: every seat's share is scaled by its group's national ratio.

.. math:: s'_{ip} = s_{ip} \\cdot T_{gp} / B_{gp} \\;/\\; \\text{row sum}

A party that halves nationally halves everywhere, so it loses most where it was strongest;
shares can never go negative, and a party with no base vote in a seat gets none (which is why
the projection layer gives a standing newcomer a small base share first).

Worked example: base national 40/60, target 20/80 (ratio 0.5 and 4/3); a seat at 60/40 becomes
30/53.3 before renormalising, i.e. 36.0/64.0.
"""

from __future__ import annotations

import numpy as np

from seatcast.models.context import Array, SwingContext, gather, renormalise


def proportional_swing(ctx: SwingContext, target: Array) -> Array:
    """Project seat shares by proportional swing (see the module docstring)."""
    dtype = target.dtype
    base_nat = ctx.base_national.astype(dtype)
    ratio = np.divide(target, base_nat, out=np.ones_like(target), where=base_nat > 0)
    out = np.where(ctx.stands, ctx.base.astype(dtype) * gather(ctx, ratio), 0).astype(dtype)
    return renormalise(out, ctx.base)
