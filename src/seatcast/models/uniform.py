r"""Uniform national swing (UNS): every seat moves by its group's change in each party's share.

.. math:: s'_{ip} = \\max(0,\\; s_{ip} + T_{gp} - B_{gp}) \\;/\\; \\text{row sum}

where :math:`s_{ip}` is party *p*'s base share in seat *i*, :math:`B_{gp}` its base share in the
seat's group *g* and :math:`T_{gp}` its target there. Negative shares are clipped to zero and the
seat renormalised, so a collapsing party bottoms out at zero in its weakest seats.

Worked example (two parties, one group, base national 50/50, target 55/45): a seat at 40/60
becomes 45/55; a seat at 2/98 of a party falling by 5 points becomes 0/100 after clipping.
"""

from __future__ import annotations

import numpy as np

from seatcast.models.context import Array, SwingContext, gather, renormalise


def uniform_swing(ctx: SwingContext, target: Array) -> Array:
    """Project seat shares by uniform swing (see the module docstring)."""
    dtype = target.dtype
    change = gather(ctx, target - ctx.base_national.astype(dtype))
    out = np.where(ctx.stands, np.maximum(ctx.base.astype(dtype) + change, 0), 0).astype(dtype)
    return renormalise(out, ctx.base)
