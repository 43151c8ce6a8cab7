"""What every swing model is given: the prepared base and how seats fall into swing groups.

A swing group is a set of seats that share one national target vector: the nations of Great
Britain when the input is GB shares (England, Scotland, Wales), or any regions the user gives
shares for. Kernels are pure numpy: ``kernel(ctx, target) -> shares`` where ``target`` is
``[..., groups, parties]`` and the result is ``[..., seats, parties]``; leading axes (simulations)
broadcast, and the dtype of ``target`` is kept (float32 in the simulator).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.floating]


@dataclass(frozen=True, eq=False)
class SwingContext:
    """The base shares of the modelled seats, ready for a kernel.

    Attributes
    ----------
    base:
        ``[seats, parties]`` base shares, already masked to the parties standing (rows sum to 1).
    group:
        ``[seats]`` index of each seat's swing group.
    weights:
        ``[seats]`` votes per seat, to aggregate seats into group totals.
    stands:
        ``[seats, parties]`` whether the party stands in the seat.
    """

    base: npt.NDArray[np.float64]
    group: npt.NDArray[np.intp]
    weights: npt.NDArray[np.float64]
    stands: npt.NDArray[np.bool_]
    n_groups: int

    @cached_property
    def group_weight(self) -> npt.NDArray[np.float64]:
        """Total votes per group."""
        return np.bincount(self.group, weights=self.weights, minlength=self.n_groups).astype(np.float64)

    @cached_property
    def membership(self) -> npt.NDArray[np.float64]:
        """``[groups, seats]`` one-hot matrix times seat weights: group sums are one matmul."""
        m = np.zeros((self.n_groups, len(self.group)))
        m[self.group, np.arange(len(self.group))] = self.weights
        return m

    def group_mean(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Vote-weighted mean of per-seat ``[seats, parties]`` values within each group."""
        out: npt.NDArray[np.float64] = self.membership @ values
        return out / np.maximum(self.group_weight, 1e-12)[:, None]

    @cached_property
    def base_national(self) -> npt.NDArray[np.float64]:
        """``[groups, parties]`` base shares of each group."""
        return self.group_mean(self.base)


Kernel = Callable[[SwingContext, Array], Array]


def renormalise(shares: Array, fallback: npt.NDArray[np.float64]) -> Array:
    """Scale each seat's shares to sum to 1; a seat left with nothing keeps ``fallback``."""
    total = shares.sum(axis=-1, keepdims=True)
    safe = np.where(total > 0, total, 1)
    out = shares / safe
    return np.where(total > 0, out, fallback.astype(shares.dtype))


def gather(ctx: SwingContext, per_group: Array) -> Array:
    """Broadcast ``[..., groups, parties]`` values to ``[..., seats, parties]``."""
    return np.take(per_group, ctx.group, axis=-2)
