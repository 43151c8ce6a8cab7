r"""A transition model in the spirit of Electoral Calculus's strong transition model.

Each party's vote in a seat splits into *weak* supporters, up to a threshold :math:`\tau` of
the seat's vote (20% by default), and *strong* supporters, the rest:

.. math:: w_{ip} = \min(s_{ip}, \tau), \qquad \sigma_{ip} = s_{ip} - w_{ip}

Within a swing group *g* let :math:`W_{gp}` and :math:`\Sigma_{gp}` be the vote-weighted means of
:math:`w` and :math:`\sigma`, and :math:`\Delta_{gp} = T_{gp} - B_{gp}` the party's national change.

*A falling party* (:math:`\Delta_{gp} < 0`, loss :math:`L = -\Delta_{gp}`) loses its weak
supporters first, in proportion to where they are:

.. math::
   \ell_{ip} = w_{ip}\,\frac{L}{W_{gp}} \quad (L \le W_{gp}), \qquad
   \ell_{ip} = w_{ip} + \sigma_{ip}\,\frac{L - W_{gp}}{\Sigma_{gp}} \quad (L > W_{gp}),

so it holds up best, relatively, where it is strongest (between uniform swing, which takes the
same points everywhere, and proportional swing, which takes most where it is strong).

*Gaining parties* share the votes freed in each seat, :math:`F_i = \sum_p \ell_{ip}`, in
proportion to their national gains, among those standing there:

.. math:: g_{iq} = F_i \, \frac{\Delta^+_{gq}}{\sum_{r \in \text{stands}(i)} \Delta^+_{gr}}

and :math:`s'_{ip} = s_{ip} - \ell_{ip} + g_{ip}`. Each seat's total is conserved, and when every
party stands everywhere the group totals hit the targets exactly (the freed votes add up to
the sum of the losses, shared out in the ratio of the gains).

Worked example (one group of two equal seats, :math:`\tau = 0.2`): A has 60% and 20%, B the
rest; A falls from 40% to 30% nationally. Weak A support is 20% in both seats (W = 0.2), so A
loses 0.2 x 0.1/0.2 = 10 points in each seat: 50% and 10%, and B gains them.
"""

from __future__ import annotations

import numpy as np

from seatcast.models.context import Array, SwingContext, gather, renormalise

THRESHOLD = 0.2


def transition_swing(ctx: SwingContext, target: Array, *, threshold: float = THRESHOLD) -> Array:
    """Project seat shares with the strong transition model (see the module docstring)."""
    dtype = target.dtype
    base = ctx.base.astype(dtype)
    weak64 = np.minimum(ctx.base, threshold)
    strong64 = ctx.base - weak64
    weak_nat = ctx.group_mean(weak64).astype(dtype)
    strong_nat = ctx.group_mean(strong64).astype(dtype)
    delta = target - ctx.base_national.astype(dtype)
    loss_nat = np.maximum(-delta, 0)
    gain_nat = np.maximum(delta, 0)
    frac_weak = np.clip(np.divide(loss_nat, weak_nat, out=np.zeros_like(loss_nat), where=weak_nat > 0), 0, 1)
    over = loss_nat - weak_nat
    frac_strong = np.clip(
        np.divide(over, strong_nat, out=np.zeros_like(over), where=(strong_nat > 0) & (over > 0)), 0, 1
    )
    loss = weak64.astype(dtype) * gather(ctx, frac_weak) + strong64.astype(dtype) * gather(ctx, frac_strong)
    freed = loss.sum(axis=-1, keepdims=True)
    gainers = gather(ctx, gain_nat) * ctx.stands
    total_gain = gainers.sum(axis=-1, keepdims=True)
    gain = np.divide(freed * gainers, total_gain, out=np.zeros_like(gainers), where=total_gain > 0)
    out = np.where(ctx.stands, np.maximum(base - loss + gain, 0), 0).astype(dtype)
    return renormalise(out, ctx.base)
